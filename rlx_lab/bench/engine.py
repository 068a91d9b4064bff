"""``python -m rlx_lab.bench engine``: what the trajectory engine costs the lab.

(a) a slider move: recompute all 14 optimizers × 1 start × 500 steps on Rosenbrock with a new
    hyperparameter value (compiled programs reused), median over repeats;
(b) a batch: 14 optimizers × 1024 starts × 1000 steps;
(c) compiling all 14 programs in a fresh process, first with an empty persistent compilation
    cache (cold), then again in another fresh process with the cache it left (warm).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from rlx_lab import engine, optim, surfaces

from . import _report

NAME = "engine"
HELP = "slider-move latency, batch throughput and cold/warm compile time of the engine"
KEYS = ("slider_move_ms", "batch_s", "cold_compile_s", "warm_compile_s")
SURFACE = "rosenbrock"

_COMPILE_SCRIPT = """
import json, time
t0 = time.perf_counter()
from rlx_lab import engine, optim, surfaces
engine.enable_compilation_cache()
s = surfaces.get({surface!r})
t1 = time.perf_counter()
engine.race([(n, None) for n in optim.names()], s, [s.start], engine.RunSettings(steps={steps}))
print(json.dumps({{"import_s": t1 - t0, "compile_s": time.perf_counter() - t1}}))
"""


def slider_moves(steps: int, repeats: int, names: Sequence[str] = optim.names()) -> list[float]:
    """Seconds per recompute of ``names`` (all 14), each time with a different lr."""
    surface = surfaces.get(SURFACE)
    settings = engine.RunSettings(steps=steps)

    def entries(i: int) -> list[tuple[str, dict[str, Any]]]:
        lr = 1e-3 * (1 + i % 7)
        return [(n, {} if n == "adafactor" else {"lr": lr}) for n in names]

    engine.race(entries(0), surface, [surface.start], settings)  # compile
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        engine.race(entries(i + 1), surface, [surface.start], settings)
        times.append(time.perf_counter() - start)
    return times


def batch(points: int, steps: int, repeats: int, names: Sequence[str] = optim.names()) -> float:
    """Best seconds for ``names`` (all 14 optimizers) on ``points`` starts × ``steps`` steps."""
    surface = surfaces.get(SURFACE)
    rng = np.random.default_rng(0)
    starts = np.asarray(surface.start) + 0.1 * rng.standard_normal((points, 2))
    settings = engine.RunSettings(steps=steps)
    entries = [(n, {} if n == "adafactor" else {"lr": 1e-3}) for n in names]
    engine.race(entries, surface, starts, settings)  # compile
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        engine.race(entries, surface, starts, settings)
        best = min(best, time.perf_counter() - start)
    return best


def fresh_compile(cache_dir: str, steps: int) -> float:
    """Seconds to compile (and run once) all 14 programs in a new Python process."""
    script = _COMPILE_SCRIPT.format(surface=SURFACE, steps=steps)
    env = {**_inherited_env(), engine.CACHE_ENV: cache_dir}
    out = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return float(json.loads(out.stdout.strip().splitlines()[-1])["compile_s"])


def _inherited_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != engine.CACHE_ENV}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``engine`` subcommand's options."""
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--repeats", type=int, default=30, help="slider moves timed")
    parser.add_argument("--points", type=int, default=1024, help="starts in the batch run")
    parser.add_argument("--batch-steps", type=int, default=1000, help="steps in the batch run")
    parser.add_argument("--steps", type=int, default=500, help="steps of a slider move")


def run(args: argparse.Namespace) -> int:
    """Run (a), (b), (c); print a table and write ``--json``."""
    moves = slider_moves(args.steps, args.repeats)
    batch_s = batch(args.points, args.batch_steps, repeats=3)
    with tempfile.TemporaryDirectory(prefix="rlx-lab-cache-") as cache:
        cold = fresh_compile(cache, args.steps)
        warm = fresh_compile(cache, args.steps)
    result = {
        "slider_move_ms": 1000 * statistics.median(moves),
        "batch_s": batch_s,
        "cold_compile_s": cold,
        "warm_compile_s": warm,
    }
    print(
        f"engine: {SURFACE}, 14 optimizers; slider move = 1 start × {args.steps} steps "
        f"(median of {args.repeats}, best {1000 * min(moves):.1f} ms); batch = "
        f"{args.points} starts × {args.batch_steps} steps; compile in fresh processes"
    )
    rows = [{"metric": k, "value": v} for k, v in result.items()]
    rows.append({"metric": "warm / cold", "value": warm / cold})
    print(_report.format_table(rows, ("metric", "value")))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(result, fh, indent=2)
    return 0
