"""A computation over the whole race that runs on request, off the page's thread when served
(η tuning, the gallery): whether it runs, and whether the race has changed since it last did.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import param

from rlx_lab.cost import Cost
from rlx_lab_app.state.jobs import JobState


class RaceJob(JobState):
    """Subclasses say what it will take (:meth:`cost`), what to compute (:meth:`run`, reading
    the race only: safe on a worker thread), how to publish it (:meth:`show`, on the page's
    thread) and whether there is a result (:meth:`has_result`). The job layer
    (:class:`rlx_lab_app.state.jobs.SessionJobs`) runs it; :meth:`fail` says why it did not."""

    stale = param.Boolean(default=False, precedence=-1, doc="The race changed since")
    error = param.String(default="", precedence=-1, doc="Why the last run failed or was refused")

    def __init__(
        self, race: param.Parameterized, stale_after: Sequence[str], **params: Any
    ) -> None:
        super().__init__(**params)
        self.race: Any = race
        """The lab model whose race the job reads (either lab's)."""
        race.param.watch(self._mark_stale, list(stale_after))

    def cost(self) -> Cost:
        raise NotImplementedError

    def run(self) -> Any:
        raise NotImplementedError

    def task(self) -> Callable[[], Any] | None:
        """:meth:`run` as a picklable call for a worker process, where it is worth one."""
        return None

    def fail(self, words: str) -> None:
        """Say why there is no new result (refused, failed or out of memory)."""
        self.param.update(error=words, busy=False)

    def show(self, outcome: Any) -> None:
        raise NotImplementedError

    def has_result(self) -> bool:
        raise NotImplementedError

    def compute(self) -> None:
        """Run and show, synchronously (tests, notebooks)."""
        self.busy = True
        self.error = ""
        self.show(self.run())

    def _mark_stale(self, *_: Any) -> None:
        if self.has_result() and not self.busy:
            self.stale = True
