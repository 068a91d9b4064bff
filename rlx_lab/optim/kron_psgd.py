r"""Kron-PSGD: momentum on a gradient preconditioned by Kronecker factors (Li, 2018).

For a matrix G, with upper-triangular factors :math:`Q_L, Q_R` (identity at the start):

.. math::
    A = Q_L G Q_R^\top,\quad B = Q_L^{-\top} V Q_R^{-1}\ (V = G, \text{ or a normal probe});\\
    D_L = AA^\top - BB^\top,\ D_R = A^\top A - B^\top B;\quad
    Q \leftarrow Q - \frac{\eta_p}{\lVert D\rVert_F + \epsilon}\,Q\,\operatorname{triu}(D);\\
    P = (Q_L^\top Q_L)\,G\,(Q_R Q_R^\top);\
    P \leftarrow P\cdot\frac{c}{\max|P|} \text{ if } \max|P| > c;\quad
    v \leftarrow \mu v + P + \lambda\theta;\quad \theta \leftarrow \theta - \eta v

Other ranks: :math:`v \leftarrow \mu v + g + \lambda\theta`. With V = G (RLX) and Q = I,
A = B = G so D = 0: the factors never move and this is momentum SGD on a max-|·|-clipped
gradient. ``random_probe`` draws V from a seeded normal — Li's whitening criterion — and the
factors learn.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from . import _hparams as H
from ._base import Optimizer, StepContext
from ._branch import branch
from ._lapack import solve_lower_triangular
from ._moments import l2_decayed
from ._numerics import l2_norm

_SINGULAR = 1e-12
_UNROLL = 8


class KronState(NamedTuple):
    """Velocity plus the two triangular factors (1×1 identities for non-matrices)."""

    v: jax.Array
    q_left: jax.Array
    q_right: jax.Array


def init_tensor(param: jax.Array) -> KronState:
    rows, cols = param.shape if param.ndim == 2 else (1, 1)
    return KronState(
        jnp.zeros_like(param), jnp.eye(rows, dtype=param.dtype), jnp.eye(cols, dtype=param.dtype)
    )


def solve_lower(lower: jax.Array, rhs: jax.Array) -> jax.Array:
    """X with lower·X = rhs by forward substitution; a diagonal |d| ≤ 1e-12 gives a zero row."""
    n = lower.shape[0]
    if n <= _UNROLL:  # small factors: straight-line code, no loop-carried buffer updates
        rows: list[jax.Array] = []
        for i in range(n):
            acc = rhs[i]
            for k, row in enumerate(rows):
                acc = acc - lower[i, k] * row
            d = lower[i, i]
            ok = jnp.abs(d) > _SINGULAR
            rows.append(jnp.where(ok, acc / jnp.where(ok, d, 1.0), 0.0))
        return jnp.stack(rows)

    # A row whose diagonal is (near) zero becomes the unit row with a zero right-hand side:
    # its unknown is 0 and later rows see 0, exactly as the substitution above.
    bad = jnp.abs(jnp.diagonal(lower)) <= _SINGULAR
    safe = jnp.where(bad[:, None], jnp.eye(n, dtype=lower.dtype), lower)
    return solve_lower_triangular(safe, jnp.where(bad[:, None], 0.0, rhs))


def _factor_step(q: jax.Array, d: jax.Array, hp: H.HParamsDict) -> jax.Array:
    step = hp["precond_lr"] / (l2_norm(d) + hp["eps"])
    return q - step * q @ jnp.triu(d)


def precondition(
    grad: jax.Array, state: KronState, hp: H.HParamsDict, key: jax.Array
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """(P before the clip, new Q_L, new Q_R) for a matrix gradient."""
    ql, qr = state.q_left, state.q_right
    probe = jax.lax.cond(
        hp["random_probe"], lambda: jax.random.normal(key, grad.shape, grad.dtype), lambda: grad
    )
    a = ql @ grad @ qr.T
    b = solve_lower(qr.T, solve_lower(ql.T, probe).T).T
    # AAᵀ − BBᵀ written as a symmetrised (A−B)(A+B)ᵀ: exactly zero when A = B, where the
    # plain difference of two rounded products is not (and 1/‖D‖ would blow the noise up).
    diff, total = a - b, a + b
    ql = _factor_step(ql, 0.5 * (diff @ total.T + total @ diff.T), hp)
    qr = _factor_step(qr, 0.5 * (diff.T @ total + total.T @ diff), hp)
    return _apply(ql, qr, grad), ql, qr


def _apply(ql: jax.Array, qr: jax.Array, grad: jax.Array) -> jax.Array:
    """P = (Q_LᵀQ_L)·G·(Q_R·Q_Rᵀ)."""
    return (ql.T @ ql) @ grad @ (qr @ qr.T)


def _precond_hp(hp: H.HParamsDict) -> H.HParamsDict:
    """The hyperparameters the factor update reads (fewer operands for :func:`branch`)."""
    return {k: hp[k] for k in ("random_probe", "precond_lr", "eps")}


def _at_rest(grad: jax.Array, state: KronState, hp: H.HParamsDict, *_: Any) -> jax.Array:
    """Whether this step provably leaves Q_L = Q_R = I and gives P = G.

    With V = G (no random probe) and identity factors, A = B = G exactly, so D = 0 and the
    factors stay put — given a finite G (0·inf is not 0) and a finite step s = η_p/ε (with
    ε = 0, s·0 is NaN, as in RLX). RLX's default stays here for good, and skipping the matrix
    work saves most of Kron's step.
    """

    def identity(q: jax.Array) -> jax.Array:
        return jnp.all(q == jnp.eye(q.shape[0], dtype=q.dtype))

    finite = jnp.all(jnp.isfinite(grad)) & jnp.isfinite(hp["precond_lr"] / hp["eps"])
    return ~hp["random_probe"] & identity(state.q_left) & identity(state.q_right) & finite


def clip_max_abs(p: jax.Array, clip: jax.Array) -> tuple[jax.Array, jax.Array]:
    """(P scaled so max|P| ≤ clip, whether it fired)."""
    peak = jnp.max(jnp.abs(p))
    fired = peak > clip
    return jnp.where(fired, p * clip / jnp.where(fired, peak, 1.0), p), fired


def update_tensor(
    param: jax.Array, grad: jax.Array, state: KronState, hp: H.HParamsDict, ctx: StepContext
) -> tuple[jax.Array, KronState]:
    if param.ndim == 2:
        p, ql, qr = branch(
            _at_rest,
            lambda g, s, h, _: (g, s.q_left, s.q_right),
            precondition,
            grad,
            state,
            _precond_hp(hp),
            ctx.key,
        )
        p, _ = clip_max_abs(p, hp["clip"])
    else:
        p, ql, qr = grad, state.q_left, state.q_right
    v = hp["momentum"] * state.v + l2_decayed(p, param, hp)
    return hp["lr"] * ctx.lr_scale * v, KronState(v, ql, qr)


def clip_tensor(
    param: jax.Array, grad: jax.Array, before: KronState, after: KronState, hp: H.HParamsDict
) -> jax.Array:
    """1 when max|P| exceeded ``clip`` and P was rescaled (matrices only), else 0."""
    if param.ndim != 2:
        return jnp.float32(0.0)
    p = branch(
        lambda g, s0, s1, h: _at_rest(g, s0, h) & _at_rest(g, s1, h),
        lambda g, s0, s1, h: g,
        lambda g, s0, s1, h: _apply(s1.q_left, s1.q_right, g),
        grad,
        before,
        after,
        _precond_hp(hp),
    )
    return clip_max_abs(p, hp["clip"])[1].astype(jnp.float32)


OPTIMIZER = Optimizer(
    name="kron_psgd",
    title="Kron-PSGD",
    spec=(
        H.lr(0.01),
        H.HParam(
            "precond_lr",
            0.1,
            "float",
            "step size of the preconditioner's own update",
            r"\eta_p",
            low=0.0,
            ui_low=1e-3,
            ui_high=1.0,
            scale="log",
        ),
        H.momentum(0.9),
        H.weight_decay(0.0, decoupled=False),
        H.eps(1e-8),
        H.HParam(
            "clip",
            1.0,
            "float",
            "clip: largest entry of the preconditioned gradient",
            "c",
            low=0.0,
            low_open=True,
            ui_low=1e-2,
            ui_high=10.0,
            scale="log",
            tag="clip",
        ),
        H.flag(
            "random_probe",
            False,
            "paper: whiten against a random probe so the factors learn",
            "V \\sim N(0,I)",
            tag="paper",
        ),
    ),
    init_tensor=init_tensor,
    update_tensor=update_tensor,
    summary="Momentum on a gradient preconditioned by learned Kronecker factors.",
    rule_latex=(
        r"P = (Q_L^\top Q_L)\,G\,(Q_R Q_R^\top),\quad v \leftarrow \mu v + "
        r"\operatorname{clip}(P) + \lambda\theta,\quad \theta \leftarrow \theta - \eta v"
    ),
    departures=(
        "RLX probes with the gradient itself, so Q_L = Q_R = I forever and precond_lr has no "
        "effect: it is momentum SGD on a clipped gradient. random_probe (Li's whitening "
        "criterion) lets the factors learn."
    ),
    clip_tensor=clip_tensor,
    random=True,
    # nets: momentum SGD on a clipped gradient: 0.01 is slow
    net_defaults={"lr": 0.03},
)
