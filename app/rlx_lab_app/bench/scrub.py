"""Scrubbing in the ``app`` benchmark: grab a slider, wait for its scrub table, then time drag
steps from the slider's ``value`` to the surface plot's next repaint (the page's own
``requestAnimationFrame`` and the repaint timestamps of ``app.INSTRUMENT``)."""

from __future__ import annotations

import json
import time
from typing import Any

SCRUB_TABLE = """(css) => {
  const m = Bokeh.documents[0].get_model_by_name("scrub");
  return m && m.data.css.length && m.data.css[0] === css ? Array.from(m.data.position) : null;
}"""
"""The positions of the page's scrub table, once it is slider ``css``'s (null before)."""

SCRUB = """async ([id, value]) => {
  const lab = window.rlxLab || (window.rlxLab = {frames: 0, updates: 0});
  const before = lab.scrubs || 0;
  const model = Bokeh.documents.map((d) => d.get_model_by_id(id)).find((m) => m);
  const t0 = performance.now();
  model.value = value;
  const deadline = t0 + 5000;
  for (let i = 0; (lab.scrubs || 0) === before; i++) {  // Bokeh runs a CustomJS a tick later
    if (performance.now() > deadline) return null;
    await (i < 1000 ? Promise.resolve() : new Promise((r) => setTimeout(r, 0)));
  }
  const swapped = lab.scrubAt;
  while (!window.rlxPaints.some((t) => t >= swapped)) {
    if (performance.now() > deadline) return null;
    await new Promise((r) => requestAnimationFrame(r));
  }
  return window.rlxPaints.find((t) => t >= swapped) - t0;
}"""
"""Drag a grabbed slider to ``value`` (its ``value`` only, as a drag step sets it); milliseconds
until the plot repainted with the row swapped in from the scrub table (null: no swap)."""


def scrub_latencies(page: Any, css: str, slider: str, moves: int) -> tuple[list[float], float]:
    """Grab the slider (focus its handle), wait for its scrub table; then (sorted latencies of
    ``moves`` drag steps to distinct rows, seconds the table took to reach the page)."""
    handle = page.locator(f".{css} .noUi-handle").first
    handle.scroll_into_view_if_needed()
    began = time.perf_counter()
    handle.focus()
    page.wait_for_function(f"() => ({SCRUB_TABLE})({json.dumps(css)})", timeout=180_000)
    table_s = time.perf_counter() - began
    positions = page.evaluate(SCRUB_TABLE, css)
    rows = [positions[(7 * i + 3) % len(positions)] for i in range(moves)]  # hops across it
    latencies = []
    for i, position in enumerate(rows):
        latency = page.evaluate(SCRUB, [slider, position])
        if latency is None:
            raise RuntimeError(f"scrub step {i} was never drawn from the table")
        latencies.append(latency)
        page.wait_for_timeout(50)
    return sorted(latencies), table_s
