"""The "Small nets" tab in a real browser: headless Debian Chromium against ``panel serve``.

Serves ``app/nets_page.py`` (the tab alone) once for the module, with its compile cache in a
temporary folder, so the first page pays the compile and the others reuse it. The last test
saves ``assets/screenshot-nets.png``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from rlx_lab_app.harness import (
    IMAGE_SUM,
    MODEL_WITH_CLASS,
    ROOT,
    SET_WIDGET,
    SOURCE_DATA,
    PanelServer,
)
from tests.browser import browser, cache_dir, open_page, require_chromium, wait_until

__all__ = ["browser", "cache_dir", "open_page"]  # fixtures used by name

pytestmark = pytest.mark.browser
PAGE = ROOT / "app" / "nets_page.py"
SCREENSHOT = ROOT / "assets" / "screenshot-nets.png"
OPTIMIZERS = ("adam", "lion", "muon", "soap")

PANE_TEXT = """(css) => {
  for (const doc of Bokeh.documents) {
    for (const m of doc.all_models) {
      if (m.css_classes && m.css_classes.includes(css) && "text" in m) {
        return m.visible === false ? "" : String(m.text);
      }
    }
  }
  return null;
}"""
"""JS: the text of the (visible) Panel pane with CSS class ``css``."""


@pytest.fixture(scope="module")
def nets_app(cache_dir: Path) -> Iterator[PanelServer]:
    """``panel serve app/nets_page.py`` on a free port; always stopped at teardown."""
    require_chromium()
    server = PanelServer(PAGE, env={"RLX_LAB_CACHE_DIR": str(cache_dir)})
    server.start()
    try:
        yield server
    finally:
        server.stop()


def pane(page: Any, css: str) -> str:
    return page.evaluate(PANE_TEXT, css) or ""


def source(page: Any, name: str) -> dict[str, Any]:
    return page.evaluate(SOURCE_DATA, name) or {}


def image_sum(page: Any, optimizer: str) -> float | None:
    return page.evaluate(IMAGE_SUM, f"nets-shown-{optimizer}")


def open_trained(open_page: Any, nets_app: PanelServer) -> tuple[Any, Any]:
    """A page whose first training has finished (the first one compiles)."""
    page, log = open_page(nets_app.url)
    try:
        wait_until(lambda: "✓" in pane(page, "nets-status"), 90, "training to finish")
    except AssertionError:
        print(pane(page, "nets-status"), pane(page, "nets-message"), log.errors)
        print(nets_app.log()[-5000:])
        raise
    wait_until(lambda: all(image_sum(page, n) is not None for n in OPTIMIZERS), 10, "images")
    return page, log


def elapsed(page: Any) -> int:
    """The seconds shown in a "◷ … 3 s" status (-1 when not training)."""
    match = re.search(r"◷.* (\d+) s", pane(page, "nets-status"))
    return int(match.group(1)) if match else -1


def test_first_run_compiles_in_the_background(open_page: Any, nets_app: Any) -> None:
    """The module's first page: a fresh compile cache, so training compiles (seconds)."""
    page, log = open_page(nets_app.url)
    wait_until(lambda: "first run compiles" in pane(page, "nets-status"), 30, "the compile note")
    first = elapsed(page)
    wait_until(
        lambda: elapsed(page) > first or "✓" in pane(page, "nets-status"),
        10,
        "the elapsed time to tick (the server is not blocked)",
    )
    page.locator(".nets-player input[type=range]").first.fill("10")
    wait_until(
        lambda: page.evaluate("window.rlxNets && window.rlxNets.frame") == 10,
        10,
        "the page to respond while training",
    )
    wait_until(lambda: "✓" in pane(page, "nets-status"), 90, "training to finish")
    assert "(compiled: later runs reuse it)" in pane(page, "nets-status")
    log.assert_clean()


