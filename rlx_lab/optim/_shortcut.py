"""A branch that stays a branch under ``vmap``: take a cheap path when it provably applies.

``lax.cond`` with a batched predicate becomes a select that runs both branches for every lane,
which is slower than no branch at all. :func:`shortcut` runs ``cheap`` where ``applies`` holds
and ``full`` elsewhere; batched, it takes ``cheap`` for every lane when it applies to every lane
(one real branch on an unbatched predicate), and otherwise runs the per-lane choice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from jax.custom_batching import custom_vmap

PyTree = Any


def shortcut(
    applies: Callable[..., jax.Array],
    cheap: Callable[..., PyTree],
    full: Callable[..., PyTree],
    *operands: PyTree,
) -> PyTree:
    """``cheap(*operands)`` if ``applies(*operands)`` else ``full(*operands)``.

    ``cheap`` must give what ``full`` gives wherever ``applies`` holds: batched lanes may take
    either path. No reverse-mode derivative (the optimizers are never differentiated).
    """

    def choose(*ops: PyTree) -> PyTree:
        return jax.lax.cond(applies(*ops), cheap, full, *ops)

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
        everywhere = jnp.all(jax.vmap(applies, in_axes=axes)(*ops))
        out = jax.lax.cond(
            everywhere,
            lambda: jax.vmap(cheap, in_axes=axes)(*ops),
            lambda: jax.vmap(choose, in_axes=axes)(*ops),
        )
        return out, jax.tree.map(lambda _: True, out)

    return run(operands)
