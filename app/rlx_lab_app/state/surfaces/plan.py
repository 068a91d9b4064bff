"""A race's immutable snapshot (:class:`RacePlan`) and how it is computed.

The model takes a snapshot of everything a run depends on, so the computation can run on a
worker thread while the user keeps moving sliders. Trajectories are memoised in a small
process-wide LRU keyed by that snapshot, so a recompute only runs optimizers whose settings (or
the shared settings) changed, and sessions showing the same thing share the work.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import Any

import numpy as np

from rlx_lab import engine
from rlx_lab.cost import MB, Cost, Term, nothing
from rlx_lab.engine import RunSettings, Trajectory
from rlx_lab.surfaces import Surface
from rlx_lab_app.state.budget import configured
from rlx_lab_app.state.surfaces.surface_source import params_key, surface_grid


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

    def uncomputed(self) -> int:
        """How many jobs have no trajectory in the shared cache yet."""
        return sum(CACHE.get(self.cache_key(job)) is None for job in self.jobs)

    def computed(self) -> bool:
        """Whether every job's trajectory is in the shared cache already (nothing to run)."""
        return self.uncomputed() == 0

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


class TrajectoryCache:
    """A thread-safe LRU of computed results, bounded by their bytes (and a count).

    Entries are sized by :func:`nbytes` (the numpy arrays they hold); one larger than the whole
    cache is not kept. :meth:`get_or_compute` computes a key once however many threads ask for
    it at the same time (sessions with the same race, the server's warm-up).
    """

    def __init__(self, max_bytes: int, size: int = 256) -> None:
        self._size = size
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._pending: dict[Hashable, threading.Event] = {}

    def get(self, key: Hashable) -> Any:
        """The cached value for ``key``, refreshed as most recent; None if absent."""
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def get_or_compute(self, key: Hashable, make: Callable[[], Any]) -> tuple[Any, bool]:
        """``(value, computed here)``: the cached value, or ``make()``'s, stored.

        While another thread computes the same key this one waits for it rather than compute
        it twice; if that thread failed (or its value was too big to keep) this one computes.
        ``make``'s exceptions propagate.
        """
        while True:
            with self._lock:
                item = self._items.get(key)
                if item is not None:
                    self._items.move_to_end(key)
                    return item[0], False
                pending = self._pending.get(key)
                if pending is None:
                    pending = self._pending[key] = threading.Event()
                    break
            pending.wait()
        try:
            value = make()
            self.put(key, value)
            return value, True
        finally:
            with self._lock:
                del self._pending[key]
            pending.set()

    def put(self, key: Hashable, value: Any) -> None:
        """Store ``value``; evict the least recently used entries beyond the bounds."""
        weight = nbytes(value)
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            if weight > self.max_bytes:
                return
            self._items[key] = (value, weight)
            self._bytes += weight
            while len(self._items) > self._size or self._bytes > self.max_bytes:
                self._bytes -= self._items.popitem(last=False)[1][1]

    def bytes(self) -> int:
        """Bytes held."""
        with self._lock:
            return self._bytes

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._items.clear()
            self._bytes = 0


def export_cost(what: str, value: Any) -> Cost:
    """Writing ``value``'s arrays out as text (CSV or JSON): about ten characters a number."""
    return Cost(what, (Term("the text", 10 * nbytes(value), "", "fewer optimizers or steps"),))


def nbytes(value: Any) -> int:
    """Bytes of the numpy arrays inside ``value`` (dataclasses, tuples, lists and dicts)."""
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, Mapping):
        return sum(nbytes(v) for v in value.values())
    if isinstance(value, tuple | list):
        return sum(nbytes(v) for v in value)
    if is_dataclass(value):
        return sum(nbytes(getattr(value, f.name)) for f in fields(value))
    return 0


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
            trajectory, fresh = CACHE.get_or_compute(
                key,
                functools.partial(
                    engine.run,
                    job.optimizer,
                    dict(job.overrides),
                    plan.surface,
                    plan.starts,
                    plan.settings,
                ),
            )
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
