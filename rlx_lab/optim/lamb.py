r"""LAMB: AdamW direction rescaled per tensor by a trust ratio (You et al., 2020).

.. math::
    u = \frac{\hat m}{\sqrt{\hat v}+\epsilon} + \lambda\theta;\quad
    r = \frac{\lVert\theta\rVert}{\lVert u\rVert}
        \text{ if both norms} > 0 \text{ else } 1;\quad
    \theta \leftarrow \theta - \eta\,r\,u

With ``bias_correction`` false, m̂ = m and v̂ = v. Norms skip non-finite entries (RLX ``l2_norm``).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from . import _hparams as H
from ._base import Optimizer, StepContext
from ._moments import Moments, update_moments, zero_moments
from ._numerics import bias_scales, l2_norm


def update_tensor(
    param: jax.Array, grad: jax.Array, state: Moments, hp: H.HParamsDict, ctx: StepContext
) -> tuple[jax.Array, Moments]:
    moments = update_moments(state, grad, hp)
    correct = hp["bias_correction"]
    scale1, scale2 = bias_scales((hp["beta1"], ctx.t), (hp["beta2"], ctx.t))
    m_hat = moments.m * jnp.where(correct, scale1, 1.0)
    v_hat = moments.v * jnp.where(correct, scale2, 1.0)
    u = m_hat / (jnp.sqrt(v_hat) + hp["eps"]) + hp["weight_decay"] * param
    theta_norm, u_norm = l2_norm(param), l2_norm(u)
    both = (theta_norm > 0) & (u_norm > 0)
    trust = jnp.where(both, theta_norm / jnp.where(both, u_norm, 1.0), 1.0)
    return hp["lr"] * ctx.lr_scale * trust * u, moments


OPTIMIZER = Optimizer(
    name="lamb",
    title="LAMB",
    spec=(
        H.lr(0.01),
        *H.adam_betas(0.9, 0.999),
        H.eps(1e-6),
        H.weight_decay(0.01, decoupled=True),
        H.flag("bias_correction", True, "divide the moments by 1 − βᵗ", r"\text{bias corr.}"),
    ),
    init_tensor=zero_moments,
    update_tensor=update_tensor,
    summary="AdamW step rescaled so each tensor moves by lr times its own norm.",
    rule_latex=(
        r"u = \frac{\hat m}{\sqrt{\hat v}+\epsilon} + \lambda\theta,\quad"
        r"\theta \leftarrow \theta - \eta\,\frac{\lVert\theta\rVert}{\lVert u\rVert}\,u"
    ),
    # nets: the trust ratio moves each layer ~1%/step; ≥ 0.1 collapses the net
    net_defaults={"lr": 0.01},
)
