"""The surfaces lab in a real browser: headless Debian Chromium against ``panel serve``.

One server for the module (its compile cache in a temporary folder); each test opens its own
page, so sessions are also checked to be independent. The last test saves the README's
screenshot.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from PIL import Image

from rlx_lab_app.harness import (
    DRAWN_PATHS,
    MODEL_WITH_CLASS,
    PLOT_FRAME,
    SET_WIDGET,
    SOURCE_DATA,
    data_to_page,
)
from rlx_lab_app.state.scales import SLIDER_DIGITS, from_position, to_position
from rlx_lab_app.views import js
from rlx_lab_app.views.surfaces.race_gif import FRAMES
from tests.browser import PageLog, browser, cache_dir, open_page, served_app, wait_until

__all__ = ["browser", "cache_dir", "open_page", "served_app"]  # fixtures used by name

pytestmark = pytest.mark.browser
RACE = "?opt=adam,lion&steps=500"
SCREENSHOT = Path(__file__).resolve().parent.parent / "assets" / "screenshot-surfaces.png"
THEORY_SHOT = SCREENSHOT.with_name("screenshot-theory.png")
GALLERY = SCREENSHOT.with_name("gallery-rosenbrock.png")
PLAYER_RANGE_SHOWN = """() => {
  for (const doc of Bokeh.documents) for (const m of doc.all_models) {
    if ((m.css_classes || []).includes("frame-player")) {
      const el = Bokeh.index.find_one(m)?.sliderEl;
      return el ? [el.value, el.max] : null;
    }
  }
  return null;
}"""
"""JS: what the player's range input shows (value, maximum)."""
PAINTING_PATCHED = """() => [
  Boolean(Bokeh.require("models/plots/plot").PlotView.prototype._rlxPerFrame),
  Boolean(Bokeh.require("models/renderers/glyph_renderer").GlyphRendererView.prototype._rlxPlaced),
  Boolean(Bokeh.require("core/dom").InlineStyleSheet.prototype._rlxQuiet),
]"""
"""JS: whether ``js.PAINT_PER_FRAME``, ``js.GLYPH_POSITIONS`` and ``js.QUIET_STYLES`` found what
they replace."""


def drawn(page: Any) -> list[str]:
    """Titles of the optimizers whose paths are on the surface plot."""
    return page.evaluate(DRAWN_PATHS)


def source(page: Any, name: str) -> dict[str, Any]:
    """A Bokeh source's data as plain lists."""
    return page.evaluate(SOURCE_DATA, name) or {}


def first_path(page: Any, optimizer: str) -> list[float]:
    """The whole first path of ``optimizer`` (x coordinates)."""
    data = source(page, f"full-{optimizer}")
    return data["xs"][0] if data.get("xs") else []


def text(page: Any, css: str) -> str:
    """Text shown inside the Panel pane with CSS class ``css`` (Playwright pierces shadow DOM)."""
    return " ".join(page.locator(f".{css} :not(style)").all_inner_texts())


def open_card(page: Any, optimizer: str) -> str:
    """Expand an optimizer's card (its controls are built then); return its lr slider's id."""
    page.locator(f".card-{optimizer} .card-header").first.click()
    return wait_until(
        lambda: page.evaluate(MODEL_WITH_CLASS, f"hp-{optimizer}-lr"), 10, f"{optimizer}'s controls"
    )


def open_race(open_page: Any, served_app: Any, query: str, titles: list[str]) -> tuple[Any, Any]:
    page, log = open_page(served_app.url + query)
    try:
        wait_until(lambda: drawn(page) == sorted(titles), 90, f"paths of {titles}")
    except AssertionError:
        print(f"console errors: {log.errors}\nserver log:\n{served_app.log()[-5000:]}")
        raise
    return page, log


