"""Tuning η for the small-nets race: each racing optimizer's learning rate by one stated rule.

Every racing optimizer trains once per value of :data:`~rlx_lab.nets.tuning.NET_TUNE_LRS` (nine
half-decades from 1e-4 to 1) and run seed, all in one vmapped race with the tab's network,
batches, steps and schedule, its other hyperparameters as set. The seeds are the race's, extended
to at least :data:`~rlx_lab.nets.tuning.TUNE_SEEDS` (the first run seed and those after it). The
model's ``tune_by`` judges them (``"validation"``, the default, or ``"training"``); the rule, the
training and the pick are :mod:`rlx_lab.nets.tuning`'s (:func:`~rlx_lab.nets.tuning.tune_lr`):
a held-out quarter of the training set, or 5-fold cross-validation when that quarter would hold
fewer than :data:`~rlx_lab.nets.tuning.MIN_VALIDATION` points; too few points to judge at all
is a refusal, in the note. This module snapshots the tab and words the result; :class:`NetsTuner`
is what the small nets hand the shared tuning job (:class:`~rlx_lab_app.state.tuning.TuningJob`),
and :class:`NetsTuningModel` is that job with :data:`ETA`, reviewed afterwards
(:class:`~rlx_lab_app.state.nets.review.NetsTuningJob`: the test figures before and after, and
the data the values belong to).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from rlx_lab import nets, optim
from rlx_lab.cost import Cost, nothing
from rlx_lab.nets.folds import FOLDS, CannotJudge
from rlx_lab.nets.tuning import NET_TUNE_LRS, cross_validates, seeds_words
from rlx_lab_app.state.nets.model import INPUTS, NetsModel
from rlx_lab_app.state.nets.plan import NetsPlan, make_data
from rlx_lab_app.state.nets.review import NetsTuningJob, data_title
from rlx_lab_app.state.tuning import Tuning, not_tuned, tuning_note

STALE_AFTER = (*(p for p in INPUTS if p not in ("optimizers", "landscape", "revision")), "tune_by")
"""Inputs after whose change the last tuning no longer describes the race (the seed count
included: the candidates train with the race's seeds)."""


def train_candidates(
    plan: NetsPlan, grid: dict[str, list[dict[str, Any]]], by: str
) -> nets.tuning.Candidates:
    """:func:`rlx_lab.nets.tuning.train_candidates` of every setting of ``grid`` (optimizer →
    settings) with ``plan``'s data, network and settings and the :func:`tuning_seeds`."""
    return nets.tuning.train_candidates(
        make_data(plan.data),
        grid,
        model=plan.model,
        settings=plan.settings,
        seeds=tuning_seeds(plan),
        by=by,  # type: ignore[arg-type]  # a str: tuning validates it
    )


def tuning_seeds(plan: NetsPlan) -> tuple[int, ...]:
    """The race's run seeds, extended to at least :data:`~rlx_lab.nets.tuning.TUNE_SEEDS`."""
    return nets.tuning.tuning_seeds(plan.seeds)


def tune_plan(plan: NetsPlan, by: str) -> Tuning:
    """Tune η of every racing optimizer of ``plan``, judged ``by`` the validation or the
    training loss (a snapshot: safe on a worker thread, picklable for a worker process)."""
    if not plan.jobs:
        return not_tuned(plan.problems)
    choice = {job.optimizer: dict(job.overrides) for job in plan.jobs}
    try:
        tuned = nets.tuning.tune_lr(
            make_data(plan.data),
            choice,
            model=plan.model,
            settings=plan.settings,
            seeds=tuning_seeds(plan),
            by=by,  # type: ignore[arg-type]  # a str: tuning validates it
            lrs=NET_TUNE_LRS,
        )
    except CannotJudge as refused:
        return not_tuned([str(refused)])
    values = tuned.lrs
    failed = [f"{optim.get(name).title} (diverged at every η)" for name in tuned.failed]
    tried = tuned.candidates
    runs = f"{plan.settings.steps} steps, {seeds_words(tried.result.seeds)}"
    head = f"η tuned on {data_title(plan.data)}, {runs}; {tried.words} of"
    return Tuning(values, tuple(failed), tuning_note(head, values, failed, NET_TUNE_LRS))


@dataclass(frozen=True)
class NetsTuner:
    """A tuning of the small-nets race: ``candidates`` settings per racing optimizer, each
    trained with the race's network, data and settings on the :func:`tuning_seeds`, chosen by
    ``tune`` (a snapshot's function: picklable, so it may run in a worker process)."""

    what: str
    candidates: int
    tune: Callable[[NetsPlan, str], Tuning]
    stale_after: Sequence[str] = STALE_AFTER

    def cost(self, model: NetsModel) -> Cost:
        """Every racing optimizer's :attr:`candidates` settings × the tuning seeds, trained
        (once per fold under cross-validation)."""
        plan = model.plan()
        if not plan.jobs:
            return nothing(self.what)
        folds = FOLDS if cross_validates(make_data(plan.data), model.tune_by) else 1
        return nets.cost.race_cost(
            plan.model,
            plan.settings,
            seeds=len(tuning_seeds(plan)),
            optimizers=len(plan.jobs),
            samples=plan.data.samples,
            settings_each=self.candidates * folds,
            what=self.what,
        )

    def run(self, model: NetsModel) -> Tuning:
        return self.tune(model.plan(), model.tune_by)

    def task(self, model: NetsModel) -> Callable[[], Tuning]:
        return partial(self.tune, model.plan(), model.tune_by)


ETA = NetsTuner("tuning η", len(NET_TUNE_LRS), tune_plan)
"""η tuning of the small nets: :data:`~rlx_lab.nets.tuning.NET_TUNE_LRS` per optimizer."""


class NetsTuningModel(NetsTuningJob):
    """The nets race's η tuning: whether it runs, what it last did, whether that still holds."""

    tuner = ETA
