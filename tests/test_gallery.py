"""The optimizer gallery: each optimizer at its own tuned η, ranked, drawn, raced."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from PIL import Image

from rlx_lab import engine
from rlx_lab_app.state import RaceModel
from rlx_lab_app.state.surfaces.gallery import Entry, GalleryModel, build_gallery
from rlx_lab_app.views.surfaces.gallery_image import (
    CAPTION,
    COLUMNS,
    GAP,
    HEADER,
    PANEL,
    caption,
    gallery_png,
)
from rlx_lab_app.views.surfaces.gallery_view import GalleryView

NAMES = ("sgd", "adam", "lion")


@pytest.fixture(scope="module")
def race() -> RaceModel:
    model = RaceModel(surface="himmelblau", optimizers=["adam"], steps=100)
    model.settings["sgd"].momentum = 0.5  # the gallery keeps each optimizer's other settings
    return model


def test_each_optimizer_runs_at_its_own_tuned_lr_and_they_are_ranked(race: RaceModel) -> None:
    gallery = build_gallery(race, NAMES)
    assert sorted(e.name for e in gallery.entries) == sorted(NAMES)
    for entry in gallery.entries:
        overrides = race.settings[entry.name].overrides()
        scan = engine.tune_lr(
            entry.name, overrides, race.current_surface, race.start_point(), race.run_settings()
        )
        assert entry.lr == scan.best()
        run = entry.trajectory
        assert run is not None and run.hparams["lr"] == entry.lr
        if entry.name == "sgd":
            assert run.hparams["momentum"] == 0.5
        single = engine.run(
            entry.name,
            {**overrides, "lr": entry.lr},
            race.current_surface,
            [race.start_point()],
            race.run_settings(),
        )
        np.testing.assert_allclose(run.final_loss(), single.final_loss(), rtol=1e-4, atol=1e-7)
    keys = [(e.final_loss, float(np.mean(e.trajectory.loss))) for e in gallery.entries]
    assert keys == sorted(keys)
    assert "25 values from 1.00e-4 to 1" in gallery.note


def test_an_optimizer_without_a_usable_lr_goes_last() -> None:
    ranked = sorted([Entry("sgd", None, None), Entry("adam", 0.1, None)], key=Entry.rank_key)
    assert all(e.final_loss == math.inf for e in ranked)
    assert caption(Entry("sgd", None, None)) == "no usable lr: every run diverged"


def test_the_picture_has_one_panel_per_optimizer(race: RaceModel) -> None:
    gallery = build_gallery(race, NAMES)
    image = Image.open(io.BytesIO(gallery_png(gallery)))
    assert image.format == "PNG"
    assert image.size == (COLUMNS * (PANEL[0] + GAP) + GAP, HEADER + PANEL[1] + CAPTION + GAP)
    pixels = np.asarray(image.convert("RGB"), np.int64)
    for k in range(len(NAMES)):  # each panel holds the heat map (not blank)
        x, y = GAP + k * (PANEL[0] + GAP), HEADER + CAPTION
        panel = pixels[y : y + PANEL[1], x : x + PANEL[0]]
        assert panel.std() > 10
    empty = pixels[HEADER + CAPTION :, GAP + 3 * (PANEL[0] + GAP) + 5 :][:50, :50]
    assert np.all(empty == 255), "the fourth column stays empty"


def test_the_tab_builds_draws_and_races_the_best_four() -> None:
    race = RaceModel(surface="himmelblau", optimizers=["sgd"], steps=100)
    model = GalleryModel(race)
    raced: list[bool] = []
    view = GalleryView(model, on_race=lambda: raced.append(True))
    assert view.race.disabled and view.download.disabled and not view.image.visible
    model.run = lambda: build_gallery(race, ("sgd", "adam", "lion", "mars", "muon"))  # type: ignore[method-assign]
    view.run()
    assert view.image.visible and not view.download.disabled
    assert view.download.callback().getvalue()[:8] == b"\x89PNG\r\n\x1a\n"
    best = list(model.gallery.entries)[:4]
    view.race.clicks += 1  # as a click would
    assert raced == [True]
    assert race.optimizers == [e.name for e in best]
    for entry in best:
        assert race.settings[entry.name].lr == pytest.approx(entry.lr)
    assert not model.stale
    race.noise = 0.5
    assert model.stale and "before the last change" in view.note.object