def test_page_draws_the_selected_optimizers(open_page: Any, served_app: Any) -> None:
    page, log = open_race(open_page, served_app, RACE, ["Adam", "Lion"])
    heads = source(page, "heads")
    assert sorted(set(heads["name"])) == ["Adam", "Lion"]
    assert len(first_path(page, "adam")) == 501
    assert page.locator(".katex").count() > 0, "KaTeX did not render the update rules"
    assert page.evaluate(PAINTING_PATCHED) == [True] * 3, "BokehJS moved what templates.py patches"
    log.assert_clean()


def test_lr_slider_changes_the_drawn_path(open_page: Any, served_app: Any) -> None:
    page, log = open_race(open_page, served_app, RACE, ["Adam", "Lion"])
    other, _ = open_race(open_page, served_app, RACE, ["Adam", "Lion"])  # a second session
    before, lion = first_path(page, "adam"), first_path(page, "lion")
    track = page.locator(".hp-adam-lr .noUi-target").first
    track.scroll_into_view_if_needed()
    box = track.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.8, box["y"] + box["height"] / 2)
    wait_until(lambda: first_path(page, "adam") != before, 30, "a new Adam path")
    assert first_path(page, "lion") == lion, "only the moved optimizer is recomputed"
    assert len(source(page, "gpaths")["xs"]) == 1, "the previous Adam path stays as a ghost"
    # the address bar follows in a later message than the path: wait for it, not race it
    wait_until(lambda: "adam.lr=" in page.evaluate("window.location.search"), 20, "η in the link")
    assert first_path(other, "adam") == before, "sessions are independent"
    log.assert_clean()


def test_clicking_the_plot_moves_the_start_and_hover_shows_one_tooltip(
    open_page: Any, served_app: Any
) -> None:
    page, log = open_race(open_page, served_app, RACE, ["Adam", "Lion"])
    frame = page.evaluate(PLOT_FRAME, "surface-plot")
    x, y = data_to_page(frame, 0.5, 2.5)
    page.mouse.click(x, y)
    wait_until(lambda: abs(first_path(page, "adam")[0] - 0.5) < 0.05, 30, "paths from x≈0.5")
    wait_until(lambda: abs(source(page, "starts")["x"][0] - 0.5) < 0.05, 10, "the start marker")
    assert abs(source(page, "starts")["y"][0] - 2.5) < 0.05
    assert "start=" in page.evaluate("window.location.search")
    # both paths start under the cursor: one tooltip, not one per point there
    wait_until(lambda: len(source(page, "pts").get("x", [])) > 2, 10, "the hover points")
    page.mouse.move(x + 3, y + 3)
    page.mouse.move(x, y)
    tooltips = page.locator(".bk-tooltip-row-label", has_text=re.compile(r"^step:"))
    wait_until(lambda: tooltips.count() > 0, 10, "a tooltip")
    assert tooltips.count() == 1, f"{tooltips.count()} tooltips stacked at the start"
    log.assert_clean()


SLIDER_LABELS = """([code, ticks, scale, digits]) => {
  const label = new Function("tick", "scale", "digits", code);
  return ticks.map((tick) => label(tick, scale, digits));
}"""


@pytest.mark.parametrize(
    ("scale", "low", "high", "step"),
    [("log1m", 0.3, 4.0, 0.01), ("log", -6.0, 1.0, 0.01), ("linear", 0.0, 2.0, 0.005)],
)
def test_slider_labels_show_the_value_as_stored(
    browser: Any, scale: str, low: float, high: float, step: float
) -> None:
    """β₁ = 0.9045 reads 0.9045 (it read 0.904): every position's label is the value that
    releasing the slider there stores."""
    positions = [*np.arange(low, high, step).tolist(), to_position(0.9045, scale)]
    page = browser.new_page()
    try:
        labels = page.evaluate(SLIDER_LABELS, [js.SLIDER_LABEL, positions, scale, SLIDER_DIGITS])
    finally:
        page.close()
    wrong = [
        (p, label, from_position(p, scale))
        for p, label in zip(positions, labels, strict=True)
        if float(label) != from_position(p, scale)
    ]
    assert not wrong, wrong[:5]


