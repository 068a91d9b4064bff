"""What both labs' plans share: one optimizer's entry in a race (:class:`Job`), how a plan keys
and counts its cached results, and the process-wide memo they are kept in
(:class:`TrajectoryCache`, bounded by the bytes of what it holds).

Each world snapshots its own inputs — :class:`~rlx_lab_app.state.surfaces.plan.RacePlan` a
surface, starts and engine settings; :class:`~rlx_lab_app.state.nets.plan.NetsPlan` data, a
network and training settings — into a plan that says what all its optimizers share
(:meth:`Plan.shared_key`). A job's memo key is that plus the optimizer and its settings
(:func:`cache_key`), so a slider move reruns one optimizer, and sessions showing the same
thing share the work. Pure Python and numpy: no ``param``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from typing import Any, Protocol

import numpy as np

from rlx_lab.cost import Cost, Term


@dataclass(frozen=True)
class Job:
    """One optimizer of the race with its hyperparameters."""

    optimizer: str
    overrides: Mapping[str, Any]
    key: tuple[Any, ...]


class Plan(Protocol):
    """A world's snapshot of a race: its jobs and the key part they all share."""

    jobs: tuple[Job, ...]

    def shared_key(self) -> tuple[Any, ...]:
        """The part of every job's cache key that all optimizers share."""
        ...


def cache_key(plan: Plan, job: Job) -> tuple[Any, ...]:
    """The memo key of one job's result: the plan's shared part, the optimizer, its settings."""
    return (*plan.shared_key(), job.optimizer, job.key)


def uncached(plan: Plan, cache: TrajectoryCache) -> tuple[Job, ...]:
    """``plan``'s jobs with no result in ``cache`` yet."""
    return tuple(job for job in plan.jobs if cache.get(cache_key(plan, job)) is None)


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
        self._claimed: set[Hashable] = set()
        """The pending keys that :meth:`reserve` claimed."""

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

        While another thread computes the same key (or :meth:`reserve` claimed it) this one waits
        for it rather than compute it twice; if that failed (or its value was too big to keep)
        this one computes. ``make``'s exceptions propagate.
        """
        while True:
            with self._lock:
                item = self._items.get(key)
                if item is not None:
                    self._items.move_to_end(key)
                    return item[0], False
                pending = self._pending.get(key)
                if pending is None:
                    self._pending[key] = threading.Event()
                    break
            pending.wait()
        value = None
        try:
            value = make()
            return value, True
        finally:
            self.settle(key, value)

    def reserve(self, key: Hashable) -> bool:
        """Claim ``key`` for a value computed elsewhere (the server's warm-up, in a worker
        process): until :meth:`settle` ends the claim, :meth:`get_or_compute` waits for it.
        False if it is cached or being computed already (nothing claimed)."""
        with self._lock:
            if key in self._items or key in self._pending:
                return False
            self._pending[key] = threading.Event()
            self._claimed.add(key)
            return True

    def settle(self, key: Hashable, value: Any) -> None:
        """End a claim on ``key`` (or a computation of it): store ``value`` (None: it failed,
        and a waiter computes it) and wake whoever waits for it."""
        if value is not None:
            self.put(key, value)
        with self._lock:
            pending = self._pending.pop(key)
            self._claimed.discard(key)
        pending.set()

    def known(self, key: Hashable) -> bool:
        """Whether ``key``'s value is cached or claimed by :meth:`reserve` (coming without
        anyone's asking; a value some session is computing does not count: a page that waited
        for it would hold a worker thread as long)."""
        with self._lock:
            return key in self._items or key in self._claimed

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
