"""Tuning η for the race: each selected optimizer's learning rate with the lowest final loss.

For every selected optimizer, :func:`tune` runs :func:`rlx_lab.engine.tune_lr` — 25 learning
rates from 1e-4 to 1 in one vmapped call, from the race's start with the race's steps, view and
settings and the optimizer's other hyperparameters — and keeps the η whose run ends lowest
without diverging (with gradient noise, the lowest mean over the race's noise draws, none of
which may diverge). :func:`apply_tuning` moves the sliders there. Same budget, same start, and a
stated rule for choosing η: the fair comparison the optimizer galleries make by hand.
:class:`TuningModel` is the state the page shows: busy, the last note, and whether the race has
changed since.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import param

from rlx_lab import engine, optim
from rlx_lab.cost import Cost
from rlx_lab.engine import Trajectory
from rlx_lab_app.state.scales import format_value
from rlx_lab_app.state.surfaces.race import RaceModel
from rlx_lab_app.state.surfaces.race_job import RaceJob


@dataclass(frozen=True)
class Tuning:
    """The outcome of :func:`tune`."""

    values: dict[str, float]
    """optimizer → tuned learning rate."""
    failed: tuple[str, ...]
    """Optimizers with no usable η (every run diverged, or a bad setting), in words."""
    note: str
    """What was tuned, how, and the result, for the page."""
    runs: dict[str, Trajectory] = field(default_factory=dict)
    """optimizer → its run at the tuned η (out of the scan's own call)."""
    others: dict[str, dict[str, Any]] = field(default_factory=dict)
    """optimizer → the other hyperparameters tuned with η (a search beyond η)."""


def tune(race: RaceModel, names: Sequence[str] | None = None) -> Tuning:
    """Tune η of ``names`` (default: every selected optimizer), each with its other settings
    as the race has them (reads the model only: safe on a worker thread)."""
    names = race.optimizers if names is None else names
    if not names:
        return Tuning({}, (), "Select an optimizer first: there is no η to tune.")
    surface, start, settings = race.current_surface, race.start_point(), race.run_settings()
    values: dict[str, float] = {}
    runs: dict[str, Trajectory] = {}
    failed: list[str] = []
    for name in names:
        title = optim.get(name).title
        try:
            scan = engine.tune_lr(
                name, race.settings[name].overrides(), surface, start, settings, draws=race.draws()
            )
        except ValueError as error:
            failed.append(f"{title} ({error})")
            continue
        best = scan.best()
        if best is None or scan.best_run is None:
            failed.append(f"{title} (diverged at every η)")
        else:
            values[name], runs[name] = best, scan.best_run
    head = (
        f"η tuned on {surface.title}, {settings.steps} steps from "
        f"({format_value(start[0])}, {format_value(start[1])}){draws_words(race.draws())}: the "
        "lowest final loss of"
    )
    return Tuning(values, tuple(failed), tuning_note(head, values, failed, engine.TUNE_LRS), runs)


def draws_words(draws: int) -> str:
    """``""``, or ``", mean of 5 noise draws"`` when each setting ran several."""
    return f", mean of {draws} noise draws" if draws > 1 else ""


def tuning_note(
    head: str, values: dict[str, float], failed: Sequence[str], lrs: Sequence[float]
) -> str:
    """``head`` + the range tried + each tuned η (flagged at an end of the range, where the
    best may lie outside it) + what could not be tuned."""

    def value(lr: float) -> str:
        edge = (
            " (the top of the range: a larger η may do better)"
            if lr == lrs[-1]
            else " (the bottom of the range: a smaller η may do better)"
            if lr == lrs[0]
            else ""
        )
        return format_value(lr) + edge

    found = ", ".join(f"{optim.get(n).title} {value(v)}" for n, v in values.items())
    note = (
        f"{head} {len(lrs)} values from {format_value(lrs[0])} to {format_value(lrs[-1])}"
        f"{' — ' + found if found else ''}."
    )
    return note + (f" Not tuned: {'; '.join(failed)}." if failed else "")


def apply_tuning(race: RaceModel, tuning: Tuning) -> list[str]:
    """Move each tuned optimizer's η slider (and any other tuned field) to its value; return
    any problems in words."""
    problems: list[str] = []
    for name, lr in tuning.values.items():
        problems.extend(race.settings[name].apply({**tuning.others.get(name, {}), "lr": lr}))
    return problems


STALE_AFTER = (
    "surface",
    "formula",
    "window",
    "surface_params",
    "start",
    "steps",
    "view",
    "noise",
    "seed",
    "repeats",
)
"""Race inputs after whose change the last tuning no longer describes the race."""


class TuningModel(RaceJob):
    """The race's η tuning: whether it runs, what it last did, and whether that still holds."""

    note = param.String(default="", precedence=-1, doc="What the last tuning did, in words")

    def __init__(
        self, race: RaceModel, stale_after: Sequence[str] = STALE_AFTER, **params: Any
    ) -> None:
        super().__init__(race, stale_after, **params)

    candidates = len(engine.TUNE_LRS)
    """Settings each optimizer runs (its cost)."""
    what = "tuning η"

    def cost(self) -> Cost:
        """One grid of :attr:`candidates` settings × noise draws per racing optimizer."""
        race = self.race
        return engine.grid_cost(
            self.candidates,
            race.draws(),
            race.steps,
            optimizers=len(race.optimizers),
            what=self.what,
        )

    def run(self) -> Tuning:
        """Tune without touching any parameter (safe on a worker thread)."""
        return tune(self.race)

    def show(self, tuning: Tuning) -> None:
        """Move the sliders to ``tuning`` and publish its note."""
        problems = apply_tuning(self.race, tuning)
        self.param.update(
            note=" ".join([tuning.note, *problems]), busy=False, stale=False, error=""
        )

    def has_result(self) -> bool:
        return bool(self.note)
