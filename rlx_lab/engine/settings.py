"""The settings of a run, validated: :class:`RunSettings`, the limits it is checked against, the
step buckets the engine compiles for, and the parsing of start points.

Every check raises ``ValueError`` naming the bad field, before anything is compiled or run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..schedule import LrSchedule
from . import hessian

VIEWS: Mapping[str, tuple[int, ...]] = {"vector": (2,), "row": (1, 2), "column": (2, 1)}
"""How the 2-D point is shown to the optimizer: a vector or a 1×2 / 2×1 matrix."""

STEP_BUCKETS = (50, 100, 200, 500, 1000, 2000, 5000, 10_000)
MAX_STEPS = STEP_BUCKETS[-1]
MAX_PROBES = 64
MAX_DRAWS = 64
"""Noise draws a grid of settings may run each setting with."""


@dataclass(frozen=True)
class RunSettings:
    """Everything about a run except the optimizer, its hyperparameters and the starts."""

    steps: int = 200
    view: str = "vector"
    noise: float = 0.0
    seed: int = 0
    clip_norm: float | None = None
    """Global gradient-norm clip before the optimizer; None = off."""
    hessian: str = "exact"
    hessian_every: int = 10
    probes: int = 1
    escape: float = 10.0
    """A point farther than ``escape`` window-spans from the window's centre has diverged."""
    surface_params: Mapping[str, float] = field(default_factory=dict)
    schedule: LrSchedule = field(default_factory=LrSchedule)
    """How η moves over the run (a multiplier per step; constant by default)."""

    def validate(self) -> RunSettings:
        """Raise ``ValueError`` naming the first bad field; return self."""
        _require(
            isinstance(self.steps, int) and 1 <= self.steps <= MAX_STEPS,
            "steps",
            f"an integer in [1, {MAX_STEPS}]",
            self.steps,
        )
        _require(self.view in VIEWS, "view", f"one of {tuple(VIEWS)}", self.view)
        _require(_finite(self.noise) and self.noise >= 0, "noise", "finite and ≥ 0", self.noise)
        _require(
            isinstance(self.seed, int) and 0 <= self.seed < 2**31,
            "seed",
            "an integer in [0, 2³¹)",
            self.seed,
        )
        if self.clip_norm is not None:
            _require(
                _finite(self.clip_norm) and self.clip_norm > 0,
                "clip_norm",
                "finite and > 0, or None",
                self.clip_norm,
            )
        hessian.estimator_index(self.hessian)
        _require(
            isinstance(self.hessian_every, int) and self.hessian_every >= 1,
            "hessian_every",
            "an integer ≥ 1",
            self.hessian_every,
        )
        _require(
            isinstance(self.probes, int) and 1 <= self.probes <= MAX_PROBES,
            "probes",
            f"an integer in [1, {MAX_PROBES}]",
            self.probes,
        )
        _require(_finite(self.escape) and self.escape > 0, "escape", "finite and > 0", self.escape)
        _require(isinstance(self.schedule, LrSchedule), "schedule", "an LrSchedule", self.schedule)
        self.schedule.validate()
        return self


def bucket(steps: int) -> int:
    """The step count the engine compiles for ``steps``: the next of :data:`STEP_BUCKETS`."""
    return next(b for b in STEP_BUCKETS if b >= steps)


def parse_starts(starts: Any) -> np.ndarray:
    """(N, 2) float32 start points; ValueError for a wrong shape or a non-finite entry."""
    try:
        points = np.asarray(starts, dtype=np.float32)
    except (TypeError, ValueError):
        raise ValueError(f"starts: expected numbers, got {starts!r}") from None
    if points.shape == (2,):
        points = points[None, :]
    if points.ndim != 2 or points.shape[1] != 2 or points.shape[0] == 0:
        raise ValueError(f"starts: expected shape (2,) or (N, 2), got {points.shape}")
    if not np.all(np.isfinite(points)):
        raise ValueError("starts: every coordinate must be finite")
    return points


def _require(ok: bool, name: str, expected: str, got: Any) -> None:
    if not ok:
        raise ValueError(f"{name}: expected {expected}, got {got!r}")


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