def test_play_advances_frames_in_the_browser(open_page: Any, served_app: Any) -> None:
    page, log = open_race(open_page, served_app, RACE, ["Adam", "Lion"])
    page.locator(".frame-player button.play").first.click()
    wait_until(
        lambda: 5 < (page.evaluate("window.rlxLab && window.rlxLab.frame") or 0) < 450,
        10,
        "playback to move",
    )
    assert max(source(page, "heads")["step"]) < 500, "paths are drawn only up to the frame"
    before = first_path(page, "adam")
    page.evaluate(SET_WIDGET, [page.evaluate(MODEL_WITH_CLASS, "hp-adam-lr"), -1.5])
    wait_until(lambda: first_path(page, "adam") != before, 30, "a recompute during playback")
    frame = page.evaluate("window.rlxLab.frame")
    wait_until(lambda: page.evaluate("window.rlxLab.frame") > frame, 10, "playback to go on")
    page.locator(".frame-player button.pause").first.click()
    log.assert_clean()


def test_playing_runs_in_the_browser_at_its_speed_and_the_server_hears_the_pause(
    browser: Any, served_app: Any
) -> None:
    """Playing sends nothing to the server (a class playing at once used to cost it a message
    per frame per student); the frame follows the clock at the set speed; pause sends the
    frame reached."""
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    log = PageLog()
    log.attach(page)
    sent: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(str(payload))))
    page.goto(served_app.url + RACE + "&speed=50")
    try:
        wait_until(lambda: drawn(page) == ["Adam", "Lion"], 90, "the race")
        clock = "() => [performance.now(), window.rlxLab.frame]"
        page.locator(".frame-player button.first").first.click()
        wait_until(lambda: page.evaluate("window.rlxLab.frame") == 0, 10, "the first step")
        page.locator(".frame-player button.play").first.click()
        wait_until(lambda: page.evaluate("window.rlxLab.frame") > 0, 10, "playing")
        before, quiet = page.evaluate(clock), len(sent)
        page.wait_for_timeout(1500)
        after, chatter = page.evaluate(clock), [m for m in sent[quiet:] if "events" in m]
        page.locator(".frame-player button.pause").first.click()
        speed = (after[1] - before[1]) / ((after[0] - before[0]) / 1000)
        assert 35 < speed < 65, f"{speed:.0f} steps/s at a speed of 50"
        assert not chatter, f"messages to the server while playing: {chatter[:3]}"
        paused = page.evaluate("window.rlxLab.frame")
        wait_until(
            lambda: any(f'"attr":"value","new":{paused}' in m for m in sent[quiet:]),
            10,
            f"the server to hear frame {paused}",
        )
        assert page.evaluate(PLAYER_RANGE_SHOWN)[0] == str(paused), "the range input shows it"
        log.assert_clean()
    finally:
        page.close()


def test_scrubbing_cuts_the_paths_and_moves_the_arrows(open_page: Any, served_app: Any) -> None:
    page, log = open_race(open_page, served_app, RACE + "&arrows=1", ["Adam", "Lion"])
    player = page.evaluate(MODEL_WITH_CLASS, "frame-player")
    for frame in (40, 7):
        page.evaluate(SET_WIDGET, [player, frame])
        wait_until(lambda f=frame: page.evaluate("window.rlxLab.frame") == f, 10, f"frame {frame}")
        paths, heads = source(page, "paths"), source(page, "heads")
        assert heads["step"] == [frame, frame]
        grads, moves = source(page, "grads"), source(page, "moves")
        assert grads["x0"] == heads["x"] and moves["y0"] == heads["y"]
        for k, name in enumerate(("adam", "lion")):  # race order: Adam, Lion
            full = source(page, f"full-{name}")
            assert len(paths["xs"][k]) == full["cut"][0][frame] + 1, "the path ends at the head"
            dx = full["hx"][0][frame + 1] - full["hx"][0][frame]
            dy = full["hy"][0][frame + 1] - full["hy"][0][frame]
            ax, ay = moves["x1"][k] - moves["x0"][k], moves["y1"][k] - moves["y0"][k]
            assert abs(dx * ay - dy * ax) < 1e-4 * math.hypot(dx, dy) * math.hypot(ax, ay)
            assert dx * ax + dy * ay > 0, "the step arrow points along the next step"
    log.assert_clean()


