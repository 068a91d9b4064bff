r"""QHAdamW: quasi-hyperbolic Adam with decoupled weight decay (Ma & Yarats, 2019).

.. math::
    \text{num} = (1-\nu_1)g + \nu_1\hat m;\quad
    \text{den} = \sqrt{(1-\nu_2)g^2 + \nu_2\hat v} + \epsilon;\quad
    \theta \leftarrow \theta - \eta\left(\frac{\text{num}}{\text{den}} + \lambda\theta\right)

ν₁ = ν₂ = 1 is AdamW.
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
    nu1, nu2 = hp["nu1"], hp["nu2"]
    moments = update_moments(state, grad, hp)
    scale1, scale2 = bias_scales((hp["beta1"], ctx.t), (hp["beta2"], ctx.t))
    m_hat, v_hat = moments.m * scale1, moments.v * scale2
    num = (1 - nu1) * grad + nu1 * m_hat
    den = jnp.sqrt((1 - nu2) * grad * grad + nu2 * v_hat) + hp["eps"]
    return decoupled_descent(param, num / den, hp["lr"] * ctx.lr_scale, hp), moments


def _nu(name: str, default: float, what: str, symbol: str) -> H.HParam:
    return H.HParam(
        name,
        default,
        "float",
        f"weight of the averaged {what} vs the current one",
        symbol,
        low=0.0,
        high=1.0,
        ui_low=0.0,
        ui_high=1.0,
    )


OPTIMIZER = Optimizer(
    name="qhadamw",
    title="QHAdamW",
    spec=(
        H.lr(0.01),
        *H.adam_betas(0.995, 0.999),
        _nu("nu1", 0.7, "gradient", r"\nu_1"),
        _nu("nu2", 1.0, "squared gradient", r"\nu_2"),
        H.eps(1e-8),
        H.weight_decay(0.01, decoupled=True),
    ),
    init_tensor=zero_moments,
    update_tensor=update_tensor,
    summary="AdamW that mixes the raw gradient back into the momentum (ν = 1 is AdamW).",
    rule_latex=(
        r"\theta \leftarrow \theta - \eta\left(\frac{(1-\nu_1)g + \nu_1\hat m}"
        r"{\sqrt{(1-\nu_2)g^2 + \nu_2\hat v}+\epsilon} + \lambda\theta\right)"
    ),
    # nets: the Adam family's 1e-2
    net_defaults={"lr": 0.01},
)
