"""``python -m rlx_lab.bench sweep``: what a research-scale sweep costs.

(a) throughput: lane-steps per second of a streaming grid (Adam on Rosenbrock, η × β₁) on 1
    and on 4 devices — simulated CPU devices (``--xla_force_host_platform_device_count``) in
    fresh processes, or the real ones where there are several;
(b) memory: the peak resident memory (RSS) of a fresh process running ``python -m
    rlx_lab.sweep``'s path on a 10⁶-setting × 1000-step surface sweep with streaming
    reductions (final loss, best loss, steps to tol, divergence), and how long it took.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from . import _report

NAME = "sweep"
HELP = "lane-steps/s of a streaming grid on 1 vs 4 devices; peak memory of a 10^6 x 1000 sweep"
ROOT = Path(__file__).resolve().parents[2]

_THROUGHPUT = """
import json, sys, time
import numpy as np
import jax
from rlx_lab import engine, surfaces
lanes, steps = int(sys.argv[1]), int(sys.argv[2])
side = int(np.sqrt(lanes))
lr, beta1 = np.meshgrid(np.geomspace(1e-4, 1.0, side), np.linspace(0.0, 0.99, lanes // side))
columns = {"lr": lr.ravel(), "beta1": beta1.ravel()}
plan = engine.plan_grid("adam", {}, columns, surfaces.get("rosenbrock"), [-1.5, 2.0],
                        engine.RunSettings(steps=steps), tol=1e-3, chunk_lanes=lanes)
began = time.perf_counter()
plan.chunk(0)
compiled = time.perf_counter() - began
began = time.perf_counter()
plan.chunk(0)
seconds = time.perf_counter() - began
print(json.dumps({"devices": plan.devices, "lanes": plan.count, "steps": steps,
                  "compile_s": compiled, "seconds": seconds,
                  "lane_steps_per_s": plan.lane_steps() / seconds}))
"""

_MEMORY = """
import json, resource, sys, tempfile, time
from pathlib import Path
from rlx_lab import sweep
lanes, steps = int(sys.argv[1]), int(sys.argv[2])
side = int(lanes ** 0.5)
spec = sweep.parse({
    "world": "surface", "steps": steps, "surface": {"name": "rosenbrock"},
    "optimizers": ["adam"],
    "axes": {"lr": {"log": [1e-4, 1.0, side]}, "beta1": {"linear": [0.0, 0.99, lanes // side]}},
    "keep": {"tol": 1e-3},
})
began = time.perf_counter()
with tempfile.TemporaryDirectory() as folder:
    out = sweep.run(spec, Path(folder) / "bench.npz", progress=False)
    size = out.stat().st_size
seconds = time.perf_counter() - began
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
print(json.dumps({"lanes": spec.count(), "steps": steps, "seconds": seconds,
                  "peak_rss_bytes": peak, "file_bytes": size,
                  "lane_steps_per_s": spec.count() * steps / seconds}))
"""


def _child(script: str, devices: int | None, *args: int) -> dict:
    """Run ``script`` in a fresh process (with ``devices`` simulated CPU devices if given)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    if devices is not None:
        flags = [f for f in env.get("XLA_FLAGS", "").split() if "device_count" not in f]
        env["XLA_FLAGS"] = " ".join([*flags, f"--xla_force_host_platform_device_count={devices}"])
    done = subprocess.run(
        [sys.executable, "-c", script, *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"bench child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def throughput(devices: int, lanes: int, steps: int) -> dict:
    """Lane-steps/s of a ``lanes`` × ``steps`` streaming grid on ``devices`` CPU devices."""
    return _child(_THROUGHPUT, devices, lanes, steps)


def peak_memory(lanes: int, steps: int) -> dict:
    """Peak RSS (bytes) and seconds of a headless ``lanes`` × ``steps`` surface sweep."""
    return _child(_MEMORY, None, lanes, steps)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``sweep`` subcommand's options."""
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--lanes", type=int, default=1_000_000, help="settings of (b)")
    parser.add_argument("--steps", type=int, default=1000, help="steps of (a) and (b)")
    parser.add_argument("--grid-lanes", type=int, default=65_536, help="settings of (a)")
    parser.add_argument("--devices", type=int, nargs="+", default=[1, 4], help="for (a)")


def run(args: argparse.Namespace) -> int:
    """Run (a) and (b); print a table and write ``--json``."""
    rows = []
    for count in args.devices:
        got = throughput(count, args.grid_lanes, args.steps)
        rows.append(
            {
                "run": f"grid on {got['devices']} device{'s' * (got['devices'] > 1)}",
                "lanes": got["lanes"],
                "steps": got["steps"],
                "seconds": got["seconds"],
                "lane-steps/s": got["lane_steps_per_s"],
                "peak RSS MB": None,
            }
        )
    memory = peak_memory(args.lanes, args.steps)
    rows.append(
        {
            "run": "headless sweep, streaming",
            "lanes": memory["lanes"],
            "steps": memory["steps"],
            "seconds": memory["seconds"],
            "lane-steps/s": memory["lane_steps_per_s"],
            "peak RSS MB": memory["peak_rss_bytes"] / 2**20,
        }
    )
    print(
        "sweep: Adam on Rosenbrock over η × β₁, streaming reductions (final, best, steps to "
        f"tol, divergence); {os.cpu_count()} CPU cores; simulated devices share them"
    )
    columns = ("run", "lanes", "steps", "seconds", "lane-steps/s", "peak RSS MB")
    print(_report.format_table(rows, columns))
    if args.json:
        _report.write_json(args.json, rows)
    return 0
