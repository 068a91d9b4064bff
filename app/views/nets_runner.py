"""Trains the small-nets race off the page's thread, debounced.

Why a debounce rather than a Train button only: hyperparameters, the data draw, the seeds and
the steps within a bucket are traced, so re-training after a slider move reuses the compiled
program and takes a fraction of a second — the page can follow the sliders. Sliders report on
release; the debounce (:data:`DEBOUNCE_MS`) merges bursts (a dataset change also resets the
noise; several quick clicks) into one run, and changes arriving during a run are coalesced into
one more run. Changes that recompile (architecture, batch size, sample count, the selection)
take seconds but never freeze the page. With ``auto`` off nothing trains until "Train" is
clicked. Without a server document (a notebook, a test) training is synchronous.

The worker threads (:data:`app.views.runner.EXECUTOR`) and the hand-back to the document
(:func:`app.views.runner.schedule_on`) are the surface tab's.
"""

from __future__ import annotations

import contextlib
import time
from concurrent.futures import Future
from functools import partial
from typing import Any

from tornado.ioloop import IOLoop

from ..state.nets import INPUTS, NetsModel
from ..state.nets_plan import NetsOutcome, NetsPlan, compute
from .runner import EXECUTOR, schedule_on

DEBOUNCE_MS = 400


class NetsRunner:
    """Keeps the model's results in step with its inputs (when ``auto``) or on request."""

    def __init__(self, model: NetsModel, doc: Any = None) -> None:
        self.model = model
        self.doc = doc
        self._loop = IOLoop.current() if doc is not None else None
        self._running = False
        self._pending = False
        self._timer: Any = None
        self.started = 0.0
        model.param.watch(self._changed, list(INPUTS))

    def elapsed(self) -> float:
        """Seconds since the running computation started."""
        return time.monotonic() - self.started

    def _changed(self, *events: Any) -> None:
        if self.model.auto:
            self.request(debounce=True)

    def request(self, *, debounce: bool = False) -> None:
        """Train now (or after the debounce), coalesced with a run in progress."""
        if self.doc is None:
            self._start()
            return
        self._cancel()
        if debounce:
            self._timer = self.doc.add_timeout_callback(self._fire, DEBOUNCE_MS)
        else:
            self._fire()

    def _cancel(self) -> None:
        if self._timer is not None:
            with contextlib.suppress(ValueError):  # already fired
                self.doc.remove_timeout_callback(self._timer)
            self._timer = None

    def _fire(self) -> None:
        self._timer = None
        if self._running:
            self._pending = True
            return
        self._start()

    def _start(self) -> None:
        self._running, self._pending = True, False
        plan = self.model.plan()
        if self.doc is None:
            self._finish(plan, compute(plan))
            return
        self.started = time.monotonic()
        self.model.param.update(busy=True, phase=phase(plan))
        future = EXECUTOR.submit(compute, plan)
        future.add_done_callback(
            lambda f: schedule_on(self.doc, self._loop, partial(self._done, plan, f))
        )

    def _done(self, plan: NetsPlan, future: Future) -> None:
        try:
            outcome = future.result()
        except Exception as error:  # a bug in the engine must not wedge the page
            outcome = NetsOutcome(errors={"engine": f"{type(error).__name__}: {error}"})
        self._finish(plan, outcome)

    def _finish(self, plan: NetsPlan, outcome: NetsOutcome) -> None:
        try:
            self.model.apply(plan, outcome)
        finally:
            self.model.param.update(busy=False, phase="")
            self._running = False
        if self._pending:
            self._start()


def phase(plan: NetsPlan) -> str:
    """What the computation about to start does, in words."""
    if not plan.jobs:
        return "checking the settings…"
    if plan.compiles():
        n = len(plan.jobs)
        return (
            f"compiling {n} optimizer{'s' * (n != 1)} for this network — the first run "
            "compiles (10–30 s for many optimizers), later runs reuse it…"
        )
    return "training…"
