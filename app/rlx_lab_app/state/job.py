"""One job and what it meets: the slot it reports to (:class:`JobState`), the page its results
go back to (:class:`Page`, played by :class:`ManualPage` in tests), the :class:`Report` a running
job is handed, the admitted :class:`Job` itself and a failure in words (:func:`failure`).

Pure Python and ``param``: no Panel. :class:`~rlx_lab_app.state.jobs.SessionJobs` runs them.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Protocol

import param

from rlx_lab.cost import Cost
from rlx_lab_app.state.budget import capitalized

PROGRESS_EVERY_S = 0.2
"""Progress reaches the page at most this often."""


class Cancelled(Exception):
    """Raised inside a job at a checkpoint once it has been cancelled."""


class JobState(param.Parameterized):
    """What a slot shows while its job runs: busy, how far (−1: unknown) and doing what."""

    busy = param.Boolean(default=False, precedence=-1)
    progress = param.Number(default=-1.0, bounds=(-1.0, 1.0), precedence=-1)
    phase = param.String(default="", precedence=-1, doc="What a running computation does")


class Page(Protocol):
    """How a session's work gets back onto its own thread."""

    def call(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` on the session's thread soon (safe from any thread)."""

    def call_later(self, seconds: float, callback: Callable[[], None]) -> None:
        """Run ``callback`` on the session's thread after ``seconds``."""


class ManualPage:
    """A page whose callbacks wait until the caller runs them (:meth:`run_until`): a served
    session's thread, played by a test or a benchmark."""

    def __init__(self) -> None:
        self.calls: queue.Queue[Callable[[], None]] = queue.Queue()

    def call(self, callback: Callable[[], None]) -> None:
        self.calls.put(callback)

    def call_later(self, seconds: float, callback: Callable[[], None]) -> None:
        del seconds  # the caller decides when callbacks run
        self.calls.put(callback)

    def run_until(self, done: Callable[[], bool], timeout: float = 120.0) -> None:
        """Run callbacks as they arrive until ``done()``, then whatever is left; raise
        ``TimeoutError`` after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while not done():
            try:
                self.calls.get(timeout=max(0.01, deadline - time.monotonic()))()
            except queue.Empty:
                raise TimeoutError(f"nothing done within {timeout} s") from None
        while not self.calls.empty():
            self.calls.get_nowait()()


class Report:
    """Handed to a running job: checkpoints, progress and early results."""

    def __init__(self, job: Job) -> None:
        self._job = job
        self._last = 0.0

    def check(self) -> None:
        """Raise :class:`Cancelled` if the job has been cancelled (call between pieces)."""
        if self._job.cancelled.is_set():
            raise Cancelled

    def progress(self, fraction: float | None, text: str = "") -> None:
        """How far the job is (0…1, None: unknown) and what it is doing; throttled."""
        self.check()
        now = time.monotonic()
        if now - self._last < PROGRESS_EVERY_S and (fraction or 0) < 1:
            return
        self._last = now
        self._job.on_page(partial_progress(self._job.slot, fraction, text))

    def on_page(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` on the page's thread unless the job is cancelled by then (e.g. to
        show the first results before the rest)."""
        self._job.on_page(callback)


def partial_progress(slot: JobState, fraction: float | None, text: str) -> Callable[[], None]:
    def show() -> None:
        if slot.busy:
            value = -1.0 if fraction is None else min(max(float(fraction), 0.0), 1.0)
            slot.param.update(progress=value, **({"phase": text} if text else {}))

    return show


@dataclass(eq=False)
class Job:
    """One admitted piece of work."""

    slot: JobState
    cost: Cost
    work: Callable[[Report], Any]
    done: Callable[[Any], None]
    failed: Callable[[str], None]
    lane: str
    page: Page | None
    cancelled: threading.Event = field(default_factory=threading.Event)
    future: Future | None = None

    def on_page(self, callback: Callable[[], None]) -> None:
        def guarded() -> None:
            if not self.cancelled.is_set():
                callback()

        if self.page is None:
            guarded()
        else:
            self.page.call(guarded)


def failure(what: str, error: BaseException) -> str:
    """A failed job in words: what failed and why."""
    job = capitalized(what)
    if isinstance(error, BrokenProcessPool):
        return (
            f"{job} stopped: its worker process ended (out of memory?). "
            "Try smaller settings; the next job starts a fresh worker."
        )
    if isinstance(error, MemoryError):
        return (
            f"{job} ran out of memory: try smaller settings (fewer steps, starts, seeds or units)."
        )
    detail = str(error) or type(error).__name__
    return f"{job} failed: {type(error).__name__}: {detail}"
