"""Where the race's surface comes from: the catalogue or a user formula, plus cached grids.

Compiled engine programs are keyed by the :class:`~rlx_lab.surfaces.Surface` object, so a
formula must map to the *same* object every time it is typed: :func:`formula_surface` memoises
by text and window. Grids for the heat map are memoised by surface, parameters and size.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np

from rlx_lab import surfaces
from rlx_lab.surfaces import Surface, Window

CUSTOM = "custom"
"""The surface-picker entry that means "use the formula box"."""
DEFAULT_FORMULA = "x**2 + 10*y**2 + 2*sin(2*x)"
DEFAULT_WINDOW: Window = ((-3.0, 3.0), (-3.0, 3.0))
GRID_SIZE = 160


def surface_names() -> tuple[str, ...]:
    """Catalogue names plus :data:`CUSTOM`."""
    return (*surfaces.names(), CUSTOM)


@functools.lru_cache(maxsize=32)
def formula_surface(text: str, window: Window = DEFAULT_WINDOW) -> Surface:
    """The surface of ``text`` (memoised); raises :class:`rlx_lab.formula.FormulaError`."""
    return surfaces.from_formula(text, window=window)


def resolve(name: str, formula: str, window: Window) -> Surface:
    """The catalogue surface ``name``, or the formula's surface for :data:`CUSTOM`."""
    if name == CUSTOM:
        return formula_surface(formula.strip(), window)
    return surfaces.get(name)


def params_key(params: Mapping[str, float]) -> tuple[tuple[str, float], ...]:
    """A hashable form of surface-parameter overrides."""
    return tuple(sorted((k, float(v)) for k, v in params.items()))


def surface_grid(
    surface: Surface, params: Mapping[str, float], size: int = GRID_SIZE
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``xs, ys, Z`` of the surface on its window (memoised)."""
    return _grid(surface, params_key(params), size)


@functools.lru_cache(maxsize=16)
def _grid(
    surface: Surface, params: tuple[tuple[str, float], ...], size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xs, ys, z = surface.grid(size, size, surface.surface_params(**dict(params)))
    return xs, ys, z


def display_values(z: np.ndarray, log: bool) -> tuple[np.ndarray, str]:
    """What the heat map colours, and its colour-bar title.

    ``log`` shows ``log10(loss − min + floor)`` so surfaces with a negative minimum work too;
    non-finite values become NaN (drawn transparent).
    """
    z = np.where(np.isfinite(z), z, np.nan).astype(np.float64)
    if not log:
        return z, "loss"
    finite = z[np.isfinite(z)]
    if finite.size == 0:
        return z, "log₁₀ loss"
    low, high = float(finite.min()), float(finite.max())
    floor = max((high - low) * 1e-6, 1e-12)
    return np.log10(z - low + floor), "log₁₀(loss − min)"


def contour_levels(values: np.ndarray, count: int = 14) -> list[float]:
    """``count`` evenly spaced levels strictly inside the finite range of ``values``."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return []
    low, high = float(np.percentile(finite, 0.5)), float(np.percentile(finite, 99.5))
    if not high > low:
        return []
    return list(np.linspace(low, high, count + 2)[1:-1])
