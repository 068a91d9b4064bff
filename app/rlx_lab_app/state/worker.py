"""A worker process for the heaviest jobs (small-nets training, its tuning and search).

Why a process rather than another thread: a training traces and compiles in Python and then
fills its cores with XLA work; in the server's own process that holds the GIL and XLA's thread
pool that a slider's race needs, and a slider move took 20-50× as long at p95 while a training
ran (``python -m rlx_lab_app.bench contention``). A worker has its own interpreter and its own XLA
threads, so the page's threads only wait for the cores themselves.

The worker is started with ``spawn`` (forking a process that runs JAX threads is unsafe), asks
XLA for one core per computation and shares the persistent compile cache. A job for it is a
picklable call (a module-level function with its plan, e.g. ``partial(compute, plan)``); its
result comes back pickled. If the worker dies (the kernel's out-of-memory killer, say), its job
fails with that said and the next job starts a fresh worker.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any


def _start() -> None:
    """In the worker, before its first job: the same XLA settings and compile cache."""
    from rlx_lab import engine

    engine.one_core_per_computation()
    engine.enable_compilation_cache()


def _ready() -> bool:
    return True


class ProcessLane:
    """``workers`` worker processes, started on first use (or :meth:`warm`)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self, *, fresh: bool = False) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None or fresh:
                if self._pool is not None:
                    self._pool.shutdown(wait=False, cancel_futures=True)
                context = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(self.workers, context, initializer=_start)
            return self._pool

    def submit(self, call: Callable[[], Any]) -> Future:
        """Run ``call()`` (picklable) in a worker. If a worker died under a job, that job's
        future holds ``BrokenProcessPool`` and this starts fresh workers for the next."""
        try:
            return self._executor().submit(call)
        except BrokenProcessPool:
            return self._executor(fresh=True).submit(call)

    def warm(self) -> None:
        """Start the workers now (their imports take seconds), not at the first job."""
        if self._pool is None:
            self.submit(_ready)

    def shutdown(self) -> None:
        """Stop the workers now, a running job too (Python would otherwise wait for it)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is None:
            return
        # ProcessPoolExecutor has no public way to stop a running job before Python 3.14
        # (terminate_workers); its processes are in `_processes`.
        for process in list(getattr(pool, "_processes", {}).values()):
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
