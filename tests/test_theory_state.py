"""The theory card's state (rlx_lab_app.state.surfaces.theory.TheoryModel), without a browser."""

from __future__ import annotations

import numpy as np
import pytest

from rlx_lab import surfaces, theory
from rlx_lab.engine import RunSettings, run
from rlx_lab.theory import component_curves
from rlx_lab_app.state import RaceModel, SweepModel, TheoryModel
from rlx_lab_app.state.surfaces.theory import sweep_overlay


def _model(**race: object) -> tuple[RaceModel, TheoryModel]:
    model = RaceModel(**race)
    return model, TheoryModel(model, active=True)


def test_nothing_is_computed_until_the_card_opens() -> None:
    race = RaceModel()
    card = TheoryModel(race)
    race.surface = "booth"
    assert card.text == "" and card.best is None
    card.active = True
    assert "Near the minimum (1, 3)" in card.text


def test_statement_and_best_setting_come_from_the_local_model() -> None:
    _, card = _model(surface="rosenbrock", optimizers=["adam"])
    local = theory.local_model(surfaces.get("rosenbrock"))
    assert card.best == theory.best_heavy_ball(*local.curvatures)
    assert "λ₂ = 1002" in card.text and "κ = 2508" in card.text
    assert "Add **SGD** to the race" in card.text
    assert "Your SGD" not in card.text


def test_the_sgd_line_follows_its_sliders() -> None:
    race, card = _model(surface="rosenbrock", optimizers=["sgd"])
    assert "η is too large for this curvature" in card.text  # lab default 0.01 > 2/λ₂
    race.settings["sgd"].lr = 0.001
    assert "η = 0.001, μ = 0" in card.text
    assert "it settles" in card.text and "too large" not in card.text
    race.settings["sgd"].param.update(momentum=0.5, nesterov=True)
    assert "μ = 0.5, Nesterov" in card.text
    assert "η schedule" not in card.text
    race.warmup = 20
    assert "The race runs an η schedule" in card.text


