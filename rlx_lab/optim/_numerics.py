"""Numerical helpers shared by the optimizers: RLX's norms, clip scale and bias corrections."""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np

_TINY = 1e-30  # below this a float32 sum of squares may have lost its smallest terms


def _finite_sumsq_and_norm(x: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Σx² and ‖x‖ over the finite entries; the norm survives float32 over- and underflow."""
    xf = jnp.where(jnp.isfinite(x), x, 0.0).astype(jnp.float32).ravel()
    sumsq = jnp.sum(xf * xf)
    big = jnp.max(jnp.abs(xf), initial=0.0)
    safe = jnp.where(big > 0, big, 1.0)
    scaled = safe * jnp.sqrt(jnp.sum(jnp.square(xf / safe)))
    direct_ok = jnp.isfinite(sumsq) & ((sumsq > _TINY) | (big == 0))
    return sumsq, jnp.where(direct_ok, jnp.sqrt(sumsq), scaled)


def l2_norm(x: jax.Array) -> jax.Array:
    """RLX ``l2_norm``: ‖x‖₂ over all entries, skipping non-finite ones (NaN, ±inf).

    Computed as max|x|·‖x/max|x|‖ (two reductions), which survives float32 over- and
    underflow where RLX accumulates in float64.
    """
    xf = jnp.asarray(x, dtype=jnp.float32)
    xf = jnp.where(jnp.isfinite(xf), xf, 0.0)
    big = jnp.max(jnp.abs(xf), initial=0.0)
    safe = jnp.where(big > 0, big, 1.0)
    return safe * jnp.sqrt(jnp.sum(jnp.square(xf / safe)))


def global_grad_clip_scale(tensors: Sequence[jax.Array], max_norm: float | jax.Array) -> jax.Array:
    """RLX ``global_grad_clip_scale``: the factor that brings the global gradient norm to max_norm.

    .. math:: n^2 = \\sum x^2 \\text{ (finite entries)},\\quad
        s = \\min(1, m/n) \\text{ if } n^2 > m^2 \\text{ and } n^2 > 0 \\text{ else } 1

    No epsilon: exactly at the threshold it returns 1; ``max_norm = 0`` gives 0; a NaN
    ``max_norm`` gives 1. Multiply every gradient by the result.
    """
    flat = [jnp.ravel(jnp.asarray(t, dtype=jnp.float32)) for t in tensors]
    joined = jnp.concatenate(flat) if flat else jnp.zeros((0,), jnp.float32)
    sumsq, norm = _finite_sumsq_and_norm(joined)
    m = jnp.asarray(max_norm, dtype=jnp.float32)
    over = jnp.where(jnp.isfinite(sumsq), sumsq > m * m, norm > m)
    clipped = jnp.minimum(1.0, m / jnp.where(norm > 0, norm, 1.0))
    return jnp.where(over & (norm > 0), clipped, jnp.float32(1.0))


def is_static_zero(x: object) -> bool:
    """True when ``x`` is a concrete (not traced) zero, so the term it scales can be dropped.

    Hyperparameters are traced in the lab, where this is always False; a step specialised on
    fixed hyperparameters (``Optimizer.as_optax``) sees constants and skips dead terms, which
    XLA cannot do itself (0·θ is not 0 when θ is inf or NaN).
    """
    if isinstance(x, jax.core.Tracer):
        return False
    try:
        return bool(np.all(np.asarray(x) == 0))
    except (TypeError, ValueError):
        return False


def one_minus_pow(beta: jax.Array, t: jax.Array) -> jax.Array:
    """1 − βᵗ without cancellation: −expm1(t·log1p(β − 1))."""
    return -jnp.expm1(t * jnp.log1p(beta - 1.0))


def bias_scales(*pairs: tuple[jax.Array, jax.Array]) -> tuple[jax.Array, ...]:
    """1/(1 − βᵢ^tᵢ) for every pair (βᵢ, tᵢ): the factors of bias-corrected moments.

    m̂ = m/(1 − β₁ᵗ) is computed as m·(1/(1 − β₁ᵗ)), the form XLA gives a division by a scalar
    anyway. All factors come from one vector operation: they are per-step scalars, and on CPU
    each separate scalar computation is a kernel launch of its own in every iteration, which for
    an elementwise rule on small tensors costs as much as the update itself.
    """
    betas = jnp.stack([jnp.asarray(beta, jnp.float32) for beta, _ in pairs], axis=-1)
    ts = jnp.stack([jnp.asarray(t, jnp.float32) for _, t in pairs], axis=-1)
    scales = 1.0 / one_minus_pow(betas, ts)
    return tuple(scales[..., i] for i in range(len(pairs)))


def rms(x: jax.Array) -> jax.Array:
    """Root mean square by RLX's rule: l2_norm(x)/√n."""
    return l2_norm(x) / jnp.sqrt(jnp.float32(max(x.size, 1)))
