"""A sweep: final loss (or steps to a tolerance) over a grid of two hyperparameters.

The grid is one vmapped call of :func:`rlx_lab.engine.sweep` from the race's start with the
race's settings; the other hyperparameters are the optimizer's current values. Picking a cell
(:meth:`SweepModel.load`) copies that setting into the race.

A headless sweep's results file (``python -m rlx_lab.sweep``) opens here too
(:meth:`SweepModel.open_file`): its heat map is one optimizer over the file's first two grid
axes, the other axes held where the lowest final loss is (:func:`rlx_lab.sweep.slices.heatmap`),
and a click loads that whole setting.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import param

from rlx_lab import engine, optim, sweep
from rlx_lab.cost import Cost
from rlx_lab.engine import SweepResult
from rlx_lab.optim import HParam
from rlx_lab.sweep import slices
from rlx_lab_app.state.jobs import JobState
from rlx_lab_app.state.scales import format_value, sweep_values
from rlx_lab_app.state.surfaces.race import RaceModel

METRICS = ("final_loss", "steps_to_tol")


def sweepable(name: str) -> list[str]:
    """Hyperparameters of ``name`` that a sweep can vary (continuous, with an effect)."""
    return [
        hp.name
        for hp in optim.get(name).spec
        if hp.kind in ("float", "optional_float") and hp.tag != "inert"
    ]


def hp_scale(optimizer: str, name: str) -> str:
    """The slider scale of hyperparameter ``name`` of ``optimizer``."""
    return next(hp.scale for hp in optim.get(optimizer).spec if hp.name == name)


def default_range(hp: HParam) -> tuple[float, float]:
    """A useful default interval for sweeping ``hp`` (learning rates: 1e-4 … 1)."""
    if hp.tag == "lr":
        return (1e-4, 1.0)
    if hp.scale == "log1m":
        return (0.0, 0.999)
    low = hp.ui_low if hp.ui_low is not None else 0.0
    high = hp.ui_high if hp.ui_high is not None else 1.0
    return (float(low), float(high))


class SweepModel(JobState):
    """Which optimizer and hyperparameters to sweep, and the latest result."""

    optimizer = param.Selector(default="adam", objects=list(optim.names()))
    x_param = param.Selector(default="lr", objects=sweepable("adam"), doc="Horizontal axis")
    y_param = param.Selector(default="beta1", objects=sweepable("adam"), doc="Vertical axis")
    x_range = param.Range(default=(1e-4, 1.0), doc="Interval of the horizontal axis")
    y_range = param.Range(default=(0.0, 0.999), doc="Interval of the vertical axis")
    resolution = param.Integer(default=32, bounds=(2, 64), softbounds=(4, 48))
    metric = param.Selector(default="final_loss", objects=list(METRICS))
    tol = param.Number(
        default=1e-3,
        bounds=(0.0, None),
        inclusive_bounds=(False, True),
        doc="Loss that counts as reached (for steps_to_tol)",
    )
    result = param.ClassSelector(class_=SweepResult, default=None, precedence=-1)
    seconds = param.Number(default=0.0, precedence=-1)
    message = param.String(default="", precedence=-1)
    opened = param.String(default="", precedence=-1, doc="The results file shown ('': none)")
    file_optimizer = param.Selector(
        default=None, objects=[], allow_None=True, doc="The opened file's optimizer to show"
    )

    def __init__(self, race: RaceModel, **params: Any) -> None:
        super().__init__(**params)
        self.race = race
        self._file: sweep.SweepFile | None = None
        self._fixed: dict[str, float] = {}
        """The opened file's slice: the values a click loads beside the two axes."""
        self._axes_for_optimizer()

    @param.depends("optimizer", watch=True)
    def _axes_for_optimizer(self) -> None:
        names = sweepable(self.optimizer)
        x = "lr" if "lr" in names else names[0]
        rest = [n for n in names if n != x]
        preferred = ("rho", "beta1", "momentum", "nu1", "beta2")
        y = next((n for n in preferred if n in rest), rest[0] if rest else x)
        self.param.x_param.objects = names
        self.param.y_param.objects = names
        self.param.update(x_param=x, y_param=y)
        self._reset_ranges()

    @param.depends("x_param", "y_param", watch=True)
    def _reset_ranges(self) -> None:
        self.param.update(
            x_range=default_range(self._hp(self.x_param)),
            y_range=default_range(self._hp(self.y_param)),
        )

    def follow_race(self) -> None:
        """Sweep a racing optimizer: the race's first, unless the current choice races or a
        sweep has been run (the tab calls this when it is opened)."""
        racing = self.race.optimizers
        if self.result is None and racing and self.optimizer not in racing:
            self.optimizer = racing[0]

    def _hp(self, name: str) -> HParam:
        return next(hp for hp in optim.get(self.optimizer).spec if hp.name == name)

    def values(self, axis: str) -> np.ndarray:
        """The grid values along ``axis`` ("x" or "y"), evenly spaced on its slider scale."""
        name = self.x_param if axis == "x" else self.y_param
        low, high = self.x_range if axis == "x" else self.y_range
        return sweep_values(low, high, self.resolution, self._hp(name).scale)

    def scale(self, axis: str) -> str:
        """The slider scale of the hyperparameter on ``axis``."""
        return self._hp(self.x_param if axis == "x" else self.y_param).scale

    def cost(self) -> Cost:
        """Every cell × the race's noise draws, in one vmapped call."""
        return engine.grid_cost(self.resolution**2, self.race.draws(), self.race.steps)

    def run(self) -> tuple[SweepResult | None, str, float]:
        """Run the sweep without touching any parameter (safe on a worker thread).

        Returns the result (None on error), a message and the seconds it took.
        """
        if self.x_param == self.y_param:
            return None, "Choose two different hyperparameters.", 0.0
        base = self.race.settings[self.optimizer].overrides()
        for name in (self.x_param, self.y_param):
            base.pop(name, None)
        axes = {self.x_param: self.values("x"), self.y_param: self.values("y")}
        began = time.perf_counter()
        try:
            result = engine.sweep(
                self.optimizer,
                base,
                axes,
                self.race.current_surface,
                self.race.start_point(),
                self.race.run_settings(),
                tol=self.tol,
                draws=self.race.draws(),
            )
        except ValueError as error:
            return None, f"sweep: {error}", time.perf_counter() - began
        return result, self._describe(result), time.perf_counter() - began

    def show(self, result: SweepResult | None, message: str, seconds: float) -> None:
        """Publish the outcome of :meth:`run`."""
        if result is None:
            self.message = message
            return
        self._file, self._fixed = None, {}
        self.param.update(result=result, seconds=seconds, message=message, opened="")

    def open_file(self, source: Any, name: str) -> bool:
        """Show the results file ``source`` (a path or a binary file) called ``name``: the
        optimizer being swept if the file has it, else its first. False (and a message) if it
        is not a results file or has fewer than two grid axes."""
        try:
            file = sweep.load(source)
        except ValueError as error:
            self.message = f"{name}: {error}"
            return False
        axes = list(file.axes())
        if len(axes) < 2:
            self.message = f"{name}: a heat map needs two grid axes; the file has {axes}"
            return False
        self._file = file
        self.opened = name
        self.param.file_optimizer.objects = file.optimizers
        pick = self.optimizer if self.optimizer in file.optimizers else file.optimizers[0]
        if self.file_optimizer == pick:
            self._show_file()
        else:
            self.file_optimizer = pick
        return True

    @param.depends("file_optimizer", watch=True)
    def _show_file(self) -> None:
        if self._file is None or self.file_optimizer is None:
            return
        x, y = list(self._file.axes())[:2]
        result, others = slices.heatmap(self._file, self.file_optimizer, x, y)
        self._fixed = dict(result.base)  # the file's overrides and the slice's other axes
        held = ", ".join(f"{k}={format_value(v)}" for k, v in others.items())
        world = self._file.spec.get("world", "surface")
        where = self._file.spec.get(world, {}).get("name" if world == "surface" else "dataset")
        self.param.update(
            result=result,
            seconds=0.0,
            message=(
                f"{self.opened}: {self._describe(result)}"
                + (f" Held at the best: {held}." if held else "")
                + (f" (The file's sweep ran on {where}.)" if where else "")
            ),
        )

    def compute(self) -> SweepResult | None:
        """Run and publish, synchronously (tests, notebooks)."""
        result, message, seconds = self.run()
        self.show(result, message, seconds)
        return result

    def _describe(self, result: SweepResult) -> str:
        diverged = int(np.sum(result.diverged_at >= 0))
        best = result.best()
        text = ", ".join(f"{k}={format_value(v)}" for k, v in best.items())
        note = f"; {diverged} of {result.diverged_at.size} settings diverged" if diverged else ""
        draws = result.settings.get("draws", 1)
        mean = (
            f" (mean of {draws} noise draws; a cell diverged if any draw did)" if draws > 1 else ""
        )
        return f"Lowest final loss{mean} at {text}{note}. Click a cell to race that setting."

    def load(self, i: int, j: int) -> None:
        """Copy cell (i along x, j along y) into the race and make sure it is racing."""
        if self.result is None:
            return
        name_x, name_y = self.result.axes
        values = {
            **self._fixed,  # an opened file's slice: the rest of the setting
            name_x: float(self.result.values[0][i]),
            name_y: float(self.result.values[1][j]),
        }
        settings = self.race.settings[self.result.optimizer]
        problems = settings.apply(values)
        if self.result.optimizer not in self.race.optimizers:
            self.race.optimizers = [*self.race.optimizers, self.result.optimizer]
        if problems:
            self.message = "; ".join(problems)