def test_racing_the_best_setting_settles_as_predicted() -> None:
    params = {"condition": 50.0, "angle": 20.0}
    race, card = _model(surface="rotated_quadratic", optimizers=["adam"])
    race.surface_params = params
    assert "κ = 50" in card.text
    assert card.race_best() == []
    assert race.optimizers == ["adam", "sgd"]
    sgd = race.settings["sgd"]
    assert (sgd.lr, sgd.momentum, sgd.nesterov) == pytest.approx(
        (card.best.lr, card.best.momentum, False)
    )
    assert "it settles" in card.text
    steps = 60
    surface = race.current_surface
    t = run(
        "sgd",
        sgd.overrides(),
        surface,
        [race.start_point()],
        RunSettings(steps=steps, surface_params=params),
    )
    d = np.linalg.norm(np.asarray(t.positions[0], np.float64), axis=1)
    assert (d[steps] / d[steps // 2]) ** (2 / steps) == pytest.approx(card.best.factor, rel=0.05)


@pytest.mark.parametrize(
    ("surface", "says"),
    [
        ("saddle", "it escapes the saddle"),
        ("monkey_saddle", "the Hessian vanishes"),
        ("ackley", "No quadratic model here: Ackley has a kink"),
        ("x^2 - y^2", "At the start (-1.5, 1.5)"),
    ],
)
def test_points_without_a_best_setting_say_why(surface: str, says: str) -> None:
    race, card = _model(optimizers=["sgd"])
    if surface in race.param.surface.objects:
        race.surface = surface
    else:
        race.param.update(surface="custom", formula=surface)
    assert says in card.text
    assert card.best is None
    assert card.race_best() != []
    assert race.optimizers == ["sgd"]


def test_a_steeper_start_is_flagged_and_the_run_agrees() -> None:
    race, card = _model(surface="rosenbrock", optimizers=["sgd"])
    card.race_best()
    assert "steeper than at the minimum" in card.text
    assert "it may diverge before it gets there" in card.text
    t = run(
        "sgd",
        race.settings["sgd"].overrides(),
        race.current_surface,
        [race.start_point()],
        RunSettings(steps=200),
    )
    assert t.diverged_at[0] >= 0
    race.start = (0.9, 0.8)  # flatter than the minimum: no warning, and it settles
    assert "steeper" not in card.text and "may diverge" not in card.text
    t = run(
        "sgd",
        race.settings["sgd"].overrides(),
        race.current_surface,
        [race.start_point()],
        RunSettings(steps=400),
    )
    assert t.diverged_at[0] < 0
    assert np.linalg.norm(np.asarray(t.positions[0, -1]) - [1.0, 1.0]) < 1e-3


def test_curves_follow_the_racing_sgd_and_match_the_theory_on_a_quadratic() -> None:
    race, card = _model(surface="rotated_quadratic", optimizers=["adam"], steps=60)
    race.recompute()
    assert card.curves == {}  # no SGD racing
    race.optimizers = ["adam", "sgd"]
    race.settings["sgd"].lr = 0.05  # factors 0.95 and 0.5, no oscillation
    race.recompute()
    curves = card.curves
    assert card.labels == ("λ₁ = 1", "λ₂ = 10")
    assert len(curves["step"]) == 61
    for i in (1, 2):
        measured, predicted = curves[f"measured_{i}"], curves[f"predicted_{i}"]
        both = np.isfinite(measured) & np.isfinite(predicted)
        assert both.sum() > 10
        assert np.allclose(measured[both], predicted[both], rtol=2e-2)
    assert np.isnan(curves["measured_2"][-1])  # 0.5⁶⁰ of the start: float32 rounding


def test_curves_stop_at_a_divergence_and_vanish_without_an_anchor() -> None:
    race, card = _model(surface="rotated_quadratic", optimizers=["sgd"], steps=100)
    race.settings["sgd"].lr = 0.25  # 2/λ₂ = 0.2: the steep direction grows ×1.5 per step
    race.recompute()
    failed = int(race.results["sgd"].diverged_at[0])
    assert failed >= 0
    assert len(card.curves["step"]) == failed
    local = theory.local_model(surfaces.get("monkey_saddle"))
    assert component_curves(local, race.results["sgd"]) == {}
    race.surface = "custom"
    assert card.curves == {}


@pytest.mark.parametrize("nesterov", [False, True])
def test_the_sweep_overlay_separates_the_converging_cells_from_the_diverging(
    nesterov: bool,
) -> None:
    race = RaceModel(surface="rotated_quadratic", optimizers=["sgd"], steps=300)
    race.settings["sgd"].nesterov = nesterov
    sweep = SweepModel(race, optimizer="sgd", resolution=12)
    assert (sweep.x_param, sweep.y_param) == ("lr", "momentum")
    result = sweep.compute()
    overlay = sweep_overlay(race, result)
    assert overlay is not None and overlay.start_limit is None  # a quadratic: same everywhere
    assert (overlay.best is None) == nesterov
    lrs, mus = result.values
    checked = 0
    for i, lr in enumerate(lrs):
        for j, mu in enumerate(mus):
            limit = np.interp(mu, overlay.momenta, overlay.limit)
            diverged = result.diverged_at[i, j] >= 0
            if lr < 0.9 * limit:
                assert not diverged, (lr, mu, limit)
                checked += 1
            elif lr > 1.25 * limit:
                assert diverged, (lr, mu, limit)
                checked += 1
    assert checked > 100


def test_the_sweep_overlay_needs_sgd_over_lr_and_momentum_near_a_minimum() -> None:
    race = RaceModel(surface="rosenbrock", optimizers=["sgd"], steps=50)
    sweep = SweepModel(race, optimizer="sgd", resolution=4)
    overlay = sweep_overlay(race, sweep.compute())
    assert overlay is not None and overlay.start_limit is not None  # the start is steeper
    assert np.all(overlay.start_limit < overlay.limit)
    sweep.y_param = "weight_decay"
    assert sweep_overlay(race, sweep.compute()) is None
    sweep.optimizer = "adam"
    assert sweep_overlay(race, sweep.compute()) is None
    race.surface = "saddle"
    sweep.optimizer = "sgd"
    assert sweep_overlay(race, sweep.compute()) is None


def test_the_card_builds_its_plot_when_opened_and_shows_it_only_with_curves() -> None:
    from rlx_lab_app.views.surfaces.theory_view import TheoryCard

    race, card = _model(surface="custom", formula="x^2 - y^2", optimizers=["sgd"], steps=50)
    card.active = False
    view = TheoryCard(card)
    assert view.plot is None and not card.active
    view.card.collapsed = False
    assert card.active and view.plot is not None
    race.recompute()
    assert not view.plot.visible, "a start-only model has no distances to plot"
    race.surface = "rotated_quadratic"
    race.recompute()
    assert view.plot.visible and len(view.source.data["step"]) == 51
    assert "λ₂ = 10" in view.figure.title.text


def test_a_custom_formula_gets_the_minimum_newton_finds() -> None:
    race, card = _model(optimizers=["sgd"])
    race.param.update(surface="custom", formula="(x - 1)^2 + 10*(y + 0.5)^2")
    assert "Near the minimum (1, -0.5)** (found by Newton's method from the start)" in card.text
    assert card.best == theory.best_heavy_ball(2.0, 20.0)
