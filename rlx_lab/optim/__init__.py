"""The 14 optimizers of RLX's ``rlx-optim`` as pure, jittable, vmappable JAX functions.

>>> from rlx_lab import optim
>>> opt = optim.get("adam")
>>> hp = opt.hparams(lr=0.1)
>>> params = {"xy": jnp.array([1.0, 2.0])}
>>> state = opt.init(params)
>>> params, state = opt.step(params, grads, state, hp)
"""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType

import jax
import jax.numpy as jnp

from . import (
    adafactor,
    adam,
    adamw,
    kron_psgd,
    lamb,
    lion,
    mars,
    muon,
    nadamw,
    qhadamw,
    radam,
    sgd,
    soap,
    sophia,
)
from ._base import Optimizer
from ._hparams import FLOAT32_MAX, HParam, HParamsDict, as_float32
from ._numerics import global_grad_clip_scale, l2_norm
from ._protocol import GradientTransformation, OptState, StepContext

__all__ = [
    "FLOAT32_MAX",
    "GradientTransformation",
    "HParam",
    "HParamsDict",
    "OptState",
    "Optimizer",
    "StepContext",
    "as_float32",
    "get",
    "global_grad_clip_scale",
    "l2_norm",
    "names",
    "stack_hparams",
]

_MODULES = (
    sgd,
    adam,
    adamw,
    nadamw,
    radam,
    qhadamw,
    lamb,
    adafactor,
    lion,
    soap,
    kron_psgd,
    muon,
    sophia,
    mars,
)
_REGISTRY = MappingProxyType({m.OPTIMIZER.name: m.OPTIMIZER for m in _MODULES})


def names() -> tuple[str, ...]:
    """The optimizer names, in RLX's order."""
    return tuple(_REGISTRY)


def get(name: str) -> Optimizer:
    """The optimizer called ``name``; ``ValueError`` listing the valid names otherwise."""
    if name not in _REGISTRY:
        raise ValueError(f"optimizer: unknown name {name!r}; valid names are {names()}")
    return _REGISTRY[name]


def stack_hparams(settings: Sequence[HParamsDict]) -> HParamsDict:
    """Stack several ``hparams(...)`` dicts along a new leading axis, for ``jax.vmap``."""
    if not settings:
        raise ValueError("settings: need at least one hparams dict")
    return jax.tree.map(lambda *xs: jnp.stack(xs), *settings)
