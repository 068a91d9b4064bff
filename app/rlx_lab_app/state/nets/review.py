"""A tuning of the small-nets race checked afterwards: did the test figures get worse, and is
the data still the data it was tuned on?

Tuning judges on part of the *training* set; the test set plays no part in the choice. So the
choice can be wrong — on 20 training points, five held-out points once picked an η that took
Muon's test accuracy from 100 % to 35 %. :class:`NetsTuningJob` (the nets' η tuning and search)
keeps the race's test figures from before the tuning (where the race shown is the current one),
and once the race of the tuned values is shown, adds to the note a line comparing them
(:func:`comparison`) and a warning naming each optimizer whose test loss rose by more than
:data:`WORSE_LOSS` or whose accuracy (R², for regression) fell by more than
:data:`WORSE_SCORE`, with the values *Undo tuning* puts back
(:meth:`~rlx_lab_app.state.tuning.TuningJob.undo`).

Tuned values belong to the data they were tuned on: while they are in place, a change of data
sets :attr:`~rlx_lab_app.state.tuning.TuningJob.caveat` ("η was tuned on Two blobs; the data
is now Two moons — tune again, or undo the tuning"), shown under the button.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from rlx_lab import nets, optim
from rlx_lab_app.state.nets.plan import DataSpec
from rlx_lab_app.state.scales import format_value
from rlx_lab_app.state.tuning import Tuning, TuningJob, describe

WORSE_LOSS = 0.1
"""A test loss more than 10 % (and 0.001) above the untuned one counts as worse."""
WORSE_SCORE = 0.005
"""A test accuracy (or R²) more than half a point below the untuned one counts as worse."""
DATA_INPUTS = ("dataset", "samples", "noise", "data_seed", "user_points")
"""The model's inputs that make up the data (:class:`~rlx_lab_app.state.nets.plan.DataSpec`)."""

Figures = dict[str, tuple[float, float]]
"""optimizer → (final test loss, final test accuracy or R²), averaged over the run seeds."""


def data_title(spec: DataSpec) -> str:
    """The data as the picker names it: ``Two moons``, ``your points``."""
    if spec.points is not None:
        return "your points"
    return nets.datasets.title(spec.name).capitalize()


def data_words(spec: DataSpec) -> str:
    """:func:`data_title` with its size, noise and seed: ``Two moons (512 points, noise 0.1,
    data seed 0)``."""
    if spec.points is not None:
        return f"your points ({spec.samples} training points, data seed {spec.seed})"
    return (
        f"{data_title(spec)} ({spec.samples} points, noise {format_value(spec.noise)}, "
        f"data seed {spec.seed})"
    )


def shown_figures(model: Any, keys: dict[str, Any], shared: tuple[Any, ...]) -> Figures:
    """The shown race's test figures of each optimizer whose shown settings have the key in
    ``keys``, where the race shown shares ``shared`` (data, network, settings, seeds)."""
    shown = model.shown
    if shown is None or shown.shared_key() != shared:
        return {}
    out: Figures = {}
    for job in shown.jobs:
        runs = model.runs.get(job.optimizer)
        if runs and keys.get(job.optimizer) == job.key:
            loss = float(np.mean([r.test_loss[-1] for r in runs]))
            score = float(np.mean([r.test_acc[-1] for r in runs]))
            out[job.optimizer] = (loss, score)
    return out


def worse(before: tuple[float, float], after: tuple[float, float]) -> bool:
    """Whether ``after`` (test loss, accuracy) is worse than ``before`` (see the thresholds)."""
    (loss0, score0), (loss1, score1) = before, after
    if not (math.isfinite(loss1) and math.isfinite(score1)):
        return True
    return loss1 > loss0 * (1 + WORSE_LOSS) + 1e-3 or score1 < score0 - WORSE_SCORE


def comparison(
    before: Figures, after: Figures, previous: dict[str, dict[str, Any]], task: str
) -> str:
    """A line of each optimizer's test figures before → after tuning, then a warning for each
    one made worse, with the values Undo puts back."""
    score = "accuracy" if task == "classification" else "R²"

    def shown(value: float) -> str:
        return f"{value:.0%}" if task == "classification" else format_value(value)

    names = [n for n in after if n in before]
    if not names:
        return ""
    line = "; ".join(
        f"{optim.get(n).title} {format_value(before[n][0] + 0.0)} → "
        f"{format_value(after[n][0] + 0.0)} ({shown(before[n][1])} → {shown(after[n][1])})"
        for n in names
    )
    lines = [f"Test loss ({score}) before → after tuning: {line}."]
    for n in names:
        if worse(before[n], after[n]):
            back = describe(n, previous[n], list(previous[n])) if n in previous else "as before"
            lines.append(
                f"⚠ Tuning made {optim.get(n).title} worse on the test set: loss "
                f"{format_value(before[n][0] + 0.0)} → {format_value(after[n][0] + 0.0)}, "
                f"{score} {shown(before[n][1])} → {shown(after[n][1])}. "
                f"Undo tuning puts back {back}."
            )
    return "\n".join(lines)


class NetsTuningJob(TuningJob):
    """A tuning of the nets race that reviews itself (see the module's docstring)."""

    tuned_words = "η was"
    """How the caveat names what was tuned."""

    def __init__(self, race: Any, tuner: Any = None, **params: Any) -> None:
        super().__init__(race, tuner, **params)
        self._before: Figures = {}
        self._tuned: dict[str, Any] = {}
        """optimizer → its settings' key at the tuned values."""
        self._shared: tuple[Any, ...] = ()
        self._data: DataSpec | None = None
        self._pending = False
        race.param.watch(self._review, ["runs", "shown"])
        race.param.watch(self._check_data, list(DATA_INPUTS))

    def show(self, tuning: Tuning) -> None:
        plan = self.race.plan()
        untuned = {job.optimizer: job.key for job in plan.jobs}
        self._before = shown_figures(self.race, untuned, plan.shared_key())
        super().show(tuning)
        self._tuned = {name: self.race.settings[name].key() for name in tuning.values}
        self._shared, self._data = plan.shared_key(), plan.data
        self._pending = bool(self._before and self._tuned)
        self._review()  # the tuned race may be shown already (cached)

    def undo(self) -> None:
        super().undo()
        self._tuned, self._pending = {}, False

    def _review(self, *_: Any) -> None:
        if not self._pending:
            return
        after = shown_figures(self.race, self._tuned, self._shared)
        if not after:
            return
        self._pending = False
        words = comparison(self._before, after, self.previous, self.race.data.task)
        if words:
            self.note = f"{self.note}\n{words}"

    def _check_data(self, *_: Any) -> None:
        data = self.race.plan().data
        in_place = self._tuned and all(
            self.race.settings[n].key() == key for n, key in self._tuned.items()
        )
        if not in_place or self._data is None or data == self._data:
            self.caveat = ""
            return
        old, new = data_title(self._data), data_title(data)
        if old == new:
            old, new = data_words(self._data), data_words(data)
        self.caveat = (
            f"{self.tuned_words} tuned on {old}; the data is now {new} — tune again, or undo "
            "the tuning."
        )
