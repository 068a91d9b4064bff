"""The theory's statement in words, its curvature pair and its sweep overlay (rlx_lab.theory),
checked against the closed forms of the quadratic model, computed here independently."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rlx_lab import surfaces, theory
from rlx_lab.engine import SweepResult

BOWL = theory.LocalModel((0.0, 0.0), "minimum", (1.0, 100.0), np.eye(2))
"""A minimum with κ = 100: every number below has a closed form."""


def _sgd(lr: float, momentum: float = 0.0, nesterov: bool = False) -> dict[str, object]:
    return {"lr": lr, "momentum": momentum, "nesterov": nesterov}


def _tenfold(rho: float) -> str:
    return f"{math.log(10) / -math.log(rho):,.0f} steps per tenfold"


def test_the_best_settings_are_stated_with_their_closed_forms() -> None:
    said = theory.statement(BOWL, title="a bowl")
    kappa_root = 10.0
    rho_gd, rho_ball = 99 / 101, (kappa_root - 1) / (kappa_root + 1)
    lr_ball, mu_ball = (2 / (1 + 10)) ** 2, rho_ball**2
    assert said.text.startswith("**Near the minimum (0, 0)** of a bowl the loss has curvatures")
    assert "λ₁ = 1 and λ₂ = 100 (condition number κ = 100)" in said.text
    assert "stable only for η < 2/λ₂ = 0.02." in said.text
    assert f"η = 2/(λ₁+λ₂) = {2 / 101:.4g}, shrinks the error ×{rho_gd:.4f}" in said.text
    assert f"({_tenfold(rho_gd)})" in said.text
    assert f"η = {lr_ball:.3g}, μ = {mu_ball:.3g}, shrinks it ×{rho_ball:.4f}" in said.text
    assert f"({_tenfold(rho_ball)})" in said.text
    assert said.best == pytest.approx(theory.Tuned(lr_ball, mu_ball, rho_ball))
    assert "Your SGD" not in said.text and "schedule" not in said.text


def test_a_setting_is_judged_along_each_curvature() -> None:
    settles = theory.statement(BOWL, title="a bowl", sgd=_sgd(0.01)).text
    # μ = 0: the error along λ is multiplied by |1 − ηλ| each step
    assert "along λ₁ the error shrinks ×0.99 per step; along λ₂ the error shrinks ×0 per step" in (
        settles
    )
    assert f"it settles ×0.99 per step ({_tenfold(0.99)})" in settles
    too_large = theory.statement(BOWL, title="a bowl", sgd=_sgd(0.03)).text
    assert "along λ₂ the error grows ×2 per step" in too_large
    assert "η is too large for this curvature: stable for η < 0.02." in too_large
    # heavy ball at ηλ = 1: complex eigenvalues of modulus √μ
    ball = theory.statement(BOWL, title="a bowl", sgd=_sgd(0.01, 0.9), scheduled=True).text
    assert f"along λ₂ the error shrinks, oscillating, ×{math.sqrt(0.9):.4f} per step" in ball
    limit = 2 * (1 + 0.5) / ((1 + 2 * 0.5) * 100)  # Nesterov's stability limit
    nesterov = theory.statement(BOWL, title="a bowl", sgd=_sgd(0.02, 0.5, True)).text
    assert f"stable for η < {limit:.3g}" in nesterov and "μ = 0.5, Nesterov" in nesterov
    assert "The race runs an η schedule" in ball
    decayed = theory.statement(BOWL, title="a bowl", sgd={**_sgd(0.01), "weight_decay": 0.1})
    assert "(ignoring its weight decay 0.1)" in decayed.text


def test_a_steeper_start_is_flagged_with_its_own_limit() -> None:
    start = theory.LocalModel((2.0, 2.0), "start", (1.0, 400.0), np.eye(2))
    text = theory.statement(BOWL, start, title="a bowl", sgd=_sgd(0.01)).text
    assert "**At the start (2, 2)** the curvatures are 1 and 400: steeper" in text
    assert f"at the start it is stable only for η < {2 / 400:.3g}" in text
    gentler = start._replace(curvatures=(1.0, 50.0))
    assert "steeper" not in theory.statement(BOWL, gentler, title="a bowl", sgd=_sgd(0.01)).text


def test_saddles_and_flat_points_have_no_best_setting() -> None:
    saddle = theory.LocalModel((0.0, 0.0), "stationary point", (-1.0, 1.0), np.eye(2))
    said = theory.statement(saddle, title="a saddle", sgd=_sgd(0.1))
    assert "(a saddle)" in said.text and said.best is None
    assert "it escapes the saddle" in said.text
    flat = saddle._replace(curvatures=(0.0, 1e-9))
    assert theory.is_flat(flat) and not theory.is_flat(saddle)
    said = theory.statement(flat, title="a plateau", sgd=_sgd(0.1))
    assert "the Hessian vanishes" in said.text and "Your SGD" not in said.text


def test_curvatures_pair_the_minimum_with_the_start() -> None:
    surface = surfaces.get("rosenbrock")
    found = theory.curvatures(surface)
    local = theory.local_model(surface)
    assert found.local.curvatures == local.curvatures
    np.testing.assert_array_equal(found.local.directions, local.directions)
    assert found.local.where == "minimum" and found.local.point == (1.0, 1.0)
    at_start = theory.curvature_at(surface, surface.start)
    assert found.at_start is not None
    np.testing.assert_allclose(found.at_start.curvatures, at_start.curvatures)
    on_minimum = theory.curvatures(surface, start=(1.0, 1.0))
    assert on_minimum.at_start is None


def _sweep(momenta: list[float], *, nesterov: bool = False, optimizer: str = "sgd") -> SweepResult:
    lrs = np.array([1e-3, 1e-2])
    shape = (len(lrs), len(momenta))
    return SweepResult(
        optimizer,
        ("lr", "momentum"),
        (lrs, np.array(momenta)),
        np.zeros(shape),
        np.full(shape, -1),
        np.full(shape, -1),
        {"nesterov": nesterov},
        {},
    )


def test_the_sweep_overlay_is_the_stability_limit_at_each_momentum() -> None:
    start = theory.LocalModel((2.0, 2.0), "start", (1.0, 400.0), np.eye(2))
    overlay = theory.sweep_overlay(theory.Curvatures(BOWL, start), _sweep([0.0, 0.99]))
    assert overlay is not None and len(overlay.momenta) == theory.OVERLAY_POINTS
    assert overlay.momenta[0] == pytest.approx(0.0) and overlay.momenta[-1] == pytest.approx(0.99)
    np.testing.assert_allclose(overlay.limit, 2 * (1 + overlay.momenta) / 100)
    np.testing.assert_allclose(overlay.start_limit, 2 * (1 + overlay.momenta) / 400)
    assert overlay.best == theory.best_heavy_ball(1.0, 100.0)
    nesterov = theory.sweep_overlay(
        theory.Curvatures(BOWL, None), _sweep([0.0, 0.9], nesterov=True)
    )
    assert nesterov is not None and nesterov.best is None and nesterov.start_limit is None
    m = nesterov.momenta
    np.testing.assert_allclose(nesterov.limit, 2 * (1 + m) / ((1 + 2 * m) * 100))
    assert (
        theory.sweep_overlay(theory.Curvatures(BOWL, None), _sweep([0.0, 0.9], optimizer="adam"))
        is None
    )
    saddle = BOWL._replace(where="stationary point")
    assert theory.sweep_overlay(theory.Curvatures(saddle, None), _sweep([0.0, 0.9])) is None
