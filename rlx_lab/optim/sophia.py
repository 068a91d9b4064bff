r"""Sophia-H: momentum divided by a clipped diagonal-Hessian estimate (Liu et al., 2024).

.. math::
    m \leftarrow \beta_1 m + (1-\beta_1)g;\quad
    u = \operatorname{clip}\!\left(\frac{m}{\max(\max(\gamma,\epsilon)\,h,\ \epsilon)},
        -\rho, \rho\right);\quad
    \theta \leftarrow \theta - \eta\,(u + \lambda\theta)

``h`` is zero until the caller supplies an estimate ĥ with ``update_hessian``:
``h ← β₂h + (1−β₂)ĥ`` (no bias correction). With h = 0 every coordinate moves by exactly
η·ρ (sign descent): the clip keeps a bad curvature estimate from blowing up the step.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from . import _hparams as H
from ._base import Optimizer, StepContext
from ._moments import decoupled_descent


class SophiaState(NamedTuple):
    m: jax.Array
    h: jax.Array


def init_tensor(param: jax.Array) -> SophiaState:
    return SophiaState(jnp.zeros_like(param), jnp.zeros_like(param))


def clipped_ratio(state: SophiaState, hp: H.HParamsDict) -> jax.Array:
    """u before the step: m/max(max(γ,ε)·h, ε) clipped to [−ρ, ρ]."""
    scale = jnp.maximum(hp["gamma"], hp["eps"])
    ratio = state.m / jnp.maximum(scale * state.h, hp["eps"])
    return jnp.clip(ratio, -hp["rho"], hp["rho"])


def update_tensor(
    param: jax.Array, grad: jax.Array, state: SophiaState, hp: H.HParamsDict, ctx: StepContext
) -> tuple[jax.Array, SophiaState]:
    state = state._replace(m=hp["beta1"] * state.m + (1 - hp["beta1"]) * grad)
    u = clipped_ratio(state, hp)
    return decoupled_descent(param, u, hp["lr"] * ctx.lr_scale, hp), state


def hessian_tensor(state: SophiaState, h_hat: jax.Array, hp: H.HParamsDict) -> SophiaState:
    """h ← β₂h + (1−β₂)ĥ."""
    h_hat = jnp.asarray(h_hat, state.h.dtype)
    return state._replace(h=hp["beta2"] * state.h + (1 - hp["beta2"]) * h_hat)


def clip_tensor(
    param: jax.Array, grad: jax.Array, before: SophiaState, after: SophiaState, hp: H.HParamsDict
) -> jax.Array:
    """Fraction of coordinates whose ratio m/max(γh, ε) exceeded ρ and was clipped."""
    del param, grad, before
    scale = jnp.maximum(hp["gamma"], hp["eps"])
    ratio = after.m / jnp.maximum(scale * after.h, hp["eps"])
    return jnp.mean((jnp.abs(ratio) > hp["rho"]).astype(jnp.float32))


OPTIMIZER = Optimizer(
    name="sophia",
    title="Sophia-H",
    spec=(
        H.lr(0.01),
        H.beta("beta1", 0.965, "decay of the gradient momentum", r"\beta_1"),
        H.beta("beta2", 0.99, "decay of the Hessian-diagonal average", r"\beta_2"),
        H.HParam(
            "gamma",
            0.01,
            "float",
            "scale on the curvature in the denominator",
            r"\gamma",
            low=0.0,
            ui_low=1e-4,
            ui_high=1.0,
            scale="log",
        ),
        H.HParam(
            "rho",
            0.04,
            "float",
            "clip: largest step per coordinate, in units of lr",
            r"\rho",
            low=0.0,
            ui_low=1e-3,
            ui_high=1.0,
            scale="log",
            tag="clip",
        ),
        H.eps(1e-12),
        H.weight_decay(0.1, decoupled=True),
    ),
    init_tensor=init_tensor,
    update_tensor=update_tensor,
    summary="Momentum over curvature, clipped per coordinate to at most lr·ρ.",
    rule_latex=(
        r"\theta \leftarrow \theta - \eta\left(\operatorname{clip}\left("
        r"\frac{m}{\max(\gamma h, \epsilon)}, -\rho, \rho\right) + \lambda\theta\right)"
    ),
    departures=(
        "The caller supplies the Hessian-diagonal estimate (Hutchinson, Gauss–Newton or "
        "exact) every k steps; until then h = 0 and Sophia is sign descent of size lr·ρ."
    ),
    hessian_tensor=hessian_tensor,
    clip_tensor=clip_tensor,
    # nets: ρ clips ~90% of coordinates: lr·ρ = 3e-3, Lion's step
    net_defaults={"lr": 0.03, "rho": 0.1},
)
