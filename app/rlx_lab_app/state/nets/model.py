"""The small-nets lab's state: data, architecture, training settings, optimizers, results.

:class:`NetsModel` is plain ``param`` (no Panel): set parameters, call :meth:`NetsModel.train`
and read :attr:`~NetsModel.runs`, :attr:`~NetsModel.boundaries`,
:attr:`~NetsModel.landscape_result` and :attr:`~NetsModel.message`. The app runs the same three
steps — :meth:`~NetsModel.plan`, :func:`~rlx_lab_app.state.nets.plan.compute` on a worker thread,
:meth:`~NetsModel.apply` back on the document — so a compile never freezes the page.

Every optimizer's settings start at the **nets lab defaults** (``Optimizer.net_defaults``,
tuned for these MLPs), not RLX's defaults; "reset" returns to them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np
import param

from rlx_lab import nets, optim
from rlx_lab.nets import MLP
from rlx_lab.nets.export import runs_to_csv, runs_to_json
from rlx_lab_app.state import link_restore
from rlx_lab_app.state.nets import query as nets_query
from rlx_lab_app.state.nets.inputs import (
    BOUNDARY_DATASETS,
    DEFAULT_OPTIMIZERS,
    INPUTS,
    SAMPLES,
    USER_DATA,
    NetsInputs,
    PointsRead,
    net_default_values,
    read_points,
)
from rlx_lab_app.state.nets.plan import DataSpec, NetsOutcome, NetsPlan, compute
from rlx_lab_app.state.plan import Job
from rlx_lab_app.state.scales import format_value
from rlx_lab_app.state.settings import OptimizerSettings

__all__ = [
    "BOUNDARY_DATASETS",
    "DEFAULT_OPTIMIZERS",
    "INPUTS",
    "SAMPLES",
    "USER_DATA",
    "NetsModel",
    "PointsRead",
    "diagnosis",
    "net_default_values",
    "read_points",
]


ASK_FOR_POINTS = "dataset: load your points first (CSV lines: x, y, label)"
"""The plan's problem while "Your points" is chosen and none are loaded."""
POINTS_HINT = (
    "Paste or upload your points (CSV lines: x, y, label) and press Load to train on them; "
    "the plots show the last run until then."
)
"""What the page says then: a next step, not an alert."""


