"""The small-nets race: lab defaults train, the race is fair, nothing recompiles, runs freeze.

The 14-optimizer race on two moons is compiled once and shared (module fixture); the other
tests reuse its program wherever they can (only traced values change).
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np
import pytest

from rlx_lab import optim
from rlx_lab.nets import (
    NET_DEFAULTS,
    RaceResult,
    TrainSettings,
    batch_indices,
    datasets,
    hparam_values,
    loop,
    mlp,
    prepare,
    race,
)
from rlx_lab.schedule import LrSchedule

STEPS = 300
SEEDS = (0, 1, 2)


@pytest.fixture(scope="module")
def moons() -> datasets.Dataset:
    return datasets.make("two_moons", seed=0)


@pytest.fixture(scope="module")
def moons_race(moons: datasets.Dataset) -> RaceResult:
    """All 14 optimizers at their lab defaults, MLP 2-32-32-2, batch 64, 300 steps, 3 seeds."""
    return race(moons, list(optim.names()), settings=TrainSettings(steps=STEPS), seeds=SEEDS)


@pytest.mark.parametrize("name", optim.names())
def test_lab_defaults_halve_the_two_moons_loss_in_300_steps(
    moons_race: RaceResult, name: str
) -> None:
    runs = moons_race.runs_of(name)
    assert [r.seed for r in runs] == list(SEEDS)
    for run in runs:
        assert run.diverged_at == -1, f"{name} seed {run.seed} diverged at {run.diverged_at}"
        assert run.frame_steps[-1] == STEPS
        assert run.train_loss[-1] <= 0.5 * run.train_loss[0], (
            f"{name} seed {run.seed}: {run.train_loss[0]:.3f} → {run.train_loss[-1]:.3f}"
        )


def test_every_optimizer_has_a_lab_default_with_a_valid_value() -> None:
    assert set(NET_DEFAULTS) == set(optim.names())
    for name, values in NET_DEFAULTS.items():
        optim.get(name).hparams(**values)  # raises on an unknown field or bad value
        assert hparam_values(name)["lr"] == values["lr"]


def test_the_race_is_fair_same_init_and_same_batches(
    moons_race: RaceResult, moons: datasets.Dataset
) -> None:
    n = len(moons.x_train)
    assert moons_race.batches.shape == (len(SEEDS), STEPS, 64)
    for r, seed in enumerate(SEEDS):
        # The batch order is a function of the seed alone …
        np.testing.assert_array_equal(moons_race.batches[r], batch_indices(n, STEPS, 64, seed))
        init = mlp.init(moons_race.model, seed)
        first_batch = moons_race.batches[r, 0]
        expected_loss = mlp.loss(
            moons_race.model, init, moons.x_train[first_batch], moons.y_train[first_batch]
        )
        for run in moons_race.runs_of_seed(seed):
            # … every run starts from the same params …
            for k, v in init.items():
                np.testing.assert_array_equal(run.snapshots[k][0], np.asarray(v), err_msg=k)
            # … and its first step saw the same minibatch.
            np.testing.assert_allclose(run.loss[0], expected_loss, rtol=1e-6)
    # The selection of optimizers changes neither the batches nor the init.
    other = prepare(moons, ["sgd"], settings=TrainSettings(steps=STEPS), seeds=SEEDS)
    np.testing.assert_array_equal(other.batches[:, :STEPS], moons_race.batches)
    for a, b in zip(other.init, moons_race.init_params, strict=True):
        jax.tree.map(np.testing.assert_array_equal, a, b)


def test_sgd_replayed_by_hand_matches_its_race_snapshot(
    moons_race: RaceResult, moons: datasets.Dataset
) -> None:
    """The race really trained on ``batches``: plain SGD replayed step by step lands on the
    snapshot of the first frame."""
    run = moons_race.runs_of("sgd")[1]
    opt = optim.get("sgd")
    hp = opt.hparams(**run.hparams)
    params = mlp.init(moons_race.model, run.seed)
    state = opt.init(params)
    grad = jax.jit(jax.grad(lambda p, x, y: mlp.loss(moons_race.model, p, x, y)))
    for step in range(run.frame_steps[1]):
        index = moons_race.batches[1, step]
        params, state = opt.step(
            params, grad(params, moons.x_train[index], moons.y_train[index]), state, hp
        )
    for k, v in params.items():
        np.testing.assert_allclose(run.snapshots[k][1], np.asarray(v), rtol=2e-5, atol=1e-6)


def test_records_have_the_documented_shapes(moons_race: RaceResult) -> None:
    run = moons_race["muon"]
    frames = len(run.frame_steps)
    assert run.tensor_names == ("w0", "b0", "w1", "b1", "w2", "b2")
    assert run.loss.shape == run.grad_norm.shape == run.clip.shape == (STEPS,)
    assert run.update_norm.shape == (STEPS, 6)
    assert run.train_acc.shape == run.test_loss.shape == (frames,)
    assert run.snapshots["w1"].shape == (frames, 32, 32)
    assert np.all(np.diff(run.frame_steps) > 0) and run.frame_steps[0] == 0
    assert np.all(np.isfinite(run.loss)) and np.all(run.update_norm > 0)
    # Muon's matrix path moves a weight matrix by lr·√max(r, c)·‖X‖_F with X orthogonalised
    # (singular values ≤ ~1.2): a step size set by lr, not by the shrinking gradient — while
    # its bias fallback (momentum SGD) slows down with the gradient.
    norms = run.update_norms()
    lr = run.hparams["lr"]
    assert norms["w1"].max() <= 1.25 * lr * np.sqrt(32) * np.sqrt(32)
    early, late = slice(0, 30), slice(-50, None)
    assert 0.5 < norms["w1"][late].mean() / norms["w1"][early].mean() < 2.0
    assert norms["b1"][late].mean() / norms["b1"][early].mean() < 0.5
    assert np.all(moons_race["sgd"].clip == 0.0)
    assert moons_race["sophia"].clip.mean() > 0.1  # ρ clips a good share of coordinates


def test_changing_values_never_recompiles_and_sophia_estimator_only_moves_sophia(
    moons_race: RaceResult, moons: datasets.Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    traces: list[str] = []
    original = loop.train

    def counting(opt: optim.Optimizer, *args: Any, **kwargs: Any) -> loop.Trace:
        traces.append(opt.name)
        return original(opt, *args, **kwargs)

    monkeypatch.setattr(loop, "train", counting)
    names = list(optim.names())
    redrawn = datasets.make("two_moons", seed=7)  # same shapes, new values
    moved = race(
        redrawn,
        {n: {"lr": 0.5 * hparam_values(n)["lr"]} for n in names},
        settings=TrainSettings(
            steps=250,
            clip_norm=1.0,
            hessian="gauss_newton",
            hessian_every=5,
            schedule=LrSchedule("cosine", warmup=20, floor=0.05),
        ),
        seeds=(3, 4, 5),
    )
    gauss = race(
        moons, names, settings=TrainSettings(steps=STEPS, hessian="gauss_newton"), seeds=SEEDS
    )
    assert traces == [], f"retraced: {traces}"
    assert moved["adam"].steps == 250 and moved["adam"].frame_steps[-1] == 250
    assert np.any(moved["adam"].global_clip)
    for run, base in zip(gauss.runs, moons_race.runs, strict=True):
        same = np.array_equal(run.loss, base.loss, equal_nan=True)
        assert same == (run.optimizer != "sophia"), run.optimizer


def test_a_schedule_warms_up_and_decays_every_step(moons: datasets.Dataset) -> None:
    schedule = LrSchedule("linear", warmup=10, floor=0.0)
    steps = 50
    plain, scheduled = (
        race(moons, ["sgd", "lion"], settings=TrainSettings(steps=steps, schedule=s), seeds=(0,))
        for s in (LrSchedule(), schedule)
    )
    sgd, base = scheduled["sgd"], plain["sgd"]  # the same first minibatch and params
    np.testing.assert_allclose(sgd.update_norm[0], base.update_norm[0] / 10, rtol=1e-5)
    assert np.all(sgd.update_norm[-1] == 0.0), "the last step runs at 0·η"
    lion = scheduled["lion"]  # sign steps: ‖Δθ‖ is η_t·√(entries) per tensor
    factors = schedule.factors(steps)
    ratio = lion.update_norm / plain["lion"].update_norm[:1]
    np.testing.assert_allclose(ratio[:, 0], factors, rtol=1e-3, atol=1e-6)


def test_a_diverging_run_freezes_at_its_last_good_params(moons: datasets.Dataset) -> None:
    result = race(moons, {"sgd": [{"lr": 0.1}, {"lr": 1e3}]}, settings=TrainSettings(steps=50))
    calm, wild = result.runs
    assert calm.diverged_at == -1 and np.all(np.isfinite(calm.loss))
    k = wild.diverged_at
    assert 1 <= k <= 50
    assert np.all(np.isnan(wild.loss[k:])) and np.all(np.isfinite(wild.loss[:k]))
    assert np.all(wild.update_norm[k:] == 0.0) and np.all(wild.grad_norm[k:] == 0.0)
    frozen = wild.frame_steps >= k
    for v in wild.snapshots.values():
        assert np.all(np.isfinite(v))
        assert np.all(v[frozen] == v[-1])
    assert np.isfinite(wild.train_loss[-1])


def test_bad_settings_name_the_field(moons: datasets.Dataset) -> None:
    with pytest.raises(ValueError, match="steps"):
        race(moons, ["sgd"], settings=TrainSettings(steps=0))
    with pytest.raises(ValueError, match="batch_size"):
        race(moons, ["sgd"], settings=TrainSettings(batch_size=10_000))
    with pytest.raises(ValueError, match="hessian"):
        race(moons, ["sophia"], settings=TrainSettings(hessian="exact"))
    with pytest.raises(ValueError, match=r"schedule\.floor"):
        race(moons, ["sgd"], settings=TrainSettings(schedule=LrSchedule(floor=-0.1)))
    with pytest.raises(ValueError, match="lr"):
        race(moons, {"adam": {"lr": -1.0}})
    with pytest.raises(ValueError, match="optimizer"):
        race(moons, ["adamx"])
    with pytest.raises(ValueError, match="model"):
        race(moons, ["sgd"], model=mlp.MLP((3, 8, 2)))
