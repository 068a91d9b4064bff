"""The race's inputs: which optimizers run on which surface from where, with what settings, and
how the result is played back.

:class:`RaceInputs` declares the parameters a user sets, keeps the surface they resolve to and
answers questions about them (start points, the engine's settings);
:class:`~rlx_lab_app.state.surfaces.race.RaceModel` adds computing on them and the results. Plain
``param``: no Panel.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import param

from rlx_lab import optim
from rlx_lab.engine import ESTIMATORS, MAX_STEPS, VIEWS, RunSettings
from rlx_lab.formula import FormulaError
from rlx_lab.surfaces import Surface
from rlx_lab_app.state.gradient_options import GradientOptions
from rlx_lab_app.state.jobs import JobState
from rlx_lab_app.state.palette import assign_colors
from rlx_lab_app.state.roles import LINK, LOCAL, RUN, names
from rlx_lab_app.state.settings import OptimizerSettings, make_settings
from rlx_lab_app.state.surfaces.plan import start_grid
from rlx_lab_app.state.surfaces.surface_source import (
    CUSTOM,
    DEFAULT_FORMULA,
    resolve,
    surface_names,
)

DEFAULT_OPTIMIZERS = ("adam", "lion", "sophia", "mars")


class RaceInputs(GradientOptions, JobState):
    """The inputs of the surfaces lab and the surface they resolve to."""

    surface = param.Selector(
        default="rosenbrock",
        objects=list(surface_names()),
        doc="Loss surface (or 'custom' for the formula box)",
        metadata={"role": RUN},
    )
    formula = param.String(
        default=DEFAULT_FORMULA, doc="Custom loss in x and y", metadata={"role": RUN}
    )
    window = param.NumericTuple(
        default=(-3.0, 3.0, -3.0, 3.0),
        length=4,
        doc="Custom surface window: x min, x max, y min, y max",
        metadata={"role": RUN},
    )
    surface_params = param.Dict(
        default={}, doc="Overrides of the surface's parameters", metadata={"role": RUN}
    )
    optimizers = param.ListSelector(
        default=list(DEFAULT_OPTIMIZERS), objects=list(optim.names()), metadata={"role": RUN}
    )
    start = param.NumericTuple(
        default=None,
        length=2,
        allow_None=True,
        doc="Start point (None: the surface's own)",
        metadata={"role": RUN},
    )
    steps = param.Integer(
        default=500,
        bounds=(1, MAX_STEPS),
        softbounds=(10, 2000),
        metadata={"role": RUN, "query": "steps"},
    )
    view = param.Selector(
        default="vector",
        objects=list(VIEWS),
        doc="The point as a vector (2,), a row (1,2) or a column (2,1)",
        metadata={"role": RUN, "query": "view"},
    )
    noise = param.Number(
        default=0.0,
        bounds=(0.0, None),
        softbounds=(0.0, 5.0),
        doc="σ of Gaussian noise added to every gradient",
        metadata={"role": RUN, "query": "noise"},
    )
    seed = param.Integer(
        default=0,
        bounds=(0, 2**31 - 1),
        softbounds=(0, 99),
        metadata={"role": RUN, "query": "seed"},
    )
    repeats = param.Integer(
        default=1,
        bounds=(1, 32),
        softbounds=(1, 16),
        doc="Runs of each optimizer from the chosen start, each with its own noise draw (with "
        "noise σ > 0): the scoreboard gives their median and range",
        metadata={"role": RUN, "query": "repeats"},
    )
    hessian = param.Selector(
        default="exact",
        objects=list(ESTIMATORS),
        doc="Sophia's diagonal-Hessian estimator",
        metadata={"role": RUN, "query": "hessian"},
    )
    many_starts = param.Boolean(
        default=False,
        doc="Add a grid of starts over the window",
        metadata={"role": RUN, "query": "many"},
    )
    grid_size = param.Integer(
        default=3,
        bounds=(2, 5),
        doc="Starts per side of the grid",
        metadata={"role": RUN, "query": "grid_size"},
    )
    log_color = param.Boolean(
        default=True,
        doc="Colour the surface by log loss",
        metadata={"role": LINK, "query": "log"},
    )
    ghosts_on = param.Boolean(
        default=True,
        doc="Show the previous setting's paths faintly",
        metadata={"role": LINK, "query": "ghosts"},
    )
    arrows = param.Boolean(
        default=False,
        doc="Arrows at the playhead: −g, the gradient each optimizer is given there (dashed), "
        "and the direction of its step",
        metadata={"role": LINK, "query": "arrows"},
    )
    lecture = param.Boolean(
        default=False,
        doc="Lecture mode: a larger surface and no export row; a link with it opens with the "
        "sidebar folded",
        metadata={"role": LINK, "query": "lecture"},
    )
    speed = param.Integer(
        default=50,
        bounds=(1, 2000),
        softbounds=(5, 500),
        doc="Playback speed in steps per second",
        metadata={"role": LINK, "query": "speed"},
    )
    frame = param.Integer(
        default=500, bounds=(0, None), doc="Playback position (step)", metadata={"role": LOCAL}
    )

    revision = param.Integer(
        default=0, precedence=-1, doc="Bumps when a selected setting moves", metadata={"role": RUN}
    )
    formula_error = param.String(default="", precedence=-1)
    colors = param.Dict(default={}, precedence=-1, doc="optimizer → palette slot (sticky)")
    message = param.String(default="", precedence=-1, doc="What is wrong, in words")

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.settings: dict[str, OptimizerSettings] = {n: make_settings(n) for n in optim.names()}
        for settings in self.settings.values():
            names = [p for p in settings.param if p != "name"]
            settings.param.watch(self._on_setting, names)
        self._surface: Surface = resolve("rosenbrock", "", (-3.0, 3.0))
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


INPUTS = names(RaceInputs, RUN)
"""Parameters whose change calls for a recompute."""
LINKED = names(RaceInputs, RUN, LINK)
"""Parameters the page's link records (the optimizers' own settings besides)."""


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
