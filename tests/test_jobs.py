"""The job layer: costs, budgets, admission, lanes, cancellation and isolation — without a
browser (a :class:`~rlx_lab_app.state.jobs.ManualPage` stands in for a served session's thread)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from rlx_lab import engine
from rlx_lab.cost import GB, MB, Cost, Term
from rlx_lab_app.state import CACHE, RaceModel, SweepModel
from rlx_lab_app.state.budget import Budgets, OverBudget
from rlx_lab_app.state.jobs import HEAVY, INTERACTIVE, JobState, ManualPage, Server, SessionJobs
from rlx_lab_app.state.nets.model import NetsModel
from rlx_lab_app.state.plan import TrajectoryCache, nbytes

BIG_NETS_LINK = {
    "tab": "nets",
    "data": "spirals",
    "width": "1024",
    "depth": "6",
    "steps": "20000",
    "n_seeds": "8",
    "batch_size": "512",
    "opt": "sgd,adam,adamw,nadamw,radam,qhadamw,lamb,adafactor,lion,soap,kron_psgd,muon,"
    "sophia,mars",
}


def cost(mb: float, what: str = "this job") -> Cost:
    return Cost(what, (Term("stuff", int(mb * MB), "lots", "less stuff"),))


def served(budgets: Budgets | None = None) -> tuple[SessionJobs, ManualPage]:
    page = ManualPage()
    return SessionJobs(page, Server(budgets or Budgets())), page


# --- budgets and refusals --------------------------------------------------------------------


def test_budgets_read_the_environment_then_the_arguments() -> None:
    b = Budgets.from_env({"RLX_LAB_JOB_MB": "512", "RLX_LAB_SERVER_MB": "1e4"}, ["--job-mb", "64"])
    assert (b.job_mb, b.server_mb, b.session_mb) == (64, 10_000, Budgets().session_mb)
    assert Budgets.from_env({}, ["--session-mb=99", "--port", "5006"]).session_mb == 99
    for bad in ("lots", "0", "-3", "1.5"):
        with pytest.raises(ValueError, match="job_mb"):
            Budgets.from_env({"RLX_LAB_JOB_MB": bad}, [])


def test_the_120_gb_nets_link_is_refused_naming_estimate_limit_and_biggest_term() -> None:
    model = NetsModel()
    assert model.from_query(BIG_NETS_LINK) == []
    plan = model.plan()
    estimate = plan.cost()
    assert estimate.bytes > 100 * GB and estimate.biggest().label == "weight snapshots"
    jobs = SessionJobs()
    from rlx_lab_app.views.live import nets_recompute

    nets_recompute(model, jobs).request()
    assert model.runs == {}, "nothing trained"
    message = model.message
    assert "this training needs ≈" in message.lower() and "the limit is 2.0 GB" in message
    assert "weight snapshots" in message and "fewer units, layers, seeds or optimizers" in message
    # the settings stay, so the user can lower them
    assert (model.width, model.depth, model.n_seeds, model.steps) == (1024, 6, 8, 20000)
    model.param.update(width=16, depth=2, n_seeds=1, steps=50, optimizers=["adam"])
    assert model.runs["adam"], "lowered: it trains"


def test_a_huge_sweep_is_refused_before_it_starts() -> None:
    race = RaceModel(steps=10_000, repeats=32, noise=0.1)
    sweep = SweepModel(race, resolution=64)
    refused: list[str] = []
    ran: list[bool] = []
    SessionJobs().submit(sweep, sweep.cost(), lambda r: ran.append(True), print, refused.append)
    assert not ran and not sweep.busy
    assert refused and "this sweep needs ≈" in refused[0].lower()
    assert "64 × 64" not in refused[0] and "4.1 k settings × 32 draw(s)" in refused[0]


def test_a_race_over_budget_from_a_link_is_refused_and_keeps_its_settings() -> None:
    from rlx_lab_app.views.live import race_recompute

    model = RaceModel()
    model.from_query(
        {
            "opt": ",".join(engine_names()),
            "steps": "10000",
            "noise": "0.1",
            "repeats": "32",
            "many": "1",
            "grid_size": "5",
        }
    )
    estimate = model.plan().cost()
    jobs = SessionJobs(server=Server(Budgets(job_mb=estimate.bytes // MB - 1)))
    race_recompute(model, jobs).request()
    assert model.results == {} and not model.busy
    assert "this race needs ≈" in model.message.lower() and "the limit is" in model.message
    assert "14 optimizer(s) × 57 start(s)" in model.message
    assert model.steps == 10_000 and model.repeats == 32 and model.many_starts


def engine_names() -> tuple[str, ...]:
    from rlx_lab import optim

    return optim.names()


def test_work_and_step_limits_refuse_too() -> None:
    tight = Budgets(job_gflop=0.001)
    with pytest.raises(OverBudget, match="FLOP"):
        tight.check(engine.race_cost(4, 1, 5000))
    with pytest.raises(OverBudget, match="optimizer steps"):
        Budgets(job_lane_steps=1000).check(engine.race_cost(4, 1, 500))
    Budgets().check(engine.race_cost(4, 1, 500))  # the default race fits


# --- the session: supersede, cancel, close, admission, lanes -----------------------------------


def test_a_newer_job_of_a_slot_supersedes_the_older_one() -> None:
    jobs, page = served()
    slot, gate, shown = JobState(), threading.Event(), []
    jobs.submit(slot, cost(1), lambda r: gate.wait(10) and "old", shown.append, shown.append)
    jobs.submit(slot, cost(1), lambda r: "new", shown.append, shown.append)
    gate.set()
    page.run_until(lambda: not slot.busy and shown == ["new"])
    time.sleep(0.2)
    page.run_until(lambda: True)
    assert shown == ["new"], "the superseded job's result is dropped"


def test_cancel_frees_the_slot_at_once_and_drops_the_result() -> None:
    jobs, page = served()
    slot, gate, shown = JobState(), threading.Event(), []
    jobs.submit(slot, cost(1), lambda r: gate.wait(10) and "late", shown.append, shown.append)
    page.run_until(lambda: slot.busy)
    jobs.cancel(slot)
    assert not slot.busy and jobs.running() == 0
    gate.set()
    time.sleep(0.2)
    page.run_until(lambda: True)
    assert shown == []
    assert jobs.server.admitted_bytes() == 0, "its budget is released"


def test_a_queued_job_cancelled_never_runs_and_closing_the_page_cancels_all() -> None:
    jobs, page = served()
    first, second, gate, ran = JobState(), JobState(), threading.Event(), []
    jobs.submit(first, cost(1), lambda r: gate.wait(10), print, print)
    jobs.submit(second, cost(1), lambda r: ran.append("second"), print, print)
    assert jobs.running() == 2
    jobs.close()
    gate.set()
    time.sleep(0.3)
    page.run_until(lambda: True)
    assert ran == [] and not first.busy and not second.busy and jobs.running() == 0


def test_a_job_reports_progress_and_stops_at_a_checkpoint_once_cancelled() -> None:
    jobs, page = served()
    slot, steps, started = JobState(), [], threading.Event()

    def work(report: Any) -> None:
        for i in range(200):
            report.progress(i / 200, f"piece {i}")
            started.set()
            steps.append(i)
            time.sleep(0.01)

    jobs.submit(slot, cost(1), work, print, print)
    started.wait(10)
    time.sleep(0.3)
    page.run_until(lambda: slot.progress > 0)
    assert slot.busy and slot.phase.startswith("piece")
    jobs.cancel(slot)
    time.sleep(0.3)
    assert len(steps) < 200, "the job stopped at its next checkpoint"


def test_the_session_and_the_server_budgets_admit_jobs_together() -> None:
    budgets = Budgets(job_mb=100, session_mb=150, server_mb=250)
    server = Server(budgets)
    page = ManualPage()
    a, b = SessionJobs(page, server), SessionJobs(page, server)
    gate = threading.Event()
    refused: list[str] = []
    assert a.submit(JobState(), cost(90), lambda r: gate.wait(10), print, refused.append)
    assert not a.submit(JobState(), cost(90), lambda r: None, print, refused.append)
    assert "for one page" in refused[-1] and "This page's other jobs hold" in refused[-1]
    assert b.submit(JobState(), cost(90), lambda r: gate.wait(10), print, refused.append)
    c = SessionJobs(page, server)
    assert not c.submit(JobState(), cost(90), lambda r: None, print, refused.append)
    assert refused[-1].startswith("The server is busy")
    gate.set()
    page.run_until(lambda: a.running() == 0 and b.running() == 0)
    assert server.admitted_bytes() == 0


def test_an_interactive_job_never_waits_behind_a_heavy_one() -> None:
    jobs, page = served()
    other, _ = served()
    other.server = jobs.server  # another session of the same server
    heavy, race, gate, done = JobState(), JobState(), threading.Event(), []
    other.submit(heavy, cost(1), lambda r: gate.wait(30), print, print, lane=HEAVY)
    jobs.submit(race, cost(1), lambda r: "race", done.append, print, lane=INTERACTIVE)
    page.run_until(lambda: done == ["race"], timeout=10)
    assert not gate.is_set(), "the race finished while the heavy job still ran"
    gate.set()


# --- isolation: any failure leaves the session usable ----------------------------------------


@pytest.mark.parametrize("error", [RuntimeError("boom"), MemoryError()])
def test_a_failing_job_clears_busy_says_why_and_the_next_one_runs(error: Exception) -> None:
    jobs, page = served()
    slot, said, shown = JobState(), [], []

    def fail(report: Any) -> None:
        raise error

    jobs.submit(slot, cost(1), fail, shown.append, said.append)
    page.run_until(lambda: bool(said))
    assert not slot.busy and jobs.running() == 0
    assert ("ran out of memory" in said[0]) if isinstance(error, MemoryError) else "boom" in said[0]
    jobs.submit(slot, cost(1), lambda r: "again", shown.append, said.append)
    page.run_until(lambda: shown == ["again"])


def test_a_failure_while_showing_the_result_is_reported_too() -> None:
    slot, said = JobState(), []

    def show(_: Any) -> None:
        raise RuntimeError("drawing broke")

    SessionJobs().submit(slot, cost(1), lambda r: 1, show, said.append)
    assert not slot.busy and "drawing broke" in said[0]


# --- bounded caches ---------------------------------------------------------------------------


def test_the_result_cache_is_bounded_by_bytes() -> None:
    import numpy as np

    cache = TrajectoryCache(max_bytes=10_000, size=100)
    for i in range(10):
        cache.put(i, {"a": np.zeros(500, np.float32)})  # 2 kB each
    assert cache.bytes() <= 10_000 and len(cache) == 5
    assert cache.get(0) is None and cache.get(9) is not None
    cache.put("huge", np.zeros(10_000, np.float32))
    assert cache.get("huge") is None, "an entry larger than the cache is not kept"
    assert nbytes({"x": (np.zeros(3), [np.zeros(2, np.int8)])}) == 26


def test_a_result_asked_for_by_several_threads_at_once_is_computed_once() -> None:
    import numpy as np

    cache = TrajectoryCache(max_bytes=10_000)
    calls: list[int] = []
    started = threading.Event()
    release = threading.Event()

    def make() -> np.ndarray:
        calls.append(1)
        started.set()
        release.wait(5)
        return np.ones(3, np.float32)

    results: list[tuple[Any, bool]] = []
    first = threading.Thread(target=lambda: results.append(cache.get_or_compute("k", make)))
    first.start()
    assert started.wait(5)
    others = [
        threading.Thread(target=lambda: results.append(cache.get_or_compute("k", make)))
        for _ in range(3)
    ]
    for thread in others:
        thread.start()
    time.sleep(0.05)  # the others are waiting for the first, not computing
    release.set()
    for thread in (first, *others):
        thread.join(5)
    assert len(calls) == 1
    assert sorted(fresh for _, fresh in results) == [False, False, False, True]
    assert all(value is results[0][0] for value, _ in results)


def test_a_failed_computation_lets_the_next_asker_compute() -> None:
    cache = TrajectoryCache(max_bytes=10_000)

    def fail() -> None:
        raise ValueError("no")

    with pytest.raises(ValueError):
        cache.get_or_compute("k", fail)
    assert cache.get_or_compute("k", lambda: "yes") == ("yes", True)


def test_the_warm_up_waits_while_a_page_is_built_and_not_forever() -> None:
    server = Server(Budgets())
    server.wait_for_visitors(timeout_s=5)  # no page: at once
    waited: list[float] = []

    def wait() -> None:
        began = time.perf_counter()
        server.wait_for_visitors(timeout_s=5)
        waited.append(time.perf_counter() - began)

    with server.building_page() as loaded:
        thread = threading.Thread(target=wait)
        thread.start()
        time.sleep(0.2)
        assert thread.is_alive(), "it waits while the page is built"
    time.sleep(0.2)
    assert thread.is_alive(), "and while its browser loads it"
    loaded()
    thread.join(5)
    assert waited and waited[0] >= 0.4
    began = time.perf_counter()
    with server.building_page():
        server.wait_for_visitors(timeout_s=0.1)
    assert time.perf_counter() - began < 2, "a page that never finishes does not hold it"


def test_a_page_whose_browser_never_loads_it_stops_counting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A request without a browser (a plain GET) holds the warm-up back for a while only."""
    from rlx_lab_app.state import server as server_module

    monkeypatch.setattr(server_module, "PAGE_LOAD_S", 0.3)
    server = Server(Budgets())
    with server.building_page():
        pass
    began = time.perf_counter()
    server.wait_for_visitors(timeout_s=5)
    assert 0.2 < time.perf_counter() - began < 2
    # a wait begun while the page was built also ends when its loading stops counting
    began = time.perf_counter()
    with server.building_page():
        thread = threading.Thread(target=server.wait_for_visitors, args=(5,))
        thread.start()
        time.sleep(0.1)
    thread.join(5)
    assert time.perf_counter() - began < 2, "not the whole timeout"


