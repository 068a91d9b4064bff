"""The library's tuning rule (rlx_lab.nets.tuning): candidates trained at once, judged on a
held-out part of the training set or on the training set, the lowest score picked."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rlx_lab import nets
from rlx_lab.nets import TrainSettings, datasets
from rlx_lab.nets.tuning import (
    HELD_OUT,
    best_index,
    rank_key,
    setting_keys,
    train_candidates,
    tune_lr,
    tuning_seeds,
)

LRS = (1e-4, 1e-2, 0.3)
SEEDS = (0, 1, 2)


@pytest.fixture(scope="module")
def moons() -> datasets.Dataset:
    return datasets.make("two_moons", n_train=256, n_test=256, seed=0)


@pytest.fixture(scope="module")
def settings() -> TrainSettings:
    return TrainSettings(steps=40, batch_size=256, frames=10)


def test_the_lr_with_the_lowest_mean_held_out_loss_is_picked(
    moons: datasets.Dataset, settings: TrainSettings
) -> None:
    tuned = tune_lr(
        moons, {"adam": {}, "sgd": {"momentum": 0.9}}, settings=settings, seeds=SEEDS, lrs=LRS
    )
    held = datasets.hold_out(moons, HELD_OUT)  # 192 train, 64 judge; batch 256 → 192
    assert len(held.x_train) == 192 and tuned.candidates.data.x_test.shape[0] == 64
    np.testing.assert_array_equal(tuned.candidates.data.x_test, moons.x_train[192:])
    short = TrainSettings(steps=40, batch_size=192, frames=10)
    for name, over in (("adam", {}), ("sgd", {"momentum": 0.9})):
        grid = {name: [{**over, "lr": lr} for lr in LRS]}
        runs = nets.race(held, grid, settings=short, seeds=SEEDS).runs_of(name)
        finals = np.array([r.test_loss[-1] if not r.diverged else np.inf for r in runs])
        mean = finals.reshape(len(LRS), len(SEEDS)).mean(axis=1)  # setting-major
        assert tuned.lrs[name] == LRS[int(np.argmin(mean))], name
        assert np.isfinite(mean).all() and mean.min() < mean.max()
    assert tuned.failed == ()
    assert "trains on 192 of the 256 training points, batches of 192" in tuned.candidates.words


def test_an_optimizer_that_diverges_at_every_lr_gets_none(
    moons: datasets.Dataset, settings: TrainSettings
) -> None:
    tuned = tune_lr(
        moons,
        {"sgd": {}, "adam": {}},
        settings=settings,
        seeds=(0,),
        lrs=(1e8, 1e-2),
        by="training",
    )
    keys = setting_keys(tuned.candidates, "sgd")
    assert keys[0] == (math.inf, math.inf)
    assert tuned.lrs["sgd"] == 1e-2 and tuned.lrs["adam"] in (1e8, 1e-2)
    never = tune_lr(moons, {"sgd": {}}, settings=settings, seeds=(0,), lrs=(1e8,), by="training")
    assert never.lrs == {} and never.failed == ("sgd",)


def test_judged_by_training_the_whole_training_set_trains_and_judges(
    moons: datasets.Dataset, settings: TrainSettings
) -> None:
    tried = train_candidates(
        moons, {"adam": [{"lr": 1e-2}]}, settings=settings, seeds=(0,), by="training"
    )
    assert tried.data is moons and tried.words == "the lowest final training loss"
    run = tried.result["adam"]
    assert rank_key(run, "training") == (float(run.train_loss[-1]), float(np.mean(run.train_loss)))
    assert rank_key(run, "validation")[0] == float(run.test_loss[-1])
    with pytest.raises(ValueError, match="tune_by"):
        train_candidates(moons, {"adam": [{}]}, settings=settings, by="test")  # type: ignore[arg-type]


def test_the_best_index_breaks_ties_by_the_mean_and_skips_the_diverged() -> None:
    keys = [(0.5, 0.9), (0.0, 0.4), (math.inf, math.inf), (0.0, 0.3), (0.1, 0.1)]
    assert best_index(keys) == 3
    group = np.array([0, 1, 1, 2, 2])
    assert best_index(keys, group, only=1) == 1 and best_index(keys, group, only=0) == 0
    assert best_index([(math.inf, math.inf)] * 2) is None


def test_the_seeds_are_extended_to_three_from_the_first() -> None:
    assert tuning_seeds((5,)) == (5, 6, 7)
    assert tuning_seeds((5, 6, 7, 8)) == (5, 6, 7, 8)
    assert tuning_seeds((2,), at_least=1) == (2,)
