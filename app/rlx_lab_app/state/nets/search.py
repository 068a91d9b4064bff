"""Tuning beyond η for the small-nets race: every racing optimizer's tunable fields at once.

Each racing optimizer trains once as set, once per η of the η scan
(:data:`~rlx_lab.nets.tuning.NET_TUNE_LRS`) and once per each of
:data:`NET_SEARCH_SAMPLES` random settings of every tunable field
(:func:`rlx_lab.engine.sample_settings`: the same draws as the surfaces lab's search), all in one
vmapped race with the tab's data, network, batches, steps, schedule and seeds. They are judged as η
tuning judges (:mod:`rlx_lab.nets.tuning`: by default the validation loss on a held-out
quarter of the training set, or by 5-fold cross-validation where that quarter is too small; or
the training loss): the lowest final loss without diverging wins, ties go to the faster
descent. The test set plays no part in the choice; the review afterwards
(:mod:`rlx_lab_app.state.nets.review`) compares the test figures before and after.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from rlx_lab import engine, optim
from rlx_lab.engine import AS_GIVEN, LR_ALONE, RANDOM
from rlx_lab.nets.folds import CannotJudge
from rlx_lab.nets.tuning import NET_TUNE_LRS, best_index, seeds_words, setting_keys
from rlx_lab_app.state.nets.plan import NetsPlan
from rlx_lab_app.state.nets.review import NetsTuningJob, data_title
from rlx_lab_app.state.nets.tuning import NetsTuner, train_candidates
from rlx_lab_app.state.tuning import Tuning, compare_line, not_tuned, search_note

NET_SEARCH_SAMPLES = 32
"""Random settings per optimizer (fewer than on a surface: each one trains a network)."""


def search_plan(plan: NetsPlan, by: str, *, seed: int = 0) -> Tuning:
    """Search every tunable field of every racing optimizer of ``plan``, judged ``by`` the
    validation or the training loss (a snapshot: safe on a worker thread, picklable for a
    worker process)."""
    if not plan.jobs:
        return not_tuned(plan.problems)
    grid: dict[str, list[dict[str, Any]]] = {}
    for job in plan.jobs:
        drawn = engine.sample_settings(job.optimizer, NET_SEARCH_SAMPLES, seed)
        grid[job.optimizer] = [
            dict(job.overrides),
            *({**job.overrides, "lr": lr} for lr in NET_TUNE_LRS),
            *({**job.overrides, **setting} for setting in drawn),
        ]
    group = np.repeat([AS_GIVEN, LR_ALONE, RANDOM], [1, len(NET_TUNE_LRS), NET_SEARCH_SAMPLES])
    try:
        tried = train_candidates(plan, grid, by)
    except CannotJudge as refused:
        return not_tuned([str(refused)])
    values: dict[str, float] = {}
    others: dict[str, dict[str, Any]] = {}
    failed: list[str] = []
    lines: list[str] = []
    for job in plan.jobs:
        name = job.optimizer
        fields = engine.searchable(name)
        keys = setting_keys(tried, name)
        best = best_index(keys, group)
        if best is None:
            failed.append(f"{optim.get(name).title} (diverged at every setting tried)")
            continue
        setting = grid[name][best]
        values[name] = setting["lr"]
        others[name] = {k: setting[k] for k in fields if k != "lr" and k in setting}
        given, alone = best_index(keys, group, AS_GIVEN), best_index(keys, group, LR_ALONE)
        losses = (_loss(keys, given), _loss(keys, alone), keys[best][0])
        lr_alone = None if alone is None else grid[name][alone]["lr"]
        line = compare_line(name, losses, lr_alone, setting, fields)
        lines.append(f"{optim.get(name).title}: {line}")
    head = (
        f"Every tunable hyperparameter searched on {data_title(plan.data)}, {plan.settings.steps} "
        f"steps, {seeds_words(tried.result.seeds)}, draws seeded {seed}: for each optimizer, its "
        f"settings as given, its η scan ({len(NET_TUNE_LRS)} values) and {NET_SEARCH_SAMPLES} "
        f"random settings in one training call; {tried.words} wins (ties: the faster "
        "descent). Weight decay, integer counts and paper switches stay as set."
    )
    return Tuning(values, tuple(failed), search_note(head, lines, failed), others=others)


def _loss(keys: Sequence[tuple[float, float]], index: int | None) -> float | None:
    return None if index is None else keys[index][0]


SEARCH = NetsTuner("the search", 1 + len(NET_TUNE_LRS) + NET_SEARCH_SAMPLES, search_plan)
"""The search beyond η of the small nets: as given, the η scan and :data:`NET_SEARCH_SAMPLES`
random settings per optimizer."""


class NetsSearchModel(NetsTuningJob):
    """The nets race's search beyond η: whether it runs, what it last did, whether that still
    holds."""

    tuner = SEARCH
    tuned_words = "The searched values were"
