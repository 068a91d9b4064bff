"""``python -m rlx_lab_app.bench nets``: the Small nets tab in a real browser (headless Debian
Chromium), as a visitor meets it (the library's ``python -m rlx_lab.bench nets`` times the
training program itself, ``optax_ratio`` among its keys).

* ``first_visit_cold_s`` / ``first_visit_warm_s`` — from opening a link to the tab
  (``/app?tab=nets``) to the decision boundaries of the default four optimizers on the page,
  on a server whose start-up work is done (as ``make serve`` starts it: the tab's default
  training is part of it, :data:`~rlx_lab_app.state.warm_up.NETS_READY`), its compile cache
  empty / warm (the cold visit's server filled it);
* ``slider_retrain_s`` — on the warm page, from an η slider release (Adam's, as a release sends
  it) to Adam's new boundary on the page, median over ``--moves`` distinct values (also
  ``slider_retrain_max_s``).

Timings are reports, never assertions.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from typing import Any

from rlx_lab.engine.cache import CACHE_ENV
from rlx_lab_app.bench.goals import report
from rlx_lab_app.harness import START_UP
from rlx_lab_app.state.nets.inputs import DEFAULT_OPTIMIZERS
from rlx_lab_app.state.warm_up import NETS_READY

NAME = "nets"
HELP = "the Small nets tab in Chromium: first visit cold and warm, η slider to a new boundary"
GOALS = {
    "first_visit_cold_s": ("<=", 4.0),
    "first_visit_warm_s": ("<=", 2.0),
    "slider_retrain_s": ("<=", 0.3),
}


SHOWN_WIDGET = """(css) => {
  for (const doc of Bokeh.documents) for (const m of doc.all_models) {
    if (!(m.css_classes || []).includes(css) || !("value" in m)) continue;
    const el = Bokeh.index.find_one(m)?.el;
    if (el && el.isConnected && el.offsetParent !== null) return m.id;
  }
  return null;
}"""
"""JS: the id of the widget with CSS class ``css`` on screen (both tabs have Adam's cards)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``nets`` subcommand's options."""
    parser.add_argument("--json", metavar="FILE", help="also write the numbers as a JSON object")
    parser.add_argument("--moves", type=int, default=8, help="η slider moves to time")


def run(args: argparse.Namespace) -> int:
    """Run the benchmark, print the table, write ``--json``."""
    from rlx_lab_app.harness import CHROMIUM

    if not CHROMIUM.exists():
        print(f"nets: {CHROMIUM} is missing (install Debian's chromium)", file=sys.stderr)
        return 2
    results = _measure(args.moves)
    heading = f"nets: /app?tab=nets, {', '.join(DEFAULT_OPTIMIZERS)}; {args.moves} η moves"
    report(heading, results, GOALS, args.json)
    return 0


def _measure(moves: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    from rlx_lab_app.harness import PanelServer, launch_chromium

    results: dict[str, float] = {}
    with (
        tempfile.TemporaryDirectory(prefix="rlx-lab-nets-") as cache,
        sync_playwright() as playwright,
    ):
        browser = launch_chromium(playwright)
        try:
            for key in ("first_visit_cold_s", "first_visit_warm_s"):
                with PanelServer(env={CACHE_ENV: cache}, extra=START_UP) as server:
                    server.wait_for(NETS_READY, timeout_s=300)
                    page = browser.new_page(viewport={"width": 1500, "height": 1000})
                    began = time.perf_counter()
                    page.goto(server.url + "?tab=nets")
                    _wait(page, lambda p=page: _painted(p), 180)
                    results[key] = time.perf_counter() - began
                    if key == "first_visit_warm_s":
                        results.update(_retrains(page, moves))
                    page.close()
        finally:
            browser.close()
    return results


def _retrains(page: Any, moves: int) -> dict[str, float]:
    """Seconds from each η release of Adam to its new boundary on the page."""
    from rlx_lab_app.harness import SET_WIDGET

    slider = page.evaluate(SHOWN_WIDGET, "hp-adam-lr")
    if slider is None:
        raise RuntimeError("no Adam η slider on the small-nets page")
    times = []
    for i in range(moves):
        before = _image(page, "adam")
        began = time.perf_counter()
        page.evaluate(SET_WIDGET, [slider, -2.5 + 0.1 * i])  # log10 η: a new value each time
        _wait(page, lambda b=before: _image(page, "adam") not in (None, b), 60)
        times.append(time.perf_counter() - began)
        page.wait_for_timeout(300)
    return {"slider_retrain_s": statistics.median(times), "slider_retrain_max_s": max(times)}


def _painted(page: Any) -> bool:
    """Whether the boundaries of the default optimizers are all on the page."""
    return all(_image(page, n) is not None for n in DEFAULT_OPTIMIZERS)


def _image(page: Any, optimizer: str) -> float | None:
    """A checksum of ``optimizer``'s boundary on the page (None while there is none)."""
    from rlx_lab_app.harness import IMAGE_SUM

    if not page.evaluate("() => Boolean(window.Bokeh && Bokeh.documents.length)"):
        return None
    return page.evaluate(IMAGE_SUM, f"nets-shown-{optimizer}")


def _wait(page: Any, done: Any, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            raise RuntimeError(f"the small-nets page did not get there within {timeout_s} s")
        page.wait_for_timeout(20)
