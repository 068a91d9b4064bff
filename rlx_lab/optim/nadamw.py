r"""NAdamW: Adam with Nesterov momentum and decoupled weight decay (Dozat, 2016).

.. math::
    m \leftarrow \beta_1 m + (1-\beta_1)g;\quad v \leftarrow \beta_2 v + (1-\beta_2)g^2;\\
    \bar m = \frac{\beta_1 m}{1-\beta_1^{t+1}} + \frac{(1-\beta_1)g}{1-\beta_1^{t}};\quad
    \theta \leftarrow \theta - \eta\left(\frac{\bar m}{\sqrt{\hat v}+\epsilon}
        + \lambda\theta\right)
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from . import _hparams as H
from ._base import Optimizer, StepContext
from ._moments import Moments, decoupled_descent, update_moments, zero_moments
from ._numerics import bias_scales


def update_tensor(
    param: jax.Array, grad: jax.Array, state: Moments, hp: H.HParamsDict, ctx: StepContext
) -> tuple[jax.Array, Moments]:
    b1, t = hp["beta1"], ctx.t
    moments = update_moments(state, grad, hp)
    next1, scale1, scale2 = bias_scales((b1, t + 1), (b1, t), (hp["beta2"], t))
    m_bar = b1 * moments.m * next1 + (1 - b1) * grad * scale1
    update = m_bar / (jnp.sqrt(moments.v * scale2) + hp["eps"])
    return decoupled_descent(param, update, hp["lr"] * ctx.lr_scale, hp), moments


OPTIMIZER = Optimizer(
    name="nadamw",
    title="NAdamW",
    spec=(
        H.lr(0.01),
        *H.adam_betas(0.9, 0.999),
        H.eps(1e-8),
        H.weight_decay(0.01, decoupled=True),
    ),
    init_tensor=zero_moments,
    update_tensor=update_tensor,
    summary="AdamW that looks one momentum step ahead (Nesterov).",
    rule_latex=(
        r"\bar m = \tfrac{\beta_1 m}{1-\beta_1^{t+1}} + \tfrac{(1-\beta_1)g}{1-\beta_1^{t}},\quad"
        r"\theta \leftarrow \theta - \eta\left(\tfrac{\bar m}{\sqrt{\hat v}+\epsilon}"
        r" + \lambda\theta\right)"
    ),
    # nets: fast and robust; 1e-3 is slow, ≥ 0.3 erratic
    net_defaults={"lr": 0.01},
)
