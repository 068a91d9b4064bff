"""The race as an animated GIF (rlx_lab_app.views.surfaces.race_gif), decoded and checked pixel by
pixel."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from rlx_lab_app.state import RaceModel
from rlx_lab_app.state.palette import color
from rlx_lab_app.views.surfaces.race_gif import (
    FRAMES,
    HOLD_MS,
    PLOT,
    SIDE,
    TOP,
    race_gif,
    to_pixels,
)
from rlx_lab_app.views.surfaces.report_view import Export


def _rgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)])


def _frames(gif: bytes) -> list[np.ndarray]:
    image = Image.open(io.BytesIO(gif))
    out = []
    for k in range(image.n_frames):
        image.seek(k)
        out.append(np.asarray(image.convert("RGB"), np.int64))
    return out


def _near(frame: np.ndarray, pixel: np.ndarray, rgb: np.ndarray, reach: int = 2) -> bool:
    """Whether a pixel within ``reach`` of ``pixel`` (plot coordinates) has colour ``rgb``."""
    x, y = np.round(pixel).astype(int) + np.array([SIDE, TOP])
    patch = frame[y - reach : y + reach + 1, x - reach : x + reach + 1]
    return bool(np.any(np.abs(patch - rgb).sum(-1) <= 24))


@pytest.fixture(scope="module")
def race() -> RaceModel:
    model = RaceModel(surface="rotated_quadratic", optimizers=["adam"], steps=200)
    model.recompute()
    return model


def test_the_gif_loops_through_the_race_and_holds_the_end(race: RaceModel) -> None:
    gif = race_gif(race)
    assert gif[:6] == b"GIF89a"
    image = Image.open(io.BytesIO(gif))
    assert image.n_frames == FRAMES
    assert image.size == (PLOT[0] + 2 * SIDE, PLOT[1] + TOP + 26)
    assert image.info.get("loop") == 0
    image.seek(FRAMES - 1)
    assert image.info["duration"] == HOLD_MS


def test_paths_grow_frame_by_frame_to_the_head(race: RaceModel) -> None:
    frames = _frames(race_gif(race))
    trajectory = race.results["adam"]
    surface = race.current_surface
    adam = _rgb(color(race.colors["adam"]))
    middle = to_pixels(surface, trajectory.positions[0, 100].astype(np.float64))
    end = to_pixels(surface, trajectory.positions[0, -1].astype(np.float64))
    start = to_pixels(surface, trajectory.positions[0, 0].astype(np.float64))
    assert np.linalg.norm(middle - start) > 20 and np.linalg.norm(end - middle) > 5
    assert not _near(frames[0], middle, adam), "step 0 draws no path yet"
    assert _near(frames[0], start, adam), "the head sits at the start"
    assert _near(frames[-1], middle, adam) and _near(frames[-1], end, adam)


def test_a_diverged_run_keeps_its_cross_inside_the_picture() -> None:
    model = RaceModel(optimizers=["sgd"], steps=100)
    model.settings["sgd"].lr = 0.05
    model.recompute()
    trajectory = model.results["sgd"]
    assert trajectory.diverged_at[0] > 0
    last_good = to_pixels(model.current_surface, trajectory.positions[0, -1].astype(np.float64))
    assert not (0 <= last_good[0] < PLOT[0] and 0 <= last_good[1] < PLOT[1]), "left the plot"
    cross = np.clip(last_good, 8.0, np.array(PLOT) - 9.0)
    last = _frames(race_gif(model, frames=10))[-1]
    assert _near(last, cross, _rgb(color(model.colors["sgd"])), reach=1), "its ✕ at the edge"


def test_bad_requests_are_refused_by_name(race: RaceModel) -> None:
    with pytest.raises(ValueError, match="frames"):
        race_gif(race, frames=1)
    with pytest.raises(ValueError, match="fps"):
        race_gif(race, fps=0)
    with pytest.raises(ValueError, match="racers"):
        race_gif(RaceModel(optimizers=["adam"]))  # nothing computed yet


def test_the_export_button_waits_for_results_and_downloads_the_gif() -> None:
    model = RaceModel(optimizers=["lion"], steps=50)
    export = Export(model, save_tool=None)
    assert export.gif.disabled
    model.recompute()
    assert not export.gif.disabled
    assert export.gif.callback().getvalue()[:6] == b"GIF89a"


def test_with_the_arrows_on_each_head_points_along_minus_g() -> None:
    model = RaceModel(surface="rotated_quadratic", optimizers=["sgd"], steps=50)
    model.settings["sgd"].lr = 1e-3
    model.recompute()
    trajectory = model.results["sgd"]
    surface = model.current_surface
    (x0, x1), (y0, y1) = surface.window
    scale = np.array([(PLOT[0] - 1) / (x1 - x0), (PLOT[1] - 1) / (y1 - y0)])
    g = trajectory.grad[0, 0].astype(np.float64)
    minus_g = np.array([-g[0], g[1]]) * scale  # pixel y runs down
    start = to_pixels(surface, trajectory.positions[0, 0].astype(np.float64))
    tip = start + minus_g / np.linalg.norm(minus_g) * 0.1 * (PLOT[0] + PLOT[1]) / 2
    sgd = _rgb(color(model.colors["sgd"]))
    plain = _frames(race_gif(model, frames=4))[0]
    assert not _near(plain, tip, sgd), "no arrows unless asked for"
    model.arrows = True
    first = _frames(race_gif(model, frames=4))[0]
    assert _near(first, tip, sgd), "the arrow's head where −g points"
