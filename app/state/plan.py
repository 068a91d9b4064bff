"""A race's immutable snapshot (:class:`RacePlan`) and how it is computed.

The model takes a snapshot of everything a run depends on, so the computation can run on a
worker thread while the user keeps moving sliders. Trajectories are memoised in a small
process-wide LRU keyed by that snapshot, so a recompute only runs optimizers whose settings (or
the shared settings) changed, and sessions showing the same thing share the work.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from rlx_lab import engine
from rlx_lab.engine import RunSettings, Trajectory
from rlx_lab.surfaces import Surface

from .surface_source import params_key, surface_grid


@dataclass(frozen=True)
class Job:
    """One optimizer of the race with its hyperparameters."""

    optimizer: str
    overrides: Mapping[str, Any]
    key: tuple[Any, ...]


@dataclass(frozen=True, eq=False)
class RacePlan:
    """Everything a recompute needs; safe to hand to another thread."""

    surface: Surface
    surface_key: Hashable
    surface_params: Mapping[str, float]
    starts: np.ndarray
    settings: RunSettings
    jobs: tuple[Job, ...]
    notes: tuple[str, ...] = field(default=())

    def shared_key(self) -> tuple[Any, ...]:
        """The part of every job's cache key that all optimizers share."""
        settings = asdict(self.settings)
        settings["surface_params"] = params_key(self.settings.surface_params)
        settings["schedule"] = self.settings.schedule  # frozen: hashable, unlike its asdict
        return (
            self.surface_key,
            self.starts.tobytes(),
            self.starts.shape,
            tuple(sorted(settings.items())),
        )

    def cache_key(self, job: Job) -> tuple[Any, ...]:
        """The memo key of one job's trajectory."""
        return (*self.shared_key(), job.optimizer, job.key)


@dataclass
class Outcome:
    """What a compute produced: trajectories, per-optimizer errors and timings."""

    results: dict[str, Trajectory] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    computed: int = 0
    cached: int = 0
    seconds: float = 0.0


class TrajectoryCache:
    """A thread-safe LRU of trajectories."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._items: OrderedDict[Hashable, Trajectory] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Trajectory | None:
        """The cached trajectory for ``key``, refreshed as most recent; None if absent."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Trajectory) -> None:
        """Store ``value``; evict the least recently used entries beyond the size."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._items.clear()


CACHE = TrajectoryCache()


def cached(plan: RacePlan, job: Job) -> Trajectory | None:
    """The job's trajectory if it is already known."""
    return CACHE.get(plan.cache_key(job))


def compute(
    plan: RacePlan, on_result: Callable[[str, Trajectory, float], None] | None = None
) -> Outcome:
    """Run every job of ``plan`` (cached ones are free); call ``on_result`` after each.

    Errors are collected per optimizer, never raised: a bad value for one optimizer leaves the
    others running.
    """
    outcome = Outcome()
    began = time.perf_counter()
    surface_grid(plan.surface, plan.surface_params)
    for job in plan.jobs:
        key = plan.cache_key(job)
        start = time.perf_counter()
        trajectory = CACHE.get(key)
        if trajectory is None:
            try:
                trajectory = engine.run(
                    job.optimizer, dict(job.overrides), plan.surface, plan.starts, plan.settings
                )
            except (ValueError, TypeError, FloatingPointError) as error:
                outcome.errors[job.optimizer] = str(error)
                continue
            CACHE.put(key, trajectory)
            outcome.computed += 1
        else:
            outcome.cached += 1
        outcome.results[job.optimizer] = trajectory
        if on_result is not None:
            on_result(job.optimizer, trajectory, time.perf_counter() - start)
    outcome.seconds = time.perf_counter() - began
    return outcome


def start_grid(window: tuple[tuple[float, float], tuple[float, float]], n: int) -> np.ndarray:
    """``n × n`` start points evenly spread over ``window`` (cell centres), row-major."""
    (x0, x1), (y0, y1) = window
    xs = x0 + (np.arange(n) + 0.5) / n * (x1 - x0)
    ys = y0 + (np.arange(n) + 0.5) / n * (y1 - y0)
    gx, gy = np.meshgrid(xs, ys)
    return np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)
