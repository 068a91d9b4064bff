"""The race's "Tune every hyperparameter" state (:mod:`rlx_lab_app.state.surfaces.search`), without
a
browser."""

from __future__ import annotations

import pytest

from rlx_lab import engine
from rlx_lab_app.state import RaceModel
from rlx_lab_app.state.surfaces.search import SearchModel, search_race
from rlx_lab_app.state.surfaces.surface_source import CUSTOM
from rlx_lab_app.state.tuning import compare_line, describe
from rlx_lab_app.views.tuning_view import TuneButton


def test_the_search_moves_every_searched_slider_and_the_race_reaches_its_loss() -> None:
    race = RaceModel(optimizers=["sgd", "adam"], steps=100)
    race.recompute()
    model = SearchModel(race)
    model.compute()
    assert not model.busy and not model.stale
    race.recompute()
    for name in ("sgd", "adam"):
        result = engine.search(
            name, _as_given(name), race.current_surface, race.start_point(), race.run_settings()
        )
        best = result.best()
        assert best is not None
        for field in result.fields:
            assert getattr(race.settings[name], field) == pytest.approx(best[field]), field
        final = race.results[name].final_loss()[0]
        assert final == pytest.approx(result.best_loss(), rel=1e-4, abs=1e-6)
        lr_alone = result.best_loss(1)
        assert lr_alone is not None and final <= lr_alone * (1 + 1e-4)
    assert "SGD: as given diverged → η alone" in model.note  # SGD's lab η diverges here
    assert "seed 0" in model.note and "Weight decay" in model.note


def _as_given(name: str) -> dict[str, object]:
    fresh = RaceModel(optimizers=[name], steps=100)
    return fresh.settings[name].overrides()


def test_the_note_names_each_field_by_its_symbol() -> None:
    setting = {"lr": 0.0316, "beta1": 0.9877, "beta2": 0.99912, "eps": 1e-8}
    text = describe("adam", setting, ("lr", "beta1", "beta2", "eps"))
    assert text == "η 0.0316, β₁ 0.9877, β₂ 0.99912, ε 1.00e-8"
    assert describe("sgd", {"nesterov": True}, ("nesterov",)).endswith("on")
    assert describe("lion", {"lr": 0.01}, ("lr", "beta2")) == "η 0.01, β₂ 0.99"  # the default
    line = compare_line("sgd", (None, 0.5, -0.0), 0.1, {"lr": 0.2}, ("lr",))
    assert line == "as given diverged → η alone 0.5 (η 0.1) → searched 0 (η 0.2)"


def test_nothing_to_search_or_a_hopeless_race_says_so() -> None:
    assert "Select an optimizer" in search_race(RaceModel(optimizers=[])).note
    hopeless = RaceModel(optimizers=["sgd"], surface=CUSTOM, formula="-exp(x^2 + y^2)", steps=50)
    outcome = search_race(hopeless)
    assert outcome.values == {} and "SGD (diverged at every setting tried)" in outcome.note


def test_the_search_note_goes_stale_when_the_race_changes() -> None:
    race = RaceModel(optimizers=["lion"], steps=50)
    race.recompute()
    model = SearchModel(race)
    button = TuneButton(model)
    button.run()
    assert "\nLion: as given" in model.note  # a line per optimizer, on the page too
    assert "<br>Lion: as given" in button.note.object and not button.button.disabled
    race.start = (0.5, 0.5)
    assert model.stale and "(before the last change)" in button.note.object
