"""The served side of :mod:`rlx_lab_app.state.jobs`: a session's page, live recomputes, progress
bars.

* :func:`jobs_for` gives the session's :class:`SessionJobs` (one per Bokeh document; all its jobs
  are cancelled when the page closes).
* :class:`LiveRecompute` keeps a model's results in step with its inputs — the surfaces race and
  the small-nets training alike: a change while a job runs is coalesced into one more run, an
  optional debounce merges bursts.
* :class:`JobProgress` shows a slot's progress bar, what it is doing and a Cancel button.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import panel as pn
import param
from tornado.ioloop import IOLoop

from rlx_lab.cost import Cost
from rlx_lab_app.state.jobs import HEAVY, JobState, Report, SessionJobs
from rlx_lab_app.views.runner import schedule_on, session_document


class DocPage:
    """A served session's thread: Bokeh's next tick (with the document lock held) and timers."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self.loop = IOLoop.current()

    def call(self, callback: Callable[[], None]) -> None:
        schedule_on(self.doc, self.loop, callback)

    def call_later(self, seconds: float, callback: Callable[[], None]) -> None:
        self.loop.call_later(seconds, lambda: self.call(callback))


def jobs_for(doc: Any = None) -> SessionJobs:
    """The session's jobs (created once per document), or synchronous jobs without one."""
    doc = doc if doc is not None else session_document()
    if doc is None:
        return SessionJobs()
    jobs = getattr(doc, "_rlx_jobs", None)
    if jobs is None:
        jobs = SessionJobs(DocPage(doc))
        doc._rlx_jobs = jobs
        jobs.server.session_opened()

        def closed(_context: Any) -> None:
            jobs.close()
            jobs.server.session_closed()

        doc.on_session_destroyed(closed)
    return jobs


class LiveRecompute:
    """Recomputes ``slot``'s results whenever one of ``inputs`` changes (or on :meth:`request`).

    ``plan()`` snapshots the inputs (on the page's thread), ``cost(plan)`` estimates it,
    ``compute(plan, report)`` runs on a worker thread — or ``remote(plan)()``, when it gives a
    picklable call, in a worker process — ``apply(plan, result)`` shows it and
    ``refuse(plan, words)`` says why there is none.
    """

    def __init__(
        self,
        jobs: SessionJobs,
        slot: JobState,
        inputs: Sequence[str],
        *,
        plan: Callable[[], Any],
        cost: Callable[[Any], Cost],
        compute: Callable[[Any, Report], Any],
        apply: Callable[[Any, Any], None],
        refuse: Callable[[Any, str], None],
        phase: Callable[[Any], str] = lambda plan: "",
        lane: str = HEAVY,
        quiet_s: float = 0.0,
        debounce_s: float = 0.0,
        when: Callable[[], bool] = lambda: True,
        remote: Callable[[Any], Callable[[], Any] | None] = lambda plan: None,
    ) -> None:
        self.jobs, self.slot = jobs, slot
        self._plan, self._cost, self._compute = plan, cost, compute
        self._apply, self._refuse, self._phase = apply, refuse, phase
        self.lane, self.quiet_s, self.debounce_s = lane, quiet_s, debounce_s
        self._when, self._remote = when, remote
        self._running = False
        self._pending = False
        self._generation = 0
        self.started = 0.0
        slot.param.watch(self._changed, list(inputs))

    def elapsed(self) -> float:
        """Seconds since the running computation started."""
        return time.monotonic() - self.started

    def _changed(self, *_: Any) -> None:
        if self._when():
            self.request(debounce=True)

    def request(self, *, debounce: bool = False) -> None:
        """Recompute now (or after the debounce), coalesced with a run in progress."""
        page = self.jobs.page
        self._generation += 1
        if page is None or not (debounce and self.debounce_s):
            self._fire(self._generation)
            return
        generation = self._generation
        page.call_later(self.debounce_s, lambda: self._fire(generation))

    def _fire(self, generation: int) -> None:
        if generation != self._generation:
            return  # a later request supersedes this one
        # running, unless its job was cancelled meanwhile (the Cancel button, through the
        # session's jobs): a cancelled job never settles, so it must not be waited for
        if self._running and self.jobs.holds(self.slot):
            self._pending = True
            return
        self._start()

    def _start(self) -> None:
        self._running, self._pending = True, False
        plan = self._plan()
        self.started = time.monotonic()
        admitted = self.jobs.submit(
            self.slot,
            self._cost(plan),
            lambda report: self._compute(plan, report),
            lambda result: self._settle(self._apply, plan, result),
            lambda words: self._settle(self._refuse, plan, words),
            lane=self.lane,
            phase=self._phase(plan),
            quiet_s=self.quiet_s,
            remote=self._remote(plan),
        )
        if not admitted:
            self._running = False

    def _settle(self, show: Callable[[Any, Any], None], plan: Any, value: Any) -> None:
        try:
            show(plan, value)
        finally:
            self._running = False
            if self._pending:
                self._start()


SHOWN = {"opacity": "1", "pointer-events": "auto"}
HIDDEN = {"opacity": "0", "pointer-events": "none"}
"""A kept-space progress row's style while busy / idle (a style change lays nothing out)."""


class JobProgress(pn.viewable.Viewer):
    """A slot's progress bar, what it is doing and a Cancel button (visible while busy)."""

    slot = param.ClassSelector(class_=JobState)

    def __init__(
        self,
        slot: JobState,
        jobs: SessionJobs,
        *,
        css: str = "",
        keep_space: bool = False,
        **params: Any,
    ) -> None:
        """``keep_space``: the bar and Cancel only, invisible while idle but in their place —
        put them beside a line that says what runs: showing and hiding them then moves
        nothing, and the browser does not lay the page out again each time (a repaint of every
        plot, a quarter of a second on the nets page)."""
        super().__init__(slot=slot, **params)
        self.jobs = jobs
        self._keep_space = keep_space
        self.bar = pn.indicators.Progress(
            value=-1,
            max=1000,
            active=True,
            bar_color="primary",
            width=160,
            height=14,
            margin=(8, 6),
            css_classes=["job-progress"],
        )
        self.text = pn.pane.HTML("", css_classes=["job-phase"], margin=(2, 6))
        self.cancel = pn.widgets.Button(
            label="Cancel", color="light", width=70, css_classes=["job-cancel"]
        )
        self.cancel.on_click(lambda _: self.jobs.cancel(self.slot))
        self.row = pn.Row(
            *(self.bar, self.cancel) if keep_space else (self.bar, self.cancel, self.text),
            visible=keep_space,
            css_classes=["job", css] if css else ["job"],
            margin=0,
        )
        slot.param.watch(self.render, ["busy", "progress", "phase"])
        self.render()

    def __panel__(self) -> pn.viewable.Viewable:
        return self.row

    def render(self, *_: Any) -> None:
        slot = self.slot
        if self._keep_space:
            self.row.styles = SHOWN if slot.busy else HIDDEN
        else:
            self.row.visible = slot.busy
        if not slot.busy:
            return
        known = slot.progress >= 0
        self.bar.param.update(active=not known, value=int(slot.progress * 1000) if known else -1)
        self.text.object = f"<small>{slot.phase}</small>"
