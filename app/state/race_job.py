"""A computation over the whole race that runs on request, off the page's thread when served
(η tuning, the gallery): whether it runs, and whether the race has changed since it last did.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import param


class RaceJob(param.Parameterized):
    """Subclasses say what to compute (:meth:`run`, reading the race only: safe on a worker
    thread), how to publish it (:meth:`show`, on the page's thread) and whether there is a
    result (:meth:`has_result`)."""

    busy = param.Boolean(default=False, precedence=-1)
    stale = param.Boolean(default=False, precedence=-1, doc="The race changed since")

    def __init__(
        self, race: param.Parameterized, stale_after: Sequence[str], **params: Any
    ) -> None:
        super().__init__(**params)
        self.race: Any = race
        """The lab model whose race the job reads (either lab's)."""
        race.param.watch(self._mark_stale, list(stale_after))

    def run(self) -> Any:
        raise NotImplementedError

    def show(self, outcome: Any) -> None:
        raise NotImplementedError

    def has_result(self) -> bool:
        raise NotImplementedError

    def compute(self) -> None:
        """Run and show, synchronously (tests, notebooks)."""
        self.busy = True
        self.show(self.run())

    def _mark_stale(self, *_: Any) -> None:
        if self.has_result() and not self.busy:
            self.stale = True
