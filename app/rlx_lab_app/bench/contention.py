"""``python -m rlx_lab_app.bench contention``: does one session's heavy job stall another's race?

Three sessions share one server (the app's job layer, real computations, no browser):

* **unloaded** — session C alone: its first race (the default four optimizers on Rosenbrock,
  programs compiled, nothing cached) and ``--moves`` slider moves (Adam's η, each a new value);
* **loaded** — the same while sessions A and B each run the heaviest job their budget allows:
  A a small-nets training race of all 14 optimizers sized to the per-job arithmetic budget, B a
  sweep sized to the per-job memory budget (queued behind A in the heavy lane).

Reported: C's first-race and slider-move times (p50 / p95) unloaded and loaded and their ratio
(the goal: ≤ 2), and estimated vs measured peak memory of five job kinds (race, sweep, nets race,
nets tuning, GIF), each measured in a fresh process (``ru_maxrss`` growth). XLA runs as served:
one core per computation unless ``RLX_LAB_JOB_THREADS`` says otherwise. Timings are reports,
never assertions.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from rlx_lab.bench import _report

NAME = "contention"
HELP = "a third session's race and slider times while two sessions run their heaviest jobs"
GOALS = {"first_race_ratio": ("<=", 2.0), "slider_p95_ratio": ("<=", 2.0)}


def race_session(server: Any) -> tuple[Any, Any, Any]:
    from rlx_lab_app.state import RaceModel
    from rlx_lab_app.state.jobs import ManualPage, SessionJobs
    from rlx_lab_app.views.live import race_recompute

    page = ManualPage()
    model = RaceModel()
    return model, race_recompute(model, SessionJobs(page, server)), page


def time_session(server: Any, moves: int, offset: float) -> dict[str, Any]:
    """C's first race and its slider moves, in seconds (each until its results are applied)."""
    model, live, page = race_session(server)
    model.settings["adam"].lr = 0.01 * (1 + offset)  # nothing cached from an earlier phase

    def settle(change: Callable[[], None]) -> float:
        shown = model.results
        start = time.perf_counter()
        change()
        page.run_until(lambda: model.results is not shown and not live._running)
        return time.perf_counter() - start

    def move(i: int) -> Callable[[], None]:
        return lambda: setattr(model.settings["adam"], "lr", 0.001 * (1 + offset + i / moves))

    first = settle(live.request)
    slider = [settle(move(i)) for i in range(moves)]
    return {"first_race_s": first, "slider_s": slider}


def heavy_jobs(server: Any) -> tuple[list[Any], list[str]]:
    """Submit A's nets training and B's sweep, each as large as the budgets allow."""
    from rlx_lab import optim
    from rlx_lab.cost import size
    from rlx_lab_app.state import RaceModel, SweepModel
    from rlx_lab_app.state.jobs import JobState, ManualPage, SessionJobs
    from rlx_lab_app.state.nets.model import NetsModel
    from rlx_lab_app.state.nets.plan import compute

    budgets = server.budgets
    nets = NetsModel(
        optimizers=list(optim.names()),  # all 14
        width=64,
        depth=3,
        steps=2000,
    )
    while nets.steps < 10_000 and nets.plan().cost().flops * 2 < budgets.job_gflop * 1e9:
        nets.steps = nets.steps * 2
    race = RaceModel()
    sweep = SweepModel(race, resolution=64)
    while race.steps < 10_000 and race.steps * 2 <= 10_000:
        race.steps = race.steps * 2
        if sweep.cost().bytes > budgets.job_mb * 1024**2:
            race.steps //= 2
            break
    plans = [("nets", nets.plan()), ("sweep", sweep)]
    described = []
    slots = []
    for name, work in plans:
        cost = work.cost()
        budgets.check(cost)
        jobs = SessionJobs(ManualPage(), server)
        slot = JobState()
        run = work.run if name == "sweep" else partial(compute, work)
        remote = None if name == "sweep" else run  # training goes to a worker, as served
        jobs.submit(slot, cost, lambda report, run=run: run(), print, print, remote=remote)
        slots.append((jobs, slot))
        described.append(f"{name}: ≈{size(cost.bytes)}, {cost.flops / 1e9:.0f} GFLOP")
    return slots, described


