"""Tuning every hyperparameter in the small-nets tab (rlx_lab_app.state.nets.search), without a
browser."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from rlx_lab import nets
from rlx_lab.nets.tuning import (
    NET_TUNE_LRS,
    Candidates,
    best_index,
    rank_key,
    seeds_words,
    setting_keys,
)
from rlx_lab_app.state.nets.model import NetsModel
from rlx_lab_app.state.nets.plan import make_data
from rlx_lab_app.state.nets.search import NetsSearchModel
from rlx_lab_app.views.tuning_view import TuneButton


def test_the_search_sets_the_winner_and_beats_the_lr_scan() -> None:
    model = NetsModel(optimizers=["adam", "sgd"], steps=60, tune_by="training", n_seeds=3)
    model.settings["sgd"].weight_decay = 0.001  # kept fixed by the search
    plan = model.plan()
    data = make_data(plan.data)
    scan = {}
    for name in ("adam", "sgd"):
        overrides = model.settings[name].overrides()
        grid = {name: [{**overrides, "lr": lr} for lr in NET_TUNE_LRS]}
        runs = nets.race(
            data, grid, model=plan.model, settings=plan.settings, seeds=plan.seeds
        ).runs_of(name)
        finals = np.reshape([rank_key(r, "training")[0] for r in runs], (-1, 3))
        scan[name] = float(np.min(finals.mean(axis=1)))  # η alone: the best mean of 3 seeds
    search = NetsSearchModel(model)
    button = TuneButton(search)
    button.run()
    assert search.note.startswith("Every tunable hyperparameter searched on Two moons, 60 steps")
    assert "\nAdam: as given" in search.note and "\nSGD: as given" in search.note
    assert "<br>Adam: as given" in button.note.object
    assert model.settings["sgd"].weight_decay == 0.001
    model.train()
    for name in ("adam", "sgd"):
        final = float(np.mean([run.train_loss[-1] for run in model.runs[name]]))
        assert final <= scan[name] * (1 + 1e-3) + 1e-7, name  # never worse than η alone
        assert f"η alone {_shown(scan[name])}" in search.note, name
    model.steps = 80
    assert search.stale


def _shown(loss: float) -> str:
    from rlx_lab_app.state.scales import format_value

    return format_value(loss)


def run(losses: list[float], diverged_at: int = -1, seed: int = 0) -> nets.NetRun:
    """A run whose every curve is ``losses``."""
    curve = np.asarray(losses, np.float32)
    return nets.NetRun(
        "sgd",
        {},
        seed,
        curve,
        curve,
        curve[:, None],
        curve,
        curve,
        np.arange(len(curve)),
        curve,
        curve,
        curve,
        curve,
        {},
        diverged_at,
        ("w",),
    )


def test_ranking_takes_the_lowest_final_loss_then_the_faster_descent() -> None:
    runs = (run([1.0, 0.0]), run([0.5, 0.0]), run([0.1, 0.0], 1), run([1.0, math.nan]))
    keys = [rank_key(r, "training") for r in runs]
    assert keys[0] == (0.0, 0.5) and keys[1] == (0.0, 0.25)
    assert keys[2] == keys[3] == (math.inf, math.inf)
    held_out = dataclasses.replace(runs[0], test_loss=np.asarray([2.0, 1.0], np.float32))
    assert rank_key(held_out, "validation") == (1.0, 1.5)
    assert rank_key(held_out, "training") == (0.0, 0.5)
    group = np.array([0, 1, 2, 2])
    assert best_index(keys, group, None) == 1  # a tie at 0: the faster descent
    assert best_index(keys, group, 0) == 0 and best_index(keys, group, 2) is None


def test_a_setting_scores_its_mean_over_the_seeds_and_is_out_if_any_seed_diverged() -> None:
    runs = (
        run([1.0, 0.0], seed=3),
        run([0.8, 0.4], seed=4),  # setting 0: both seeds
        run([0.5, 0.1], seed=3),
        run([0.5, 0.3], 2, seed=4),
    )  # setting 1: one diverged
    result = nets.RaceResult("moons", None, {}, (3, 4), np.zeros(0), (), runs)  # type: ignore
    tried = Candidates(result, None, "training", "")  # type: ignore[arg-type]
    keys = setting_keys(tried, "sgd")
    assert keys[0] == pytest.approx((0.2, 0.55)) and keys[1] == (math.inf, math.inf)
    assert seeds_words((3, 4)) == "seeds 3–4 (scores averaged)" and seeds_words((7,)) == "seed 7"
