"""Recomputes the race off the page's thread.

When an input changes, the :class:`Runner` snapshots the model (:meth:`RaceModel.plan`), runs
:func:`app.state.compute` on a worker thread, and applies the outcome back on the Bokeh
document's own loop (``add_next_tick_callback`` holds the document lock). Changes that arrive
while a computation runs are coalesced into one more run. Optimizers that take long (a first
compile) are shown as soon as each is ready. Without a server document (a notebook, a test) it
computes synchronously.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from typing import Any

import panel as pn
from panel.io.state import set_curdoc
from tornado.ioloop import IOLoop

from rlx_lab.engine import Trajectory

from ..state import INPUTS, Outcome, RaceModel, RacePlan, compute

LOG = logging.getLogger(__name__)
EXECUTOR = ThreadPoolExecutor(max_workers=2, thread_name_prefix="rlx-lab")
"""Shared by all sessions: compiled programs and cached trajectories are shared too."""
PARTIAL_AFTER_S = 0.25
"""Show an optimizer's paths before the others once computing it took longer than this."""
BUSY_AFTER_S = 0.3
"""Say "computing…" only when a recompute takes longer than this (most take milliseconds)."""


def session_document() -> Any:
    """The Bokeh document of the current server session, or None (notebook, tests)."""
    doc = pn.state.curdoc
    if doc is None or getattr(doc, "session_context", None) is None:
        return None
    return doc


def in_document(doc: Any, callback: Callable[[], None]) -> Callable[[], None]:
    """``callback`` run as Panel's code for ``doc`` (a raw Bokeh callback is not: panes
    updated outside that context resolve their stylesheets to the CDN)."""

    def run() -> None:
        with set_curdoc(doc):
            callback()

    return run


def schedule_on(doc: Any, loop: IOLoop | None, callback: Callable[[], None]) -> None:
    """Have ``doc`` run ``callback`` on its next tick; safe to call from a worker thread.

    Bokeh's ``add_next_tick_callback`` touches the document's callback bookkeeping, which the
    loop thread also changes; so the worker only hands a closure to the loop (``add_callback``
    is Tornado's thread-safe entry point) and the loop registers the document callback.
    """

    def register() -> None:
        try:
            doc.add_next_tick_callback(in_document(doc, callback))
        except Exception:  # the session is gone: nothing left to update
            LOG.warning("could not schedule an update of the page", exc_info=True)

    if loop is None:
        callback()
    else:
        loop.add_callback(register)


@contextmanager
def held(doc: Any) -> Iterator[None]:
    """Collect a document's changes and send them together at the end (Bokeh's ``hold``)."""
    if doc is None:
        yield
        return
    doc.hold("combine")
    try:
        yield
    finally:
        doc.unhold()


class Runner:
    """Keeps :attr:`RaceModel.results` in step with the model's inputs."""

    def __init__(self, model: RaceModel, doc: Any = None) -> None:
        self.model = model
        self.doc = doc
        self._loop = IOLoop.current() if doc is not None else None
        self._running = False
        self._pending = False
        self._plan: RacePlan | None = None
        model.param.watch(self.request, list(INPUTS))

    def request(self, *events: Any) -> None:
        """Ask for a recompute (coalesced with one that is already running)."""
        if self._running:
            self._pending = True
            return
        self._start()

    def _start(self) -> None:
        self._running, self._pending = True, False
        plan = self._plan = self.model.plan()
        if self.doc is None:
            self._finish(plan, compute(plan))
            return
        self._loop.call_later(BUSY_AFTER_S, self._show_busy, plan)
        on_result = partial(self._maybe_partial, plan, {})
        future = EXECUTOR.submit(compute, plan, on_result)
        future.add_done_callback(lambda f: self._schedule(partial(self._done, plan, f)))

    def _show_busy(self, plan: RacePlan) -> None:
        def mark() -> None:  # checked on the document's tick, where _finish also runs
            if self._running and self._plan is plan:
                self.model.busy = True

        self._schedule(mark)

    def _maybe_partial(
        self,
        plan: RacePlan,
        seen: dict[str, Trajectory],
        name: str,
        trajectory: Trajectory,
        seconds: float,
    ) -> None:
        seen[name] = trajectory
        if seconds > PARTIAL_AFTER_S and len(seen) < len(plan.jobs):
            outcome = Outcome(results=dict(seen))
            self._schedule(partial(self.model.apply, plan, outcome, partial=True))

    def _schedule(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` on the document's loop with its lock held (from any thread)."""
        schedule_on(self.doc, self._loop, callback)

    def _done(self, plan: RacePlan, future: Future) -> None:
        try:
            outcome = future.result()
        except Exception as error:  # an engine bug must not wedge the page
            outcome = Outcome(errors={"engine": f"{type(error).__name__}: {error}"})
        self._finish(plan, outcome)

    def _finish(self, plan: RacePlan, outcome: Outcome) -> None:
        try:
            # one message to the browser for the whole update, not one per changed property
            with held(self.doc):
                self.model.apply(plan, outcome)
        finally:
            if self.model.busy:
                self.model.busy = False
            self._running = False
        if self._pending:
            self._start()


def start_job(job: Any, doc: Any, loop: IOLoop | None, done: Callable[[Any], None]) -> None:
    """Run a :class:`~app.state.race_job.RaceJob`: at once without a served page (tests,
    notebooks); otherwise on :data:`EXECUTOR`, then ``done(future)`` on the page's thread.
    Nothing happens while it is already running."""
    if job.busy:
        return
    if doc is None:
        job.compute()
        return
    job.busy = True
    future = EXECUTOR.submit(job.run)
    future.add_done_callback(lambda f: schedule_on(doc, loop, partial(done, f)))
