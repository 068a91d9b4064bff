r"""SOAP: Adam in the eigenbasis of Shampoo's preconditioner (Vyas et al., 2024).

For a matrix G (m×n), with :math:`s_b` = ``shampoo_beta``:

.. math::
    L \leftarrow s_b L + (1-s_b)GG^\top,\quad R \leftarrow s_b R + (1-s_b)G^\top G;\\
    Q_L, Q_R \leftarrow \operatorname{eig}(L), \operatorname{eig}(R)
        \text{ on the first step and when } k \bmod f = 0;\\
    G' = Q_L^\top G Q_R,\ \text{Adam on } G' \to U',\quad
    \theta \leftarrow \theta - \eta\,(Q_L U' Q_R^\top + \lambda\theta)

k is the 0-based iteration index, f = ``precond_freq``. Eigenvectors are columns in ascending
eigenvalue order, each signed so its largest-magnitude entry is positive (our canonical form).
The moments stay in rotated coordinates and are **not** re-projected when the basis changes
(``reproject_moments`` turns the paper's re-projection of m on); ``skip_first_update`` skips
the first step's update as the paper does. Other ranks take AdamW.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from . import _hparams as H
from ._base import Optimizer, StepContext
from ._lapack import eigh
from ._moments import Moments, adam_direction, decoupled_descent, update_moments, zero_moments

_NULL_TOL = 1e-6  # eigenvalues below this fraction of the largest (per dimension) count as 0


class SoapState(NamedTuple):
    """Rotated moments plus Shampoo's factors and their eigenbases."""

    m: jax.Array
    v: jax.Array
    left: jax.Array
    right: jax.Array
    basis_left: jax.Array
    basis_right: jax.Array


def init_tensor(param: jax.Array) -> SoapState | Moments:
    if param.ndim != 2:
        return zero_moments(param)
    rows, cols = param.shape
    zeros = jnp.zeros_like(param)
    return SoapState(
        zeros,
        zeros,
        jnp.zeros((rows, rows), param.dtype),
        jnp.zeros((cols, cols), param.dtype),
        jnp.eye(rows, dtype=param.dtype),
        jnp.eye(cols, dtype=param.dtype),
    )


def canonical_eigenbasis(sym: jax.Array) -> jax.Array:
    """Eigenvectors as columns, ascending eigenvalues, largest-magnitude entry positive.

    A rank-deficient factor (every factor, for its first steps) has a null space in which any
    orthonormal basis is an eigenbasis, and eigensolvers pick one by accident of rounding (a
    batched solve picks differently from a single one). We make that choice canonical: the
    null-space vectors are the eigenvectors of P·diag(1…n)·P, P the projector onto the null
    space, whose eigenvalues are well separated; they come first, in that operator's order.
    """
    n = sym.shape[0]
    if n == 1:
        return jnp.ones((1, 1), sym.dtype)
    values, vectors = eigh(sym)
    if n == 2:  # a null space of dimension ≤ 1 is fixed by the sign rule alone
        return _signed(vectors)
    tol = _NULL_TOL * n * jnp.max(jnp.abs(values))
    null = values <= tol

    def with_null_space() -> jax.Array:
        kept = jnp.where(null[None, :], 0.0, vectors)
        projector = jnp.eye(n, dtype=sym.dtype) - kept @ kept.T
        ladder = jnp.arange(1, n + 1, dtype=sym.dtype)
        spread, null_vectors = eigh(projector @ (ladder[:, None] * projector))
        keys = jnp.concatenate(
            [
                jnp.where(null, jnp.inf, values),
                jnp.where(spread > 0.5, -2.0 + spread / (n + 1), jnp.inf),
            ]
        )
        order = jnp.argsort(keys)[:n]
        return jnp.concatenate([vectors, null_vectors], axis=1)[:, order]

    # a full-rank factor (most, after the first steps) needs no second eigensolve
    return _signed(jax.lax.cond(jnp.any(null), with_null_space, lambda: vectors))


def _signed(basis: jax.Array) -> jax.Array:
    """Each column flipped so that its largest-magnitude entry is positive."""
    lead = jnp.argmax(jnp.abs(basis), axis=0)
    signs = jnp.sign(basis[lead, jnp.arange(basis.shape[1])])
    return basis * jnp.where(signs == 0, 1.0, signs)[None, :]