def measure_contention(moves: int, settle_s: float = 8.0) -> dict[str, Any]:
    from rlx_lab_app.state.budget import Budgets
    from rlx_lab_app.state.jobs import Server

    server = Server(Budgets.from_env(argv=[]))
    time_session(server, 3, offset=0.5)  # compile the race's programs first
    alone = time_session(server, moves, offset=1.0)
    slots, described = heavy_jobs(server)
    time.sleep(settle_s)  # the worker has started and is compiling or training now
    loaded = time_session(server, moves, offset=2.0)
    busy = [slot.busy for _, slot in slots]
    for jobs, _ in slots:
        jobs.close()
    if server.process is not None:
        server.process.shutdown()

    def p(values: list[float], q: float) -> float:
        return statistics.quantiles(values, n=20)[int(q * 20) - 1] if len(values) > 1 else values[0]

    row: dict[str, Any] = {
        "first_race_alone_s": alone["first_race_s"],
        "first_race_loaded_s": loaded["first_race_s"],
        "slider_p50_alone_ms": 1000 * statistics.median(alone["slider_s"]),
        "slider_p95_alone_ms": 1000 * p(alone["slider_s"], 0.95),
        "slider_p50_loaded_ms": 1000 * statistics.median(loaded["slider_s"]),
        "slider_p95_loaded_ms": 1000 * p(loaded["slider_s"], 0.95),
        "heavy_jobs": "; ".join(described),
        "heavy_still_running": sum(busy),
    }
    row["first_race_ratio"] = row["first_race_loaded_s"] / row["first_race_alone_s"]
    row["slider_p95_ratio"] = row["slider_p95_loaded_ms"] / row["slider_p95_alone_ms"]
    return row


PEAK = r"""
import json, os, sys, threading, time
kind = sys.argv[1]
from rlx_lab_app.state import RaceModel, SweepModel
from rlx_lab_app.state.nets.model import NetsModel
from rlx_lab_app.state.nets.tuning import NetsTuningModel
from rlx_lab_app.state.surfaces.plan import compute
from rlx_lab_app.views.surfaces.race_gif import gif_cost, race_gif
PAGE = os.sysconf("SC_PAGE_SIZE")
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE
race = RaceModel(steps=2000, many_starts=True, grid_size=5, noise=0.1, repeats=8)
from rlx_lab_app.state.surfaces.plan import CACHE
from rlx_lab_app.state.nets.plan import CACHE as NETS_CACHE
CACHE.max_bytes = NETS_CACHE.max_bytes = 0  # every run computes
nets = NetsModel(width=64, depth=3, steps=1000, n_seeds=3)
if kind == "race":
    plan = race.plan(); cost = plan.cost(); run = lambda: compute(plan)
elif kind == "sweep":
    sweep = SweepModel(race, resolution=48); cost = sweep.cost(); run = sweep.run
elif kind == "nets race":
    from rlx_lab_app.state.nets.plan import compute as train
    plan = nets.plan(); cost = plan.cost(); run = lambda: train(plan)
elif kind == "nets tuning":
    tuning = NetsTuningModel(nets); cost = tuning.cost(); run = tuning.run
else:
    race.recompute(); cost = gif_cost(); run = lambda: race_gif(race)
run()  # compile first: the estimate is of the job's data, not of its program
before, top, running = rss(), [0], [True]
def sample():
    while running[0]:
        top[0] = max(top[0], rss())
        time.sleep(0.002)
sampler = threading.Thread(target=sample)
sampler.start()
run()
running[0] = False
sampler.join()
print(json.dumps({"kind": kind, "estimated_mb": cost.bytes / 2**20,
                  "measured_mb": (top[0] - before) / 2**20}))
"""
KINDS = ("race", "sweep", "nets race", "nets tuning", "gif")


def measure_peaks() -> list[dict[str, Any]]:
    """Estimated vs measured peak memory of each job kind, each in a fresh process."""
    rows = []
    for kind in KINDS:
        done = subprocess.run(
            [sys.executable, "-c", PEAK, kind], capture_output=True, text=True, timeout=900
        )
        if done.returncode != 0:
            rows.append({"kind": kind, "estimated_mb": None, "measured_mb": None})
            print(done.stderr[-2000:], file=sys.stderr)
            continue
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return rows


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--moves", type=int, default=20, help="slider moves per phase")
    parser.add_argument(
        "--settle",
        type=float,
        default=8.0,
        help="seconds between starting the heavy jobs and measuring",
    )
    parser.add_argument("--no-peaks", action="store_true", help="skip the memory estimates")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")


def run(args: argparse.Namespace) -> int:
    from rlx_lab import engine

    one_core = engine.one_core_per_computation()  # as served (docs/serving.md)
    print(f"XLA: {'one core per computation' if one_core else 'every core per computation'}")
    row = measure_contention(args.moves, args.settle)
    columns = [c for c in row if c != "heavy_jobs"]
    print(f"heavy jobs: {row['heavy_jobs']}")
    print(_report.format_table([row], columns))
    for key, (op, goal) in GOALS.items():
        met = row[key] <= goal if op == "<=" else row[key] >= goal
        print(f"{key} = {row[key]:.2f} (goal {op} {goal}): {'met' if met else 'NOT met'}")
    peaks = [] if args.no_peaks else measure_peaks()
    if peaks:
        print(_report.format_table(peaks, ["kind", "estimated_mb", "measured_mb"]))
    if args.json:
        _report.write_json(args.json, [row, *peaks])
    return 0
