"""The server's own work at start-up: the default race, a rehearsal of the page, the worker
process and the Small nets tab's default training, ready before any visitor asks.

``panel serve app/app.py --setup app/server_start.py`` (``make serve``) calls :func:`start` once
per server process. On a background thread (the server listens meanwhile) it has the worker
process compute the default surface's race for every optimizer — the default page's four
first — into the shared trajectory cache (its own interpreter: this one stays free for the
first visitor's page), then traces and compiles the same programs here, which a slider move
needs. Before each of those it steps aside while a page is being built or loading in its
browser or a visitor's job runs (:meth:`Server.wait_for_visitors`): a visitor who comes at
once is served first, and a race the page asks for meanwhile is computed once
(:meth:`TrajectoryCache.get_or_compute` waits for a path being computed). The first visitor's
page, and any link that keeps the default surface, start and settings, then finds compiled
programs and computed paths instead of paying for them. Then, unless a visitor has already
opened a page, it rehearses the page — builds one into a document no browser sees
(:func:`rlx_lab_app.views.page.rehearse`) — so that the first visitor's page costs what every
later one does (Python's first imports and first instances of each part). Last, the worker
process trains the Small nets tab's default race and the server keeps it
(:func:`warm_default_nets`): that tab's first visit trains nothing. It is
the server's fixed cost, not a visitor's job: no budget applies, and it runs once whether zero
or thirty pages open.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future, as_completed

from rlx_lab import engine, optim
from rlx_lab.engine import Trajectory
from rlx_lab_app.state.jobs import default_server
from rlx_lab_app.state.surfaces.plan import CACHE, RacePlan, cached, compute
from rlx_lab_app.state.surfaces.race import DEFAULT_OPTIMIZERS, RaceModel
from rlx_lab_app.state.worker import ProcessLane

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
    compile caches; the number of optimizers that ran without error.

    With a worker process the trajectories come from there first (:func:`seed_default_race`):
    it has an interpreter of its own, so tracing them does not slow the first visitor's page,
    which is built here meanwhile and then finds its paths ready; this process then traces its
    own programs (a slider move needs them), stepping aside for visitors before each.
    """
    engine.one_core_per_computation()
    engine.enable_compilation_cache()
    began = time.perf_counter()
    names = list(optimizers) if optimizers is not None else default_race_order()
    server = default_server()
    plan = RaceModel(optimizers=names).plan()
    check = functools.partial(server.wait_for_visitors, PAGE_WAIT_S)
    if server.process is not None:
        seed_default_race(names, server.process)
        count = len(compile_race(plan, check))
    else:
        count = len(compute(plan, check=check).results)
    seconds = time.perf_counter() - began
    print(f"rlx_lab: {count} optimizers raced in {seconds:.1f} s", flush=True)
    return count


def default_trajectory(optimizer: str) -> Trajectory:
    """The default race's trajectory of ``optimizer`` (a worker process's job: it is picklable
    and builds its plan there)."""
    plan = RaceModel(optimizers=[optimizer]).plan()
    (job,) = plan.jobs
    return plan.run(job)


def seed_default_race(optimizers: Sequence[str], worker: ProcessLane) -> int:
    """Put the default race's trajectories of ``optimizers`` into the shared cache, computed
    by ``worker`` (:func:`default_trajectory`): each is claimed in the cache
    (:meth:`TrajectoryCache.reserve`: a page asking for it meanwhile waits for it rather than
    compute it again) and asked for at once, then stored as it arrives; the number stored. A
    trajectory the worker cannot give is left for whoever asks for it next
    (:func:`compile_race`, at the latest)."""
    plan = RaceModel(optimizers=list(optimizers)).plan()
    asked: dict[Future, tuple[Hashable, str]] = {}
    for job in plan.jobs:
        key = plan.cache_key(job)
        if not CACHE.reserve(key):
            continue
        try:
            asked[worker.submit(functools.partial(default_trajectory, job.optimizer))] = (
                key,
                job.optimizer,
            )
        except Exception:  # no worker to ask: whoever asks for it next computes it
            CACHE.settle(key, None)
    stored = 0
    for future in as_completed(asked):
        key, optimizer = asked[future]
        try:
            trajectory = future.result()
        except Exception as error:  # the worker died or refused
            print(f"rlx_lab: the worker did not race {optimizer}: {error!r}", flush=True)
            trajectory = None
        CACHE.settle(key, trajectory)
        stored += trajectory is not None
    return stored


def compile_race(plan: RacePlan, check: Callable[[], None]) -> list[str]:
    """Run ``plan`` in this process whether or not its trajectories are cached, so that its
    programs are traced and compiled here (what a slider move on them needs); a trajectory not
    cached yet is stored. ``check()`` runs before each optimizer; the ones that ran."""
    ran = []
    for job in plan.jobs:
        check()
        try:
            trajectory = plan.run(job)
        except (ValueError, TypeError, FloatingPointError) as error:
            print(f"rlx_lab: the default race of {job.optimizer} failed: {error}", flush=True)
            continue
        if cached(plan, job) is None:
            CACHE.put(plan.cache_key(job), trajectory)
        ran.append(job.optimizer)
    return ran


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
    """The default race (which starts the worker process, if the server has one); then
    ``rehearse()`` (the page's rehearsal, its seconds returned) unless a visitor has opened a
    page already; then :data:`READY` and the Small nets tab's default training
    (:data:`NETS_READY`)."""
    began = time.perf_counter()
    count = warm_default_race()
    server = default_server()
    if rehearse is not None and not server.sessions():
        server.wait_for_visitors(PAGE_WAIT_S)
        print(f"rlx_lab: the page rehearsed in {rehearse():.1f} s", flush=True)
    seconds = time.perf_counter() - began
    print(f"{READY}: {count} optimizers, start-up done in {seconds:.1f} s", flush=True)
    warm_default_nets()


def start(rehearse: Callable[[], float] | None = None) -> threading.Thread:
    """Run :func:`warm_up` (with ``rehearse``) on a daemon thread."""
    thread = threading.Thread(target=warm_up, args=(rehearse,), name="rlx-lab-warm-up", daemon=True)
    thread.start()
    return thread
