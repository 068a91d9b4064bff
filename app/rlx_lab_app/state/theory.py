"""What theory says about SGD on the race's surface: the local quadratic model, in words.

:class:`TheoryModel` reads the race's surface, start and SGD settings and states the curvature
at the known minimum nearest the start (:func:`rlx_lab.theory.local_model`), how large η may be,
the best gradient-descent and heavy-ball settings, and what the race's own SGD does there —
Distill's "Why Momentum Really Works" analysis beside the real runs. It computes only while
``active`` (the card is open), so the first page pays nothing; :meth:`TheoryModel.race_best`
puts SGD in the race at the best heavy-ball setting.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import param

from rlx_lab import theory
from rlx_lab.engine import SweepResult, Trajectory

from .race import RaceModel
from .scales import format_value

WATCHED = (
    "surface",
    "formula",
    "window",
    "surface_params",
    "start",
    "optimizers",
    "schedule",
    "warmup",
)
"""Race inputs the statement depends on (besides SGD's own settings)."""
SGD_FIELDS = ("lr", "momentum", "nesterov", "weight_decay")
FLAT = 1e-6
"""Curvatures this small (both) make a degenerate point: no quadratic model to speak of."""
ROUNDING = 1e-5
"""Distances below this times the size of the coordinates are float32 rounding, not the rate."""
BLOW_UP = 1e6
"""Distances above this times the start's are not drawn: they would flatten the rest."""
ANCHOR = 1e-3
"""The theory's line passes through the run where it is this much closer than at the start."""
ERROR = {
    "converges": "the error shrinks",
    "oscillates": "the error shrinks, oscillating,",
    "neutral": "the error neither shrinks nor grows,",
    "grows": "the error grows",
}


def _n(value: float, digits: int = 3) -> str:
    return format_value(float(value), digits)


def _point(point: tuple[float, float]) -> str:
    return f"({_n(point[0])}, {_n(point[1])})"


def _times(rho: float) -> str:
    return f"×{format_value(rho, 4)} per step"


def _pace(rho: float) -> str:
    steps = theory.steps_per_decade(rho)
    unit = "step" if round(steps) == 1 else "steps"
    return f"{_times(rho)} ({steps:,.0f} {unit} per tenfold)"


def _setting(lr: float, momentum: float, nesterov: bool) -> str:
    return f"η = {_n(lr)}, μ = {_n(momentum)}" + (", Nesterov" if nesterov else "")


def _opening(model: theory.LocalModel, title: str) -> str:
    low, high = model.curvatures
    curv = f"curvatures λ₁ = {_n(low, 4)} and λ₂ = {_n(high, 4)}"
    if model.where == "minimum":
        shape = f" (condition number κ = {_n(model.condition, 4)})" if low > 0 else ""
        found = " (found by Newton's method from the start)" if model.searched else ""
        return (
            f"**Near the minimum {_point(model.point)}**{found} of {title} the loss has "
            f"{curv}{shape}."
        )
    if model.where == "stationary point":
        if _flat(model):
            return (
                f"**At the stationary point {_point(model.point)}** the Hessian vanishes: the "
                "quadratic model is empty there and higher-order terms decide what SGD does."
            )
        kind = "a saddle" if low < 0 < high else "a stationary point"
        return f"**At the stationary point {_point(model.point)}** ({kind}) the loss has {curv}."
    return (
        f"**At the start {_point(model.point)}** the loss has {curv}. No minimum of this surface "
        "is known, so this describes the first steps, not where the race ends."
    )


def _flat(model: theory.LocalModel) -> bool:
    return max(abs(c) for c in model.curvatures) < FLAT


def _tuned_lines(model: theory.LocalModel) -> tuple[list[str], theory.Tuned | None]:
    low, high = model.curvatures
    if model.where != "minimum" or low <= 0:
        return [], None
    gd, ball = theory.best_gd(low, high), theory.best_heavy_ball(low, high)
    return [
        f"- **Gradient descent** is stable only for η < 2/λ₂ = {_n(theory.stable_lr(high), 4)}. "
        f"Its best step, η = 2/(λ₁+λ₂) = {_n(gd.lr, 4)}, shrinks the error {_pace(gd.factor)}.",
        f"- **Heavy-ball momentum** at its best, {_setting(ball.lr, ball.momentum, False)}, "
        f"shrinks it {_pace(ball.factor)}: its pace depends on √κ, not κ.",
    ], ball


def _steeper_start(at_start: theory.LocalModel) -> str:
    low, high = at_start.curvatures
    return (
        f"- **At the start {_point(at_start.point)}** the curvatures are {_n(low, 4)} and "
        f"{_n(high, 4)}: steeper than at the minimum, so an η tuned for the minimum may "
        "diverge on the way there."
    )


def _your_sgd(
    model: theory.LocalModel, values: dict[str, Any], at_start: theory.LocalModel | None
) -> str:
    lr, mu, nesterov = float(values["lr"]), float(values["momentum"]), bool(values["nesterov"])
    setting = _setting(lr, mu, nesterov)
    parts = []
    for name, lam in zip(("λ₁", "λ₂"), model.curvatures, strict=True):
        error = ERROR[theory.regime(lr, mu, nesterov, lam)]
        parts.append(f"along {name} {error} {_times(theory.factor(lr, mu, nesterov, lam))}")
    slowest = max(theory.factor(lr, mu, nesterov, lam) for lam in model.curvatures)
    low, high = model.curvatures
    limit = theory.stable_lr(high, mu, nesterov) if high > 0 else 0.0
    if slowest < 1:
        verdict = (
            f"it settles {_pace(slowest)}"
            if model.where == "minimum"
            else "stable at this curvature"
        )
    elif model.where == "stationary point" and low < 0:
        verdict = "it escapes the saddle"
    elif high > 0 and lr >= limit:
        verdict = f"η is too large for this curvature: stable for η < {_n(limit)}"
    else:
        verdict = "it does not settle here"
    if at_start is not None and slowest < 1:
        start_limit = theory.stable_lr(at_start.curvatures[1], mu, nesterov)
        if lr >= start_limit:
            verdict += (
                f"; but at the start it is stable only for η < {_n(start_limit)}, "
                "so it may diverge before it gets there"
            )
    decay = float(values.get("weight_decay", 0.0))
    caveat = f" (ignoring its weight decay {_n(decay)})" if decay else ""
    return f"- **Your SGD** ({setting}){caveat}: {'; '.join(parts)} — {verdict}."


def component_curves(local: theory.LocalModel, trajectory: Trajectory) -> dict[str, np.ndarray]:
    """SGD's distance from the model's point along each curvature direction, per step, and the
    theory's line for it: slope ×ρᵢ per step (the run's own η, μ) — the rate, not the constant,
    which momentum's transients change — drawn through the run where it has come
    :data:`ANCHOR` closer than at the start (past the transients, above float32's floor), or
    through its last point.

    Keys ``step``, ``measured_1``/``_2`` and ``predicted_1``/``_2``; values below float32's
    rounding of the position (:data:`ROUNDING`) or :data:`BLOW_UP` times the start's distance
    are NaN.
    Steps after a divergence are left out. Empty where no point anchors the distances (a
    start-only model, a vanishing Hessian).
    """
    if local.where == "start" or _flat(local):
        return {}
    failed = int(trajectory.diverged_at[0])
    positions = trajectory.positions[0, : failed if failed >= 0 else None]
    parts = theory.components(positions, local)
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
            rho, (step, value) = theory.factor(lr, mu, nesterov, lam), anchor
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


Curvatures = tuple[theory.LocalModel, theory.LocalModel | None]
"""The race's local model and, when that is a minimum away from the start, the start's."""


def race_curvatures(race: RaceModel) -> Curvatures | str:
    """:data:`Curvatures` of the race's surface from its start, or why there is none."""
    surface, start = race.current_surface, race.start_point()
    try:
        params = surface.surface_params(**race.surface_params)
        model = theory.local_model(surface, params, start)
        at_start = None
        if model.where == "minimum" and model.point != start:
            at_start = theory.curvature_at(surface, start, params)
    except ValueError as error:
        return str(error)
    return model, at_start


class SweepOverlay(NamedTuple):
    """The theory over an SGD sweep of (lr, momentum): where SGD stops converging, and the best
    heavy-ball setting."""

    momenta: np.ndarray
    limit: np.ndarray
    """The largest stable η for each momentum, at the minimum's steepest curvature."""
    start_limit: np.ndarray | None
    """The same at the start, where that is steeper (None otherwise)."""
    best: theory.Tuned | None
    """Polyak's best (η, μ) (None for Nesterov, or without two positive curvatures)."""


OVERLAY_POINTS = 200


def sweep_overlay(race: RaceModel, result: SweepResult) -> SweepOverlay | None:
    """The overlay for ``result`` on the race's surface from its start, or None where it does not
    apply (not SGD over lr × momentum, no known minimum, no positive curvature there)."""
    if result.optimizer != "sgd" or set(result.axes) != {"lr", "momentum"}:
        return None
    found = race_curvatures(race)
    if isinstance(found, str):
        return None
    local, at_start = found
    low, high = local.curvatures
    if local.where != "minimum" or high <= 0:
        return None
    nesterov = bool(result.base.get("nesterov", False))
    mus = result.values[result.axes.index("momentum")]
    momenta = 1.0 - np.geomspace(1.0 - float(np.min(mus)), 1.0 - float(np.max(mus)), OVERLAY_POINTS)

    def limits(curvature: float) -> np.ndarray:
        return np.array([theory.stable_lr(curvature, float(m), nesterov) for m in momenta])

    steep = at_start.curvatures[1] if at_start is not None else high
    return SweepOverlay(
        momenta=momenta,
        limit=limits(high),
        start_limit=limits(steep) if steep > high else None,
        best=theory.best_heavy_ball(low, high) if low > 0 and not nesterov else None,
    )


class TheoryModel(param.Parameterized):
    """The theory card's state: whether it is open, its statement and its curves."""

    active = param.Boolean(default=False, doc="Compute only while shown")
    text = param.String(default="", precedence=-1, doc="The statement, in Markdown")
    best = param.Parameter(default=None, precedence=-1, doc="Best heavy-ball theory.Tuned")
    curves = param.Dict(default={}, precedence=-1, doc="component_curves of the racing SGD")
    labels = param.Tuple(default=("λ₁", "λ₂"), precedence=-1, doc="The curvatures, for a legend")

    def __init__(self, race: RaceModel, **params: Any) -> None:
        super().__init__(**params)
        self.race = race
        self._local: tuple[Any, Curvatures | str] | None = None
        race.param.watch(self.refresh, list(WATCHED))
        race.settings["sgd"].param.watch(self.refresh, list(SGD_FIELDS))
        self.param.watch(self.refresh, ["active"])
        race.param.watch(self._follow_results, ["results"])
        self.refresh()

    def local(self) -> Curvatures | str:
        """:func:`race_curvatures`, cached per surface, its parameters and the start."""
        race = self.race
        key = (
            id(race.current_surface),
            tuple(sorted(race.surface_params.items())),
            race.start_point(),
        )
        if self._local is None or self._local[0] != key:
            self._local = (key, race_curvatures(race))
        return self._local[1]

    def refresh(self, *_: Any) -> None:
        """Restate the theory for the race as it is now (nothing while inactive)."""
        if not self.active:
            return
        found = self.local()
        if isinstance(found, str):
            self.param.update(text=f"No quadratic model here: {found}.", best=None, curves={})
            return
        local, at_start = found
        lines = [_opening(local, self.race.current_surface.title)]
        tuned, best = _tuned_lines(local)
        lines += tuned
        steeper = at_start is not None and at_start.curvatures[1] > local.curvatures[1]
        if steeper:
            lines.append(_steeper_start(at_start))
        if _flat(local):  # nothing to say about any setting
            pass
        elif "sgd" not in self.race.optimizers:
            lines.append("- Add **SGD** to the race to see where its setting falls.")
        else:
            sgd = self.race.settings["sgd"].overrides()
            lines.append(_your_sgd(local, sgd, at_start if steeper else None))
            if not self.race.lr_schedule().is_constant:
                lines.append(
                    "- The race runs an η schedule: these factors are for η itself, the "
                    "schedule's peak (η_t is smaller while it warms up and as it decays)."
                )
        self.param.update(text="\n".join(lines), best=best)
        self._follow_results()

    def _follow_results(self, *_: Any) -> None:
        found = self.local() if self.active else None
        trajectory = self.race.results.get("sgd")
        surface = self.race.current_surface.name
        if not isinstance(found, tuple) or trajectory is None or trajectory.surface != surface:
            self.curves = {}
            return
        local = found[0]
        self.param.update(
            curves=component_curves(local, trajectory),
            labels=tuple(
                f"λ{sub} = {_n(c, 4)}" for sub, c in zip("₁₂", local.curvatures, strict=True)
            ),
        )

    def race_best(self) -> list[str]:
        """Put SGD in the race at the best heavy-ball setting; return any problems in words."""
        best = self.best
        if best is None:
            return ["no best setting: it needs a known minimum with positive curvatures"]
        values = {"lr": best.lr, "momentum": best.momentum, "nesterov": False}
        problems = self.race.settings["sgd"].apply(values)
        if "sgd" not in self.race.optimizers:
            self.race.optimizers = [*self.race.optimizers, "sgd"]
        return problems
