"""When a page was last used, and whether it has been idle too long.

A page counts as used while its document changes: a student's move, or the answers to work
the student started (a race, a sweep, a training's progress). A page left idle for
:attr:`rlx_lab_app.state.budget.Budgets.idle_minutes` is closed (:mod:`rlx_lab_app.views.idle`),
which frees its session's memory and its place under the admission limit.

Pure Python: no Panel, no ``param``.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class IdleClock:
    """The time since the last :meth:`touch`, against a limit of ``limit_s`` seconds
    (0 or less: never idle)."""

    def __init__(self, limit_s: float, now: Callable[[], float] = time.monotonic) -> None:
        self.limit_s = float(limit_s)
        self._now = now
        self.last = now()

    def touch(self) -> None:
        """The page was used now."""
        self.last = self._now()

    def idle_s(self) -> float:
        """Seconds since the page was last used."""
        return self._now() - self.last

    def expired(self) -> bool:
        """Whether the page has been idle for its limit (never, with no limit)."""
        return self.limit_s > 0 and self.idle_s() >= self.limit_s

    def check_every_s(self) -> float:
        """How often to look: a tenth of the limit, between 1 s and a minute."""
        return min(60.0, max(1.0, self.limit_s / 10))
