"""Scrubbing in a real browser: grab a slider, drag it to a position of its table, and the
drawn path is the exact run there — before the release reaches the server, and after."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from rlx_lab_app.harness import DRAWN_PATHS, MODEL_WITH_CLASS, SOURCE_DATA
from tests.browser import browser, cache_dir, open_page, served_app, wait_until

__all__ = ["browser", "cache_dir", "open_page", "served_app"]  # fixtures used by name

pytestmark = pytest.mark.browser

TABLE = """(css) => {
  const m = Bokeh.documents[0].get_model_by_name("scrub");
  return m && m.data.css.length && m.data.css[0] === css ? Array.from(m.data.position) : null;
}"""
"""JS: the positions of the page's scrub table, once it is the one of slider ``css``."""
DRAG = """async ([id, value]) => {
  const lab = window.rlxLab, before = lab.scrubs || 0;
  Bokeh.documents[0].get_model_by_id(id).value = value;  // a drag; its release comes later
  for (let i = 0; i < 100 && (lab.scrubs || 0) === before; i++) {
    await new Promise((r) => setTimeout(r, 0));  // Bokeh runs a CustomJS after a microtask
  }
  return lab.scrubRow;
}"""
"""JS: drag the slider to ``value``; the table row drawn (undefined: none)."""
RELEASE = """([id, value]) => { Bokeh.documents[0].get_model_by_id(id).value_throttled = value; }"""
EXACT_CAME = """() => {
  const m = Bokeh.documents[0].get_model_by_name("full-adam");
  return Boolean(m._rlx_scrub) && m._rlx_scrub.data !== m.data;
}"""
"""JS: the server's data replaced the scrubbed row."""


def adam(page: Any) -> tuple[list[float], list[float], list[float]]:
    """Adam's drawn path (x, y) and its loss curve in the linked plot."""
    paths, curves = page.evaluate(SOURCE_DATA, "paths"), page.evaluate(SOURCE_DATA, "curves")
    i, j = paths["name"].index("Adam"), curves["name"].index("Adam")
    return paths["xs"][i], paths["ys"][i], curves["loss"][j]


def test_dragging_a_grabbed_slider_draws_the_exact_run_from_the_table(
    open_page: Any, served_app: Any
) -> None:
    page, log = open_page(served_app.url + "?opt=adam&steps=200")  # one program to compile
    wait_until(lambda: page.evaluate(DRAWN_PATHS) == ["Adam"], 90, "the race")
    before = adam(page)
    slider = page.evaluate(MODEL_WITH_CLASS, "hp-adam-beta1")
    handle = page.locator(".hp-adam-beta1 .noUi-handle").first
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()  # the grab asks for the table (and arms the slider's scrubbing)
    positions = wait_until(lambda: page.evaluate(TABLE, "hp-adam-beta1"), 120, "the table")
    assert len(positions) == 64
    k = 40
    assert page.evaluate(DRAG, [slider, positions[k]]) == k
    scrubbed = adam(page)  # drawn at once: no server round trip
    assert scrubbed[0] != before[0], "the drag moved Adam's path"
    page.mouse.up()
    page.evaluate(RELEASE, [slider, positions[k]])  # (noUiSlider's own may carry another value)
    wait_until(
        lambda: page.evaluate(EXACT_CAME) and adam(page)[0] != before[0],
        60,
        "the exact run at the release",
    )
    exact = adam(page)
    for drawn, computed in zip(scrubbed, exact, strict=True):
        assert len(drawn) == len(computed) > 200
        np.testing.assert_allclose(drawn, computed, rtol=1e-5, atol=1e-7)
    log.assert_clean()
