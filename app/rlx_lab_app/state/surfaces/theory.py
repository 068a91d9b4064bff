"""What theory says about SGD on the race's surface: the local quadratic model, in words.

:class:`TheoryModel` reads the race's surface, start and SGD settings and shows
:func:`rlx_lab.theory.statement` of the curvature at the known minimum nearest the start
(:func:`rlx_lab.theory.curvatures`): how large η may be, the best gradient-descent and heavy-ball
settings, and what the race's own SGD does there — Distill's "Why Momentum Really Works" analysis
beside the real runs (:func:`rlx_lab.theory.component_curves`). It computes only while ``active``
(the card is open), so the first page pays nothing; :meth:`TheoryModel.race_best` puts SGD in the
race at the best heavy-ball setting. The numbers and the words are the library's; this module
holds the card's state.
"""

from __future__ import annotations

from typing import Any

import param

from rlx_lab import theory
from rlx_lab.engine import SweepResult
from rlx_lab.theory import Curvatures, SweepOverlay
from rlx_lab_app.state.scales import format_value
from rlx_lab_app.state.surfaces.race import RaceModel

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


def race_curvatures(race: RaceModel) -> Curvatures | str:
    """:func:`rlx_lab.theory.curvatures` of the race's surface from its start, or why there is
    none."""
    surface = race.current_surface
    try:
        params = surface.surface_params(**race.surface_params)
        return theory.curvatures(surface, params, race.start_point())
    except ValueError as error:
        return str(error)


def sweep_overlay(race: RaceModel, result: SweepResult) -> SweepOverlay | None:
    """:func:`rlx_lab.theory.sweep_overlay` for ``result`` on the race's surface from its start
    (None where it does not apply, or no quadratic model does)."""
    if result.optimizer != "sgd" or set(result.axes) != {"lr", "momentum"}:
        return None  # before the curvature: nothing to draw, nothing to compute
    found = race_curvatures(race)
    return None if isinstance(found, str) else theory.sweep_overlay(found, result)


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
        racing = "sgd" in self.race.optimizers
        said = theory.statement(
            *found,
            title=self.race.current_surface.title,
            sgd=self.race.settings["sgd"].overrides() if racing else None,
            scheduled=not self.race.lr_schedule().is_constant,
        )
        text = said.text
        if not racing and not theory.is_flat(found.local):
            text += "\n- Add **SGD** to the race to see where its setting falls."
        self.param.update(text=text, best=said.best)
        self._follow_results()

    def _follow_results(self, *_: Any) -> None:
        found = self.local() if self.active else None
        trajectory = self.race.results.get("sgd")
        surface = self.race.current_surface.name
        if not isinstance(found, tuple) or trajectory is None or trajectory.surface != surface:
            self.curves = {}
            return
        local = found.local
        self.param.update(
            curves=theory.component_curves(local, trajectory),
            labels=tuple(
                f"λ{sub} = {format_value(float(c), 4)}"
                for sub, c in zip("₁₂", local.curvatures, strict=True)
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