def test_training_draws_boundaries_curves_and_landscape(open_page: Any, nets_app: Any) -> None:
    page, log = open_trained(open_page, nets_app)
    assert "4 optimizers, 300 steps" in pane(page, "nets-status")
    assert pane(page, "nets-message") == "", "no warning for the default race"
    curves = source(page, "nets-train_loss")
    assert sorted(curves["name"]) == ["Adam", "Lion", "Muon", "SOAP"]
    assert all(len(xs) == 51 and xs[-1] == 300 for xs in curves["xs"])
    assert len(source(page, "nets-test_acc")["xs"]) == 4
    assert len(source(page, "nets-paths")["xs"]) == 4, "every path on the landscape"
    assert source(page, "nets-landscape-image")["image"], "the loss slice"
    met = source(page, "nets-landscape-met")  # a dot per frame: the loss each run met
    assert len(met["x"]) == 4 * 51 and sorted(set(met["name"])) == sorted(curves["name"])
    assert all(v > 0 for v in met["met"]) and all(v > 0 for v in met["on_plane"])
    assert len(source(page, "nets-frames-adam")["image"]) == 51, "every frame sent once"
    assert page.evaluate("window.rlxNets.step") == 300, "the last frame is shown"
    assert page.locator(".katex").count() > 0, "KaTeX rendered the update rule"
    log.assert_clean()


def test_frame_slider_changes_the_boundary_image(open_page: Any, nets_app: Any) -> None:
    page, log = open_trained(open_page, nets_app)
    last = {n: image_sum(page, n) for n in OPTIMIZERS}
    page.locator(".nets-player input[type=range]").first.fill("3")
    wait_until(lambda: page.evaluate("window.rlxNets.frame") == 3, 10, "frame 3")
    assert page.evaluate("window.rlxNets.step") == 18, "frames every 6 steps"
    assert all(image_sum(page, n) != last[n] for n in OPTIMIZERS), "an earlier boundary"
    assert source(page, "nets-cursor")["x"] == [18]
    assert all(len(xs) == 4 for xs in source(page, "nets-trail")["xs"]), "paths up to frame 3"
    page.locator(".nets-player input[type=range]").first.fill("50")
    wait_until(lambda: page.evaluate("window.rlxNets.frame") == 50, 10, "back to the end")
    assert {n: image_sum(page, n) for n in OPTIMIZERS} == last
    log.assert_clean()


def test_lr_slider_retrains_only_that_optimizer(open_page: Any, nets_app: Any) -> None:
    page, log = open_trained(open_page, nets_app)
    before = {n: image_sum(page, n) for n in OPTIMIZERS}
    lr = page.evaluate(MODEL_WITH_CLASS, "hp-adam-lr")  # Adam's card is open
    page.evaluate(SET_WIDGET, [lr, -1.0])  # log10 position: η = 0.1
    wait_until(lambda: image_sum(page, "adam") != before["adam"], 30, "a new Adam boundary")
    wait_until(lambda: "η=0.1" in pane(page, "nets-scoreboard"), 10, "the new η listed")
    assert all(image_sum(page, n) == before[n] for n in OPTIMIZERS[1:])
    assert "reused" in pane(page, "nets-status"), "the others come from the cache"
    log.assert_clean()


def test_bad_width_shows_a_message_and_recovers(open_page: Any, nets_app: Any) -> None:
    page, log = open_trained(open_page, nets_app)
    width = page.evaluate(MODEL_WITH_CLASS, "nets-width")
    page.evaluate(SET_WIDGET, [width, 0])
    wait_until(lambda: "width" in pane(page, "nets-message"), 20, "the width problem")
    assert "Not trained" in pane(page, "nets-message")
    assert image_sum(page, "adam") is not None, "the last run stays on the page"
    page.evaluate(SET_WIDGET, [width, 32])
    wait_until(lambda: pane(page, "nets-message") == "", 20, "the message to clear")
    log.assert_clean()


