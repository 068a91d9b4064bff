"""Decision boundaries: a model's class probabilities on a 2-D grid over the inputs.

For datasets with two input features (two moons, circles, spirals, XOR, blobs). Coordinates
are the model's (standardised) inputs; ``Dataset.x_mean``/``x_std`` map them back.
One jitted call per params set, or per whole run (every frame's snapshot at once, for an
animation).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from . import mlp as mlp_
from .datasets import Dataset
from .mlp import MLP


class Boundary(NamedTuple):
    """Class probabilities on the grid ``xs`` × ``ys``."""

    xs: np.ndarray
    ys: np.ndarray
    probs: np.ndarray
    """(len(ys), len(xs), C) — or (F, len(ys), len(xs), C) for every frame of a run.
    For regression, C = 1 and the values are predictions."""


def grid_for(
    data: Dataset, *, resolution: int = 100, margin: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """x and y coordinates covering every train and test point, plus ``margin``."""
    if data.input_dim != 2:
        raise ValueError(
            f"{data.name}: decision boundaries need 2 input features, not {data.input_dim}"
        )
    if resolution < 2:
        raise ValueError(f"resolution: need at least 2, got {resolution}")
    points = np.concatenate([data.x_train, data.x_test])
    low, high = points.min(0) - margin, points.max(0) + margin
    return (
        np.linspace(low[0], high[0], resolution, dtype=np.float32),
        np.linspace(low[1], high[1], resolution, dtype=np.float32),
    )


def decision_boundary(
    model: MLP,
    params: Mapping[str, np.ndarray],
    data: Dataset,
    *,
    resolution: int = 100,
    margin: float = 0.5,
) -> Boundary:
    """Class probabilities of ``params`` (one set, e.g. ``run.params_at(k)``) on a grid."""
    xs, ys = grid_for(data, resolution=resolution, margin=margin)
    probs = _program(model, frames=False)(dict(params), _points(xs, ys))
    return Boundary(xs, ys, np.asarray(probs).reshape(len(ys), len(xs), -1))


def decision_frames(
    model: MLP,
    snapshots: Mapping[str, np.ndarray],
    data: Dataset,
    *,
    resolution: int = 60,
    margin: float = 0.5,
) -> Boundary:
    """Class probabilities of every frame of a run (``run.snapshots``, leading axis F)."""
    xs, ys = grid_for(data, resolution=resolution, margin=margin)
    probs = _program(model, frames=True)(dict(snapshots), _points(xs, ys))
    return Boundary(xs, ys, np.asarray(probs).reshape(-1, len(ys), len(xs), probs.shape[-1]))


def _points(xs: np.ndarray, ys: np.ndarray) -> jax.Array:
    gx, gy = np.meshgrid(xs, ys)
    return jnp.asarray(np.stack([gx.ravel(), gy.ravel()], axis=1))


@functools.lru_cache(maxsize=16)
def _program(model: MLP, *, frames: bool) -> Callable[..., jax.Array]:
    def probs(params: dict, points: jax.Array) -> jax.Array:
        return mlp_.probabilities(model, params, points)

    return jax.jit(jax.vmap(probs, in_axes=(0, None)) if frames else probs)