class NetsModel(NetsInputs):
    """State of the small-nets lab: inputs, the latest runs, and what to tell the user."""

    runs = param.Dict(default={}, precedence=-1, doc="optimizer → tuple of NetRun (per seed)")
    boundaries = param.Dict(default={}, precedence=-1, doc="optimizer → Boundary (first seed)")
    landscape_result = param.Parameter(default=None, precedence=-1, doc="Landscape or None")
    data = param.Parameter(default=None, precedence=-1, doc="The Dataset shown")
    shown = param.Parameter(default=None, precedence=-1, doc="The NetsPlan of the results")
    message = param.String(default="", precedence=-1, doc="What is wrong, in words")
    hint = param.String(default="", precedence=-1, doc="What to do next (nothing is wrong)")
    status = param.String(default="", precedence=-1)

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self._notes: list[str] = []
        """Problems of the last link applied, to lead the next message."""

    # --- computing -----------------------------------------------------------------------------

    def plan(self) -> NetsPlan:
        """A snapshot of the inputs; bad inputs become :attr:`NetsPlan.problems` (no jobs)."""
        points = self.user_points if self.dataset == USER_DATA else None
        size = self.training_points()
        spec = DataSpec(self.dataset, size, float(self.noise), int(self.data_seed), points)
        fatal, skipped, jobs = [], [], []
        if self.dataset == USER_DATA and points is None:
            fatal.append(ASK_FOR_POINTS)
        if self.depth > 0 and self.width < 1:
            fatal.append(f"width: each hidden layer needs at least 1 unit, got {self.width}")
        if not 1 <= self.batch_size <= size:
            fatal.append(
                f"batch size: expected 1 to {size} (the training set), got {self.batch_size}"
            )
        for name in self.optimizers:
            overrides = self.settings[name].overrides()
            try:
                nets.hparam_values(name, overrides)
            except ValueError as error:
                skipped.append(f"{optim.get(name).title} left out: {error}")
                continue
            jobs.append(Job(name, overrides, self.settings[name].key()))
        if not jobs:
            fatal.append("optimizers: choose at least one (with valid settings)")
        model = MLP((2, *self.hidden(), self.n_classes()), self.activation)
        seeds = tuple(range(int(self.seed), int(self.seed) + int(self.n_seeds)))
        return NetsPlan(
            spec,
            model,
            self.train_settings(),
            seeds,
            () if fatal else tuple(jobs),
            self.landscape,
            tuple(fatal + skipped),
        )

    def train(self) -> NetsOutcome:
        """Plan, compute and apply, synchronously (tests, notebooks)."""
        plan = self.plan()
        outcome = compute(plan)
        self.apply(plan, outcome)
        return outcome

    def apply(self, plan: NetsPlan, outcome: NetsOutcome) -> None:
        """Show ``outcome`` (a plan without jobs keeps the previous results and says why)."""
        lines = [*self._notes, *(p for p in plan.problems if p != ASK_FOR_POINTS)]
        self._notes = []
        lines += [f"{_title(k)}: {v}" for k, v in outcome.errors.items()]
        if not plan.jobs or not outcome.runs:
            # "Your points" chosen and none given yet is the next step, not a fault: a hint
            hint = POINTS_HINT if ASK_FOR_POINTS in plan.problems else ""
            if lines:
                lines.insert(0, "Not trained — fix this first (the plots show the last run):")
            self.param.update(message="\n".join(lines), hint=hint, status="", stale=False)
            return
        lines += diagnosis(outcome, self.settings)
        self.param.update(
            runs=dict(outcome.runs),
            boundaries=dict(outcome.boundaries),
            landscape_result=outcome.landscape,
            data=outcome.data,
            shown=plan,
            message="\n".join(lines),
            hint="",
            status=_status(plan, outcome),
            stale=False,
        )

    # --- reading out ---------------------------------------------------------------------------

    def shown_runs(self) -> list[Any]:
        """Every NetRun shown, optimizer by optimizer (seeds in order)."""
        return [run for runs in self.runs.values() for run in runs]

    def export_csv(self) -> str:
        """The shown runs' curves as long-format CSV (one row per optimizer, seed, frame)."""
        return runs_to_csv(self.shown_runs())

    def export_json(self) -> str:
        """The shown runs as strict JSON, with the data, network and settings they shared."""
        plan = self.shown
        context: dict[str, Any] = {}
        if plan is not None:
            data = plan.data
            context = {
                "dataset": data.name,
                "samples": data.samples,
                "noise": data.noise if data.points is None else None,
                "data_seed": data.seed,
                "layers": list(plan.model.sizes),
                "activation": plan.model.activation,
                "settings": dataclasses.asdict(plan.settings),
                "seeds": list(plan.seeds),
            }
        return runs_to_json(self.shown_runs(), context)

    def to_query(self) -> dict[str, str]:
        """The whole state as URL query parameters (defaults omitted)."""
        return nets_query.to_query(self)

    def from_query(self, params: Mapping[str, Any]) -> list[str]:
        """Apply URL query parameters; return what was wrong (it also leads the next message)."""
        problems = nets_query.from_query(self, params)
        self._notes.extend(problems)
        if problems:
            self.message = "\n".join(problems)
        return problems

    def restore(self, params: Mapping[str, Any]) -> list[str]:
        """Make the whole state what a link says, defaults where it is silent (Back, Forward)."""
        return link_restore.restore(
            self,
            params,
            nets_query.LINK_FIELDS,
            first=nets_query.SET_FIRST,
            kept=nets_query.KEPT,
        )

    def summary(self) -> list[dict[str, Any]]:
        """One row per optimizer shown: η, losses and accuracy reached, divergence."""
        rows = []
        for name, runs in self.runs.items():
            first = runs[0]
            rows.append(
                {
                    "name": name,
                    "optimizer": optim.get(name).title,
                    "slot": self.colors.get(name, 0),
                    "lr": self.lr_label(name),
                    "train_loss": float(np.mean([r.train_loss[-1] for r in runs])),
                    "test_loss": float(np.mean([r.test_loss[-1] for r in runs])),
                    "test_acc": float(np.mean([r.test_acc[-1] for r in runs])),
                    "diverged_at": first.diverged_at,
                    "diverged_runs": sum(r.diverged for r in runs),
                    "seeds": len(runs),
                }
            )
        return rows


def diagnosis(outcome: NetsOutcome, settings: dict[str, OptimizerSettings]) -> list[str]:
    """One line per optimizer that diverged or made no progress."""
    lines = []
    for name, runs in outcome.runs.items():
        title, lr = _title(name), settings[name].lr_label()
        bad = [r for r in runs if r.diverged]
        if bad:
            where = f"seed {bad[0].seed}" if len(runs) == 1 else f"{len(bad)} of {len(runs)} seeds"
            lines.append(
                f"{title} diverged ({where}, step {bad[0].diverged_at}, {lr}): the loss "
                "stopped being finite, so its weights stay frozen at the last good step "
                "(✕) — try a smaller η or the gradient clip."
            )
            continue
        first = runs[0]
        if float(first.train_loss[-1]) >= float(first.train_loss[0]):
            lines.append(
                f"{title} made no progress ({lr}): the training loss went from "
                f"{format_value(float(first.train_loss[0]))} to "
                f"{format_value(float(first.train_loss[-1]))}."
            )
    return lines


def _status(plan: NetsPlan, outcome: NetsOutcome) -> str:
    n = len(outcome.runs)
    seeds = f" × {len(plan.seeds)} seeds" if len(plan.seeds) > 1 else ""
    parts = [f"{n} optimizer{'s' * (n != 1)}{seeds}, {plan.settings.steps} steps"]
    if outcome.computed:
        parts.append(f"{outcome.computed} trained")
    if outcome.cached:
        parts.append(f"{outcome.cached} reused")
    compiled = " (compiled: later runs reuse it)" if outcome.compiled else ""
    return f"{', '.join(parts)} in {outcome.seconds:.1f} s{compiled}"


def _title(name: str) -> str:
    return optim.get(name).title if name in optim.names() else name.capitalize()
