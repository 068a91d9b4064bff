"""Tuning η for the race: each selected optimizer's learning rate with the lowest final loss.

For every selected optimizer, :func:`tune` runs :func:`rlx_lab.engine.tune_lr` — 25 learning
rates from 1e-4 to 1 in one vmapped call, from the race's start with the race's steps, view and
settings and the optimizer's other hyperparameters — and keeps the η whose run ends lowest
without diverging (with gradient noise, the lowest mean over the race's noise draws, none of
which may diverge). Same budget, same start, and a stated rule for choosing η: the fair
comparison the optimizer galleries make by hand.

:class:`RaceTuner` is what the surfaces hand the shared tuning job
(:class:`~rlx_lab_app.state.tuning.TuningJob`): how a surfaces tuning costs and runs.
:class:`TuningModel` is that job with :data:`ETA`, the state the page shows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rlx_lab import engine, optim
from rlx_lab.cost import Cost
from rlx_lab.engine import Trajectory
from rlx_lab_app.state.scales import format_value
from rlx_lab_app.state.surfaces.inputs import INPUTS
from rlx_lab_app.state.surfaces.race import RaceModel
from rlx_lab_app.state.tuning import Tuning, TuningJob, tuning_note


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


STALE_AFTER = tuple(
    p for p in INPUTS if p not in ("optimizers", "revision", "many_starts", "grid_size")
)
"""Race inputs after whose change the last tuning no longer describes the race: every input
that calls for a new race (:data:`~rlx_lab_app.state.surfaces.inputs.INPUTS`) and that a tuning
reads, so the clip, the η schedule and Sophia's estimator too. Not the selection, the grid of
extra starts, or a hyperparameter moved after tuning (``revision``)."""


@dataclass(frozen=True)
class RaceTuner:
    """A tuning of the surfaces race: ``candidates`` settings per racing optimizer, each run
    from the race's start (× its noise draws), chosen by ``tune``."""

    what: str
    candidates: int
    tune: Callable[[RaceModel], Tuning]
    stale_after: Sequence[str] = STALE_AFTER

    def cost(self, race: RaceModel) -> Cost:
        """One grid of :attr:`candidates` settings × noise draws per racing optimizer."""
        return engine.grid_cost(
            self.candidates,
            race.draws(),
            race.steps,
            optimizers=len(race.optimizers),
            what=self.what,
        )

    def run(self, race: RaceModel) -> Tuning:
        return self.tune(race)

    def task(self, race: RaceModel) -> Callable[[], Tuning] | None:
        """None: a surface's tuning takes well under a second, not worth a worker process."""
        del race
        return None


ETA = RaceTuner("tuning η", len(engine.TUNE_LRS), tune)
"""η tuning on the surfaces: :data:`rlx_lab.engine.TUNE_LRS` per optimizer."""


class TuningModel(TuningJob):
    """The race's η tuning: whether it runs, what it last did, and whether that still holds."""

    tuner = ETA
