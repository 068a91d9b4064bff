"""Tuning on little data (rlx_lab.nets.folds and the rule in rlx_lab.nets.tuning): below
MIN_VALIDATION held-out points, k-fold cross-validation judges; below MIN_POINTS, a refusal."""

from __future__ import annotations

import numpy as np
import pytest

from rlx_lab import nets
from rlx_lab.nets import MLP, TrainSettings, datasets
from rlx_lab.nets.folds import FOLDS, MIN_POINTS, CannotJudge, split
from rlx_lab.nets.tuning import (
    MIN_VALIDATION,
    cross_validates,
    setting_keys,
    train_candidates,
    tune_lr,
)

TINY = MLP((2, 8, 2))
SHORT = TrainSettings(steps=20, batch_size=64, frames=4)


def moons(n: int) -> datasets.Dataset:
    return datasets.make("two_moons", n_train=n, n_test=8, seed=1)


def test_the_rule_switches_where_the_held_out_quarter_falls_under_fifty_points() -> None:
    assert MIN_VALIDATION == 50
    assert cross_validates(moons(197), "validation")  # a quarter: 49 points
    assert not cross_validates(moons(198), "validation")  # 50 points: held out
    assert not cross_validates(moons(40), "training")  # judged by the training loss: no split


@pytest.mark.parametrize("n", [40, 42, 10])
def test_every_point_is_judged_once_and_every_fold_trains_on_as_many_points(n: int) -> None:
    data = moons(n)
    dealt = split(data)
    assert len(dealt) == FOLDS
    judged = np.concatenate([f.validation for f in dealt])
    np.testing.assert_array_equal(np.sort(judged), np.arange(n))  # each exactly once
    sizes = [len(f.validation) for f in dealt]
    assert len({len(f.train) for f in dealt}) == 1 and max(sizes) - min(sizes) <= 1
    for fold in dealt:
        assert not set(fold.train) & set(fold.validation)
        assert len(fold.train) == n - int(np.ceil(n / FOLDS))
        assert set(data.y_train[fold.train]) == {0, 1}, "stratified: every class trains"
    again = [f.validation for f in split(data)]  # the same folds every time
    assert all(np.array_equal(a.validation, b) for a, b in zip(dealt, again, strict=True))


def test_too_few_points_or_a_lone_class_are_refused_naming_the_rule() -> None:
    with pytest.raises(CannotJudge, match=f"needs at least {MIN_POINTS}"):
        split(moons(MIN_POINTS - 1))
    lone = moons(12)
    lone = lone._replace(y_train=np.where(np.arange(12) == 3, 1, 0).astype(np.int32))
    with pytest.raises(CannotJudge, match=r"class 1 .* has 1 training point"):
        split(lone)
    with pytest.raises(CannotJudge):  # before any training
        tune_lr(moons(6), {"adam": {}}, model=TINY, settings=SHORT, seeds=(0,), lrs=(1e-2,))


def test_cross_validation_averages_the_folds_and_judges_each_on_its_true_points() -> None:
    data = moons(22)  # folds of 5, 5, 4, 4, 4: the last three are padded to 5 in the race
    before = nets.compiled_programs()
    tried = train_candidates(
        data, {"adam": [{"lr": 1e-3}, {"lr": 3e-2}]}, model=TINY, settings=SHORT, seeds=(0, 1)
    )
    assert nets.compiled_programs() - before <= 1, "one program for every fold"
    assert len(tried.folds) == FOLDS and tried.result is tried.folds[0] and tried.data is data
    assert tried.words.startswith("5-fold cross-validation on 22 points")
    assert "trains on 17, batches of 17 and is judged on the other 4–5" in tried.words
    dealt = split(data)
    last = tried.folds[-1].runs_of("adam")[0]
    x, y = data.x_train[dealt[-1].validation], data.y_train[dealt[-1].validation]
    loss, _ = nets.mlp.evaluate(TINY, last.final_params(), x, y)
    np.testing.assert_allclose(last.test_loss[-1], float(loss), rtol=1e-5)
    finals = np.array(
        [[r.test_loss[-1] for r in result.runs_of("adam")] for result in tried.folds]
    ).reshape(FOLDS, 2, 2)  # fold, setting, seed
    keys = setting_keys(tried, "adam")
    np.testing.assert_allclose([k[0] for k in keys], finals.mean(axis=(0, 2)), rtol=1e-6)