def test_the_race_downloads_as_an_animated_gif(
    open_page: Any, served_app: Any, tmp_path: Path
) -> None:
    page, log = open_race(open_page, served_app, RACE, ["Adam", "Lion"])
    with page.expect_download(timeout=30_000) as download:
        page.locator(".export-gif button").first.click()
    target = tmp_path / "race.gif"
    download.value.save_as(target)
    image = Image.open(target)
    assert image.format == "GIF" and image.n_frames == FRAMES
    log.assert_clean()


def test_the_gallery_ranks_all_14_and_races_the_best_four(open_page: Any, served_app: Any) -> None:
    """Also saves the README's gallery picture (its PNG download)."""
    page, log = open_race(open_page, served_app, "?opt=adam&steps=500", ["Adam"])
    page.locator(".bk-tab", has_text="Gallery").first.click()
    page.locator(".gallery-run button").first.click()
    wait_until(lambda: "η tuned on Rosenbrock" in text(page, "gallery-note"), 240, "the gallery")
    image = page.locator(".gallery-image img").first
    wait_until(lambda: image.evaluate("(i) => i.naturalWidth") > 900, 20, "the picture")
    with page.expect_download(timeout=30_000) as download:
        page.locator(".gallery-download button").first.click()
    download.value.save_as(GALLERY)
    size = image.evaluate("(i) => [i.naturalWidth, i.naturalHeight]")
    assert list(Image.open(GALLERY).size) == size
    page.locator(".gallery-race button").first.click()
    wait_until(lambda: len(drawn(page)) == 4, 60, "the best four racing")
    query = parse_qs(urlparse(page.evaluate("window.location.href")).query)
    assert len(query["opt"][0].split(",")) == 4 and any(".lr" in key for key in query)
    log.assert_clean()


def test_keys_drive_the_player(open_page: Any, served_app: Any) -> None:
    page, log = open_race(open_page, served_app, RACE, ["Adam", "Lion"])
    frame = lambda: page.evaluate("window.rlxLab && window.rlxLab.frame")  # noqa: E731
    shown = page.evaluate(PLAYER_RANGE_SHOWN)
    wait_until(
        lambda: page.evaluate(PLAYER_RANGE_SHOWN) == ["500", "500"],
        10,
        f"the player's range at step 500 of 500, not {shown}",
    )
    # a key pressed while the page still settles can be lost: press Home until it lands
    wait_until(lambda: page.keyboard.press("Home") or frame() == 0, 20, "Home: the first step")
    page.keyboard.press("ArrowRight")
    wait_until(lambda: frame() == 1, 10, "→: one step on")
    page.keyboard.press("Space")
    wait_until(lambda: frame() > 5, 10, "space: playing")
    page.keyboard.press("Space")
    page.wait_for_timeout(200)
    paused = frame()
    page.wait_for_timeout(500)
    assert frame() == paused, "space again: paused"
    page.keyboard.press("End")
    wait_until(lambda: frame() == 500, 10, "End: the last step")
    log.assert_clean()


