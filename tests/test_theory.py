"""The quadratic-model theory of SGD (rlx_lab.theory) against the engine's real SGD runs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rlx_lab import engine, surfaces, theory

QUADRATIC = surfaces.get("rotated_quadratic")
KAPPA, ANGLE = 10.0, 30.0  # curvatures 1 and κ
PARAMS = {"condition": KAPPA, "angle": ANGLE}


def _distances(lr: float, momentum: float, nesterov: bool, steps: int) -> np.ndarray:
    """‖θₜ − θ*‖ of the engine's SGD on the rotated quadratic (minimum at the origin)."""
    hp = {"lr": lr, "momentum": momentum, "nesterov": nesterov}
    settings = engine.RunSettings(steps=steps, surface_params=PARAMS)
    t = engine.run("sgd", hp, QUADRATIC, [QUADRATIC.start], settings)
    return np.linalg.norm(np.asarray(t.positions[0], np.float64), axis=1)


def _worst_factor(lr: float, momentum: float, nesterov: bool = False) -> float:
    return max(theory.factor(lr, momentum, nesterov, lam) for lam in (1.0, KAPPA))


@pytest.mark.parametrize(
    ("lr", "momentum", "nesterov"),
    [
        (0.05, 0.0, False),
        (0.15, 0.0, False),
        (0.1, 0.5, False),
        (0.02, 0.9, False),
        (0.1, 0.5, True),
        (0.05, 0.8, True),
    ],
)
def test_the_predicted_factor_is_the_measured_contraction(
    lr: float, momentum: float, nesterov: bool
) -> None:
    rho = _worst_factor(lr, momentum, nesterov)
    assert rho < 1
    steps = min(2000, math.ceil(math.log(1e-4) / math.log(rho)))  # error down ~10⁴: fp32-safe
    d = _distances(lr, momentum, nesterov, steps)
    half = steps // 2
    measured = (d[steps] / d[half]) ** (1 / (steps - half))
    assert measured == pytest.approx(rho, rel=0.03)


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("momentum", [0.0, 0.5, 0.9])
def test_sgd_converges_just_below_the_stable_lr_and_not_just_above(
    momentum: float, nesterov: bool
) -> None:
    limit = theory.stable_lr(KAPPA, momentum, nesterov)
    below = _distances(0.97 * limit, momentum, nesterov, 600)
    above = _distances(1.03 * limit, momentum, nesterov, 600)
    assert below[-1] < 0.5 * below[0]
    assert above[-1] > 2 * above[0]
    assert theory.factor(0.999 * limit, momentum, nesterov, KAPPA) < 1
    assert theory.factor(1.001 * limit, momentum, nesterov, KAPPA) > 1


@pytest.mark.parametrize(("low", "high"), [(1.0, 10.0), (0.4, 1000.0), (2.0, 2.0)])
def test_the_tuned_settings_beat_every_other_setting(low: float, high: float) -> None:
    gd, ball = theory.best_gd(low, high), theory.best_heavy_ball(low, high)
    assert max(theory.factor(gd.lr, 0.0, False, lam) for lam in (low, high)) == pytest.approx(
        gd.factor, abs=1e-9
    )
    assert max(
        theory.factor(ball.lr, ball.momentum, False, lam) for lam in (low, high)
    ) == pytest.approx(ball.factor, abs=1e-6)
    lrs = np.geomspace(gd.lr / 30, gd.lr * 1.2, 60)
    momenta = np.linspace(0.0, 0.99, 34)
    for lr in lrs:
        assert max(theory.factor(lr, 0.0, False, lam) for lam in (low, high)) >= gd.factor - 1e-9
        for mu in momenta:
            worst = max(theory.factor(lr, mu, False, lam) for lam in (low, high))
            assert worst >= ball.factor - 1e-6
    assert ball.factor <= gd.factor


def test_regimes() -> None:
    assert theory.regime(0.05, 0.0, False, 10.0) == "converges"  # ηλ < 1
    assert theory.regime(0.15, 0.0, False, 10.0) == "oscillates"  # 1 < ηλ < 2: sign flips
    assert theory.regime(0.25, 0.0, False, 10.0) == "grows"  # ηλ > 2
    assert theory.regime(0.01, 0.9, False, 10.0) == "oscillates"  # complex pair: a spiral
    assert theory.regime(0.1, 0.0, False, 0.0) == "neutral"  # flat
    assert theory.regime(0.1, 0.0, False, -2.0) == "grows"  # escapes a saddle
    assert theory.steps_per_decade(0.1) == pytest.approx(1.0)
    assert theory.steps_per_decade(1.0) == math.inf


