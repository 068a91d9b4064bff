"""Tuning η in the small-nets tab (rlx_lab_app.state.nets.tuning), without a browser."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from rlx_lab import nets
from rlx_lab.nets.tuning import HELD_OUT, NET_TUNE_LRS
from rlx_lab_app.state.nets.model import NetsModel
from rlx_lab_app.state.nets.plan import make_data
from rlx_lab_app.state.nets.tuning import NetsTuningModel, train_candidates, tuning_seeds
from rlx_lab_app.views.tuning_view import TuneButton


def test_each_racing_optimizer_gets_the_lr_with_the_lowest_final_training_loss() -> None:
    model = NetsModel(optimizers=["adam", "sgd"], steps=60, tune_by="training")
    model.settings["sgd"].momentum = 0.9  # kept while η is tuned
    tuning = NetsTuningModel(model)
    button = TuneButton(tuning, label="Tune η on this data")
    button.run()  # no served page: at once
    assert NET_TUNE_LRS[0] == 1e-4 and NET_TUNE_LRS[-1] == 1.0 and len(NET_TUNE_LRS) == 9
    plan = model.plan()
    data = make_data(plan.data)
    for name in ("adam", "sgd"):
        overrides = {**model.settings[name].overrides()}
        grid = {name: [{**overrides, "lr": lr} for lr in NET_TUNE_LRS]}
        runs = nets.race(
            data, grid, model=plan.model, settings=plan.settings, seeds=(0, 1, 2)
        ).runs_of(name)
        assert model.settings[name].lr == NET_TUNE_LRS[_best(runs, "train_loss")], name
    assert model.settings["sgd"].momentum == 0.9
    assert "seeds 0–2 (scores averaged); the lowest final training loss of 9 values" in tuning.note
    assert tuning.note.startswith("η tuned on Two moons,"), "the data as the picker names it"
    assert "Adam" in button.note.object and not tuning.stale
    model.dataset = "spirals"
    assert tuning.stale and "before the last change" in button.note.object


def _best(runs: tuple[nets.NetRun, ...], curve: str) -> int:
    """The setting (3 seeds each, setting-major) with the lowest mean final ``curve``."""
    finals = [getattr(r, curve)[-1] if r.diverged_at < 0 else np.inf for r in runs]
    return int(np.argmin(np.reshape(finals, (-1, 3)).mean(axis=1)))


def test_the_race_seeds_are_extended_to_three_and_kept_beyond() -> None:
    model = NetsModel(optimizers=["sgd"], steps=20, seed=5)
    assert tuning_seeds(model.plan()) == (5, 6, 7)
    tuning = NetsTuningModel(model, note="η tuned")  # a result, so a change can make it stale
    model.n_seeds = 4
    assert tuning_seeds(model.plan()) == (5, 6, 7, 8)
    assert tuning.stale, "the candidates' seeds are not the race's any more"


def test_judged_by_validation_each_lr_wins_on_a_held_out_quarter_of_the_training_set() -> None:
    model = NetsModel(optimizers=["adam", "lion"], steps=60, batch_size=512, samples=512)
    assert model.tune_by == "validation"  # the default
    tuning = NetsTuningModel(model)
    tuning.compute()
    plan = model.plan()
    data = make_data(plan.data)
    held = nets.datasets.hold_out(data, HELD_OUT)
    settings = dataclasses.replace(plan.settings, batch_size=len(held.x_train))  # 512 → 384
    for name in ("adam", "lion"):
        grid = {name: [{**model.settings[name].overrides(), "lr": lr} for lr in NET_TUNE_LRS]}
        runs = nets.race(held, grid, model=plan.model, settings=settings, seeds=(0, 1, 2)).runs_of(
            name
        )
        assert model.settings[name].lr == NET_TUNE_LRS[_best(runs, "test_loss")], name
    assert "trains on 384 of the 512 training points, batches of 384" in tuning.note
    assert "judged on the other 128: the lowest final validation loss of 9 values" in tuning.note
    model.tune_by = "training"
    assert tuning.stale


def test_validation_candidates_never_see_the_test_set() -> None:
    model = NetsModel(optimizers=["sgd"], steps=20)
    plan = model.plan()
    data = make_data(plan.data)
    tried = train_candidates(plan, {"sgd": [{}]}, "validation")
    assert np.array_equal(tried.data.x_train, data.x_train[:384])
    assert np.array_equal(tried.data.x_test, data.x_train[384:])
    assert not any(np.array_equal(row, t) for row in tried.data.x_test[:20] for t in data.x_test)
    with pytest.raises(ValueError, match="tune_by"):
        train_candidates(plan, {"sgd": [{}]}, "test")
