r"""What theory predicts for SGD with momentum near a point: the local quadratic model.

The analysis of Goh, "Why Momentum Really Works" (Distill, 2017), for RLX's SGD. Near a
stationary point θ* the loss is f(θ*) + ½(θ−θ*)ᵀH(θ−θ*) + …; in the eigenbasis of H every
coordinate x moves on its own, and with curvature λ (an eigenvalue of H) one SGD step
(v ← μv + g, θ ← θ − η·v; Nesterov: θ ← θ − η(g + μv)) is the linear map

.. math::
    \begin{pmatrix} v \\ x \end{pmatrix} \leftarrow M \begin{pmatrix} v \\ x \end{pmatrix},\quad
    M = \begin{pmatrix} \mu & \lambda \\ -\eta\mu & 1-\eta\lambda \end{pmatrix},\quad
    M_{\text{Nesterov}} =
        \begin{pmatrix} \mu & \lambda \\ -\eta\mu^2 & 1-\eta\lambda(1+\mu) \end{pmatrix}.

Its spectral radius ρ is the error's factor per step: ρ < 1 converges, ten times closer every
ln 10 / (−ln ρ) steps, and oscillates when an eigenvalue of M is complex or negative. It is
stable iff 0 < ηλ < 2(1+μ) (Nesterov: 2(1+μ)/(1+2μ)). For curvatures λ₁ ≤ λ₂ and κ = λ₂/λ₁,
gradient descent is fastest at η = 2/(λ₁+λ₂), ρ = (κ−1)/(κ+1); heavy-ball momentum at
η = (2/(√λ₁+√λ₂))², μ = ((√κ−1)/(√κ+1))², ρ = (√κ−1)/(√κ+1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal, NamedTuple

import jax
import numpy as np

from ..surfaces import Point, Surface

Regime = Literal["converges", "oscillates", "neutral", "grows"]
"""How one eigen-direction's error evolves: shrinks monotonically, shrinks while changing sign
or spiralling, neither shrinks nor grows (ρ = 1), or grows (diverges, or escapes a saddle)."""
Where = Literal["minimum", "stationary point", "start"]

_NEUTRAL = 1e-9
"""|ρ − 1| below this counts as neither shrinking nor growing."""
FLAT = 1e-6
"""Curvatures this small (both) make a degenerate point: no quadratic model to speak of."""


class TheoryError(ValueError):
    """No quadratic model applies (a kink, a non-finite Hessian) or an input is invalid."""


class Tuned(NamedTuple):
    """The best setting for a range of curvatures and the factor per step it achieves."""

    lr: float
    momentum: float
    factor: float


class LocalModel(NamedTuple):
    """The loss's curvature at one point: the Hessian's eigenvalues and unit eigenvectors."""

    point: Point
    where: Where
    curvatures: tuple[float, float]
    """Eigenvalues of the Hessian, ascending."""
    directions: np.ndarray
    """(2, 2): column i is the unit direction of ``curvatures[i]``."""
    searched: bool = False
    """The point was found by :func:`newton_minimum` (not known in advance)."""

    @property
    def condition(self) -> float:
        """κ = λ₂/λ₁ (inf unless both curvatures are positive)."""
        low, high = self.curvatures
        return high / low if low > 0 else math.inf


def is_flat(model: LocalModel) -> bool:
    """Both curvatures are below :data:`FLAT` in size: the Hessian vanishes at the point."""
    return max(abs(c) for c in model.curvatures) < FLAT


def _check(lr: float, momentum: float) -> None:
    if not (math.isfinite(lr) and lr > 0):
        raise TheoryError(f"lr: must be a finite number > 0, got {lr}")
    if not (math.isfinite(momentum) and 0 <= momentum < 1):
        raise TheoryError(f"momentum: must be in [0, 1), got {momentum}")


def iteration_matrix(lr: float, momentum: float, nesterov: bool, curvature: float) -> np.ndarray:
    """M, the map of (velocity, error) through one SGD step along curvature λ."""
    _check(lr, momentum)
    mu, lam = momentum, curvature
    if nesterov:
        return np.array([[mu, lam], [-lr * mu * mu, 1 - lr * lam * (1 + mu)]])
    return np.array([[mu, lam], [-lr * mu, 1 - lr * lam]])


def factor(lr: float, momentum: float, nesterov: bool, curvature: float) -> float:
    """ρ, the spectral radius of :func:`iteration_matrix`: the error's factor per step."""
    eig = np.linalg.eigvals(iteration_matrix(lr, momentum, nesterov, curvature))
    return float(np.max(np.abs(eig)))


def regime(lr: float, momentum: float, nesterov: bool, curvature: float) -> Regime:
    """How the error along curvature λ evolves under SGD(η, μ)."""
    eig = np.linalg.eigvals(iteration_matrix(lr, momentum, nesterov, curvature))
    rho = float(np.max(np.abs(eig)))
    if rho > 1 + _NEUTRAL:
        return "grows"
    if rho >= 1 - _NEUTRAL:
        return "neutral"
    leading = eig[np.argmax(np.abs(eig))]
    return "oscillates" if abs(leading.imag) > 0 or leading.real < 0 else "converges"


def stable_lr(curvature: float, momentum: float = 0.0, nesterov: bool = False) -> float:
    """The largest η at which SGD(η, μ) still converges along curvature λ > 0 (exclusive)."""
    _check(1.0, momentum)
    if curvature <= 0:
        return math.inf if curvature == 0 else 0.0
    scale = (1 + 2 * momentum) if nesterov else 1.0
    return 2 * (1 + momentum) / (scale * curvature)


def steps_per_decade(rho: float) -> float:
    """Steps for the error to shrink tenfold at factor ρ per step (inf unless ρ < 1)."""
    if not rho < 1:
        return math.inf
    return 0.0 if rho == 0 else math.log(10) / -math.log(rho)


