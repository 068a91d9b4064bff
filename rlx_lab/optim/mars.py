r"""MARS: AdamW on a variance-reduced, norm-clipped gradient (Yuan et al., 2024).

.. math::
    c = g + \gamma\frac{\beta_1}{1-\beta_1}(g - g_{\text{prev}});\quad
    c \leftarrow c/\lVert c\rVert \text{ if clip\_c and } \lVert c\rVert > 1;\\
    m \leftarrow \beta_1 m + (1-\beta_1)c;\quad v \leftarrow \beta_2 v + (1-\beta_2)c^2;\quad
    \theta \leftarrow \theta - \eta\left(\frac{\hat m}{\sqrt{\hat v}+\epsilon}
        + \lambda\theta\right)

``g_prev`` is zero before the first step. γ = 0 is AdamW. The clip is per tensor.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from . import _hparams as H
from ._base import Optimizer, StepContext
from ._moments import Moments, adam_direction, decoupled_descent, update_moments
from ._numerics import l2_norm


class MarsState(NamedTuple):
    m: jax.Array
    v: jax.Array
    prev_grad: jax.Array


def init_tensor(param: jax.Array) -> MarsState:
    zeros = jnp.zeros_like(param)
    return MarsState(zeros, zeros, zeros)


def corrected_gradient(
    grad: jax.Array, prev_grad: jax.Array, hp: H.HParamsDict
) -> tuple[jax.Array, jax.Array]:
    """(c, clipped?): the variance-reduced gradient after the optional norm clip."""
    b1 = hp["beta1"]
    c = grad + hp["gamma"] * b1 / (1 - b1) * (grad - prev_grad)
    norm = l2_norm(c)
    clipped = hp["clip_c"] & (norm > 1)
    return jnp.where(clipped, c / jnp.where(clipped, norm, 1.0), c), clipped


def update_tensor(
    param: jax.Array, grad: jax.Array, state: MarsState, hp: H.HParamsDict, ctx: StepContext
) -> tuple[jax.Array, MarsState]:
    c, _ = corrected_gradient(grad, state.prev_grad, hp)
    moments = update_moments(Moments(state.m, state.v), c, hp)
    update = adam_direction(moments, hp, ctx.t)
    descent = decoupled_descent(param, update, hp["lr"] * ctx.lr_scale, hp)
    return descent, MarsState(moments.m, moments.v, grad)


def clip_tensor(
    param: jax.Array, grad: jax.Array, before: MarsState, after: MarsState, hp: H.HParamsDict
) -> jax.Array:
    """1 when clip_c rescaled this tensor's corrected gradient, else 0."""
    del param, after
    return corrected_gradient(grad, before.prev_grad, hp)[1].astype(jnp.float32)


OPTIMIZER = Optimizer(
    name="mars",
    title="MARS",
    spec=(
        H.lr(0.01),
        *H.adam_betas(0.95, 0.99),
        H.eps(1e-8),
        H.weight_decay(0.0, decoupled=True),
        H.HParam(
            "gamma",
            0.025,
            "float",
            "strength of the gradient-difference correction",
            r"\gamma",
            low=0.0,
            ui_low=0.0,
            ui_high=1.0,
        ),
        H.flag(
            "clip_c",
            True,
            "clip: rescale the corrected gradient to norm ≤ 1",
            r"\text{clip}_c",
            tag="clip",
        ),
    ),
    init_tensor=init_tensor,
    update_tensor=update_tensor,
    summary="AdamW on a gradient corrected by its change since the last step.",
    rule_latex=(
        r"c = g + \gamma\tfrac{\beta_1}{1-\beta_1}(g - g_{\text{prev}}),\quad"
        r"\theta \leftarrow \theta - \eta\left(\tfrac{\hat m_c}{\sqrt{\hat v_c}+\epsilon}"
        r" + \lambda\theta\right)"
    ),
    departures="The clip of c is per tensor; the paper clips the global norm.",
    clip_tensor=clip_tensor,
    # nets: the Adam family's 1e-2
    net_defaults={"lr": 0.01},
)
