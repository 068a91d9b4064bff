"""The process-wide side of the jobs: each lane's worker threads (and worker processes), the
ledger of admitted bytes every session shares, open pages and recent problems.

Pure Python: no Panel, no ``param``.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

from rlx_lab.cost import MB, Cost, size
from rlx_lab_app.state.budget import Budgets, OverBudget, configured
from rlx_lab_app.state.worker import ProcessLane

INTERACTIVE, HEAVY = "interactive", "heavy"
RECENT_PROBLEMS = 20
PAGE_LOAD_S = 5.0
"""How long a built page counts as loading when its browser does not say it has loaded (a
request without a browser, say)."""
ACTIVE_S = 1.0
"""How long after a visitor's job ends the server's own work still waits: a student dragging
a slider starts a job every few tenths of a second, and work slipped in between slows the next."""


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
        self._pages_building = 0
        self._pages_loading: dict[object, float] = {}
        """Pages built and not yet loaded in their browsers: the time each stops counting."""
        self._active_until = 0.0
        """Until when the last visitor's job to end still counts (:data:`ACTIVE_S`)."""
        self._quiet = threading.Condition(self._lock)
        """Notified whenever a page or a job changes what the warm-up waits for (it looks
        again and times its wait anew)."""
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
            self._active_until = time.monotonic() + ACTIVE_S
            self._quiet.notify_all()  # waiters time their wait anew

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

    @contextlib.contextmanager
    def building_page(self) -> Iterator[Callable[[], None]]:
        """Mark a page being built, then loading in its browser until the callback it gives is
        called (on the page's load) or :data:`PAGE_LOAD_S` has passed: the server's own
        background work waits meanwhile."""
        page = object()
        with self._lock:
            self._pages_building += 1
        try:
            yield functools.partial(self._page_loaded, page)
        finally:
            with self._lock:
                self._pages_building -= 1
                self._pages_loading[page] = time.monotonic() + PAGE_LOAD_S
                self._quiet.notify_all()  # waiters time their wait anew

    def _page_loaded(self, page: object) -> None:
        with self._lock:
            self._pages_loading.pop(page, None)
            self._quiet.notify_all()

    def wait_for_visitors(self, timeout_s: float) -> None:
        """Return once no page is being built or loading and no visitor's job is in flight, or
        after ``timeout_s`` seconds at most.

        For the server's own background work (the warm-up): building a page is Python work
        that holds the interpreter, a browser on this machine loading it needs the cores (the
        teacher's, as the server starts), and a race beside another shares them, so work
        beside them slows what a visitor waits for; a job that just ended counts for
        :data:`ACTIVE_S` more (the next move of a slider being dragged).
        """
        deadline = time.monotonic() + timeout_s
        with self._quiet:
            while self._visitors_working() and (left := deadline - time.monotonic()) > 0:
                now = time.monotonic()  # loading pages and ended jobs stop counting in time
                ends = [*self._pages_loading.values(), self._active_until]
                self._quiet.wait(min([left, *(t - now for t in ends if t > now)]))

    def _visitors_working(self) -> bool:
        """A page being built or loading, a job in flight or just ended (lock held)."""
        now = time.monotonic()
        for page, until in list(self._pages_loading.items()):
            if until <= now:
                del self._pages_loading[page]
        return bool(
            self._pages_building
            or self._pages_loading
            or self._in_flight
            or now < self._active_until
        )

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
