"""``lax.cond`` that stays a branch under ``vmap`` when every lane takes the same side.

A ``lax.cond`` whose predicate is batched becomes a select that runs both branches for every
lane — for SOAP's eigensolves or Kron-PSGD's factor update, on every step. :func:`branch` has
``lax.cond``'s per-lane meaning, but batched it first asks whether all lanes agree: then one
real branch runs for all of them, and only a genuine mix falls back to the per-lane select.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from jax.custom_batching import custom_vmap

PyTree = Any


def branch(
    predicate: Callable[..., jax.Array],
    on_true: Callable[..., PyTree],
    on_false: Callable[..., PyTree],
    *operands: PyTree,
) -> PyTree:
    """``on_true(*operands)`` if ``predicate(*operands)`` else ``on_false(*operands)``, lane by
    lane. No reverse-mode derivative (the optimizers are never differentiated)."""

    def choose(*ops: PyTree) -> PyTree:
        return jax.lax.cond(predicate(*ops), on_true, on_false, *ops)

    @custom_vmap
    def run(ops: tuple[PyTree, ...]) -> PyTree:
        return choose(*ops)

    @run.def_vmap
    def run_batched(
        axis_size: int, in_batched: tuple[PyTree, ...], ops: tuple[PyTree, ...]
    ) -> tuple[PyTree, PyTree]:
        del axis_size
        (ops_batched,) = in_batched  # run takes one argument: the operands tuple
        axes = jax.tree.map(lambda batched: 0 if batched else None, ops_batched)
        lanes = jax.vmap(predicate, in_axes=axes)(*ops)
        side = jnp.where(jnp.all(lanes), 0, jnp.where(jnp.any(lanes), 2, 1))
        out = jax.lax.switch(
            side,
            (
                lambda: jax.vmap(on_true, in_axes=axes)(*ops),
                lambda: jax.vmap(on_false, in_axes=axes)(*ops),
                lambda: jax.vmap(choose, in_axes=axes)(*ops),
            ),
        )
        return out, jax.tree.map(lambda _: True, out)

    return run(operands)
