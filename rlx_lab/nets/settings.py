"""What a race is asked to do: run settings, the batch order, each optimizer's values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import optim
from ..schedule import LrSchedule
from . import hessian
from .defaults import NET_DEFAULTS

OptimizerChoice = Sequence[str] | Mapping[str, Mapping[str, Any] | Sequence[Mapping[str, Any]]]
"""Names (lab defaults), or name → overrides, or name → a list of overrides (a grid)."""

STEP_BUCKETS = (50, 100, 200, 300, 500, 1000, 2000, 5000, 10_000, 20_000)
"""A program is compiled for the smallest bucket ≥ the steps; steps within it are traced."""
MAX_STEPS = STEP_BUCKETS[-1]
MAX_PROBES = 64


@dataclass(frozen=True)
class TrainSettings:
    """Everything about a race except the optimizers, the data, the model and the seeds."""

    steps: int = 300
    batch_size: int = 64
    frames: int = 50
    """Evaluations + snapshots (plus step 0) over the step bucket: a run of ``steps`` in a
    bucket of ``n`` gets about ``frames · steps / n`` of them, evenly spaced."""
    clip_norm: float | None = None
    """Global gradient-norm clip before every optimizer; None = off."""
    hessian: str = "hutchinson"
    """Sophia's diagonal-Hessian estimator (see :data:`hessian.ESTIMATORS`)."""
    hessian_every: int = 10
    probes: int = 1
    """Rademacher probes per Hutchinson estimate."""
    schedule: LrSchedule = field(default_factory=LrSchedule)
    """How η moves over the run (a multiplier per step; constant by default)."""

    def validate(self, n_train: int) -> TrainSettings:
        """Raise ``ValueError`` naming the first bad field; return self."""
        _require(
            _int_in(self.steps, 1, MAX_STEPS),
            "steps",
            f"an integer in [1, {MAX_STEPS}]",
            self.steps,
        )
        _require(
            _int_in(self.batch_size, 1, n_train),
            "batch_size",
            f"an integer in [1, {n_train}] (the training set)",
            self.batch_size,
        )
        _require(_int_in(self.frames, 1, 1000), "frames", "an integer in [1, 1000]", self.frames)
        if self.clip_norm is not None:
            ok = isinstance(self.clip_norm, int | float) and 0 < self.clip_norm < float("inf")
            _require(ok, "clip_norm", "finite and > 0, or None", self.clip_norm)
        hessian.estimator_index(self.hessian)
        _require(
            _int_in(self.hessian_every, 1, MAX_STEPS),
            "hessian_every",
            "an integer ≥ 1",
            self.hessian_every,
        )
        _require(
            _int_in(self.probes, 1, MAX_PROBES),
            "probes",
            f"an integer in [1, {MAX_PROBES}]",
            self.probes,
        )
        _require(isinstance(self.schedule, LrSchedule), "schedule", "an LrSchedule", self.schedule)
        self.schedule.validate()
        return self


def bucket(steps: int) -> int:
    """The step bucket a ``steps``-step race is compiled for."""
    return next(b for b in STEP_BUCKETS if b >= steps)


def batch_indices(n_train: int, steps: int, batch_size: int, seed: int) -> np.ndarray:
    """(steps, batch_size) int32 minibatch indices: shuffled epochs from ``seed``, chained.

    Depends only on its arguments — never on the optimizer — so every racer sees the same
    batches in the same order; a longer run's batches extend a shorter run's.
    """
    rng = np.random.default_rng(seed)
    epochs = -(-steps * batch_size // n_train)
    order = np.concatenate([rng.permutation(n_train) for _ in range(epochs)])
    return order[: steps * batch_size].reshape(steps, batch_size).astype(np.int32)


def hparam_values(
    name: str, overrides: Mapping[str, Any] | None = None, *, lab_defaults: bool = True
) -> dict[str, Any]:
    """Every hyperparameter of ``name``: RLX defaults ← lab defaults ← ``overrides``."""
    opt = optim.get(name)
    values = opt.defaults()
    if lab_defaults:
        values.update(NET_DEFAULTS.get(name, {}))
    values.update(overrides or {})
    opt.hparams(**values)  # validates
    return values


def expand(optimizers: OptimizerChoice, *, lab_defaults: bool) -> dict[str, list[dict[str, Any]]]:
    """Optimizer name → the list of its settings (every hyperparameter's plain value)."""
    if isinstance(optimizers, str):
        raise ValueError("optimizers: expected a list of names or a dict, got one string")
    if not isinstance(optimizers, Mapping):
        names = list(optimizers)
        if len(set(names)) != len(names):
            raise ValueError(f"optimizers: a name appears twice in {names}")
        optimizers = {name: {} for name in names}
    if not optimizers:
        raise ValueError("optimizers: choose at least one")
    grids = {}
    for name, choice in optimizers.items():
        settings = [choice] if isinstance(choice, Mapping) else list(choice)
        if not settings:
            raise ValueError(f"{name}: an empty list of settings")
        grids[name] = [hparam_values(name, s, lab_defaults=lab_defaults) for s in settings]
    return grids


def _int_in(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _require(ok: bool, name: str, expected: str, got: Any) -> None:
    if not ok:
        raise ValueError(f"{name}: expected {expected}, got {got!r}")
