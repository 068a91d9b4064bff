"""Tests for the surface catalogue: minima, gradients, windows, grids and traced parameters."""

from __future__ import annotations

import dataclasses
import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from rlx_lab import surfaces
from rlx_lab.formula import FormulaError
from rlx_lab.surfaces import Surface

REQUIRED = (
    "rosenbrock",
    "beale",
    "himmelblau",
    "rastrigin",
    "ackley",
    "goldstein_price",
    "six_hump_camel",
    "styblinski_tang",
    "booth",
    "matyas",
    "saddle",
    "monkey_saddle",
    "rotated_quadratic",
)
NAMES = surfaces.names()
WITH_MINIMA = [n for n in NAMES if surfaces.get(n).minima]


def _tol(surface: Surface) -> float:
    """float32 tolerance, relative to the scale of the minimum value."""
    return 1e-4 * max(1.0, abs(surface.min_value or 0.0))


def test_catalogue_has_required_surfaces() -> None:
    assert set(REQUIRED) <= set(NAMES)
    assert isinstance(NAMES, tuple) and len(set(NAMES)) == len(NAMES)


def test_get_unknown_lists_valid_names() -> None:
    with pytest.raises(ValueError, match="rosenbrock") as info:
        surfaces.get("rosenbrok")
    assert all(name in str(info.value) for name in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_metadata(name: str) -> None:
    surface = surfaces.get(name)
    assert surface.name == name and re.fullmatch(r"[a-z][a-z0-9_]*", name)
    assert surface.title and surface.latex and surface.description
    assert surface.latex.count("{") == surface.latex.count("}")
    assert set(surface.params) == set(surface.param_info)
    assert (surface.min_value is None) == (not surface.minima)


@pytest.mark.parametrize("name", NAMES)
def test_start_inside_window(name: str) -> None:
    surface = surfaces.get(name)
    (x0, x1), (y0, y1) = surface.window
    assert x0 < x1 and y0 < y1
    assert x0 <= surface.start[0] <= x1 and y0 <= surface.start[1] <= y1
    value, grad = surface.value_and_grad(surface.start)
    assert np.isfinite(value) and np.all(np.isfinite(grad)) and np.any(grad != 0.0)


@pytest.mark.parametrize("name", WITH_MINIMA)
def test_minima_value_and_zero_gradient(name: str) -> None:
    surface = surfaces.get(name)
    assert surface.min_value is not None
    for point in surface.minima:
        value, grad = surface.value_and_grad(point)
        assert float(value) == pytest.approx(surface.min_value, abs=_tol(surface))
        assert np.all(np.isfinite(grad))
        np.testing.assert_allclose(grad, 0.0, atol=_tol(surface))
        # Also through plain jax.grad of the un-jitted loss, as the engine does.
        raw = jax.grad(surface.loss)(jnp.asarray(point, jnp.float32), surface.surface_params())
        np.testing.assert_allclose(raw, 0.0, atol=_tol(surface))


@pytest.mark.parametrize("name", WITH_MINIMA)
def test_minima_are_global_in_window(name: str) -> None:
    surface = surfaces.get(name)
    assert surface.min_value is not None
    _, _, z = surface.grid(201, 201)
    assert z.min() >= surface.min_value - _tol(surface)
    for x, y in surface.minima:
        (x0, x1), (y0, y1) = surface.window
        assert x0 <= x <= x1 and y0 <= y <= y1


def test_minimum_counts() -> None:
    assert len(surfaces.get("himmelblau").minima) == 4
    assert len(surfaces.get("six_hump_camel").minima) == 2
    assert surfaces.get("styblinski_tang").min_value == pytest.approx(-78.33198, abs=1e-3)
    assert surfaces.get("goldstein_price").min_value == 3.0


@pytest.mark.parametrize("name", ["saddle", "monkey_saddle"])
def test_saddles_document_stationary_points(name: str) -> None:
    surface = surfaces.get(name)
    assert surface.minima == () and surface.min_value is None
    assert surface.stationary
    for point in surface.stationary:
        value, grad = surface.value_and_grad(point)
        assert float(value) == 0.0
        np.testing.assert_allclose(grad, 0.0, atol=1e-6)


def test_himmelblau_stationary_is_local_max() -> None:
    surface = surfaces.get("himmelblau")
    (point,) = surface.stationary
    _, grad = surface.value_and_grad(point)
    np.testing.assert_allclose(grad, 0.0, atol=1e-3)
    hess = jax.hessian(surface.loss)(jnp.asarray(point), {})
    assert np.all(np.linalg.eigvalsh(np.asarray(hess)) < 0)


def test_ackley_gradient_at_origin_is_zero_not_nan() -> None:
    surface = surfaces.get("ackley")
    origin = jnp.zeros(2, jnp.float32)
    grad = jax.jit(jax.grad(surface.loss))(origin, {})
    assert np.array_equal(np.asarray(grad), [0.0, 0.0])
    hess = jax.hessian(surface.loss)(origin + 1e-3, {})
    assert np.all(np.isfinite(hess))


@pytest.mark.parametrize("name", NAMES)
def test_grid_shape_and_finiteness(name: str) -> None:
    surface = surfaces.get(name)
    xs, ys, z = surface.grid(31, 17)
    assert xs.shape == (31,) and ys.shape == (17,) and z.shape == (17, 31)
    assert isinstance(z, np.ndarray) and np.all(np.isfinite(z))
    (x0, x1), (y0, y1) = surface.window
    assert xs[0] == pytest.approx(x0) and xs[-1] == pytest.approx(x1)
    assert ys[0] == pytest.approx(y0) and ys[-1] == pytest.approx(y1)
    j, i = 5, 20  # rows are y, columns are x
    want = surface.loss(jnp.array([xs[i], ys[j]]), surface.surface_params())
    assert z[j, i] == pytest.approx(float(want), rel=1e-5, abs=1e-5)


def test_grid_custom_window_and_validation() -> None:
    surface = surfaces.get("booth")
    xs, ys, z = surface.grid(3, 2, window=((0.0, 2.0), (3.0, 4.0)))
    np.testing.assert_allclose(xs, [0.0, 1.0, 2.0])
    np.testing.assert_allclose(ys, [3.0, 4.0])
    assert z[0, 1] == pytest.approx(0.0)  # (1, 3) is Booth's minimum
    with pytest.raises(ValueError):
        surface.grid(1, 10)


@pytest.mark.parametrize("name", NAMES)
def test_jax_transformations_and_strict_promotion(name: str) -> None:
    surface = surfaces.get(name)
    params = surface.surface_params()
    (x0, x1), (y0, y1) = surface.window
    pts = jnp.stack(
        [jnp.linspace(x0, x1, 7, dtype=jnp.float32), jnp.linspace(y1, y0, 7, dtype=jnp.float32)],
        axis=1,
    )
    with jax.numpy_dtype_promotion("strict"), jax.numpy_rank_promotion("raise"):
        values = jax.vmap(surface.loss, in_axes=(0, None))(pts, params)
        grads = jax.jit(jax.vmap(jax.grad(surface.loss), in_axes=(0, None)))(pts, params)
    assert values.shape == (7,) and values.dtype == jnp.float32
    assert grads.shape == (7, 2) and bool(jnp.all(jnp.isfinite(grads)))


# -- surface parameters --------------------------------------------------------------------------


def test_surface_params_defaults_and_dtype() -> None:
    surface = surfaces.get("rotated_quadratic")
    assert dict(surface.params) == {"condition": 10.0, "angle": 30.0}
    params = surface.surface_params(condition=100)
    assert set(params) == {"condition", "angle"}
    assert all(v.dtype == jnp.float32 and v.shape == () for v in params.values())
    assert float(params["condition"]) == 100.0 and float(params["angle"]) == 30.0
    assert surfaces.get("rosenbrock").surface_params() == {}


@pytest.mark.parametrize(
    ("name", "overrides", "field"),
    [
        ("rotated_quadratic", {"conditon": 10.0}, "conditon"),
        ("rotated_quadratic", {"condition": float("nan")}, "condition"),
        ("rotated_quadratic", {"angle": float("inf")}, "angle"),
        ("rotated_quadratic", {"condition": 0.5}, "condition"),
        ("rotated_quadratic", {"condition": "ten"}, "condition"),
        ("rosenbrock", {"a": 1.0}, "'a'"),
        ("plateau", {"width": 0.0}, "width"),
    ],
)
def test_surface_params_validation(name: str, overrides: dict, field: str) -> None:
    with pytest.raises(ValueError, match=re.escape(field)):
        surfaces.get(name).surface_params(**overrides)


def test_rotated_quadratic_hessian_matches_parameters() -> None:
    surface = surfaces.get("rotated_quadratic")
    for condition, angle in [(10.0, 30.0), (100.0, -45.0), (1.0, 0.0)]:
        params = surface.surface_params(condition=condition, angle=angle)
        hess = np.asarray(jax.hessian(surface.loss)(jnp.zeros(2), params))
        eigvals, eigvecs = np.linalg.eigh(hess)
        np.testing.assert_allclose(eigvals, [1.0, condition], rtol=1e-5)
        if condition > 1.0:
            theta = np.deg2rad(angle)
            shallow = np.array([np.cos(theta), np.sin(theta)])
            assert abs(eigvecs[:, 0] @ shallow) == pytest.approx(1.0, abs=1e-5)


def test_rotated_quadratic_params_do_not_retrace() -> None:
    surface = surfaces.get("rotated_quadratic")
    traces = 0

    @jax.jit
    def loss(xy: jax.Array, params: dict[str, jax.Array]) -> jax.Array:
        nonlocal traces
        traces += 1
        return surface.loss(xy, params)

    xy = jnp.array(surface.start, jnp.float32)
    values = [float(loss(xy, surface.surface_params(condition=c))) for c in (10, 20, 50, 100, 1000)]
    assert traces == 1
    assert len(set(values)) == 5


def test_surface_methods_do_not_retrace() -> None:
    base = surfaces.get("rotated_quadratic")
    traces = 0

    def counting(xy: jax.Array, params: dict[str, jax.Array]) -> jax.Array:
        nonlocal traces
        traces += 1
        return base.loss(xy, params)

    surface = dataclasses.replace(base, loss=counting)
    for c in (10, 20, 50, 100, 1000):
        surface.value_and_grad(surface.start, surface.surface_params(condition=c, angle=c / 10))
    assert traces == 1
    traces = 0
    grids = [surface.grid(8, 6, surface.surface_params(condition=c))[2] for c in (2, 30, 400)]
    assert traces == 1
    assert not np.allclose(grids[0], grids[1])


def test_plateau_width_changes_the_surface() -> None:
    surface = surfaces.get("plateau")
    narrow, _ = surface.value_and_grad((1.0, 0.0), surface.surface_params(width=0.5))
    wide, _ = surface.value_and_grad((1.0, 0.0), surface.surface_params(width=2.0))
    assert float(narrow) > float(wide) > 0.0


def test_value_and_grad_rejects_wrong_param_names() -> None:
    with pytest.raises(ValueError, match="condition"):
        surfaces.get("rotated_quadratic").value_and_grad((0.0, 0.0), {"width": 1.0})


# -- user formulas -------------------------------------------------------------------------------


def test_from_formula() -> None:
    surface = surfaces.from_formula("(1-x)**2 + 100*(y-x^2)**2")
    assert surface.minima == () and surface.min_value is None and surface.params == {}
    assert surface.latex == r"\left(1 - x\right)^{2} + 100 \cdot \left(y - x^{2}\right)^{2}"
    value, grad = surface.value_and_grad((1.0, 1.0))
    assert float(value) == 0.0 and np.array_equal(np.asarray(grad), [0.0, 0.0])
    (x0, x1), (y0, y1) = surface.window
    assert x0 <= surface.start[0] <= x1 and y0 <= surface.start[1] <= y1
    _, _, z = surface.grid(9, 9)
    reference = surfaces.get("rosenbrock").grid(9, 9, window=surface.window)[2]
    np.testing.assert_allclose(z, reference, rtol=1e-6)


def test_from_formula_window_and_start() -> None:
    surface = surfaces.from_formula("x^2 + y^2", window=((0.0, 4.0), (-1.0, 1.0)))
    assert surface.start == (1.0, 0.5)
    surface = surfaces.from_formula("x", window=((0.0, 4.0), (-1.0, 1.0)), start=(3.0, 0.0))
    assert surface.start == (3.0, 0.0)
    with pytest.raises(ValueError, match="outside"):
        surfaces.from_formula("x", start=(10.0, 0.0))


def test_from_formula_invalid_raises_formula_error() -> None:
    with pytest.raises(FormulaError) as info:
        surfaces.from_formula("x + __import__('os')")
    assert info.value.position == 4
