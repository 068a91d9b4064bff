"""The types of the one-iteration protocol an :class:`~rlx_lab.optim.Optimizer` runs: what a
per-tensor update sees (:class:`StepContext`), the whole state (:class:`OptState`), the
optax-compatible pair (:class:`GradientTransformation`) and the signatures of a rule's
per-tensor functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax

from ._hparams import HParamsDict

PyTree = Any


class StepContext(NamedTuple):
    """What a per-tensor update sees besides its own tensor and state."""

    t: jax.Array
    """1-based iteration number (float32)."""
    count: jax.Array
    """0-based iteration index (int32)."""
    lr_scale: jax.Array
    """RLX ``lr_scale(name)``: multiplier on this tensor's effective learning rate."""
    key: jax.Array | None
    """A PRNG key private to this tensor and iteration (None unless the rule is random)."""


class OptState(NamedTuple):
    """The whole optimizer state: iteration counter, per-tensor states, PRNG key."""

    count: jax.Array
    tensors: PyTree
    """Same structure as the params, with the rule's per-tensor NamedTuple at each leaf."""
    key: jax.Array | None
    """Seeded PRNG key of a rule that draws random numbers (:attr:`Optimizer.random`); None
    otherwise, so a scan carries nothing it never reads."""


class GradientTransformation(NamedTuple):
    """optax-compatible pair: ``init(params)``, ``update(grads, state, params)``."""

    init: Callable[[PyTree], OptState]
    update: Callable[..., tuple[PyTree, OptState]]


InitTensor = Callable[[jax.Array], Any]
UpdateTensor = Callable[
    [jax.Array, jax.Array, Any, HParamsDict, StepContext], tuple[jax.Array, Any]
]
HessianTensor = Callable[[Any, jax.Array, HParamsDict], Any]
ClipTensor = Callable[[jax.Array, jax.Array, Any, Any, HParamsDict], jax.Array]
"""(param, grad, state before, state after, hp) → fraction of this tensor's entries clipped."""
