"""The race: which optimizers run on which surface from where, and what they produced.

:class:`RaceModel` is plain ``param`` (no Panel): set parameters, call :meth:`RaceModel.recompute`
and read :attr:`RaceModel.results`. The app runs the same three steps — :meth:`~RaceModel.plan`,
:func:`~rlx_lab_app.state.plan.compute` on a worker thread, :meth:`~RaceModel.apply` back on the
document — so a slow compile never freezes the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import param

from rlx_lab import optim
from rlx_lab.engine import ESTIMATORS, MAX_STEPS, VIEWS, RunSettings, Trajectory, to_csv, to_json
from rlx_lab.formula import FormulaError
from rlx_lab.surfaces import Surface

from . import query
from .gradient_options import SCHEDULE_FIELDS, GradientOptions
from .jobs import JobState
from .palette import assign_colors
from .plan import Job, Outcome, RacePlan, compute, start_grid
from .report import messages, summary_rows
from .settings import OptimizerSettings, make_settings
from .surface_source import CUSTOM, DEFAULT_FORMULA, resolve, surface_names

DEFAULT_OPTIMIZERS = ("adam", "lion", "sophia", "mars")
INPUTS = (
    "surface",
    "formula",
    "window",
    "surface_params",
    "optimizers",
    "start",
    "steps",
    "view",
    "noise",
    "seed",
    "repeats",
    "clip_on",
    "clip_norm",
    "hessian",
    "hessian_every",
    "probes",
    *SCHEDULE_FIELDS,
    "many_starts",
    "grid_size",
    "revision",
)
"""Parameters whose change calls for a recompute."""


class RaceModel(GradientOptions, JobState):
    """State of the surfaces lab: inputs, the latest trajectories, and what to tell the user."""

    surface = param.Selector(
        default="rosenbrock",
        objects=list(surface_names()),
        doc="Loss surface (or 'custom' for the formula box)",
    )
    formula = param.String(default=DEFAULT_FORMULA, doc="Custom loss in x and y")
    window = param.NumericTuple(
        default=(-3.0, 3.0, -3.0, 3.0),
        length=4,
        doc="Custom surface window: x min, x max, y min, y max",
    )
    surface_params = param.Dict(default={}, doc="Overrides of the surface's parameters")
    optimizers = param.ListSelector(default=list(DEFAULT_OPTIMIZERS), objects=list(optim.names()))
    start = param.NumericTuple(
        default=None, length=2, allow_None=True, doc="Start point (None: the surface's own)"
    )
    steps = param.Integer(default=500, bounds=(1, MAX_STEPS), softbounds=(10, 2000))
    view = param.Selector(
        default="vector",
        objects=list(VIEWS),
        doc="The point as a vector (2,), a row (1,2) or a column (2,1)",
    )
    noise = param.Number(
        default=0.0,
        bounds=(0.0, None),
        softbounds=(0.0, 5.0),
        doc="σ of Gaussian noise added to every gradient",
    )
    seed = param.Integer(default=0, bounds=(0, 2**31 - 1), softbounds=(0, 99))
    repeats = param.Integer(
        default=1,
        bounds=(1, 32),
        softbounds=(1, 16),
        doc="Runs of each optimizer from the chosen start, each with its own noise draw (with "
        "noise σ > 0): the scoreboard gives their median and range",
    )
    hessian = param.Selector(
        default="exact", objects=list(ESTIMATORS), doc="Sophia's diagonal-Hessian estimator"
    )
    many_starts = param.Boolean(default=False, doc="Add a grid of starts over the window")
    grid_size = param.Integer(default=3, bounds=(2, 5), doc="Starts per side of the grid")
    log_color = param.Boolean(default=True, doc="Colour the surface by log loss")
    ghosts_on = param.Boolean(default=True, doc="Show the previous setting's paths faintly")
    arrows = param.Boolean(
        default=False,
        doc="Arrows at the playhead: −g, the gradient each optimizer is given there (dashed), "
        "and the direction of its step",
    )
    lecture = param.Boolean(
        default=False,
        doc="Lecture mode: a larger surface and no export row; a link with it opens with the "
        "sidebar folded",
    )
    speed = param.Integer(
        default=50, bounds=(1, 2000), softbounds=(5, 500), doc="Playback speed in steps per second"
    )
    frame = param.Integer(default=500, bounds=(0, None), doc="Playback position (step)")

    revision = param.Integer(default=0, precedence=-1, doc="Bumps when a selected setting moves")
    formula_error = param.String(default="", precedence=-1)
    results = param.Dict(default={}, precedence=-1, doc="optimizer → latest Trajectory")
    ghosts = param.Dict(default={}, precedence=-1, doc="optimizer → previous Trajectory")
    shown_surface = param.ClassSelector(class_=Surface, default=None, precedence=-1)
    shown_params = param.Dict(default={}, precedence=-1)
    colors = param.Dict(default={}, precedence=-1, doc="optimizer → palette slot (sticky)")
    message = param.String(default="", precedence=-1, doc="What is wrong, in words")
    status = param.String(default="", precedence=-1)

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.settings: dict[str, OptimizerSettings] = {n: make_settings(n) for n in optim.names()}
        for settings in self.settings.values():
            names = [p for p in settings.param if p != "name"]
            settings.param.watch(self._on_setting, names)
        self._surface: Surface = resolve("rosenbrock", "", (-3.0, 3.0))
        self._notes: list[str] = []
        self._plan: RacePlan | None = None
        with param.parameterized.discard_events(self):
            self._resolve_surface()
        self.colors = assign_colors(self.optimizers, {})

    # --- inputs ------------------------------------------------------------------------------

    @property
    def current_surface(self) -> Surface:
        """The surface the next recompute uses (the last valid one if the formula is bad)."""
        return self._surface

    @param.depends("surface", "formula", "window", watch=True)
    def _resolve_surface(self) -> None:
        x0, x1, y0, y1 = self.window
        try:
            if not _valid_window(self.window):
                raise FormulaError(
                    "window: need finite x min < x max and y min < y max (as float32)", 0
                )
            surface = resolve(self.surface, self.formula, ((x0, x1), (y0, y1)))
        except FormulaError as error:
            self.formula_error = str(error)
            return
        self.formula_error = ""
        if surface is self._surface:
            return
        previous, self._surface = self._surface, surface
        if previous.name != surface.name or self.surface != CUSTOM:
            self.param.update(surface_params={}, start=None)
        elif self.start is not None and not _inside(self.start, surface.window):
            self.start = None

    @param.depends("optimizers", watch=True)
    def _recolor(self) -> None:
        self.colors = assign_colors(self.optimizers, self.colors)

    def _on_setting(self, *events: param.parameterized.Event) -> None:
        owner = events[0].obj
        if getattr(owner, "optimizer", None) in self.optimizers:
            self.revision += 1

    def set_start(self, x: float, y: float) -> None:
        """Move the start point (a click on the surface); non-finite input is reported."""
        if not np.all(np.isfinite(_float32((x, y)))):
            self.message = f"start: ({x}, {y}) is not a finite point; kept the old start"
            return
        self.start = (round(float(x), 4), round(float(y), 4))

    def reset(self, name: str) -> None:
        """Optimizer ``name``'s hyperparameters back to their defaults."""
        self.settings[name].reset()

    def start_point(self) -> tuple[float, float]:
        """The start the user chose, or the surface's default."""
        point = self.start if self.start is not None else self._surface.start
        return float(point[0]), float(point[1])

    def draws(self) -> int:
        """Runs from the chosen start: :attr:`repeats` with noise, else one (they would agree)."""
        return int(self.repeats) if self.noise > 0 else 1

    def starts(self) -> np.ndarray:
        """(N, 2) start points: the chosen start (once per noise draw, each its own lane of
        noise), then the grid in many-starts mode."""
        first = np.asarray([self.start_point()] * self.draws(), dtype=np.float32)
        if not self.many_starts:
            return first
        return np.concatenate([first, start_grid(self._surface.window, self.grid_size)])

    def run_settings(self) -> RunSettings:
        """The engine's shared settings."""
        return RunSettings(
            steps=int(self.steps),
            view=self.view,
            noise=float(self.noise),
            seed=int(self.seed),
            clip_norm=self.clip_threshold(),
            hessian=self.hessian,
            hessian_every=int(self.hessian_every),
            probes=int(self.probes),
            surface_params=dict(self.surface_params),
            schedule=self.lr_schedule(),
        )

    # --- computing -----------------------------------------------------------------------------

    def plan(self) -> RacePlan:
        """A snapshot of the inputs, safe to compute on another thread."""
        surface = self._surface
        key: Any = surface.name
        if self.surface == CUSTOM and surface.name == "custom":
            key = ("custom", surface.description, surface.window)
        jobs = tuple(
            Job(name, self.settings[name].overrides(), self.settings[name].key())
            for name in self.optimizers
        )
        return RacePlan(
            surface, key, dict(self.surface_params), self.starts(), self.run_settings(), jobs
        )

    def recompute(self) -> Outcome:
        """Plan, compute and apply, synchronously (tests, notebooks)."""
        plan = self.plan()
        outcome = compute(plan)
        self.apply(plan, outcome)
        return outcome

    def apply(self, plan: RacePlan, outcome: Outcome, *, partial: bool = False) -> None:
        """Show ``outcome``: new results, ghosts of what changed, frame, messages.

        ``partial`` results (some optimizers still computing) keep the others' previous paths.
        """
        previous = self.results
        same_surface = self.shown_surface is plan.surface
        results: dict[str, Trajectory] = {}
        for job in plan.jobs:
            if job.optimizer in outcome.results:
                results[job.optimizer] = outcome.results[job.optimizer]
            elif partial and same_surface and job.optimizer in previous:
                results[job.optimizer] = previous[job.optimizer]
        ghosts = dict(self.ghosts) if plan is self._plan and same_surface else {}
        if same_surface:
            for name, trajectory in results.items():
                old = previous.get(name)
                if old is not None and old is not trajectory:
                    ghosts[name] = old
        self._plan = plan
        old_end = max((t.steps for t in previous.values()), default=self.steps)
        new_end = plan.settings.steps
        frame = self.frame
        if frame >= old_end or frame > new_end or not previous:
            frame = new_end
        self.param.update(
            results=results,
            ghosts=ghosts,
            shown_surface=plan.surface,
            shown_params=dict(plan.surface_params),
            frame=frame,
        )
        if not partial:
            self.message = "\n".join([*self._notes, *messages(plan, outcome)])
            self._notes = []
            self.status = (
                f"{outcome.computed} computed, {outcome.cached} cached "
                f"in {outcome.seconds * 1000:.0f} ms"
            )

    def refuse(self, plan: RacePlan, words: str) -> None:
        """No race for ``plan`` (over a budget, or it failed): show nothing stale, say why."""
        self._plan = plan
        self.param.update(
            results={},
            ghosts={},
            shown_surface=plan.surface,
            shown_params=dict(plan.surface_params),
        )
        self.message = "\n".join([*self._notes, words])
        self._notes = []
        self.status = "not computed"

    # --- reading out ---------------------------------------------------------------------------

    def summary(self) -> list[dict[str, Any]]:
        """One row per optimizer shown: colour, learning rate, loss reached, divergence, clips."""
        return summary_rows(self.results, self.colors, self.settings, self.draws())

    def export_csv(self) -> str:
        """The shown trajectories as long-format CSV."""
        return to_csv(list(self.results.values()))

    def export_json(self) -> str:
        """The shown trajectories as strict JSON."""
        return to_json(list(self.results.values()))

    def to_query(self) -> dict[str, str]:
        """The whole state as URL query parameters (defaults omitted)."""
        return query.to_query(self)

    def from_query(self, params: Mapping[str, Any]) -> list[str]:
        """Apply URL query parameters; return (and show) what was wrong with them."""
        problems = query.from_query(self, params)
        self._notes.extend(problems)
        if problems:
            self.message = "\n".join(problems)
        return problems


def _inside(point: tuple[float, float], window: tuple[tuple[float, float], ...]) -> bool:
    (x0, x1), (y0, y1) = window
    return x0 <= point[0] <= x1 and y0 <= point[1] <= y1


def _float32(values: Any) -> np.ndarray:
    """``values`` as the engine stores them (float32; an overflow becomes ±inf)."""
    with np.errstate(over="ignore"):
        return np.asarray(values, dtype=np.float32)


def _valid_window(window: tuple[float, ...]) -> bool:
    """A non-empty window whose bounds stay finite and ordered in float32."""
    x0, x1, y0, y1 = _float32(window)
    return bool(np.all(np.isfinite((x0, x1, y0, y1))) and x0 < x1 and y0 < y1)