def test_local_model_of_the_rotated_quadratic() -> None:
    model = theory.local_model(QUADRATIC, QUADRATIC.surface_params(**PARAMS))
    assert model.where == "minimum" and model.point == (0.0, 0.0)
    assert model.curvatures == pytest.approx((1.0, KAPPA), rel=1e-5)
    assert model.condition == pytest.approx(KAPPA, rel=1e-5)
    shallow = model.directions[:, 0]
    along = np.deg2rad(ANGLE)
    assert abs(shallow @ [math.cos(along), math.sin(along)]) == pytest.approx(1.0, abs=1e-5)


def test_components_shrink_at_the_predicted_factors() -> None:
    model = theory.local_model(QUADRATIC, QUADRATIC.surface_params(**PARAMS))
    lr, steps = 0.05, 80  # factors 0.95 (shallow) and 0.5 (steep)
    t = engine.run(
        "sgd",
        {"lr": lr},
        QUADRATIC,
        [QUADRATIC.start],
        engine.RunSettings(steps=steps, surface_params=PARAMS),
    )
    parts = theory.components(t.positions[0], model)
    assert parts.shape == (steps + 1, 2)
    assert np.allclose(np.hypot(parts[:, 0], parts[:, 1]), np.linalg.norm(t.positions[0], axis=1))
    for i, lam in enumerate(model.curvatures):
        ratio = (parts[20, i] / parts[10, i]) ** (1 / 10)
        assert ratio == pytest.approx(theory.factor(lr, 0.0, False, lam), rel=1e-3)


def test_local_model_picks_a_known_minimum_a_stationary_point_a_found_minimum_or_the_start() -> (
    None
):
    himmelblau = surfaces.get("himmelblau")
    for minimum in himmelblau.minima:
        near = (minimum[0] + 0.3, minimum[1] - 0.2)
        assert theory.local_model(himmelblau, start=near).point == minimum
    saddle = theory.local_model(surfaces.get("saddle"))
    assert saddle.where == "stationary point"
    assert saddle.curvatures == pytest.approx((-2.0, 2.0))
    bowl = surfaces.from_formula("(x - 1)^2 + 3*(y + 0.5)^2 + x*y")  # ∇f = 0: a 2×2 system
    model = theory.local_model(bowl, start=(0.5, -1.0))
    assert model.where == "minimum" and model.searched
    hessian = np.array([[2.0, 1.0], [1.0, 6.0]])
    exact = np.linalg.solve(hessian, [2.0, -3.0])
    assert model.point == pytest.approx(tuple(exact), abs=1e-5)
    assert model.curvatures == pytest.approx(np.linalg.eigvalsh(hessian))
    ridge = surfaces.from_formula("x^2 - y^2")  # saddle-free Newton is pushed off the saddle
    model = theory.local_model(ridge, start=(0.5, -1.0))
    assert model.where == "start" and model.point == (0.5, -1.0) and not model.searched
    assert model.curvatures == pytest.approx((-2.0, 2.0))


def test_newton_finds_the_local_minimum_the_race_heads_for() -> None:
    wavy = surfaces.from_formula("sin(x)*cos(y) + 0.1*(x^2 + y^2)")
    found = theory.newton_minimum(wavy, start=(-1.5, 1.5))
    assert found is not None
    grad = wavy.value_and_grad(found)[1]
    assert np.linalg.norm(grad) < 1e-4
    assert np.all(np.linalg.eigvalsh(wavy.hessian(found)) > 0)
    t = engine.run("adam", {"lr": 0.05}, wavy, [(-1.5, 1.5)], engine.RunSettings(steps=600))
    assert np.linalg.norm(t.positions[0, -1] - np.array(found)) < 1e-2
    assert theory.newton_minimum(surfaces.from_formula("x + y")) is None  # no minimum


def test_no_model_at_a_kink_or_for_bad_input() -> None:
    with pytest.raises(theory.TheoryError, match="kink"):
        theory.local_model(surfaces.get("ackley"))
    with pytest.raises(theory.TheoryError, match="lr"):
        theory.factor(0.0, 0.0, False, 1.0)
    with pytest.raises(theory.TheoryError, match="lr"):
        theory.factor(math.nan, 0.0, False, 1.0)
    with pytest.raises(theory.TheoryError, match="momentum"):
        theory.factor(0.1, 1.0, False, 1.0)
    with pytest.raises(theory.TheoryError, match="curvatures"):
        theory.best_heavy_ball(-1.0, 1.0)
    assert issubclass(theory.TheoryError, ValueError)
