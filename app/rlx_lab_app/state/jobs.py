"""One path for every piece of work a session asks for: costed, admitted, run off the page's
thread, cancellable, with progress — and never able to wedge the page.

    plan ─► cost (estimated before it starts) ─► admit (job, session and server budgets)
         ─► run on a lane's worker thread (cancellable; a newer job of the same slot wins)
         ─► done(result) or failed(words), back on the page's thread

A *slot* is the :class:`JobState` a job reports to (a model's ``busy``, ``progress`` and
``phase``); a session runs at most one job per slot. The *page* says how to get back onto the
session's thread (:class:`Page`); without one (tests, notebooks) everything runs at once in the
caller's thread, through the same checks and the same error handling.

Pure Python and ``param``: no Panel (the served glue is :mod:`rlx_lab_app.views.jobs`).
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Protocol

import param

from rlx_lab.cost import MB, Cost, size

from .budget import Budgets, OverBudget, capitalized, configured, refusal
from .worker import ProcessLane

LOG = logging.getLogger(__name__)
INTERACTIVE, HEAVY = "interactive", "heavy"
PROGRESS_EVERY_S = 0.2
"""Progress reaches the page at most this often."""
RECENT_PROBLEMS = 20


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


class Server:
    """Process-wide: the worker threads of each lane and the ledger of admitted bytes.

    The interactive lane runs the surfaces race recompute only, so a slider move never waits
    behind another session's sweep or training (the heavy lane).
    """

    def __init__(self, budgets: Budgets) -> None:
        self.budgets = budgets
        self.lanes = {
            INTERACTIVE: ThreadPoolExecutor(budgets.interactive_workers, "rlx-interactive"),
            HEAVY: ThreadPoolExecutor(budgets.heavy_workers, "rlx-heavy"),
        }
        self.process = ProcessLane(budgets.heavy_processes) if budgets.heavy_processes else None
        """Worker processes for the jobs that offer a picklable call (None: threads only)."""
        self._lock = threading.Lock()
        self._admitted = 0
        self._in_flight = 0
        self._sessions = 0
        self.problems: deque[tuple[float, str]] = deque(maxlen=RECENT_PROBLEMS)
        """The latest failures and refusals, (time, words), newest last (the operator's view)."""

    def admit(self, cost: Cost) -> None:
        """Count ``cost`` in, or raise :class:`OverBudget` if the server is full."""
        limit = self.budgets.server_mb * MB
        with self._lock:
            if self._admitted + cost.bytes > limit:
                held = self._admitted
            else:
                self._admitted += cost.bytes
                self._in_flight += 1
                return
        raise OverBudget(
            f"The server is busy: other visitors' jobs hold ≈{size(held)} of its "
            f"{size(limit)} for jobs, and {cost.what} needs ≈{size(cost.bytes)} — try again "
            "in a minute."
        )

    def release(self, cost: Cost) -> None:
        with self._lock:
            self._admitted -= cost.bytes
            self._in_flight -= 1

    def jobs_in_flight(self) -> int:
        """Jobs admitted and not finished (queued or running), every session together."""
        with self._lock:
            return self._in_flight

    def note(self, words: str) -> None:
        """Remember a failure or refusal for the operator's view."""
        self.problems.append((time.time(), words))

    def session_opened(self) -> None:
        with self._lock:
            self._sessions += 1

    def session_closed(self) -> None:
        with self._lock:
            self._sessions -= 1

    def sessions(self) -> int:
        """Pages open on this server (built and not yet discarded)."""
        with self._lock:
            return self._sessions

    def full(self) -> bool:
        """Whether a new page would exceed :attr:`Budgets.max_sessions`."""
        return self.sessions() >= self.budgets.max_sessions

    def admitted_bytes(self) -> int:
        """Bytes of jobs queued or running, every session together."""
        with self._lock:
            return self._admitted


@functools.cache
def default_server() -> Server:
    """The process's one :class:`Server`, with budgets from the environment and arguments."""
    return Server(configured())


def warm_workers() -> None:
    """Start the server's worker processes, if it has any, before the first heavy job."""
    process = default_server().process
    if process is not None:
        process.warm()


class SessionJobs:
    """One session's jobs: checked against the budgets, at most one per slot (the newest
    wins), all cancelled when the page closes (:meth:`close`)."""

    def __init__(self, page: Page | None = None, server: Server | None = None) -> None:
        self.page = page
        self.server = server or default_server()
        self._jobs: dict[int, Job] = {}

    @property
    def budgets(self) -> Budgets:
        return self.server.budgets

    def submit(
        self,
        slot: JobState,
        cost: Cost,
        work: Callable[[Report], Any],
        done: Callable[[Any], None],
        failed: Callable[[str], None],
        *,
        lane: str = HEAVY,
        phase: str = "",
        quiet_s: float = 0.0,
        remote: Callable[[], Any] | None = None,
    ) -> bool:
        """Run ``work(report)`` for ``slot`` and hand its result to ``done`` — or its error, in
        words, to ``failed`` (a refusal too, at once). Returns whether the job was admitted.

        ``quiet_s``: show ``busy`` only once the job has taken that long (a race recompute
        usually takes milliseconds; a flash of "computing…" would be noise).
        ``remote``: the same work as a picklable call, run in a worker process when the server
        has one (:mod:`rlx_lab_app.state.worker`; no progress or checkpoints there).
        """
        self.cancel(slot)  # a newer request supersedes the older one
        try:
            self.budgets.check(cost)
            self._check_session(cost)
        except OverBudget as refused:
            self.server.note(f"refused: {refused}")
            failed(str(refused))
            return False
        job = Job(slot, cost, work, done, failed, lane, self.page)
        if self.page is None:
            self._run_now(job)
            return True
        try:
            self.server.admit(cost)
        except OverBudget as refused:
            self.server.note(f"refused: {refused}")
            failed(str(refused))
            return False
        self._jobs[id(slot)] = job
        if quiet_s > 0:
            self.page.call_later(quiet_s, lambda: self._show_busy(job, phase))
        else:
            self._show_busy(job, phase)
        if remote is not None and self.server.process is not None:
            job.future = self.server.process.submit(remote)
        else:
            job.future = self.server.lanes[lane].submit(self._work, job)
        job.future.add_done_callback(lambda f: self._settle(job, f))
        return True

    def cancel(self, slot: JobState) -> None:
        """Cancel ``slot``'s job: dropped if still queued, its result ignored if running."""
        job = self._jobs.pop(id(slot), None)
        if job is None:
            return
        job.cancelled.set()
        if job.future is not None:
            job.future.cancel()  # a queued job never starts; its done-callback still releases
        slot.param.update(busy=False, progress=-1.0, phase="")

    def close(self) -> None:
        """The page has closed: cancel every job of the session."""
        for job in list(self._jobs.values()):
            self.cancel(job.slot)

    def running(self) -> int:
        """Jobs of this session queued or running."""
        return len(self._jobs)

    # --- internals -----------------------------------------------------------------------

    def _check_session(self, cost: Cost) -> None:
        held = sum(j.cost.bytes for j in self._jobs.values())
        limit = self.budgets.session_mb * MB
        if held + cost.bytes > limit:
            if held == 0:
                raise OverBudget(refusal(cost, limit, whose=" for one page"))
            raise OverBudget(
                f"{refusal(cost, limit, whose=' for one page')} This page's other jobs hold "
                f"≈{size(held)}: wait for them or cancel one."
            )

    def _show_busy(self, job: Job, phase: str) -> None:
        if not job.cancelled.is_set() and self._jobs.get(id(job.slot)) is job:
            job.slot.param.update(busy=True, progress=-1.0, phase=phase or job.cost.what)

    @staticmethod
    def _work(job: Job) -> Any:
        if job.cancelled.is_set():
            raise Cancelled
        return job.work(Report(job))

    def _run_now(self, job: Job) -> None:
        """Without a page: run in the caller's thread, through the same error handling."""
        job.slot.param.update(busy=True, progress=-1.0)
        try:
            result = job.work(Report(job))
        except Exception as error:
            self._finish(job, error=error)
        else:
            self._finish(job, result=result)

    def _settle(self, job: Job, future: Future) -> None:
        """On a worker thread (or at cancel): release the budget, hand back to the page."""
        self.server.release(job.cost)
        if future.cancelled():
            return
        error = future.exception()
        result = None if error is not None else future.result()
        assert self.page is not None
        self.page.call(lambda: self._finish(job, result=result, error=error))

    def _finish(self, job: Job, result: Any = None, error: BaseException | None = None) -> None:
        """On the page's thread: clear the slot, then ``done`` or ``failed`` — whatever
        happens, the slot is free again."""
        if job.cancelled.is_set() or isinstance(error, Cancelled):
            return
        if self._jobs.get(id(job.slot)) is job:
            del self._jobs[id(job.slot)]
        job.slot.param.update(busy=False, progress=-1.0, phase="")
        if error is not None:
            LOG.warning("%s failed", job.cost.what, exc_info=error)
            self.server.note(failure(job.cost.what, error))
            job.failed(failure(job.cost.what, error))
            return
        try:
            job.done(result)
        except Exception as error:  # showing the result broke: say so, keep the page alive
            LOG.warning("showing %s failed", job.cost.what, exc_info=True)
            job.failed(failure(job.cost.what, error))


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