def test_a_reserved_result_is_waited_for_and_a_failed_one_computed_by_the_asker() -> None:
    """What the warm-up's worker process does for the default race: claim a key, and store its
    value when it arrives; whoever asks meanwhile waits for it instead of computing it."""
    cache = TrajectoryCache(max_bytes=10_000)
    assert cache.reserve("k") and not cache.reserve("k"), "one claim at a time"
    assert cache.known("k") and cache.get("k") is None
    got: list[tuple[Any, bool]] = []
    asker = threading.Thread(target=lambda: got.append(cache.get_or_compute("k", lambda: "mine")))
    asker.start()
    time.sleep(0.2)
    assert asker.is_alive() and not got, "it waits for the claimed value"
    cache.settle("k", "theirs")
    asker.join(5)
    assert got == [("theirs", False)]
    assert not cache.reserve("k"), "cached: nothing to claim"
    assert cache.reserve("j")
    plan_keys = RaceModel(optimizers=["sgd"], steps=12).plan()
    assert not plan_keys.known()
    assert CACHE.reserve(plan_keys.cache_key(plan_keys.jobs[0]))
    assert plan_keys.known(), "on its way from the start-up: a page may start at once"
    CACHE.settle(plan_keys.cache_key(plan_keys.jobs[0]), None)
    cache.settle("j", None)  # the worker failed
    assert not cache.known("j")
    assert cache.get_or_compute("j", lambda: "mine") == ("mine", True)