def test_arrow_keys_on_a_slider_move_that_slider_only(open_page: Any, served_app: Any) -> None:
    page, log = open_race(open_page, served_app, RACE, ["Adam", "Lion"])
    frame = lambda: page.evaluate("window.rlxLab && window.rlxLab.frame")  # noqa: E731
    handle = page.locator(".hp-adam-beta1 .noUi-handle")
    if not handle.count():  # the first card opens by itself; a click would fold it
        open_card(page, "adam")
    wait_until(lambda: handle.count() == 1, 20, "β₁'s slider on screen")
    beta1 = page.evaluate(MODEL_WITH_CLASS, "hp-adam-beta1")
    value = lambda: page.evaluate(  # noqa: E731
        "(id) => Bokeh.documents[0].get_model_by_id(id).value", beta1
    )
    wait_until(lambda: frame() == 500, 10, "the race at its last step")
    before = value()
    handle.first.focus()
    page.keyboard.press("ArrowLeft")
    wait_until(lambda: value() != before, 10, "← on β₁'s handle moves β₁")
    page.keyboard.press("Home")
    page.wait_for_timeout(300)
    assert frame() == 500, "the playhead stays where it was"
    log.assert_clean()


def test_space_pauses_after_play_was_clicked(open_page: Any, served_app: Any) -> None:
    page, log = open_race(open_page, served_app, RACE, ["Adam", "Lion"])
    frame = lambda: page.evaluate("window.rlxLab && window.rlxLab.frame")  # noqa: E731
    page.locator(".frame-player button.first").first.click()
    wait_until(lambda: frame() == 0, 10, "the first step")
    page.locator(".frame-player button.play").first.click()  # the focus stays on ▶
    wait_until(lambda: frame() > 5, 10, "playing")
    page.keyboard.press("Space")
    page.wait_for_timeout(200)
    paused = frame()
    page.wait_for_timeout(500)
    assert frame() == paused < 500, "space paused (it did not press ▶ again)"
    page.keyboard.press("Space")
    wait_until(lambda: frame() > paused, 10, "space plays again")
    log.assert_clean()


def test_invalid_formula_shows_its_error_and_the_page_keeps_working(
    open_page: Any, served_app: Any
) -> None:
    page, log = open_race(open_page, served_app, "?opt=adam&steps=500&surface=custom", ["Adam"])
    before = first_path(page, "adam")
    box = page.locator(".formula-input input").first
    box.fill("x +* y")
    box.press("Enter")
    wait_until(lambda: "position" in text(page, "formula-error"), 20, "the parser error")
    assert "^" in text(page, "formula-error"), "the error points at the character"
    box.fill("(x - 1)**2 + 3*(y + 0.5)**2")
    box.press("Enter")
    wait_until(lambda: "position" not in text(page, "formula-error"), 20, "the error to clear")
    wait_until(lambda: first_path(page, "adam") != before, 60, "Adam on the new surface")
    log.assert_clean()


def test_bad_url_input_is_reported_and_the_rest_applies(open_page: Any, served_app: Any) -> None:
    page, log = open_race(
        open_page,
        served_app,
        "?opt=adam,nosuch&adam.lr=nan&steps=500&seed=-3&start=0,nan",
        ["Adam"],
    )
    wait_until(lambda: "nosuch" in text(page, "race-message"), 20, "the problems to be listed")
    message = text(page, "race-message")
    assert "adam.lr" in message and "seed" in message and "start" in message
    log.assert_clean()


def test_shared_url_restores_the_state(open_page: Any, served_app: Any) -> None:
    page, _ = open_race(
        open_page, served_app, RACE + "&noise=0.05&seed=7&start=-1,2.5", ["Adam", "Lion"]
    )
    before = first_path(page, "lion")
    page.evaluate(SET_WIDGET, [open_card(page, "lion"), -2.0])  # log10 position: lr = 0.01
    wait_until(lambda: first_path(page, "lion") != before, 30, "the new Lion path")
    wait_until(lambda: "lion.lr=0.01" in page.evaluate("window.location.search"), 30, "URL")
    search = page.evaluate("window.location.search")
    paths = {n: first_path(page, n) for n in ("adam", "lion")}
    other, log = open_race(open_page, served_app, search, ["Adam", "Lion"])
    query = parse_qs(urlparse(other.url).query)
    assert query["seed"] == ["7"] and query["lion.lr"] == ["0.01"]
    wait_until(lambda: first_path(other, "lion") == paths["lion"], 30, "the same Lion path")
    assert first_path(other, "adam") == paths["adam"]
    log.assert_clean()


