"""A catalogue of 2-D loss surfaces for the lab, plus surfaces built from user formulas.

Example:
    >>> s = get("rosenbrock")
    >>> value, grad = s.value_and_grad(s.minima[0])
    >>> float(value)
    0.0
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import Final

import jax
import jax.numpy as jnp
import numpy as np

from ..formula import FormulaError, parse_formula
from ._benchmarks import BENCHMARKS
from ._surface import LossFn, Params, Point, Surface, SurfaceParam, Window
from ._teaching import TEACHING

__all__ = [
    "LossFn",
    "Params",
    "Point",
    "Surface",
    "SurfaceParam",
    "Window",
    "check_on_window",
    "from_formula",
    "get",
    "names",
]

_CATALOGUE: Final = MappingProxyType({s.name: s for s in (*BENCHMARKS, *TEACHING)})


def names() -> tuple[str, ...]:
    """Names of the built-in surfaces, in display order."""
    return tuple(_CATALOGUE)


def get(name: str) -> Surface:
    """The built-in surface called ``name``; ``ValueError`` listing the valid names otherwise."""
    try:
        return _CATALOGUE[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown surface {name!r}; valid names are: {', '.join(_CATALOGUE)}"
        ) from None


def from_formula(
    text: str,
    *,
    window: Window = ((-3.0, 3.0), (-3.0, 3.0)),
    start: Point | None = None,
    name: str = "custom",
    title: str = "Custom formula",
) -> Surface:
    """A surface from a user formula in ``x`` and ``y`` (see :func:`rlx_lab.formula.parse_formula`).

    Its minima are unknown (``minima == ()``, ``min_value is None``) and it has no parameters.
    ``start`` defaults to the point a quarter of the way in from the window's top-left corner.
    Raises :class:`rlx_lab.formula.FormulaError` (a ``ValueError``) for an invalid formula, and
    for one with nothing to descend on ``window`` (see :func:`check_on_window`).
    """
    formula = parse_formula(text)
    fn = formula.fn
    check_on_window(fn, window, text)

    def loss(xy: jax.Array, params: Params) -> jax.Array:
        del params
        return fn(xy)

    (x0, x1), (y0, y1) = window
    if start is None:
        start = (x0 + 0.25 * (x1 - x0), y0 + 0.75 * (y1 - y0))
    return Surface(
        name=name,
        title=title,
        loss=loss,
        minima=(),
        min_value=None,
        window=window,
        start=start,
        latex=formula.latex,
        description=f"User formula: {text.strip()}",
    )


CHECK_POINTS: Final = 33
"""Points per side of the grid :func:`check_on_window` samples."""
NOWHERE_FINITE: Final = "the formula is infinite or NaN everywhere on the window"
CONSTANT: Final = "the formula is constant over the window: nothing to descend"


def check_on_window(
    fn: Callable[[jax.Array], jax.Array], window: Window, text: str = "", size: int = CHECK_POINTS
) -> None:
    """Raise :class:`~rlx_lab.formula.FormulaError` if ``fn`` (a loss of a point of shape (2,))
    is non-finite at every point of a ``size`` × ``size`` float32 grid over ``window``, or takes
    one value at all its finite points (the engine's float32, so ``1e-50*x`` counts as constant).
    """
    (x0, x1), (y0, y1) = window
    xs = np.linspace(x0, x1, size, dtype=np.float32)
    ys = np.linspace(y0, y1, size, dtype=np.float32)
    points = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    values = np.asarray(jax.vmap(fn)(jnp.asarray(points)))
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        raise FormulaError(NOWHERE_FINITE, 0, text)
    if finite.min() == finite.max():
        raise FormulaError(CONSTANT, 0, text)
