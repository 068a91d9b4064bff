"""Tuning η for the small-nets race: each racing optimizer's learning rate by one stated rule.

Every racing optimizer trains once per value of :data:`NET_TUNE_LRS` (nine half-decades from
1e-4 to 1) and run seed, all in one vmapped race with the tab's network, batches, steps and
schedule, its other hyperparameters as set. The seeds are the race's, extended to at least
:data:`TUNE_SEEDS` (the first run seed and those after it). What decides is the model's ``tune_by``:

* ``"validation"`` (the default): the net trains on the first three quarters of the training
  set and is judged on the last quarter (:func:`rlx_lab.nets.datasets.hold_out`, a batch larger
  than that part shrinks to fit) — a setting that merely memorises the training points does not
  win;
* ``"training"``: the net trains on the whole training set and is judged on it (the
  optimisation view: how low each optimizer drives the loss it is given).

A setting's score is its final judged loss, averaged over the seeds (with several seeds, a
setting that wins on one lucky draw does not win); a setting that diverges at any seed is out.
The lowest score wins; ties (a perfect fit reaches 0) go to the faster descent, the lower mean
over the frames. The test set plays no part in the choice.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, NamedTuple

import numpy as np

from rlx_lab import nets, optim
from rlx_lab.cost import Cost, nothing
from rlx_lab.nets import Dataset, NetRun, RaceResult

from .nets import INPUTS, NetsModel
from .nets_plan import NetsPlan, make_data
from .tuning import Tuning, TuningModel, tuning_note

NET_TUNE_LRS = tuple(float(v) for v in np.logspace(-4, 0, 9))
"""The learning rates the nets tab tries: 1e-4, 3.16e-4, …, 1."""
HELD_OUT = 0.25
"""Share of the training set a validation-judged tuning holds out of training."""
TUNE_SEEDS = 3
"""Run seeds a tuning trains every candidate with, at least (more if the race has more): with one
seed, a setting that lands well by luck wins (measured on three datasets: see the README)."""
STALE_AFTER = (*(p for p in INPUTS if p not in ("optimizers", "landscape", "revision")), "tune_by")
"""Inputs after whose change the last tuning no longer describes the race (the seed count
included: the candidates train with the race's seeds)."""


class Candidates(NamedTuple):
    """Every candidate setting's run, and what judged them."""

    result: RaceResult
    data: Dataset
    """The data the candidates trained on (and, for ``"validation"``, were judged on)."""
    by: str
    """``"validation"`` or ``"training"``."""
    words: str
    """How they were judged, for a note."""


def train_candidates(plan: NetsPlan, grid: dict[str, list[dict[str, Any]]], by: str) -> Candidates:
    """Train every setting of ``grid`` (optimizer → settings) in one race with ``plan``'s
    network and settings and the :func:`tuning_seeds`, on the data that ``by`` judges."""
    data, settings = make_data(plan.data), plan.settings
    if by == "validation":
        full = len(data.x_train)
        data = nets.datasets.hold_out(data, HELD_OUT)
        kept, held = len(data.x_train), len(data.x_test)
        batch = min(settings.batch_size, kept)
        settings = dataclasses.replace(settings, batch_size=batch)
        shrunk = f", batches of {batch}" if batch != plan.settings.batch_size else ""
        words = (
            f"the net trains on {kept} of the {full} training points{shrunk} and is judged "
            f"on the other {held}: the lowest final validation loss"
        )
    elif by == "training":
        words = "the lowest final training loss"
    else:
        raise ValueError(f"tune_by: expected 'validation' or 'training', got {by!r}")
    result = nets.race(data, grid, model=plan.model, settings=settings, seeds=tuning_seeds(plan))
    return Candidates(result, data, by, words)


def tuning_seeds(plan: NetsPlan) -> tuple[int, ...]:
    """The race's run seeds, extended to at least :data:`TUNE_SEEDS`."""
    first = plan.seeds[0]
    return tuple(range(first, first + max(len(plan.seeds), TUNE_SEEDS)))


def rank_key(run: NetRun, by: str) -> tuple[float, float]:
    """(final judged loss, its mean over the frames) — the validation loss for ``by ==
    "validation"``, else the training loss; (inf, inf) for a run that diverged or ended
    non-finite."""
    curve = run.test_loss if by == "validation" else run.train_loss
    final = float(curve[-1])
    if run.diverged or not math.isfinite(final):
        return (math.inf, math.inf)
    return (final, float(np.mean(curve)))


def setting_keys(tried: Candidates, optimizer: str) -> list[tuple[float, float]]:
    """Each of ``optimizer``'s settings' :func:`rank_key`, averaged over the seeds ((inf, inf)
    if any seed's run diverged)."""
    keys = np.array([rank_key(r, tried.by) for r in tried.result.runs_of(optimizer)])
    per_setting = keys.reshape(-1, len(tried.result.seeds), 2).mean(axis=1)
    return [(float(final), float(mean)) for final, mean in per_setting]


def seeds_words(seeds: Sequence[int]) -> str:
    """``seed 0``, or ``seeds 0–2 (scores averaged)``."""
    if len(seeds) == 1:
        return f"seed {seeds[0]}"
    return f"seeds {seeds[0]}–{seeds[-1]} (scores averaged)"


def best_index(
    keys: Sequence[tuple[float, float]], group: np.ndarray | None = None, only: int | None = None
) -> int | None:
    """The lane with the lowest key, within group ``only`` if given (None: all diverged)."""
    lanes = [i for i in range(len(keys)) if only is None or group is None or group[i] == only]
    lanes = [i for i in lanes if math.isfinite(keys[i][0])]
    return min(lanes, key=lambda i: keys[i]) if lanes else None


def tune_nets(model: NetsModel) -> Tuning:
    """Tune η of every racing optimizer (reads the model only: safe on a worker thread)."""
    return tune_plan(model.plan(), model.tune_by)


def tune_plan(plan: NetsPlan, by: str) -> Tuning:
    """:func:`tune_nets` of a snapshot (picklable: it may run in a worker process)."""
    if not plan.jobs:
        return Tuning({}, (), "Not tuned: " + "; ".join(plan.problems or ("nothing to tune",)))
    grid = {
        job.optimizer: [{**job.overrides, "lr": lr} for lr in NET_TUNE_LRS] for job in plan.jobs
    }
    tried = train_candidates(plan, grid, by)
    values: dict[str, float] = {}
    failed: list[str] = []
    for job in plan.jobs:
        best = best_index(setting_keys(tried, job.optimizer))
        if best is None:
            failed.append(f"{optim.get(job.optimizer).title} (diverged at every η)")
        else:
            values[job.optimizer] = NET_TUNE_LRS[best]
    runs = f"{plan.settings.steps} steps, {seeds_words(tried.result.seeds)}"
    head = f"η tuned on {tried.data.name}, {runs}; {tried.words} of"
    return Tuning(values, tuple(failed), tuning_note(head, values, failed, NET_TUNE_LRS))


class NetsTuningModel(TuningModel):
    """The nets race's η tuning: whether it runs, what it last did, whether that still holds."""

    def __init__(self, model: NetsModel, **params: Any) -> None:
        super().__init__(model, STALE_AFTER, **params)  # type: ignore[arg-type]

    candidates = len(NET_TUNE_LRS)

    def cost(self) -> Cost:
        """Every racing optimizer's :attr:`candidates` settings × the tuning seeds, trained."""
        plan = self.race.plan()
        if not plan.jobs:
            return nothing(self.what)
        return nets.cost.race_cost(
            plan.model,
            plan.settings,
            seeds=len(tuning_seeds(plan)),
            optimizers=len(plan.jobs),
            samples=plan.data.samples,
            settings_each=self.candidates,
            what=self.what,
        )

    def run(self) -> Tuning:
        """Tune without touching any parameter (safe on a worker thread)."""
        return tune_nets(self.race)

    def task(self) -> Callable[[], Tuning]:
        """:meth:`run` as a picklable call for a worker process."""
        return partial(tune_plan, self.race.plan(), self.race.tune_by)
