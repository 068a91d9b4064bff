"""The optimizer gallery: every optimizer at its own tuned η on the race's surface, ranked.

The static pictures optimizer libraries ship — each optimizer on Rosenbrock with a hand-tuned
learning rate — made live and fair: :func:`tuning.tune` picks each optimizer's η by the stated
rule (of 25 values from 1e-4 to 1, the one whose run ends lowest without diverging, from the
race's start with its steps and settings and the optimizer's other settings as the race has
them), the run at that η comes out of the same vmapped scan, and they are ranked by the loss
they reach, ties by the loss averaged over the run (optimizers with no usable η last).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import param

from rlx_lab import engine, optim
from rlx_lab.cost import Cost
from rlx_lab.engine import Trajectory
from rlx_lab.surfaces import Surface
from rlx_lab_app.state.race_job import RaceJob
from rlx_lab_app.state.surfaces.race import INPUTS, RaceModel
from rlx_lab_app.state.surfaces.tuning import tune

STALE_AFTER = tuple(p for p in INPUTS if p not in ("optimizers", "many_starts", "grid_size"))
"""Race inputs a gallery depends on: every run setting and every optimizer's own settings
(``revision``), not which optimizers race or the extra starts."""


@dataclass(frozen=True)
class Entry:
    """One optimizer in the gallery."""

    name: str
    lr: float | None
    """The tuned η (None: no usable η)."""
    trajectory: Trajectory | None
    """Its run at the tuned η."""

    @property
    def title(self) -> str:
        return optim.get(self.name).title

    @property
    def final_loss(self) -> float:
        """The loss its run ends at, averaged over its noise draws (``inf`` without a run)."""
        if self.trajectory is None:
            return math.inf
        loss = float(np.mean(self.trajectory.final_loss()))
        return loss if math.isfinite(loss) else math.inf

    @property
    def mean_loss(self) -> float:
        """The loss averaged over the run (and its noise draws): lower for a faster descent
        (``inf`` without one)."""
        if self.trajectory is None:
            return math.inf
        mean = float(np.mean(self.trajectory.loss))
        return mean if math.isfinite(mean) else math.inf

    def rank_key(self) -> tuple[bool, float, float]:
        """By final loss, ties (several reach the minimum) by the faster descent; optimizers
        without a usable η last (a tuned run never diverged)."""
        return self.trajectory is None, self.final_loss, self.mean_loss


@dataclass(frozen=True)
class Gallery:
    """Every optimizer at its tuned η on one surface, best first."""

    surface: Surface
    surface_params: dict[str, float]
    entries: tuple[Entry, ...]
    note: str
    """How η was chosen, and for whom it could not be."""
    log_color: bool = True


def build_gallery(race: RaceModel, names: Sequence[str] | None = None) -> Gallery:
    """Tune, run and rank ``names`` (default: all 14) on the race's surface, start and
    settings (reads the model only: safe on a worker thread)."""
    names = tuple(optim.names() if names is None else names)
    tuning = tune(race, names)  # each optimizer's best run comes out of its own scan
    entries = sorted(
        (Entry(n, tuning.values.get(n), tuning.runs.get(n)) for n in names), key=Entry.rank_key
    )
    return Gallery(
        race.current_surface,
        dict(race.surface_params),
        tuple(entries),
        tuning.note,
        race.log_color,
    )


class GalleryModel(RaceJob):
    """The gallery the page shows: the last one built, whether it runs, whether it is stale."""

    gallery = param.ClassSelector(class_=Gallery, default=None, precedence=-1)

    def __init__(self, race: RaceModel, **params: Any) -> None:
        super().__init__(race, STALE_AFTER, **params)

    def cost(self) -> Cost:
        """The η scan of all 14 optimizers (each in one vmapped call)."""
        race = self.race
        return engine.grid_cost(
            len(engine.TUNE_LRS),
            race.draws(),
            race.steps,
            optimizers=len(optim.names()),
            what="the gallery",
        )

    def run(self) -> Gallery:
        """Build without touching any parameter (safe on a worker thread)."""
        return build_gallery(self.race)

    def show(self, gallery: Gallery) -> None:
        self.param.update(gallery=gallery, busy=False, stale=False, error="")

    def has_result(self) -> bool:
        return self.gallery is not None

    def race_best(self, count: int = 4) -> list[str]:
        """Race the gallery's best ``count`` at their tuned η; return any problems in words."""
        if self.gallery is None:
            return ["no gallery yet: build it first"]
        best = [e for e in self.gallery.entries if e.lr is not None][:count]
        problems: list[str] = []
        for entry in best:
            problems.extend(self.race.settings[entry.name].apply({"lr": entry.lr}))
        if best:
            self.race.optimizers = [e.name for e in best]
        self.stale = False  # the gallery tunes η itself: moving η to its values changes nothing
        return problems