def test_your_own_points_train_and_bad_text_is_reported(open_page: Any, nets_app: Any) -> None:
    page, log = open_trained(open_page, nets_app)
    page.locator(".nets-dataset select").first.select_option(label="Your points (CSV)")
    wait_until(lambda: "press Load" in pane(page, "nets-status"), 20, "the ask")
    assert pane(page, "nets-message") == "", "a next step, not an alert"
    box = page.locator(".nets-points textarea").first
    box.fill("x, y, label\n1, 2")
    page.locator(".nets-load-points button").first.click()
    wait_until(lambda: "line 2" in pane(page, "nets-points-verdict"), 10, "the parse error")
    rows = [f"{(i % 2) * 4 - 2 + (i % 7) / 10}, {(i % 5) / 5}, {'ab'[i % 2]}" for i in range(80)]
    box.fill("\n".join(["x, y, label", *rows]))
    page.locator(".nets-load-points button").first.click()
    wait_until(lambda: "80 points, 2 classes" in pane(page, "nets-points-verdict"), 10, "points")
    wait_until(
        lambda: "✓" in pane(page, "nets-status") and pane(page, "nets-message") == "",
        90,
        "training on them",
    )
    assert len(source(page, "nets-frames-adam")["image"]) > 1, "boundaries of the new data"
    log.assert_clean()


def test_the_page_reads_and_writes_its_link(open_page: Any, nets_app: Any) -> None:
    page, log = open_page(nets_app.url + "?data=xor&opt=adam&steps=60&adam.lr=0.02")
    wait_until(lambda: "✓" in pane(page, "nets-status"), 90, "the linked race")
    assert "1 optimizer, 60 steps" in pane(page, "nets-status")
    search = page.evaluate("window.location.search")
    assert all(p in search for p in ("data=xor", "opt=adam", "steps=60", "adam.lr=0.02")), search
    width = page.evaluate(MODEL_WITH_CLASS, "nets-width")
    page.evaluate(SET_WIDGET, [width, 12])
    wait_until(lambda: "width=12" in page.evaluate("window.location.search"), 20, "the new width")
    log.assert_clean()


def test_export_downloads_the_curves(open_page: Any, nets_app: Any, tmp_path: Path) -> None:
    page, log = open_trained(open_page, nets_app)
    with page.expect_download(timeout=20_000) as download:
        page.locator(".nets-export-csv button").first.click()
    target = tmp_path / "curves.csv"
    download.value.save_as(target)
    lines = target.read_text().splitlines()
    assert lines[0].startswith("optimizer,seed,frame,step,train_loss")
    assert len(lines) == 1 + 4 * 51, "4 optimizers × 51 frames"
    log.assert_clean()


def test_the_boundary_gif_downloads(open_page: Any, nets_app: Any, tmp_path: Path) -> None:
    page, log = open_trained(open_page, nets_app)
    with page.expect_download(timeout=30_000) as download:
        page.locator(".nets-export-gif button").first.click()
    target = tmp_path / "boundaries.gif"
    download.value.save_as(target)
    image = Image.open(target)
    assert image.format == "GIF" and image.n_frames == 51, "one frame per snapshot"
    log.assert_clean()


def test_tuning_sets_every_racing_lr_and_says_how(open_page: Any, nets_app: Any) -> None:
    page, log = open_trained(open_page, nets_app)
    page.locator(".nets-tune-lr button").first.click()
    wait_until(lambda: "η tuned on" in pane(page, "nets-tune-note"), 120, "the tuning")
    note = pane(page, "nets-tune-note")
    assert "9 values" in note and all(t in note for t in ("Adam", "Lion", "Muon", "SOAP"))
    assert "validation loss" in note, "judged on held-out training points by default"
    assert "validation" in page.locator(".nets-tune-by select").first.input_value()
    wait_until(lambda: ".lr=" in page.evaluate("window.location.search"), 20, "tuned η in the link")
    log.assert_clean()


def test_screenshot(open_page: Any, nets_app: Any) -> None:
    """The tab for the README: four optimizers part-way through training."""
    page, log = open_trained(open_page, nets_app)
    page.set_viewport_size({"width": 1500, "height": 1180})
    page.locator(".nets-player input[type=range]").first.fill("12")
    wait_until(lambda: page.evaluate("window.rlxNets.frame") == 12, 10, "frame 12")
    page.locator(".nets-player input[type=range]").first.blur()
    page.mouse.move(0, 0)
    page.wait_for_timeout(500)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=False)
    log.assert_clean()
