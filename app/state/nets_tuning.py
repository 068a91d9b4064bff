"""Tuning η for the small-nets race: each racing optimizer's learning rate by one stated rule.

Every racing optimizer trains once per value of :data:`NET_TUNE_LRS` (nine half-decades from
1e-4 to 1), all in one vmapped race with the tab's data, network, batches, steps and schedule,
from the first run seed, its other hyperparameters as set; the η whose run ends with the
lowest full training loss without diverging wins. The test set plays no part in the choice.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from rlx_lab import nets, optim

from .nets import INPUTS, NetsModel
from .nets_plan import make_data
from .tuning import Tuning, TuningModel, tuning_note

NET_TUNE_LRS = tuple(float(v) for v in np.logspace(-4, 0, 9))
"""The learning rates the nets tab tries: 1e-4, 3.16e-4, …, 1."""
STALE_AFTER = tuple(p for p in INPUTS if p not in ("optimizers", "n_seeds", "landscape",
                                                    "revision"))  # fmt: skip
"""Inputs after whose change the last tuning no longer describes the race."""


def tune_nets(model: NetsModel) -> Tuning:
    """Tune η of every racing optimizer (reads the model only: safe on a worker thread)."""
    plan = model.plan()
    if not plan.jobs:
        return Tuning({}, (), "Not tuned: " + "; ".join(plan.problems or ("nothing to tune",)))
    data = make_data(plan.data)
    grid = {job.optimizer: [{**job.overrides, "lr": lr} for lr in NET_TUNE_LRS]
            for job in plan.jobs}  # fmt: skip
    result = nets.race(data, grid, model=plan.model, settings=plan.settings,
                       seeds=plan.seeds[:1])  # fmt: skip
    values: dict[str, float] = {}
    failed: list[str] = []
    for job in plan.jobs:
        finals = [_final(run) for run in result.runs_of(job.optimizer)]
        if not any(math.isfinite(f) for f in finals):
            failed.append(f"{optim.get(job.optimizer).title} (diverged at every η)")
            continue
        values[job.optimizer] = NET_TUNE_LRS[int(np.argmin(finals))]
    head = (
        f"η tuned on {data.name}, {plan.settings.steps} steps, seed {plan.seeds[0]}: the lowest "
        "final training loss of"
    )
    return Tuning(values, tuple(failed), tuning_note(head, values, failed, NET_TUNE_LRS))


def _final(run: nets.NetRun) -> float:
    """The run's last full training loss (``inf`` when it diverged or is not finite)."""
    loss = float(run.train_loss[-1])
    return loss if run.diverged_at < 0 and math.isfinite(loss) else math.inf


class NetsTuningModel(TuningModel):
    """The nets race's η tuning: whether it runs, what it last did, whether that still holds."""

    def __init__(self, model: NetsModel, **params: Any) -> None:
        super().__init__(model, STALE_AFTER, **params)  # type: ignore[arg-type]

    def run(self) -> Tuning:
        """Tune without touching any parameter (safe on a worker thread)."""
        return tune_nets(self.race)
