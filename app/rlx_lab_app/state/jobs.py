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

The pieces live beside this module: a job, its slot, page and report in :mod:`.job`; the
process-wide lanes and ledger in :mod:`.server`. Their public names are re-exported here, where
the rest of the app imports them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from rlx_lab.cost import MB, Cost, size
from rlx_lab_app.state.budget import Budgets, OverBudget, refusal
from rlx_lab_app.state.job import (
    Cancelled,
    Job,
    JobState,
    ManualPage,
    Page,
    Report,
    failure,
    partial_progress,
)
from rlx_lab_app.state.server import HEAVY, INTERACTIVE, Server, default_server, warm_workers

__all__ = [
    "HEAVY",
    "INTERACTIVE",
    "Cancelled",
    "Job",
    "JobState",
    "ManualPage",
    "Page",
    "Report",
    "Server",
    "SessionJobs",
    "default_server",
    "failure",
    "partial_progress",
    "warm_workers",
]

LOG = logging.getLogger(__name__)


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

    def holds(self, slot: JobState) -> bool:
        """Whether ``slot`` has a job queued or running (not finished, not cancelled)."""
        return id(slot) in self._jobs

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