def _skip_and_t(hp: H.HParamsDict, ctx: StepContext) -> tuple[jax.Array, jax.Array]:
    """(skip this update?, Adam's t): a skipped first step does not count for bias correction."""
    skip = hp["skip_first_update"] & (ctx.count == 0)
    return skip, ctx.t - hp["skip_first_update"].astype(jnp.float32)


def update_tensor(
    param: jax.Array,
    grad: jax.Array,
    state: SoapState | Moments,
    hp: H.HParamsDict,
    ctx: StepContext,
) -> tuple[jax.Array, SoapState | Moments]:
    skip, t = _skip_and_t(hp, ctx)
    lr = hp["lr"] * ctx.lr_scale
    if isinstance(state, Moments):
        moments = update_moments(state, grad, hp)
        descent = decoupled_descent(param, adam_direction(moments, hp, t), lr, hp)
        return _unless(skip, (descent, moments), (jnp.zeros_like(param), state))

    sb = hp["shampoo_beta"]
    left = sb * state.left + (1 - sb) * grad @ grad.T
    right = sb * state.right + (1 - sb) * grad.T @ grad

    def rebase() -> tuple[jax.Array, jax.Array, jax.Array]:
        ql, qr = canonical_eigenbasis(left), canonical_eigenbasis(right)
        moved = ql.T @ state.basis_left @ state.m @ state.basis_right.T @ qr
        return ql, qr, jnp.where(hp["reproject_moments"], moved, state.m)

    recompute = (ctx.count % hp["precond_freq"]) == 0
    keep = (state.basis_left, state.basis_right, state.m)
    ql, qr, m_old = jax.lax.cond(recompute, rebase, lambda: keep)
    moments = update_moments(Moments(m_old, state.v), ql.T @ grad @ qr, hp)
    update = ql @ adam_direction(moments, hp, t) @ qr.T
    descent = decoupled_descent(param, update, lr, hp)
    new_moments = _unless(skip, moments, Moments(state.m, state.v))
    new_state = SoapState(new_moments.m, new_moments.v, left, right, ql, qr)
    return jnp.where(skip, 0.0, descent), new_state


def _unless(skip: jax.Array, taken: object, skipped: object) -> object:
    return jax.tree.map(lambda a, b: jnp.where(skip, b, a), taken, skipped)


OPTIMIZER = Optimizer(
    name="soap",
    title="SOAP",
    spec=(
        H.lr(0.01),
        *H.adam_betas(0.95, 0.95),
        H.beta("shampoo_beta", 0.95, "decay of Shampoo's factors L and R", r"\beta_s"),
        H.eps(1e-8),
        H.weight_decay(0.01, decoupled=True),
        H.HParam(
            "precond_freq",
            10,
            "int",
            "recompute the eigenbasis every this many steps",
            "f",
            low=1,
            high=1000,
            ui_low=1,
            ui_high=100,
        ),
        H.HParam(
            "jacobi_sweeps",
            30,
            "int",
            "RLX's Jacobi sweeps; the lab's eigensolver is exact, so this has no effect",
            r"n_{\text{sweeps}}",
            low=1,
            high=1000,
            ui_low=1,
            ui_high=100,
            tag="inert",
        ),
        H.flag(
            "skip_first_update",
            False,
            "paper: skip the first step's update",
            r"\text{skip}_1",
            tag="paper",
        ),
        H.flag(
            "reproject_moments",
            False,
            "paper: rotate m into the new basis on recompute",
            r"\text{reproject}",
            tag="paper",
        ),
    ),
    init_tensor=init_tensor,
    update_tensor=update_tensor,
    summary="Adam run in the eigenbasis of Shampoo's left and right preconditioners.",
    rule_latex=(
        r"G' = Q_L^\top G Q_R,\quad \theta \leftarrow \theta - \eta\left(Q_L\,"
        r"\frac{\hat m'}{\sqrt{\hat v'}+\epsilon}\,Q_R^\top + \lambda\theta\right)"
    ),
    departures=(
        "RLX does not re-project the moments when the basis changes and updates on the "
        "first step (where G' is numerically degenerate); the paper re-projects m and skips "
        "the first update — both are switches here."
    ),
    # nets: the Adam family's 1e-2
    net_defaults={"lr": 0.01},
)
