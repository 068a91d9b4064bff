"""RLX's ``lr_scale``: a per-tensor multiplier on the effective learning rate, given as a
number, a dict naming some tensors or a pytree, turned into one float32 scale per leaf.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ._protocol import PyTree


def _as_scale(scale: Any) -> Any:
    """A float32 scale: numpy for plain numbers (a constant under jit), JAX for arrays."""
    if isinstance(scale, jax.Array):
        return scale.astype(jnp.float32)
    return np.float32(scale)


def _fill(subtree: PyTree, scale: Any) -> PyTree:
    return jax.tree.map(lambda _: scale, subtree)


def lr_scales(lr_scale: Any, params: PyTree) -> PyTree:
    """Per-leaf float32 scales shaped like ``params``."""
    if lr_scale is None:
        return _fill(params, np.float32(1.0))
    if isinstance(lr_scale, int | float) or (hasattr(lr_scale, "shape") and lr_scale.shape == ()):
        return _fill(params, _as_scale(lr_scale))
    if isinstance(lr_scale, Mapping) and isinstance(params, Mapping):
        unknown = sorted(set(lr_scale) - set(params))
        if unknown:
            raise ValueError(f"lr_scale: unknown tensor {unknown[0]!r}")
        return {k: _fill(v, _as_scale(lr_scale.get(k, 1.0))) for k, v in params.items()}
    return jax.tree.map(lambda _, s: _as_scale(s), params, lr_scale)
