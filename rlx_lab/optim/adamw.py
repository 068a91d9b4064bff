r"""AdamW: Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

.. math::
    m \leftarrow \beta_1 m + (1-\beta_1)g;\quad
    v \leftarrow \beta_2 v + (1-\beta_2)g^2;\quad
    \theta \leftarrow \theta - \eta\left(\frac{\hat m}{\sqrt{\hat v}+\epsilon}
        + \lambda\theta\right)
"""

from __future__ import annotations

import jax

from . import _hparams as H
from ._base import Optimizer, StepContext
from ._moments import Moments, adam_direction, decoupled_descent, update_moments, zero_moments


def update_tensor(
    param: jax.Array, grad: jax.Array, state: Moments, hp: H.HParamsDict, ctx: StepContext
) -> tuple[jax.Array, Moments]:
    moments = update_moments(state, grad, hp)
    update = adam_direction(moments, hp, ctx.t)
    return decoupled_descent(param, update, hp["lr"] * ctx.lr_scale, hp), moments


OPTIMIZER = Optimizer(
    name="adamw",
    title="AdamW",
    spec=(
        H.lr(0.01),
        *H.adam_betas(0.9, 0.999),
        H.eps(1e-8),
        H.weight_decay(0.01, decoupled=True),
    ),
    init_tensor=zero_moments,
    update_tensor=update_tensor,
    summary="Adam whose weight decay shrinks the weights directly, not through the gradient.",
    rule_latex=(
        r"\theta \leftarrow \theta - \eta\left(\frac{\hat m}{\sqrt{\hat v}+\epsilon}"
        r" + \lambda\theta\right)"
    ),
    # nets: fast and robust; 1e-3 is slow, ≥ 0.3 erratic
    net_defaults={"lr": 0.01},
)
