"""The server's own work at start-up: the default race, a rehearsal of the page, the worker
process and the Small nets tab's default training, ready before any visitor asks.

``panel serve app/app.py --setup app/server_start.py`` (``make serve``) calls :func:`start` once
per server process. On a background thread (the server listens meanwhile) it computes the
default surface's race for every optimizer — the default page's four first — into the shared
trajectory cache and the compile caches, then starts the worker process. Before each optimizer
it steps aside while a page is being built or a visitor's job runs
(:meth:`Server.wait_for_visitors`): a visitor who comes at once is served first, and a race the
page asks for meanwhile is computed once, by whichever thread started it
(:meth:`TrajectoryCache.get_or_compute`). The first visitor's page, and any link that keeps the
default surface, start and settings, then finds compiled programs and computed paths instead of
paying for them. Then, unless a visitor has already opened a page, it rehearses the page —
builds one into a document no browser sees (:func:`rlx_lab_app.views.page.rehearse`) — so that
the first visitor's page costs what every later one does (Python's first imports and first
instances of each part). Last, the worker process trains the Small nets tab's default race and
the server keeps it (:func:`warm_default_nets`): that tab's first visit trains nothing. It is
the server's fixed cost, not a visitor's job: no budget applies, and it runs once whether zero
or thirty pages open.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Sequence

from rlx_lab import engine, optim
from rlx_lab_app.state.jobs import default_server, warm_workers
from rlx_lab_app.state.surfaces.plan import compute
from rlx_lab_app.state.surfaces.race import DEFAULT_OPTIMIZERS, RaceModel

READY = "rlx_lab: the default race is ready"
"""Printed (to the server's console) when the warm-up is done; benchmarks wait for it."""
NETS_READY = "rlx_lab: the small nets' default training is ready"
"""Printed after :data:`READY` when the Small nets tab's default training is in the cache."""
PAGE_WAIT_S = 10.0
"""The longest the warm-up waits, before each optimizer, for visitors' pages and jobs."""


def default_race_order() -> list[str]:
    """Every optimizer, the default page's first (those are drawn first)."""
    rest = [name for name in optim.names() if name not in DEFAULT_OPTIMIZERS]
    return [*DEFAULT_OPTIMIZERS, *rest]


def warm_default_race(optimizers: Sequence[str] | None = None) -> int:
    """Compute the default race of ``optimizers`` (default: every one, in
    :func:`default_race_order`) into the shared trajectory cache and its programs into the
    compile caches; the number of optimizers that ran without error."""
    engine.one_core_per_computation()
    engine.enable_compilation_cache()
    began = time.perf_counter()
    names = list(optimizers) if optimizers is not None else default_race_order()
    server = default_server()
    outcome = compute(
        RaceModel(optimizers=names).plan(),
        check=functools.partial(server.wait_for_visitors, PAGE_WAIT_S),
    )
    seconds = time.perf_counter() - began
    print(f"rlx_lab: {len(outcome.results)} optimizers raced in {seconds:.1f} s", flush=True)
    return len(outcome.results)


def warm_default_nets() -> None:
    """The Small nets tab's default training — in the worker process, where a visitor's would
    run (its program compiled or loaded there) — kept in this process's cache, then its
    landscape here (the slice's programs compiled): the tab's first visit trains nothing.
    A failure is said and leaves the tab to train on its first visit as before."""
    from rlx_lab_app.state.nets.model import NetsModel
    from rlx_lab_app.state.nets.plan import compute as train
    from rlx_lab_app.state.nets.plan import remember

    began = time.perf_counter()
    server = default_server()
    plan = NetsModel().plan()
    try:
        worker = server.process
        outcome = worker.submit(functools.partial(train, plan)).result() if worker else train(plan)
        remember(plan, outcome)
        server.wait_for_visitors(PAGE_WAIT_S)
        train(plan)  # all cached now: the landscape only
    except Exception as error:  # the lab works without it
        print(f"rlx_lab: the small nets' default training failed: {error!r}", flush=True)
        return
    seconds = time.perf_counter() - began
    print(f"{NETS_READY}: {len(plan.jobs)} optimizers in {seconds:.1f} s", flush=True)


def warm_up(rehearse: Callable[[], float] | None = None) -> None:
    """The default race; then ``rehearse()`` (the page's rehearsal, its seconds returned)
    unless a visitor has opened a page already; then :data:`READY`, the worker process (it
    imports in its own interpreter: a core's work that the first page does not need) and the
    Small nets tab's default training (:data:`NETS_READY`)."""
    began = time.perf_counter()
    count = warm_default_race()
    server = default_server()
    if rehearse is not None and not server.sessions():
        server.wait_for_visitors(PAGE_WAIT_S)
        print(f"rlx_lab: the page rehearsed in {rehearse():.1f} s", flush=True)
    seconds = time.perf_counter() - began
    print(f"{READY}: {count} optimizers, start-up done in {seconds:.1f} s", flush=True)
    warm_workers()
    warm_default_nets()


def start(rehearse: Callable[[], float] | None = None) -> threading.Thread:
    """Run :func:`warm_up` (with ``rehearse``) on a daemon thread."""
    thread = threading.Thread(target=warm_up, args=(rehearse,), name="rlx-lab-warm-up", daemon=True)
    thread.start()
    return thread
