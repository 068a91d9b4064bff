r"""The local quadratic model held against real runs: SGD's distances per step, and the limits
a sweep of SGD over η × μ should show.

Near the model's point θ* with unit eigenvectors :math:`q_i` of the Hessian, the linear map of
:mod:`._quadratic` makes :math:`|\langle\theta_t-\theta^*, q_i\rangle|` shrink (or grow) by
:math:`\rho_i` = :func:`~._quadratic.factor` per step, after momentum's transients.
:func:`component_curves` measures those distances on a run and draws the theory's line beside
them; :func:`sweep_overlay` gives, for each momentum μ of a sweep, the largest stable η,
:math:`2(1+\mu)/\lambda_2` (Nesterov: :math:`2(1+\mu)/((1+2\mu)\lambda_2)`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import jax
import numpy as np

from ..engine import SweepResult, Trajectory
from ..surfaces import Point, Surface
from ._quadratic import (
    LocalModel,
    Tuned,
    best_heavy_ball,
    components,
    curvature_at,
    factor,
    is_flat,
    local_model,
    stable_lr,
)

ROUNDING = 1e-5
"""Distances below this times the size of the coordinates are float32 rounding, not the rate."""
BLOW_UP = 1e6
"""Distances above this times the start's are not drawn: they would flatten the rest."""
ANCHOR = 1e-3
"""The theory's line passes through the run where it is this much closer than at the start."""
OVERLAY_POINTS = 200
"""Momenta at which :func:`sweep_overlay` evaluates the stability limit."""


class Curvatures(NamedTuple):
    """A surface's local model from a start and, when that is a minimum elsewhere, the
    curvature at the start itself."""

    local: LocalModel
    at_start: LocalModel | None


def curvatures(
    surface: Surface,
    params: Mapping[str, jax.typing.ArrayLike] | None = None,
    start: Point | None = None,
) -> Curvatures:
    """:func:`~._quadratic.local_model` from ``start`` (default: the surface's) and, when it
    is a minimum away from the start, :func:`~._quadratic.curvature_at` the start.

    Raises :class:`~._quadratic.TheoryError` (a ``ValueError``) where no quadratic model applies.
    """
    start = surface.start if start is None else (float(start[0]), float(start[1]))
    model = local_model(surface, params, start)
    at_start = None
    if model.where == "minimum" and model.point != start:
        at_start = curvature_at(surface, start, params)
    return Curvatures(model, at_start)


def component_curves(local: LocalModel, trajectory: Trajectory) -> dict[str, np.ndarray]:
    """SGD's distance from the model's point along each curvature direction, per step, and the
    theory's line for it: slope ×ρᵢ per step (the run's own η, μ) — the rate, not the constant,
    which momentum's transients change — drawn through the run where it has come
    :data:`ANCHOR` closer than at the start (past the transients, above float32's floor), or
    through its last point.

    Keys ``step``, ``measured_1``/``_2`` and ``predicted_1``/``_2``; values below float32's
    rounding of the position (:data:`ROUNDING`) or :data:`BLOW_UP` times the start's distance
    are NaN. Only the trajectory's first run counts; steps after a divergence are left out.
    Empty where no point anchors the distances (a start-only model, a vanishing Hessian).
    """
    if local.where == "start" or is_flat(local):
        return {}
    failed = int(trajectory.diverged_at[0])
    positions = trajectory.positions[0, : failed if failed >= 0 else None]
    parts = components(positions, local)
    hp = trajectory.hparams
    lr, mu, nesterov = float(hp["lr"]), float(hp["momentum"]), bool(hp["nesterov"])
    steps = np.arange(len(parts), dtype=np.float64)
    scale = float(np.max(parts[0]))
    magnitude = scale + float(np.max(np.abs(local.point)))
    shown = (ROUNDING * magnitude, BLOW_UP * max(scale, ROUNDING * magnitude))
    curves = {"step": steps}
    for i, lam in enumerate(local.curvatures):
        measured = _loggable(parts[:, i], shown)
        anchor = _anchor(measured)
        predicted = np.full_like(measured, np.nan)
        if anchor is not None:
            rho, (step, value) = factor(lr, mu, nesterov, lam), anchor
            with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
                predicted = value * np.power(rho, steps - step)
        curves[f"measured_{i + 1}"] = measured
        curves[f"predicted_{i + 1}"] = _loggable(predicted, shown)
    return curves


def _anchor(measured: np.ndarray) -> tuple[int, float] | None:
    """Where the theory's line passes: a step and the envelope of the run's peaks there (an
    oscillating distance dips to 0 at each sign change; its peaks carry the rate)."""
    shown = np.flatnonzero(np.isfinite(measured))
    if not shown.size:
        return None
    peaks = np.maximum.accumulate(measured[shown][::-1])[::-1]
    closer = np.flatnonzero(peaks <= peaks[0] * ANCHOR)
    i = int(closer[0]) if closer.size else len(shown) - 1
    return int(shown[i]), float(peaks[i])


def _loggable(values: np.ndarray, shown: tuple[float, float]) -> np.ndarray:
    inside = (values >= shown[0]) & (values <= shown[1])
    return np.where(inside, values, np.nan).astype(np.float64)


class SweepOverlay(NamedTuple):
    """The theory over an SGD sweep of (lr, momentum): where SGD stops converging, and the best
    heavy-ball setting."""

    momenta: np.ndarray
    limit: np.ndarray
    """The largest stable η for each momentum, at the minimum's steepest curvature."""
    start_limit: np.ndarray | None
    """The same at the start, where that is steeper (None otherwise)."""
    best: Tuned | None
    """Polyak's best (η, μ) (None for Nesterov, or without two positive curvatures)."""


def sweep_overlay(found: Curvatures, result: SweepResult) -> SweepOverlay | None:
    """The overlay for ``result`` given the :func:`curvatures` of its surface from its start,
    or None where it does not apply (not SGD over lr × momentum, not a minimum, no positive
    curvature there). The momenta run geometrically in 1 − μ over the sweep's range."""
    if result.optimizer != "sgd" or set(result.axes) != {"lr", "momentum"}:
        return None
    local, at_start = found
    low, high = local.curvatures
    if local.where != "minimum" or high <= 0:
        return None
    nesterov = bool(result.base.get("nesterov", False))
    mus = result.values[result.axes.index("momentum")]
    momenta = 1.0 - np.geomspace(1.0 - float(np.min(mus)), 1.0 - float(np.max(mus)), OVERLAY_POINTS)

    def limits(curvature: float) -> np.ndarray:
        return np.array([stable_lr(curvature, float(m), nesterov) for m in momenta])

    steep = at_start.curvatures[1] if at_start is not None else high
    return SweepOverlay(
        momenta=momenta,
        limit=limits(high),
        start_limit=limits(steep) if steep > high else None,
        best=best_heavy_ball(low, high) if low > 0 and not nesterov else None,
    )
