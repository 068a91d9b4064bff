r"""Adafactor: factored second moments, update clipping, relative step (Shazeer & Stern, 2018).

No first moment. :math:`\hat\beta_{2t} = 1 - t^{d}` with d = ``beta2_decay`` (0 at t = 1).
For an m×n matrix (state: m + n numbers):

.. math::
    R_i \leftarrow \hat\beta_{2t}R_i
        + (1-\hat\beta_{2t})\,\operatorname{mean}_j(g_{ij}^2+\epsilon_1),\quad
    C_j \leftarrow \hat\beta_{2t}C_j
        + (1-\hat\beta_{2t})\,\operatorname{mean}_i(g_{ij}^2+\epsilon_1),
    \\ V_{ij} = \frac{R_i C_j}{\max(\sum_k R_k, \epsilon_1)},\quad
    u = \frac{g}{\max(\sqrt{V}, \sqrt{\epsilon_1})}

Other ranks keep the full :math:`v \leftarrow \hat\beta_{2t}v + (1-\hat\beta_{2t})(g^2+\epsilon_1)`.
Clip: :math:`u \leftarrow u / \max(1, \text{clip\_threshold}\cdot\mathrm{RMS}(u))` (RLX multiplies
where the paper divides; they agree at the default 1.0). Step size: ``lr``, or with ``lr=None``
:math:`\min(1/\sqrt t, 10^{-2})\max(\epsilon_2, \mathrm{RMS}(\theta))`.
:math:`\theta \leftarrow \theta - \eta_t(u + \lambda\theta)`.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from . import _hparams as H
from ._base import Optimizer, StepContext
from ._moments import decoupled_descent
from ._numerics import rms


class FactoredState(NamedTuple):
    """Row and column averages of g² for a matrix (m + n numbers)."""

    row: jax.Array
    col: jax.Array


class FullState(NamedTuple):
    """The full average of g² for any tensor that is not a matrix."""

    v: jax.Array


def init_tensor(param: jax.Array) -> FactoredState | FullState:
    if param.ndim == 2:
        rows, cols = param.shape
        return FactoredState(jnp.zeros((rows,), param.dtype), jnp.zeros((cols,), param.dtype))
    return FullState(jnp.zeros_like(param))


def _scaled(grad: jax.Array, v: jax.Array, hp: H.HParamsDict) -> jax.Array:
    """u = g / max(√V, √ε₁), before the clip."""
    return grad / jnp.maximum(jnp.sqrt(v), jnp.sqrt(hp["eps1"]))


def _second_moment(state: FactoredState | FullState, hp: H.HParamsDict) -> jax.Array:
    """V: the full average, or R_i·C_j/max(ΣR, ε₁) rebuilt from the factors."""
    if isinstance(state, FactoredState):
        return jnp.outer(state.row, state.col) / jnp.maximum(jnp.sum(state.row), hp["eps1"])
    return state.v


def clip_denominator(u: jax.Array, hp: H.HParamsDict) -> jax.Array:
    """max(1, clip_threshold·RMS(u)); > 1 means the clip fired."""
    return jnp.maximum(1.0, hp["clip_threshold"] * rms(u))


def update_tensor(
    param: jax.Array,
    grad: jax.Array,
    state: FactoredState | FullState,
    hp: H.HParamsDict,
    ctx: StepContext,
) -> tuple[jax.Array, FactoredState | FullState]:
    eps1 = hp["eps1"]
    decay = 1.0 - jnp.power(ctx.t, hp["beta2_decay"])
    g2 = grad * grad + eps1
    if isinstance(state, FactoredState):
        row = decay * state.row + (1 - decay) * jnp.mean(g2, axis=1)
        col = decay * state.col + (1 - decay) * jnp.mean(g2, axis=0)
        new_state: FactoredState | FullState = FactoredState(row, col)
    else:
        new_state = FullState(decay * state.v + (1 - decay) * g2)
    v = _second_moment(new_state, hp)
    u = _scaled(grad, v, hp)
    u = u / clip_denominator(u, hp)
    relative = jnp.minimum(1.0 / jnp.sqrt(ctx.t), 1e-2) * jnp.maximum(hp["eps2"], rms(param))
    step_size = jnp.where(hp["relative_step"], relative, hp["lr"]) * ctx.lr_scale
    return decoupled_descent(param, u, step_size, hp), new_state


def clip_tensor(
    param: jax.Array,
    grad: jax.Array,
    before: FactoredState | FullState,
    after: FactoredState | FullState,
    hp: H.HParamsDict,
) -> jax.Array:
    """1 when clip_threshold·RMS(u) > 1 and the update was scaled down, else 0."""
    del param, before
    u = _scaled(grad, _second_moment(after, hp), hp)
    return (clip_denominator(u, hp) > 1).astype(jnp.float32)


OPTIMIZER = Optimizer(
    name="adafactor",
    title="Adafactor",
    spec=(
        H.HParam(
            "lr",
            None,
            "optional_float",
            "learning rate; None = relative step 1e-2·RMS(θ)",
            r"\eta",
            low=0.0,
            low_open=True,
            ui_low=1e-5,
            ui_high=10.0,
            scale="log",
            tag="lr",
            none_flag="relative_step",
        ),
        H.HParam(
            "beta2_decay",
            -0.8,
            "float",
            "β̂₂ₜ = 1 − t^d: how fast the memory grows",
            "d",
            high=0.0,
            ui_low=-1.0,
            ui_high=-0.1,
        ),
        H.eps(1e-30, "eps1", r"\epsilon_1", ui_low=1e-35),
        H.HParam(
            "eps2",
            1e-3,
            "float",
            "floor on RMS(θ) in the relative step",
            r"\epsilon_2",
            low=0.0,
            ui_low=1e-6,
            ui_high=1e-1,
            scale="log",
        ),
        H.HParam(
            "clip_threshold",
            1.0,
            "float",
            "clip: update RMS above 1/this is scaled down",
            r"d_{\text{clip}}",
            low=0.0,
            ui_low=0.05,
            ui_high=10.0,
            scale="log",
            tag="clip",
        ),
        H.weight_decay(0.0, decoupled=True),
    ),
    init_tensor=init_tensor,
    update_tensor=update_tensor,
    summary="Memory-light Adam without momentum: factored second moments and a clipped update.",
    rule_latex=(
        r"u = \frac{g}{\sqrt{V}},\ V_{ij} = \frac{R_i C_j}{\sum_k R_k},\quad"
        r"\theta \leftarrow \theta - \eta_t\left(\frac{u}{\max(1, d\,\mathrm{RMS}(u))}"
        r" + \lambda\theta\right)"
    ),
    departures=(
        "The clip divides by max(1, clip_threshold·RMS(u)); the paper divides by "
        "max(1, RMS(u)/clip_threshold). They agree only at the default 1.0."
    ),
    clip_tensor=clip_tensor,
    # nets: the relative step is ~2e-3 on small nets (5× slower than Adam)
    net_defaults={"lr": 0.01},
)
