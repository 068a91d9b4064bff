r"""Adam with L2 weight decay folded into the gradient (Kingma & Ba, 2015).

.. math::
    g \leftarrow g + \lambda\theta;\quad
    m \leftarrow \beta_1 m + (1-\beta_1)g;\quad
    v \leftarrow \beta_2 v + (1-\beta_2)g^2;\quad
    \theta \leftarrow \theta - \eta\,\frac{\hat m}{\sqrt{\hat v}+\epsilon}
"""

from __future__ import annotations

import jax

from . import _hparams as H
from ._base import Optimizer, StepContext
from ._moments import Moments, adam_direction, l2_decayed, update_moments, zero_moments


def update_tensor(
    param: jax.Array, grad: jax.Array, state: Moments, hp: H.HParamsDict, ctx: StepContext
) -> tuple[jax.Array, Moments]:
    moments = update_moments(state, l2_decayed(grad, param, hp), hp)
    return hp["lr"] * ctx.lr_scale * adam_direction(moments, hp, ctx.t), moments


OPTIMIZER = Optimizer(
    name="adam",
    title="Adam",
    spec=(
        H.lr(0.01),
        *H.adam_betas(0.9, 0.999),
        H.eps(1e-8),
        H.weight_decay(0.0, decoupled=False),
    ),
    init_tensor=zero_moments,
    update_tensor=update_tensor,
    summary="Per-coordinate step scaled by running gradient statistics.",
    rule_latex=r"\theta \leftarrow \theta - \eta\,\frac{\hat m}{\sqrt{\hat v}+\epsilon}",
    departures="Weight decay is L2 (added to the gradient), as in the original Adam.",
    # nets: fast and robust; 1e-3 is slow, ≥ 0.3 erratic
    net_defaults={"lr": 0.01},
)