def _positive_range(low: float, high: float) -> float:
    if not (0 < low <= high < math.inf):
        raise TheoryError(f"curvatures: need 0 < λ₁ ≤ λ₂ < ∞, got {low}, {high}")
    return high / low


def best_gd(low: float, high: float) -> Tuned:
    """Gradient descent's best fixed step for curvatures in [λ₁, λ₂]: η = 2/(λ₁+λ₂)."""
    kappa = _positive_range(low, high)
    return Tuned(2 / (low + high), 0.0, (kappa - 1) / (kappa + 1))


def best_heavy_ball(low: float, high: float) -> Tuned:
    """Heavy-ball momentum's best (η, μ) for curvatures in [λ₁, λ₂] (Polyak)."""
    kappa = _positive_range(low, high)
    root = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    return Tuned((2 / (math.sqrt(low) + math.sqrt(high))) ** 2, root * root, root)


def _nearest(points: tuple[Point, ...], to: Point) -> Point:
    return min(points, key=lambda p: math.dist(p, to))


def local_model(
    surface: Surface,
    params: Mapping[str, jax.typing.ArrayLike] | None = None,
    start: Point | None = None,
) -> LocalModel:
    """The curvature at the known minimum nearest ``start`` (else the nearest other known
    stationary point, else the minimum Newton's method finds from ``start``, else ``start``
    itself; ``start`` defaults to the surface's).

    Raises :class:`TheoryError` where the loss has a kink there or its Hessian is not finite.
    """
    start = surface.start if start is None else (float(start[0]), float(start[1]))
    where: Where
    if surface.minima:
        point, where = _nearest(surface.minima, start), "minimum"
        if not surface.smooth_minima:
            raise TheoryError(f"{surface.title} has a kink at its minimum {point}")
    elif surface.stationary:
        point, where = _nearest(surface.stationary, start), "stationary point"
    else:
        found = newton_minimum(surface, params, start)
        if found is None:
            return curvature_at(surface, start, params, "start")
        model = curvature_at(surface, found, params, "stationary point")
        where = "minimum" if model.curvatures[0] > 0 else "stationary point"
        return model._replace(where=where, searched=True)
    return curvature_at(surface, point, params, where)


NEWTON_STEPS = 100
NEWTON_TOL = 1e-5
"""Newton's method stops once ‖∇f‖ ≤ this × max(1, ‖∇f(start)‖) (float32 gradients)."""


def newton_minimum(
    surface: Surface,
    params: Mapping[str, jax.typing.ArrayLike] | None = None,
    start: Point | None = None,
) -> Point | None:
    """A local minimum of ``surface`` near ``start``, by saddle-free Newton steps with
    backtracking: d = V|Λ|⁻¹Vᵀ∇f (the Hessian's eigenvalues made positive, so every step goes
    downhill and saddles repel), halved until the loss drops. None when it does not converge in
    :data:`NEWTON_STEPS` steps, meets a non-finite value, or leaves the window by more than its
    size."""
    x = np.asarray(surface.start if start is None else start, dtype=np.float64)
    (x0, x1), (y0, y1) = surface.window
    span = np.array([x1 - x0, y1 - y0])
    low, high = np.array([x0, y0]) - span, np.array([x1, y1]) + span

    def value_and_grad(p: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = surface.value_and_grad(p, params)
        return float(value), np.asarray(grad, dtype=np.float64)

    value, grad = value_and_grad(x)
    tol = NEWTON_TOL * max(1.0, float(np.linalg.norm(grad)))
    for _ in range(NEWTON_STEPS):
        if not (np.isfinite(value) and np.all(np.isfinite(grad))):
            return None
        if np.linalg.norm(grad) <= tol:
            return (float(x[0]), float(x[1]))
        hessian = np.asarray(surface.hessian(x, params), dtype=np.float64)
        if not np.all(np.isfinite(hessian)):
            return None
        eig, vectors = np.linalg.eigh(0.5 * (hessian + hessian.T))
        floor = 1e-8 * max(float(np.max(np.abs(eig))), 1e-30)
        direction = vectors @ ((vectors.T @ grad) / np.maximum(np.abs(eig), floor))
        for _ in range(40):  # halve until the loss drops
            trial = x - direction
            trial_value, trial_grad = value_and_grad(trial)
            if trial_value < value or np.linalg.norm(trial_grad) <= tol:
                break
            direction = direction / 2
        else:
            return None
        x, value, grad = trial, trial_value, trial_grad
        if np.any(x < low) or np.any(x > high):
            return None
    return None


def curvature_at(
    surface: Surface,
    point: Point,
    params: Mapping[str, jax.typing.ArrayLike] | None = None,
    where: Where = "start",
) -> LocalModel:
    """The curvature of ``surface`` at ``point``; :class:`TheoryError` if its Hessian is not
    finite there."""
    hessian = np.asarray(surface.hessian(point, params), dtype=np.float64)
    if not np.all(np.isfinite(hessian)):
        raise TheoryError(f"the Hessian at {point} is not finite")
    values, vectors = np.linalg.eigh(0.5 * (hessian + hessian.T))
    return LocalModel(point, where, (float(values[0]), float(values[1])), vectors)


def components(positions: np.ndarray, model: LocalModel) -> np.ndarray:
    """|⟨θₜ − θ*, qᵢ⟩|, the distance from the model's point along each curvature's direction.

    ``positions`` (T, 2) → (T, 2); column i follows ``model.curvatures[i]``. Near θ* the linear
    map makes column i shrink (or grow) by :func:`factor` of that curvature per step.
    """
    offset = np.asarray(positions, np.float64) - np.asarray(model.point, np.float64)
    return np.abs(offset @ model.directions)