def test_sweep_cell_click_races_that_setting(open_page: Any, served_app: Any) -> None:
    page, log = open_race(open_page, served_app, "?opt=adam&steps=500", ["Adam"])
    page.locator(".bk-tab", has_text="Sweep").first.click()
    resolution = page.evaluate(MODEL_WITH_CLASS, "sweep-resolution")
    page.evaluate(SET_WIDGET, [resolution, 8])
    page.locator(".run-sweep button").first.click()
    wait_until(lambda: "Click a cell" in text(page, "sweep-info"), 60, "the sweep")
    frame = page.evaluate(PLOT_FRAME, "sweep-plot")
    page.mouse.click(frame["left"] + 0.1 * frame["width"], frame["top"] + 0.1 * frame["height"])
    wait_until(lambda: "adam.lr=" in page.evaluate("window.location.search"), 20, "the cell")
    query = parse_qs(urlparse(page.evaluate("window.location.href")).query)
    assert float(query["adam.lr"][0]) < 1e-3, "a left column (small lr) was picked"
    log.assert_clean()


def test_sgd_sweep_shows_the_theory_stability_limit(open_page: Any, served_app: Any) -> None:
    page, log = open_race(open_page, served_app, "?surface=booth&opt=sgd&steps=200", ["SGD"])
    page.locator(".bk-tab", has_text="Sweep").first.click()
    page.locator(".sweep-optimizer select").first.select_option(label="SGD")
    resolution = page.evaluate(MODEL_WITH_CLASS, "sweep-resolution")
    page.evaluate(SET_WIDGET, [resolution, 8])
    page.locator(".run-sweep button").first.click()
    wait_until(lambda: "Click a cell" in text(page, "sweep-info"), 60, "the sweep")
    # the overlay follows the heat map (its own push): wait for it rather than race it;
    # x == x: not NaN (the gaps in the line)
    wait_until(
        lambda: sum(1 for x in source(page, "sweep-theory-limit").get("x", []) if x == x) > 10,
        20,
        "the stability limit to be drawn",
    )
    assert len(source(page, "sweep-theory-best")["x"]) == 1
    log.assert_clean()


def test_tune_button_moves_the_lr_and_says_how(open_page: Any, served_app: Any) -> None:
    page, log = open_race(open_page, served_app, "?opt=sgd&steps=200", ["SGD"])
    diverged = first_path(page, "sgd")
    page.locator(".tune-lr button").first.click()
    wait_until(lambda: "lowest final loss" in text(page, "tune-note"), 60, "the tuning note")
    assert "SGD" in text(page, "tune-note")
    wait_until(lambda: "sgd.lr=" in page.evaluate("window.location.search"), 20, "the new lr")
    wait_until(lambda: first_path(page, "sgd") != diverged, 30, "SGD's tuned path")
    # the messages follow the plots (lab.TEXT_DELAY_MS later): wait for the old one to go
    wait_until(lambda: "diverged" not in text(page, "race-message").lower(), 10, "no divergence")
    log.assert_clean()


def test_theory_card_states_the_model_and_races_its_best_setting(
    open_page: Any, served_app: Any
) -> None:
    page, log = open_race(open_page, served_app, "?surface=booth&opt=adam&steps=200", ["Adam"])
    page.locator(".theory-card .card-header").first.click()
    # 60 s: the card's first analysis compiles, and a loaded CI machine took over 20 s
    wait_until(lambda: "Near the minimum (1, 3)" in text(page, "theory-text"), 60, "the theory")
    assert "κ = 9" in text(page, "theory-text")
    page.locator(".theory-best button").first.click()
    wait_until(lambda: drawn(page) == ["Adam", "SGD"], 60, "SGD at the best setting")
    wait_until(lambda: "Your SGD" in text(page, "theory-text"), 20, "SGD's line")
    assert "it settles" in text(page, "theory-text")
    assert "sgd.momentum=" in page.evaluate("window.location.search")
    wait_until(lambda: len(source(page, "theory-components").get("step", [])) > 1, 20, "curves")
    curves = source(page, "theory-components")
    assert len(curves["measured_1"]) == len(curves["predicted_2"]) == 201
    log.assert_clean()


