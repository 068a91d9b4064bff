"""Small shared fixtures: a model-like pytree, gradients, and sample hyperparameter values."""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from rlx_lab.optim import HParam, Optimizer


def model_params(seed: int = 0) -> dict[str, jax.Array]:
    """A matrix (matrix paths), a vector (fallbacks) and a 2-D point."""
    rng = np.random.default_rng(seed)
    return {
        "w": jnp.asarray(rng.normal(size=(3, 4)), jnp.float32),
        "b": jnp.asarray(rng.normal(size=(5,)), jnp.float32),
        "xy": jnp.asarray(rng.normal(size=(1, 2)), jnp.float32),
    }


def model_grads(params: dict[str, jax.Array], seed: int) -> dict[str, jax.Array]:
    """Deterministic pseudo-gradients: the params plus seeded noise."""
    rng = np.random.default_rng(seed + 1000)
    return {k: v + jnp.asarray(rng.normal(size=v.shape), jnp.float32) for k, v in params.items()}


def sample_values(p: HParam, count: int = 5) -> list[Any]:
    """``count`` distinct valid values of a hyperparameter (its default first)."""
    if p.kind == "bool":
        return [p.default, not p.default] * math.ceil(count / 2)
    if p.kind == "int":
        low = int(p.ui_low if p.ui_low is not None else 1)
        return [p.default, *range(low, low + count - 1)]
    if p.kind == "tuple":
        return [tuple(c * (1 + 0.01 * i) for c in p.default) for i in range(count)]
    low = p.ui_low if p.ui_low is not None else 0.0
    high = p.ui_high if p.ui_high is not None else 1.0
    if p.low_open and p.low is not None:
        low = max(low, p.low + 1e-6)
    values = list(np.linspace(low, high, count))
    if p.kind == "optional_float":
        values[0] = None
    return [p.default, *values[1:]] if p.default is not None else values


def run_steps(
    opt: Optimizer,
    params: dict,
    hp: dict,
    steps: int,
    *,
    seed: int = 0,
    first_grad_scale: float = 1.0,
) -> dict[str, jax.Array]:
    """Params after ``steps`` iterations on the deterministic pseudo-gradients.

    ``first_grad_scale`` shrinks the first gradient, as the reference vectors do for SOAP, whose
    first step turns f32 rounding noise into ±1 updates (OPTIMIZERS.md, SOAP numerics).
    """
    state = opt.init(params)
    for i in range(steps):
        grads = model_grads(params, seed + i)
        if i == 0:
            grads = jax.tree.map(lambda g: g * first_grad_scale, grads)
        params, state = opt.step(params, grads, state, hp)
    return params
