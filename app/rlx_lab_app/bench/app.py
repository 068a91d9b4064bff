"""``python -m rlx_lab_app.bench app``: the web app in a real browser (headless Debian Chromium).

* ``first_plot_s`` — from starting ``panel serve`` (as ``make serve`` does, start-up work
  included) to the surface plot drawn in the browser with the race's first paths (optimizers
  appear as each is ready; ``full_race_drawn_s`` is when all are), the compile cache warmed by
  a first, untimed server run: one person starting the lab and opening it at once;
* ``first_plot_warm_s`` / ``first_plot_cold_s`` — from opening the link to its first paths
  drawn, on a server that has finished its start-up, the Small nets tab's default training
  included (a class: the teacher started it before), with the compile cache warm / empty;
* ``slider_p50_ms`` / ``slider_p95_ms`` — from a learning-rate slider change (as a release sends
  it) to the surface plot repainted with the new path, over ``--moves`` distinct values;
* ``scrub_p50_ms`` / ``scrub_p95_ms`` — from a drag step of a grabbed learning-rate slider (its
  model's ``value`` set, as a drag sets it; the scrub table already on the page) to the surface
  plot's next repaint, with the path swapped from the table in the browser, over ``--moves``
  rows of the table;
* ``playback_fps`` — surface-plot repaints per second while playing at :data:`PLAY_SPEED`
  steps per second (faster than a display's 60 frames per second: every repaint has a new frame);
* ``sweep_s`` — a 32 × 32 sweep (one vmapped engine call), compiled program reused.

The slider, scrub and playback figures are taken on the first server once its start-up work is
done (the page stays open meanwhile). Default race: 6 optimizers × 500 steps on Rosenbrock.
Timings are reports, never assertions.
``--quick`` runs one server only (no warm-up run, no class visits, no sweep) and reports the
slider, scrub and playback figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rlx_lab.engine.cache import CACHE_ENV as ENV_CACHE
from rlx_lab_app.bench.goals import report
from rlx_lab_app.bench.scrub import scrub_latencies
from rlx_lab_app.harness import START_UP
from rlx_lab_app.state.warm_up import NETS_READY

NAME = "app"
HELP = "slider-to-plot latency, first plot, playback fps and sweep time in headless Chromium"
OPTIMIZERS = ("adam", "lion", "sophia", "mars", "nadamw", "lamb")
PLAY_SPEED = 100
"""Steps per second of the timed playback (the link's ``speed``)."""
GOALS = {
    "slider_p50_ms": ("<=", 100.0),
    "slider_p95_ms": ("<=", 250.0),
    "first_plot_s": ("<=", 5.0),
    "first_plot_warm_s": ("<=", 2.0),
    "first_plot_cold_s": ("<=", 3.5),
    "scrub_p50_ms": ("<=", 16.0),
    "scrub_p95_ms": ("<=", 33.0),
    "playback_fps": (">=", 55.0),
    "sweep_s": ("<=", 2.0),
}

INSTRUMENT = """() => {
  const v = Bokeh.index.query_one((view) => view.model && view.model.name === "surface-plot");
  window.rlxPaints = [];
  const repaint = v.repaint.bind(v);
  v.repaint = (...args) => { repaint(...args); window.rlxPaints.push(performance.now()); };
  return true;
}"""
"""Record a timestamp whenever the surface plot repaints."""

MOVE = """async ([id, value]) => {
  const lab = window.rlxLab || (window.rlxLab = {frames: 0, updates: 0});
  const before = lab.updates;
  const model = Bokeh.documents.map((d) => d.get_model_by_id(id)).find((m) => m);
  const t0 = performance.now();
  model.value = value;
  model.value_throttled = value;
  const deadline = t0 + 20000;
  while (lab.updates === before) {
    if (performance.now() > deadline) return null;
    await new Promise((r) => setTimeout(r, 1));
  }
  const updated = lab.updateAt;
  while (!window.rlxPaints.some((t) => t >= updated)) {
    if (performance.now() > deadline) return null;
    await new Promise((r) => requestAnimationFrame(r));
  }
  return window.rlxPaints.find((t) => t >= updated) - t0;
}"""
"""Move a slider as a release does; milliseconds until the plot repainted with the new data."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``app`` subcommand's options."""
    parser.add_argument("--json", metavar="FILE", help="also write the numbers as a JSON object")
    parser.add_argument("--moves", type=int, default=30, help="slider moves to time")
    parser.add_argument("--steps", type=int, default=500, help="steps of the race")
    parser.add_argument("--optimizers", default=",".join(OPTIMIZERS), help="comma-separated")
    parser.add_argument("--play-seconds", type=float, default=4.0, help="playback to time")
    parser.add_argument("--sweep", type=int, default=32, help="cells per side of the sweep")
    parser.add_argument("--cache-dir", help="compile cache (default: rlx_lab's user cache)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="one server: slider, scrub and playback only (no first-plot figures, no sweep)",
    )


def run(args: argparse.Namespace) -> int:
    """Run the benchmark, print the table, write ``--json``."""
    from rlx_lab_app.harness import CHROMIUM

    if not CHROMIUM.exists():
        print(f"app: {CHROMIUM} is missing (install Debian's chromium)", file=sys.stderr)
        return 2
    from rlx_lab.engine import default_cache_dir

    cache = Path(args.cache_dir) if args.cache_dir else default_cache_dir()
    os.environ[ENV_CACHE] = str(cache)
    names = [n.strip() for n in args.optimizers.split(",") if n.strip()]
    query = f"?opt={','.join(names)}&steps={args.steps}&speed={PLAY_SPEED}"
    results = _browser_metrics(query, names, args)
    if not args.quick:
        results.update(_sweep_metrics(args.steps, args.sweep))
    heading = (
        f"app: {len(names)} optimizers ({', '.join(names)}) × {args.steps} steps on "
        f"Rosenbrock; {args.moves} slider moves; compile cache {cache}"
    )
    report(heading, results, GOALS, args.json)
    return 0


def _browser_metrics(query: str, names: list[str], args: argparse.Namespace) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    from rlx_lab import optim
    from rlx_lab_app.harness import DRAWN_PATHS, MODEL_WITH_CLASS, PanelServer, launch_chromium

    titles = sorted(optim.get(n).title for n in names)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            if not args.quick:
                with PanelServer() as server:  # warm the compile cache; untimed
                    page = browser.new_page()
                    _open(page, server.url + query, titles, DRAWN_PATHS)
                    page.close()
            server = PanelServer(extra=START_UP)
            began = time.perf_counter()
            with server.start():
                page = browser.new_page(viewport={"width": 1500, "height": 1000})
                first_path, whole_race = _open(page, server.url + query, titles, DRAWN_PATHS)
                first_plot, full_race = first_path - began, whole_race - began
                # the interaction figures on a server whose start-up work is done (it steps
                # aside for visitors but would share the cores with this browser's playback)
                server.wait_for(NETS_READY, timeout_s=300)
                page.evaluate(INSTRUMENT)
                slider = page.evaluate(MODEL_WITH_CLASS, f"hp-{names[0]}-lr")
                latencies = []
                for i in range(args.moves):
                    value = -2.6 + 0.02 * i  # distinct log10(lr) values: no cached path
                    latency = page.evaluate(MOVE, [slider, value])
                    if latency is None:
                        raise RuntimeError(f"slider move {i} was never drawn")
                    latencies.append(latency)
                    page.wait_for_timeout(150)
                scrubs, table_s = scrub_latencies(page, f"hp-{names[0]}-lr", slider, args.moves)
                fps, frames = _playback(page, args.play_seconds)
                page.close()
            visits = {} if args.quick else _class_visits(browser, query, titles)
        finally:
            browser.close()
    latencies.sort()
    firsts = {} if args.quick else {"first_plot_s": first_plot, "full_race_drawn_s": full_race}
    return {
        "slider_p50_ms": statistics.median(latencies),
        "slider_p95_ms": _p95(latencies),
        "scrub_p50_ms": statistics.median(scrubs),
        "scrub_p95_ms": _p95(scrubs),
        **firsts,
        "playback_fps": fps,
        "slider_max_ms": latencies[-1],
        "scrub_max_ms": scrubs[-1],
        "scrub_table_s": table_s,
        "playback_frame_callbacks_per_s": frames,
        **visits,
    }


def _p95(sorted_values: list[float]) -> float:
    return sorted_values[min(len(sorted_values) - 1, round(0.95 * (len(sorted_values) - 1)))]


def _class_visits(browser: Any, query: str, titles: list[str]) -> dict[str, float]:
    """First plot of a visitor to a server whose start-up is done, compile cache warm / cold."""
    from rlx_lab_app.harness import DRAWN_PATHS, PanelServer

    results = {}
    with tempfile.TemporaryDirectory(prefix="rlx-lab-cold-") as empty:
        for key, env in (("first_plot_warm_s", {}), ("first_plot_cold_s", {ENV_CACHE: empty})):
            with PanelServer(env=env, extra=START_UP) as server:
                server.wait_for(NETS_READY, timeout_s=300)  # the whole start-up
                page = browser.new_page(viewport={"width": 1500, "height": 1000})
                began = time.perf_counter()
                first_path, _ = _open(page, server.url + query, titles, DRAWN_PATHS)
                results[key] = first_path - began
                page.close()
    return results


def _open(page: Any, url: str, titles: list[str], drawn_paths: str) -> tuple[float, float]:
    """Load the race; (time the first path was drawn, time all were drawn) — after a paint."""
    page.goto(url)
    page.wait_for_function("() => window.Bokeh && Bokeh.documents.length > 0", timeout=120_000)
    deadline = time.monotonic() + 180
    first = None
    while True:
        drawn = page.evaluate(drawn_paths)
        if drawn and first is None:
            page.evaluate("() => new Promise((r) => requestAnimationFrame(() => r()))")
            first = time.perf_counter()
        if drawn == titles:
            page.evaluate("() => new Promise((r) => requestAnimationFrame(() => r()))")
            return first or time.perf_counter(), time.perf_counter()
        if time.monotonic() > deadline:
            raise RuntimeError(f"the race {titles} was never drawn")
        page.wait_for_timeout(20)


def _playback(page: Any, seconds: float) -> tuple[float, float]:
    """(repaints per second, frame callbacks per second) while playing from the first frame."""
    page.locator(".frame-player button.first").first.click()
    page.wait_for_timeout(300)
    start = page.evaluate("() => [performance.now(), window.rlxLab.frames]")
    page.locator(".frame-player button.play").first.click()
    page.wait_for_timeout(int(seconds * 1000))
    end = page.evaluate("() => [performance.now(), window.rlxLab.frames]")
    paints = page.evaluate("(t0) => window.rlxPaints.filter((t) => t >= t0).length", start[0])
    page.locator(".frame-player button.pause").first.click()
    elapsed = (end[0] - start[0]) / 1000
    return paints / elapsed, (end[1] - start[1]) / elapsed


def _sweep_metrics(steps: int, size: int) -> dict[str, float]:
    from rlx_lab import engine
    from rlx_lab_app.state import RaceModel, SweepModel

    engine.enable_compilation_cache()
    race = RaceModel(optimizers=["adam"], steps=steps)
    sweep = SweepModel(race, optimizer="adam", resolution=size)
    first = sweep.run()[2]
    sweep.x_range = (2e-4, 0.5)  # new values, same compiled program
    again = sweep.run()[2]
    return {"sweep_s": again, "sweep_first_call_s": first}