PAINTED = """(css) => {
  let count = 0;
  const canvases = (root) => {
    for (const e of root.querySelectorAll('*')) {
      if (e.tagName === 'CANVAS') {
        const d = e.getContext('2d').getImageData(0, 0, e.width, e.height).data;
        for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && d[i] < 250) count++;
      }
      if (e.shadowRoot) canvases(e.shadowRoot);
    }
  };
  const find = (root) => {
    for (const e of root.querySelectorAll('*')) {
      if (e.classList && e.classList.contains(css)) { canvases(e.shadowRoot || e); return; }
      if (e.shadowRoot) find(e.shadowRoot);
    }
  };
  find(document);
  return count;
}"""
"""JS: how many painted (opaque, not white) pixels the canvases under class ``css`` hold."""


def test_a_link_opens_the_small_nets_tab_and_the_address_bar_follows_the_tab(
    open_page: Any, served_app: Any
) -> None:
    link = "?tab=nets&data=xor&depth=1&width=8&opt=adam&adam.lr=0.05&steps=60"
    page, log = open_page(served_app.url + link)
    wait_until(lambda: "✓" in text(page, "nets-status"), 120, "the linked race to train")
    assert "1 optimizer, 60 steps" in text(page, "nets-status")
    # the decision boundary is painted (inside the tabs, a FlexBox left its figures blank)
    wait_until(lambda: page.evaluate(PAINTED, "nets-boundaries") > 10_000, 20, "a boundary")
    search = page.evaluate("window.location.search")
    for part in ("tab=nets", "data=xor", "depth=1", "width=8", "adam.lr=0.05", "steps=60"):
        assert part in search, (part, search)
    page.locator(".bk-tab", has_text="Surfaces").first.click()
    wait_until(lambda: "surface=" in page.evaluate("window.location.search"), 20, "race URL")
    assert "tab=nets" not in page.evaluate("window.location.search")
    page.locator(".bk-tab", has_text="Small nets").first.click()
    wait_until(lambda: "data=xor" in page.evaluate("window.location.search"), 20, "nets URL")
    log.assert_clean()


SWITCH = """([css, active]) => {
  for (const doc of Bokeh.documents) for (const m of doc.all_models) {
    if ((m.css_classes || []).includes(css) && "active" in m) {
      if (active !== null) m.active = active;
      return m.active;
    }
  }
  return null;
}"""
"""JS: set the switch with CSS class ``css`` (unless ``active`` is null); return what it shows."""
SURFACE_SHOWN = """() => {
  for (const doc of Bokeh.documents) for (const m of doc.all_models) {
    if ((m.css_classes || []).includes("surface-choice")) return m.value;
  }
  return null;
}"""


