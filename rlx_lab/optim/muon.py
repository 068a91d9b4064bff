r"""Muon: momentum orthogonalised by a Newton–Schulz iteration (Jordan et al., 2024).

.. math::
    m \leftarrow \mu m + g;\quad M = g + \mu m \text{ (nesterov) or } m;\quad
    X_0 = M/\max(\lVert M\rVert_F, 10^{-12});\\
    X_{k+1} = aX_k + b\,(X_kX_k^\top)X_k + c\,(X_kX_k^\top)^2X_k \ (\text{ns\_steps times});
    \quad \theta \leftarrow \theta - \eta\left(\sqrt{\max(r, c)}\,X + \lambda\theta\right)

Tensors that are not matrices take ``θ ← θ − η(u + λθ)`` with u = g + μm (nesterov) or m
(the paper routes them to AdamW). The quintic's coefficients push every singular value into
a band around 1 rather than onto 1 exactly.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from . import _hparams as H
from ._base import Optimizer, StepContext
from ._moments import decoupled_descent
from ._numerics import l2_norm


class MuonState(NamedTuple):
    m: jax.Array


def init_tensor(param: jax.Array) -> MuonState:
    return MuonState(jnp.zeros_like(param))


def newton_schulz(m: jax.Array, coeffs: jax.Array, steps: jax.Array) -> jax.Array:
    """Approximate orthogonalisation UVᵀ of ``m`` (2-D) by the quintic iteration."""
    tall = m.shape[0] > m.shape[1]
    x = m.T if tall else m
    x = x / jnp.maximum(l2_norm(x), 1e-12)
    a, b, c = coeffs[0], coeffs[1], coeffs[2]

    def body(_: jax.Array, x: jax.Array) -> jax.Array:
        gram = x @ x.T
        return a * x + (b * gram + c * gram @ gram) @ x

    x = jax.lax.fori_loop(0, steps, body, x)
    return x.T if tall else x


def update_tensor(
    param: jax.Array, grad: jax.Array, state: MuonState, hp: H.HParamsDict, ctx: StepContext
) -> tuple[jax.Array, MuonState]:
    mu = hp["momentum"]
    m = mu * state.m + grad
    direction = jnp.where(hp["nesterov"], grad + mu * m, m)
    if param.ndim == 2:
        scale = jnp.sqrt(jnp.float32(max(param.shape)))
        direction = scale * newton_schulz(direction, hp["ns_coeffs"], hp["ns_steps"])
    return decoupled_descent(param, direction, hp["lr"] * ctx.lr_scale, hp), MuonState(m)


OPTIMIZER = Optimizer(
    name="muon",
    title="Muon",
    spec=(
        H.lr(0.02),
        H.momentum(0.95),
        H.flag("nesterov", True, "Nesterov: orthogonalise g + μm instead of m", "nesterov"),
        H.weight_decay(0.0, decoupled=True),
        H.HParam(
            "ns_steps",
            5,
            "int",
            "Newton–Schulz iterations (more = closer to orthogonal)",
            "N",
            low=0,
            high=20,
            ui_low=0,
            ui_high=10,
        ),
        H.HParam(
            "ns_coeffs",
            (3.4445, -4.7750, 2.0315),
            "tuple",
            "Newton–Schulz quintic coefficients (a, b, c)",
            "(a,b,c)",
            length=3,
        ),
    ),
    init_tensor=init_tensor,
    update_tensor=update_tensor,
    summary="Momentum whose matrix update has all singular values pushed towards one.",
    rule_latex=(
        r"\theta \leftarrow \theta - \eta\,\sqrt{\max(r,c)}\;"
        r"\mathrm{NS}_5\!\left(\frac{M}{\lVert M\rVert_F}\right)"
    ),
    departures=(
        "Non-matrix tensors take momentum SGD with decoupled decay; the paper routes "
        "them to AdamW. A 2-D point is a vector unless viewed as a (1,2) or (2,1) matrix."
    ),
    # nets: √max(r,c) moves each entry ~lr; 0.02 oscillates on a 64-wide layer
    net_defaults={"lr": 0.01},
)
