"""A race's immutable snapshot (:class:`RacePlan`) and how it is computed.

The model takes a snapshot of everything a run depends on, so the computation can run on a
worker thread while the user keeps moving sliders. Trajectories are memoised in a process-wide
:class:`~rlx_lab_app.state.plan.TrajectoryCache` keyed by that snapshot (the plumbing both labs
share, :mod:`rlx_lab_app.state.plan`), so a recompute only runs optimizers whose settings (or
the shared settings) changed, and sessions showing the same thing share the work.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Hashable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from rlx_lab import engine
from rlx_lab.cost import MB, Cost, nothing
from rlx_lab.engine import RunSettings, Trajectory
from rlx_lab.surfaces import Surface
from rlx_lab_app.state.budget import configured
from rlx_lab_app.state.plan import Job, TrajectoryCache, cache_key, uncached
from rlx_lab_app.state.surfaces.surface_source import params_key, surface_grid


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
        return cache_key(self, job)

    def uncomputed(self) -> int:
        """How many jobs have no trajectory in the shared cache yet."""
        return len(uncached(self, CACHE))

    def computed(self) -> bool:
        """Whether every job's trajectory is in the shared cache already (nothing to run)."""
        return self.uncomputed() == 0

    def run(self, job: Job) -> Trajectory:
        """Compute ``job``'s trajectory (no cache)."""
        return engine.run(
            job.optimizer, dict(job.overrides), self.surface, self.starts, self.settings
        )

    def known(self) -> bool:
        """Whether every job's trajectory is in the shared cache or on its way there from the
        server's warm-up (:meth:`TrajectoryCache.reserve`): asking for them computes nothing."""
        return all(CACHE.known(self.cache_key(job)) for job in self.jobs)

    def cost(self) -> Cost:
        """What computing the optimizers not cached yet will take."""
        fresh = self.uncomputed()
        if not fresh:
            return nothing("this race")
        return engine.race_cost(fresh, len(self.starts), self.settings.steps)


@dataclass
class Outcome:
    """What a compute produced: trajectories, per-optimizer errors and timings."""

    results: dict[str, Trajectory] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    computed: int = 0
    cached: int = 0
    seconds: float = 0.0


CACHE = TrajectoryCache(configured().cache_mb * MB // 2)


def cached(plan: RacePlan, job: Job) -> Trajectory | None:
    """The job's trajectory if it is already known."""
    return CACHE.get(plan.cache_key(job))


def compute(
    plan: RacePlan,
    on_result: Callable[[str, Trajectory, float], None] | None = None,
    check: Callable[[], None] | None = None,
) -> Outcome:
    """Run every job of ``plan`` (cached ones are free); call ``on_result`` after each.

    Errors are collected per optimizer, never raised: a bad value for one optimizer leaves the
    others running. ``check()`` is called before each optimizer (it raises to cancel).
    """
    outcome = Outcome()
    began = time.perf_counter()
    surface_grid(plan.surface, plan.surface_params)
    for job in plan.jobs:
        if check is not None:
            check()
        key = plan.cache_key(job)
        start = time.perf_counter()
        try:
            trajectory, fresh = CACHE.get_or_compute(key, functools.partial(plan.run, job))
        except (ValueError, TypeError, FloatingPointError) as error:
            outcome.errors[job.optimizer] = str(error)
            continue
        if fresh:
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