def test_back_and_forward_restore_what_the_address_says(open_page: Any, served_app: Any) -> None:
    """A switch replaces the history entry, a surface pushes one; Back and Forward bring the
    page (paths, controls, address) back to each entry."""
    page, log = open_race(open_page, served_app, "?opt=lion,adam&steps=500", ["Adam", "Lion"])
    address = lambda: page.evaluate("window.location.search")  # noqa: E731
    rosenbrock = first_path(page, "adam")
    entries = page.evaluate("window.history.length")
    page.evaluate(SWITCH, ["log-color", False])
    wait_until(lambda: "log=0" in address(), 30, "log=0 in the address")
    assert page.evaluate("window.history.length") == entries, "a switch adds no entry"
    surface = page.evaluate(MODEL_WITH_CLASS, "surface-choice")
    page.evaluate(SET_WIDGET, [surface, "booth"])
    wait_until(lambda: "surface=booth" in address(), 30, "the new surface's address")
    wait_until(lambda: first_path(page, "adam") not in ([], rosenbrock), 60, "Adam on Booth")
    booth = first_path(page, "adam")
    page.evaluate(SWITCH, ["log-color", True])
    wait_until(lambda: "log=0" not in address(), 30, "log=1 in the address")
    assert page.evaluate("window.history.length") == entries + 1, "the surface adds one"
    page.go_back()
    wait_until(lambda: first_path(page, "adam") == rosenbrock, 60, "Rosenbrock's Adam again")
    assert page.evaluate(SURFACE_SHOWN) == "rosenbrock"
    assert page.evaluate(SWITCH, ["log-color", None]) is False, "the switch follows Back"
    assert "log=0" in address() and "surface=rosenbrock" in address()
    assert "opt=lion%2Cadam" in address(), "the link's order of optimizers is kept"
    page.go_forward()
    wait_until(lambda: first_path(page, "adam") == booth, 60, "Booth's Adam again")
    assert page.evaluate(SURFACE_SHOWN) == "booth"
    assert page.evaluate(SWITCH, ["log-color", None]) is True
    assert "surface=booth" in address() and "log=0" not in address()
    assert page.evaluate("window.history.length") == entries + 1, "Back and Forward add none"
    log.assert_clean()


SIDEBAR_SHOWN = "document.querySelector('#sidebar').classList.contains('show')"


def test_a_lecture_link_opens_with_the_sidebar_folded(open_page: Any, served_app: Any) -> None:
    page, log = open_race(open_page, served_app, "?opt=adam&lecture=1", ["Adam"])
    assert page.evaluate(SIDEBAR_SHOWN) is False
    assert "lecture=1" in page.evaluate("window.location.search")
    other, _ = open_race(open_page, served_app, "?opt=adam", ["Adam"])
    assert other.evaluate(SIDEBAR_SHOWN) is True
    log.assert_clean()


def test_screenshot(open_page: Any, served_app: Any) -> None:
    """A full race for the README: five optimizers, a ghost, a divergence, mid-playback."""
    query = "?opt=adam,lion,sophia,mars,kron_psgd&steps=500"
    page, log = open_race(
        open_page, served_app, query, ["Adam", "Kron-PSGD", "Lion", "MARS", "Sophia-H"]
    )
    before = first_path(page, "adam")
    page.evaluate(SET_WIDGET, [page.evaluate(MODEL_WITH_CLASS, "hp-adam-lr"), -1.4])
    wait_until(lambda: first_path(page, "adam") != before, 30, "the new Adam path")
    page.locator(".frame-player input[type=range]").first.fill("320")  # scrub
    wait_until(lambda: page.evaluate("window.rlxLab && window.rlxLab.frame") == 320, 10)
    page.wait_for_timeout(500)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=False)
    log.assert_clean()


def test_theory_screenshot(open_page: Any, served_app: Any) -> None:
    """The theory card for the README: SGD at the best heavy-ball setting near Rosenbrock's
    minimum, its distance along both curvatures against the theory's slope."""
    page, log = open_race(open_page, served_app, "?opt=sgd&start=0.6,0.2", ["SGD"])
    page.locator(".theory-card .card-header").first.click()
    wait_until(lambda: "Near the minimum (1, 1)" in text(page, "theory-text"), 20, "the theory")
    page.locator(".theory-best button").first.click()
    wait_until(lambda: "it settles" in text(page, "theory-text"), 30, "SGD at the best setting")
    wait_until(lambda: len(source(page, "theory-components").get("step", [])) > 1, 20, "curves")
    card = page.locator(".theory-card").first
    card.scroll_into_view_if_needed()
    page.mouse.move(0, 0)  # no tooltip in the picture
    page.wait_for_timeout(500)
    card.screenshot(path=str(THEORY_SHOT))
    log.assert_clean()
