"""LAPACK-backed linear algebra that stays safe under large ``vmap`` batches on CPU.

On CPU, jaxlib (0.10) runs a *batched* LAPACK call (``eigh``, ``solve_triangular``…) by
splitting the batch over XLA's intra-op thread pool and waiting for the parts. When as many such
calls run at once as the pool has threads — SOAP's left and right factors, Kron-PSGD's factors,
each batched over a search's 64+ lanes on a 2-core machine — every pool thread waits for parts
that no thread is free to run, and the program hangs for ever at 0 % CPU.

:func:`one_matrix_at_a_time` gives a function a batching rule that, on CPU only, loops over the
batch (``lax.map``) so each LAPACK call sees a single matrix and runs inline; on GPU and TPU the
native batched kernel is kept. Every lane computes exactly what an unbatched call computes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from jax.custom_batching import custom_vmap


def one_matrix_at_a_time(f: Callable[..., Any]) -> Callable[..., Any]:
    """``f`` (array arguments → pytree of arrays), vmapped as a loop over the batch on CPU."""

    @custom_vmap
    def g(*args: jax.Array) -> Any:
        return f(*args)

    @g.def_vmap
    def _rule(axis_size: int, in_batched: list[bool], *args: jax.Array) -> tuple[Any, Any]:
        full = tuple(
            a if batched else jnp.broadcast_to(a, (axis_size, *jnp.shape(a)))
            for a, batched in zip(args, in_batched, strict=True)
        )

        def looped(*xs: jax.Array) -> Any:
            return jax.lax.map(lambda one: g(*one), xs)

        out = jax.lax.platform_dependent(*full, cpu=looped, default=jax.vmap(f))
        return out, jax.tree.map(lambda _: True, out)

    return g


eigh = one_matrix_at_a_time(jnp.linalg.eigh)
"""``jnp.linalg.eigh`` (eigenvalues ascending, eigenvectors as columns), safe under vmap."""


solve_lower_triangular = one_matrix_at_a_time(
    lambda lower, rhs: jax.scipy.linalg.solve_triangular(lower, rhs, lower=True)
)
"""X with ``lower @ X = rhs`` for a lower-triangular ``lower``, safe under vmap."""
