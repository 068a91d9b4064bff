"""The random search over every tunable hyperparameter (``engine.search``) and its baselines."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rlx_lab import engine, optim, surfaces

ROSENBROCK = surfaces.get("rosenbrock")
START = [-1.5, 2.0]
SETTINGS = engine.RunSettings(steps=100)


def test_searchable_fields_are_the_tunable_numbers_and_switches() -> None:
    assert engine.searchable("sgd") == ("lr", "momentum", "nesterov")
    assert engine.searchable("adafactor")[0] == "lr"  # optional: drawn as a number
    for name in optim.names():
        specs = {p.name: p for p in optim.get(name).spec}
        for field in engine.searchable(name):
            spec = specs[field]
            assert spec.kind in ("float", "optional_float", "bool"), (name, field)
            assert spec.tag not in ("paper", "inert") and field != "weight_decay", (name, field)
    assert "precond_freq" not in engine.searchable("soap")  # integer counts stay as set
    assert "random_probe" not in engine.searchable("kron_psgd")  # paper switches too


@pytest.mark.parametrize("name", optim.names())
def test_draws_stay_on_each_slider_and_follow_its_scale(name: str) -> None:
    n = 4000
    drawn = engine.sample_settings(name, n, seed=3)
    assert len(drawn) == n
    for spec in optim.get(name).spec:
        if spec.name not in engine.searchable(name):
            assert all(spec.name not in row for row in drawn)
            continue
        values = np.array([row[spec.name] for row in drawn], np.float64)
        if spec.kind == "bool":
            assert 0.45 < values.mean() < 0.55, spec.name  # a fair coin
            continue
        low, high = (
            (engine.TUNE_LRS[0], engine.TUNE_LRS[-1])
            if spec.tag == "lr"
            else (spec.ui_low, spec.ui_high)
        )
        assert values.min() >= low and values.max() <= high, spec.name
        # half the draws fall below the middle of the slider, measured on its scale
        if spec.scale == "log":
            middle = math.sqrt(low * high)
        elif spec.scale == "log1m":
            middle = 1 - math.sqrt((1 - low) * (1 - high))
        else:
            middle = (low + high) / 2
        assert 0.46 < (values < middle).mean() < 0.54, (spec.name, spec.scale)
        # three significant figures (of 1 − β on a log1m scale): what is shown is what ran
        shown = 1 - values if spec.scale == "log1m" else values
        np.testing.assert_allclose(shown, [float(f"{v:.3g}") for v in shown], rtol=1e-9)
        assert len(set(values)) > 200, spec.name  # a spread, not a handful of values


def test_a_seed_reproduces_its_draws_and_another_seed_does_not() -> None:
    assert engine.sample_settings("adam", 16, seed=7) == engine.sample_settings("adam", 16, seed=7)
    assert engine.sample_settings("adam", 16, seed=7) != engine.sample_settings("adam", 16, seed=8)
    assert engine.sample_settings("adam", 5, 0, fields=["beta1"])[0].keys() == {"beta1"}
    adam, adamw = engine.sample_settings("adam", 8, 0), engine.sample_settings("adamw", 8, 0)
    assert [r["lr"] for r in adam] != [r["lr"] for r in adamw]  # a stream per optimizer


def test_each_lane_equals_a_single_run_of_its_setting() -> None:
    result = engine.search("adam", {"beta2": 0.99}, ROSENBROCK, START, SETTINGS, samples=12)
    groups = [engine.SEARCH_GROUPS[g] for g in result.group]
    assert groups == ["as given"] + ["η alone"] * len(engine.TUNE_LRS) + ["random"] * 12
    assert result.tried[0] == {} and result.tried[1] == {"lr": float(engine.TUNE_LRS[0])}
    for k in (0, 5, len(result.tried) - 3, len(result.tried) - 1):
        setting = {**result.base, **result.tried[k]}
        single = engine.run("adam", setting, ROSENBROCK, START, SETTINGS)
        np.testing.assert_allclose(
            result.final_loss[k], single.final_loss()[0], rtol=1e-4, atol=1e-6
        )
        assert result.diverged_at[k] == single.diverged_at[0]
    best = result.best()
    assert best is not None and best["beta2"] in (
        0.99,
        result.tried[result.best_index()].get("beta2"),
    )
    run = result.best_run
    single = engine.run("adam", best, ROSENBROCK, START, SETTINGS)
    assert run is not None and run.hparams == best
    np.testing.assert_allclose(run.positions, single.positions, rtol=1e-4, atol=1e-5)


def test_the_baselines_are_the_settings_as_given_and_the_lr_scan() -> None:
    base = {"momentum": 0.9}
    result = engine.search("sgd", base, ROSENBROCK, START, SETTINGS, samples=40, seed=1)
    scan = engine.tune_lr("sgd", base, ROSENBROCK, START, SETTINGS)
    alone = result.group == 1
    np.testing.assert_allclose(result.final_loss[alone], scan.final_loss, rtol=1e-4, atol=1e-6)
    lr_best = result.best(1)
    assert lr_best is not None and lr_best == {"momentum": 0.9, "lr": scan.best()}
    given = engine.run("sgd", base, ROSENBROCK, START, SETTINGS)
    assert result.diverged_at[0] == given.diverged_at[0]
    overall = result.best_loss()
    assert overall is not None
    assert overall <= (result.best_loss(1) or math.inf)
    assert overall <= (result.best_loss(2) or math.inf)
    kept = np.where(result.diverged_at < 0, result.final_loss, np.inf)
    assert overall == pytest.approx(kept.min())


def test_a_search_that_everywhere_diverges_has_no_best() -> None:
    steep = surfaces.from_formula("exp(3*x) + exp(3*y)")
    result = engine.search(
        "sgd",
        {"lr": 5.0},
        steep,
        [3.0, 3.0],
        engine.RunSettings(steps=50),
        samples=4,
        fields=["nesterov"],
    )
    assert result.best_index(0) is None
    assert result.best_index(1) is not None  # small η survive
    assert result.best() is not None and result.best_run is not None


def test_bad_fields_and_counts_are_named() -> None:
    with pytest.raises(ValueError, match="no hyperparameter 'beta9'"):
        engine.search("adam", None, ROSENBROCK, START, SETTINGS, fields=["beta9"])
    with pytest.raises(ValueError, match="ns_steps is int"):
        engine.sample_settings("muon", 4, 0, fields=["ns_steps"])
    with pytest.raises(ValueError, match="samples"):
        engine.sample_settings("adam", -1, 0)
    with pytest.raises(ValueError, match="lr"):
        engine.search("adam", {"lr": -1.0}, ROSENBROCK, START, SETTINGS, samples=2)


def test_another_seed_or_setting_reuses_the_compiled_search() -> None:
    from rlx_lab.engine import programs

    engine.search("lion", None, ROSENBROCK, START, SETTINGS, samples=16)
    before = engine.compiled_programs()
    engine.search("lion", {"beta2": 0.9}, ROSENBROCK, [1.0, -1.0], SETTINGS, samples=16, seed=5)
    assert engine.compiled_programs() == before
    varying = tuple(sorted(engine.searchable("lion")))
    program = programs.program("lion", ROSENBROCK, "vector", 100, 1, 1, over_hparams=varying)
    assert program._cache_size() == 1  # one trace for both searches
