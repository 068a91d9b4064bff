r"""k-fold cross-validation of a training set, in equal shapes, for tuning on little data.

A held-out quarter of a small training set judges on a handful of points: one unlucky point
decides the pick. :func:`split` deals the training set into :data:`FOLDS` folds instead; each
fold is judged once, by a net trained on the other folds, so every training point is judged
exactly once.

* **Stratified and seeded**: the points are grouped by class (shuffled within a class by
  ``seed``) and dealt round-robin, point ``p`` of that order to fold ``p mod k``: each class is
  spread over the folds as evenly as its count allows, and fold sizes differ by at most one.
* **One shape for every fold**, so one compiled race serves them all: with :math:`n` points and
  :math:`m = \lceil n/k \rceil`, every fold trains on :math:`n - m` points (a fold of
  :math:`m - 1` leaves out the last of its :math:`n - m + 1` others) and carries :math:`m`
  validation points in the race's test fields (a fold of :math:`m - 1` repeats its first point).
  The repeat only fills the shape: :func:`exact_validation` recomputes such a fold's validation
  curves from the runs' snapshots on its true points.
* **Refused** (:class:`CannotJudge`) below :data:`MIN_POINTS` training points, or when a class
  has a single training point (the fold that judges it would train without that class).

>>> from rlx_lab.nets import datasets
>>> [len(f.validation) for f in split(datasets.make("two_moons", n_train=42))]
[9, 9, 8, 8, 8]
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import NamedTuple

import jax
import numpy as np

from . import mlp as mlp_
from .datasets import Dataset
from .mlp import MLP
from .results import NetRun

FOLDS = 5
"""Folds of a cross-validation: each trains on four fifths of the points (as close to the
held-out split's three quarters as a whole number of folds allows) at five times its cost."""
MIN_POINTS = 10
"""Fewer training points than this are not tuned: a fold would train on fewer than 8 points
and be judged on 1."""
FOLD_SEED = 0
"""The seed that deals the points into folds (fixed: the same data gives the same folds)."""


class CannotJudge(ValueError):
    """The training set is too small (or a class too thin) for any split to judge a tuning."""


class Fold(NamedTuple):
    """One fold: the indices (into the training set) it trains on and those it judges on."""

    train: np.ndarray
    validation: np.ndarray


def split(data: Dataset, k: int = FOLDS, seed: int = FOLD_SEED) -> tuple[Fold, ...]:
    """``data``'s training set dealt into ``k`` folds (see the module's docstring); raises
    :class:`CannotJudge` where it cannot judge."""
    n = len(data.x_train)
    if n < MIN_POINTS:
        raise CannotJudge(
            f"tuning: {data.name} has {n} training points; k-fold cross-validation needs at "
            f"least {MIN_POINTS} (add points or judge by the training loss)"
        )
    shuffle = np.random.default_rng(seed).permutation(n)
    if data.task == "classification":
        labels, counts = np.unique(data.y_train, return_counts=True)
        if counts.min() < 2:
            raise CannotJudge(
                f"tuning: class {labels[np.argmin(counts)]} of {data.name} has 1 training point; "
                "cross-validation needs at least 2 per class (the fold judging it would train "
                "without that class)"
            )
        order = shuffle[np.argsort(data.y_train[shuffle], kind="stable")]
    else:
        order = shuffle
    trained = n - math.ceil(n / k)
    folds = []
    for j in range(k):
        validation = np.sort(order[j::k])
        others = np.setdiff1d(np.arange(n), validation)[:trained]
        folds.append(Fold(others, validation))
    return tuple(folds)


def fold_data(data: Dataset, fold: Fold, width: int) -> Dataset:
    """``data`` as the race sees ``fold``: its training points, and its validation points in
    the test fields, the first repeated up to ``width`` (the largest fold's size)."""
    padded = np.concatenate(
        [fold.validation, np.repeat(fold.validation[:1], width - len(fold.validation))]
    )
    return data._replace(
        x_train=data.x_train[fold.train],
        y_train=data.y_train[fold.train],
        x_test=data.x_train[padded],
        y_test=data.y_train[padded],
    )


def exact_validation(
    runs: tuple[NetRun, ...], model: MLP, data: Dataset, fold: Fold
) -> tuple[NetRun, ...]:
    """``runs`` with their test curves recomputed on ``fold``'s true validation points from
    their snapshots (the race's own are on the padded set of :func:`fold_data`)."""
    if not runs:
        return runs
    params = {name: np.stack([run.snapshots[name] for run in runs]) for name in runs[0].snapshots}
    x, y = data.x_train[fold.validation], data.y_train[fold.validation]
    loss, acc = (np.asarray(a) for a in _evaluate_frames(model, params, x, y))
    return tuple(
        dataclasses.replace(run, test_loss=loss[i], test_acc=acc[i]) for i, run in enumerate(runs)
    )


@functools.partial(jax.jit, static_argnums=0)
def _evaluate_frames(
    model: MLP, params: dict[str, jax.Array], x: jax.Array, y: jax.Array
) -> tuple[jax.Array, jax.Array]:
    """(loss, accuracy) of every run's (axis 0) every frame's (axis 1) params on ``x, y``."""

    def one(p: dict[str, jax.Array]) -> tuple[jax.Array, jax.Array]:
        return mlp_.evaluate(model, p, x, y)

    return jax.vmap(jax.vmap(one))(params)