def test_the_warm_up_waits_while_a_visitor_s_job_is_in_flight_and_a_moment_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A slider being dragged starts a job every few tenths of a second: the warm-up waits
    :data:`ACTIVE_S` after one ends before it slips its own work in."""
    from rlx_lab_app.state import server as server_module

    monkeypatch.setattr(server_module, "ACTIVE_S", 0.5)
    server = Server(Budgets())
    job = cost(1, "a race")
    server.admit(job)
    thread = threading.Thread(target=server.wait_for_visitors, args=(5,))
    thread.start()
    time.sleep(0.2)
    assert thread.is_alive(), "it waits while the job runs"
    server.release(job)
    time.sleep(0.2)
    assert thread.is_alive(), "and just after it"
    thread.join(2)
    assert not thread.is_alive(), "then goes on"


def test_the_compile_cache_has_a_size_limit(tmp_path: Any) -> None:
    import os
    import subprocess
    import sys

    code = (
        "import jax; from rlx_lab import engine; "
        f"engine.enable_compilation_cache({str(tmp_path)!r}); "
        "print(jax.config.jax_compilation_cache_max_size)"
    )

    def limit(value: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "RLX_LAB_CACHE_MAX_MB": value, "JAX_PLATFORMS": "cpu"}
        return subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
        )

    assert int(limit("64").stdout.strip()) == 64 * MB
    assert int(limit("").stdout.strip()) == engine.cache.DEFAULT_MAX_MB * MB
    bad = limit("nope")
    assert bad.returncode != 0 and "RLX_LAB_CACHE_MAX_MB" in bad.stderr


def test_a_cache_filled_without_a_limit_gets_the_access_times_eviction_needs(tmp_path: Any) -> None:
    (tmp_path / "jit_a-cache").write_bytes(b"program")
    (tmp_path / "jit_b-cache").write_bytes(b"program")
    (tmp_path / "jit_b-atime").write_bytes((7).to_bytes(8, "little"))
    assert engine.cache.stamp_access_times(tmp_path) == 1
    stamp = int.from_bytes((tmp_path / "jit_a-atime").read_bytes(), "little")
    assert stamp == (tmp_path / "jit_a-cache").stat().st_mtime_ns
    assert int.from_bytes((tmp_path / "jit_b-atime").read_bytes(), "little") == 7, "kept"


def test_serving_asks_xla_for_one_core_per_computation() -> None:
    env = {"XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    assert engine.one_core_per_computation(env)
    assert engine.one_core_per_computation(env), "a second call adds nothing"
    flags = env["XLA_FLAGS"].split()
    assert flags.count("--xla_cpu_multi_thread_eigen=false") == 1
    assert "--xla_force_host_platform_device_count=2" in flags
    assert "intra_op_parallelism_threads=1" in flags
    untouched = {"RLX_LAB_JOB_THREADS": "0"}
    assert not engine.one_core_per_computation(untouched) and "XLA_FLAGS" not in untouched


def test_the_operator_sees_pages_jobs_memory_and_recent_problems() -> None:
    from rlx_lab_app.state.health import CpuMeter, describe, health

    jobs, page = served(Budgets(job_mb=10))
    server = jobs.server
    server.session_opened()
    slot, gate = JobState(), threading.Event()
    jobs.submit(slot, cost(5), lambda r: gate.wait(10), print, print)
    jobs.submit(JobState(), cost(50, "a huge sweep"), lambda r: None, print, print)
    figures = health(server, CpuMeter())
    assert (figures["pages"], figures["jobs"]) == (1, 1)
    assert figures["job_memory"] == "5.0 MB" and figures["problems"][0][1].startswith("refused: ")
    text = describe(figures)
    assert "Pages open:** 1 of at most 40" in text and "A huge sweep needs ≈50 MB" in text
    gate.set()
    page.run_until(lambda: not slot.busy)
    assert server.jobs_in_flight() == 0


def test_a_live_recompute_cancelled_from_its_progress_bar_recomputes_on_the_next_change() -> None:
    """The Cancel button of a recompute (``JobProgress``) cancels through the session's jobs;
    the recompute must hear of it, or it would wait for its cancelled job forever and never
    run again."""
    import param

    from rlx_lab_app.views.jobs import LiveRecompute

    class Slot(JobState):
        x = param.Integer(default=0)

    jobs, page = served()
    slot, release, shown = Slot(), threading.Event(), []

    def compute(plan: int, report: Any) -> int:
        release.wait(5)
        return plan

    live = LiveRecompute(
        jobs,
        slot,
        ["x"],
        plan=lambda: slot.x,
        cost=lambda plan: cost(1),
        compute=compute,
        apply=lambda plan, result: shown.append(result),
        refuse=lambda plan, words: shown.append(words),
        lane=INTERACTIVE,
    )
    live.request()
    page.run_until(lambda: slot.busy)
    jobs.cancel(slot)  # the Cancel button
    release.set()
    slot.x = 1
    page.run_until(lambda: shown == [1], timeout=10)
    assert not slot.busy


@pytest.mark.parametrize("keep_space", [False, True])
def test_a_progress_row_shows_while_busy_and_a_kept_space_one_never_changes_the_layout(
    keep_space: bool,
) -> None:
    """A progress row shows while its slot is busy. One that keeps its space (the nets page's,
    beside the status line) is shown and hidden by its style alone: its ``visible`` never
    changes, so the browser never lays the page out again for it."""
    from rlx_lab_app.views.jobs import HIDDEN, SHOWN, JobProgress

    slot = JobState()
    progress = JobProgress(slot, SessionJobs(), keep_space=keep_space)
    laid_out: list[object] = []
    progress.row.param.watch(laid_out.append, "visible")
    seen = []
    for busy in (True, False, True):
        slot.busy = busy
        seen.append(progress.row.styles if keep_space else progress.row.visible)
    if keep_space:
        assert seen == [SHOWN, HIDDEN, SHOWN] and laid_out == [] and progress.row.visible
    else:
        assert seen == [True, False, True] and len(laid_out) == 3


def test_an_empty_plot_draws_what_is_ready_before_computing_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A page's first race shows a cached path at once while another optimizer computes (a
    link opened while the server's warm-up is still racing); a later recompute draws once."""
    from rlx_lab_app.state.surfaces.plan import CACHE
    from rlx_lab_app.views.live import race_recompute

    CACHE.clear()
    RaceModel(optimizers=["adam"], steps=30).recompute()
    gate, real = threading.Event(), engine.run

    def run(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "lion":
            gate.wait(10)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(engine, "run", run)
    model = RaceModel(optimizers=["adam", "lion"], steps=30)
    drawn: list[list[str]] = []
    model.param.watch(lambda event: drawn.append(sorted(event.new)), "results")
    jobs, page = served()
    live = race_recompute(model, jobs)
    live.request()
    page.run_until(lambda: bool(drawn))
    assert drawn == [["adam"]], "Adam's path is drawn while Lion computes"
    assert not model.plan().known(), "a session's computation is not the start-up's"
    gate.set()
    page.run_until(lambda: not model.busy and len(drawn) == 2)
    assert drawn[-1] == ["adam", "lion"]

    CACHE.clear()
    RaceModel(optimizers=["adam"], steps=30).recompute()
    gate.clear()
    drawn.clear()
    live.request()
    time.sleep(0.3)
    gate.set()
    page.run_until(lambda: not model.busy and bool(drawn))
    assert drawn == [["adam", "lion"]], "paths on the plot: one redraw, not two"
