"""The small-nets lab's state: data, architecture, training settings, optimizers, results.

:class:`NetsModel` is plain ``param`` (no Panel): set parameters, call :meth:`NetsModel.train`
and read :attr:`~NetsModel.runs`, :attr:`~NetsModel.boundaries`,
:attr:`~NetsModel.landscape_result` and :attr:`~NetsModel.message`. The app runs the same three
steps — :meth:`~NetsModel.plan`, :func:`~rlx_lab_app.state.nets_plan.compute` on a worker thread,
:meth:`~NetsModel.apply` back on the document — so a compile never freezes the page.

Every optimizer's settings start at the **nets lab defaults** (``Optimizer.net_defaults``,
tuned for these MLPs), not RLX's defaults; "reset" returns to them.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping
from typing import Any

import numpy as np
import param

from rlx_lab import nets, optim
from rlx_lab.nets import MLP, TrainSettings
from rlx_lab.nets.datasets import DATASETS
from rlx_lab.nets.export import runs_to_csv, runs_to_json
from rlx_lab.nets.hessian import ESTIMATORS
from rlx_lab.nets.settings import MAX_STEPS
from rlx_lab.nets.user_data import UserPoints, decode_points, parse_points

from . import nets_query
from .gradient_options import SCHEDULE_FIELDS, GradientOptions
from .jobs import JobState
from .nets_plan import DataSpec, NetsJob, NetsOutcome, NetsPlan, compute
from .palette import assign_colors
from .scales import format_value
from .settings import OptimizerSettings, make_settings

DEFAULT_OPTIMIZERS = ("adam", "lion", "muon", "soap")
"""Few, so the first run compiles quickly."""
BOUNDARY_DATASETS = tuple(
    n for n, s in DATASETS.items() if s.task == "classification" and n != "glyphs"
)
"""Datasets with two input features, whose decision boundary can be drawn."""
USER_DATA = "custom"
"""The dataset choice that trains on the user's own points (:meth:`NetsModel.load_points`)."""
SAMPLES = (128, 256, 512, 1024)
INPUTS = (
    "dataset",
    "user_points",
    "noise",
    "samples",
    "data_seed",
    "depth",
    "width",
    "activation",
    "batch_size",
    "steps",
    "optimizers",
    "seed",
    "n_seeds",
    "clip_on",
    "clip_norm",
    "hessian",
    "hessian_every",
    "probes",
    *SCHEDULE_FIELDS,
    "landscape",
    "revision",
)
"""Parameters whose change calls for training (cached runs make most of them instant)."""


@dataclasses.dataclass(frozen=True)
class PointsRead:
    """What :meth:`NetsModel.parse` made of some CSV: the points, or what was wrong."""

    points: UserPoints | None = None
    error: str = ""


def read_points(data: str | bytes) -> PointsRead:
    """Parse CSV text or uploaded bytes (checked against the size limits before decoding);
    pure, so it may run on a worker thread."""
    try:
        text = decode_points(data) if isinstance(data, bytes) else data
        return PointsRead(points=parse_points(text))
    except ValueError as error:
        return PointsRead(error=str(error))


def net_default_values(name: str) -> dict[str, Any]:
    """Parameter values of ``name``'s settings at the nets lab defaults."""
    cls = make_settings(name).__class__
    values = cls.default_values()
    specs = {hp.name: hp for hp in cls.spec()}
    for key, value in optim.get(name).net_defaults.items():
        hp = specs[key]
        if hp.kind == "optional_float":
            values[hp.none_flag] = value is None
            values[key] = hp.none_fallback if value is None else value
        else:
            values[key] = value
    return values


class NetsModel(GradientOptions, JobState):
    """State of the small-nets lab: inputs, the latest runs, and what to tell the user."""

    dataset = param.Selector(
        default="two_moons",
        objects=[*BOUNDARY_DATASETS, USER_DATA],
        doc="Toy data with two input features, or your own points",
    )
    noise = param.Number(
        default=DATASETS["two_moons"].noise,
        bounds=(0.0, None),
        softbounds=(0.0, 0.5),
        doc="Input noise (σ of Gaussian jitter)",
    )
    samples = param.Selector(
        default=512, objects=list(SAMPLES), doc="Training points (and as many test points)"
    )
    data_seed = param.Integer(default=0, bounds=(0, 2**31 - 1), doc="Seed of the data draw")
    user_points = param.ClassSelector(
        class_=UserPoints, default=None, precedence=-1, doc="Your points (CSV: x, y, label)"
    )
    data_error = param.String(default="", precedence=-1, doc="What was wrong with your points")
    depth = param.Integer(default=2, bounds=(0, 6), doc="Hidden layers (0: a linear model)")
    width = param.Integer(
        default=32, bounds=(0, 1024), softbounds=(1, 128), doc="Units per hidden layer"
    )
    activation = param.Selector(default="relu", objects=["relu", "tanh", "gelu"])
    batch_size = param.Integer(
        default=64,
        bounds=(0, 4096),
        softbounds=(1, 512),
        doc="Minibatch size (at most the training set)",
    )
    steps = param.Integer(
        default=300,
        bounds=(1, MAX_STEPS),
        softbounds=(50, 2000),
        doc="Optimizer steps, the same budget for everyone",
    )
    optimizers = param.ListSelector(default=list(DEFAULT_OPTIMIZERS), objects=list(optim.names()))
    seed = param.Integer(
        default=0,
        bounds=(0, 2**31 - 8),
        softbounds=(0, 99),
        doc="First run seed: sets the initial weights and the batch order",
    )
    n_seeds = param.Integer(default=1, bounds=(1, 8), doc="Seeds per optimizer (curves: mean)")
    hessian = param.Selector(
        default="hutchinson", objects=list(ESTIMATORS), doc="Sophia's diagonal-Hessian estimator"
    )
    landscape = param.Selector(
        default="pca",
        objects=["pca", "random"],
        doc="Plane of the loss landscape: PCA of the paths, or random filter-normalised directions",
    )
    tune_by = param.Selector(
        default="validation",
        objects=["validation", "training"],
        doc="What tuning judges: the loss on a quarter of the training set held out from "
        "training, or the training loss itself",
    )
    auto = param.Boolean(default=True, doc="Train again shortly after any change")

    revision = param.Integer(default=0, precedence=-1, doc="Bumps when a selected setting moves")
    runs = param.Dict(default={}, precedence=-1, doc="optimizer → tuple of NetRun (per seed)")
    boundaries = param.Dict(default={}, precedence=-1, doc="optimizer → Boundary (first seed)")
    landscape_result = param.Parameter(default=None, precedence=-1, doc="Landscape or None")
    data = param.Parameter(default=None, precedence=-1, doc="The Dataset shown")
    shown = param.Parameter(default=None, precedence=-1, doc="The NetsPlan of the results")
    colors = param.Dict(default={}, precedence=-1, doc="optimizer → palette slot (sticky)")
    message = param.String(default="", precedence=-1, doc="What is wrong, in words")
    status = param.String(default="", precedence=-1)
    stale = param.Boolean(default=True, precedence=-1, doc="Inputs changed since the results")

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.settings: dict[str, OptimizerSettings] = {}
        for name in optim.names():
            settings = make_settings(name)
            settings.param.update(**net_default_values(name))
            settings.param.watch(self._on_setting, [p for p in settings.param if p != "name"])
            self.settings[name] = settings
        self.colors = assign_colors(self.optimizers, {})
        self._notes: list[str] = []
        self.param.watch(self._on_input, list(INPUTS))

    # --- inputs ------------------------------------------------------------------------------

    @param.depends("dataset", watch=True)
    def _default_noise(self) -> None:
        if self.dataset in DATASETS:
            self.noise = DATASETS[self.dataset].noise

    parse = staticmethod(read_points)

    def load_points(self, data: str | bytes) -> str:
        """Parse CSV ``data`` (``x, y, label`` per line; text or a file's bytes) into
        :attr:`user_points` and train on it, synchronously: :meth:`parse` then
        :meth:`apply_points`. Return what was wrong ("" when nothing)."""
        return self.apply_points(self.parse(data))

    def apply_points(self, read: PointsRead) -> str:
        """Use what :meth:`parse` read (a batch larger than its training half shrinks to fit);
        return what was wrong (kept in :attr:`data_error`; the old points stay)."""
        if read.points is None:
            self.data_error = read.error
            return self.data_error
        batch = min(int(self.batch_size), read.points.n_train)
        self.param.update(
            user_points=read.points, dataset=USER_DATA, data_error="", batch_size=batch
        )
        return ""

    def n_classes(self) -> int:
        """Classes of the chosen data (2 until your points are loaded)."""
        if self.dataset == USER_DATA:
            return self.user_points.n_classes if self.user_points is not None else 2
        return DATASETS[self.dataset].n_classes

    def training_points(self) -> int:
        """Size of the training set."""
        if self.dataset == USER_DATA and self.user_points is not None:
            return self.user_points.n_train
        return int(self.samples)

    @param.depends("optimizers", watch=True)
    def _recolor(self) -> None:
        self.colors = assign_colors(self.optimizers, self.colors)

    def _on_setting(self, *events: param.parameterized.Event) -> None:
        if getattr(events[0].obj, "optimizer", None) in self.optimizers:
            self.revision += 1

    def _on_input(self, *events: param.parameterized.Event) -> None:
        self.stale = True

    def reset(self, name: str) -> None:
        """Optimizer ``name``'s hyperparameters back to the nets lab defaults (one event batch)."""
        self.settings[name].param.update(**net_default_values(name))

    def is_lab_default(self, name: str) -> bool:
        """Whether ``name`` runs with exactly its nets lab defaults."""
        return self.settings[name].overrides() == optim.get(name).defaults("nets")

    def lr_label(self, name: str) -> str:
        """``η=0.01`` (plus `` (lab default)`` when untouched)."""
        note = " (lab default)" if self.is_lab_default(name) else ""
        return self.settings[name].lr_label() + note

    def hidden(self) -> tuple[int, ...]:
        """Hidden layer widths."""
        return (int(self.width),) * int(self.depth)

    def architecture(self) -> str:
        """``2 → 32 → 32 → 2 · 1,218 weights`` for the current data (2 inputs)."""
        sizes = (2, *self.hidden(), self.n_classes())
        count = sum((a + 1) * b for a, b in itertools.pairwise(sizes))
        return f"{' → '.join(map(str, sizes))} · {count:,} weights"

    def train_settings(self) -> TrainSettings:
        """The race's shared settings."""
        return TrainSettings(
            steps=int(self.steps),
            batch_size=int(self.batch_size),
            clip_norm=self.clip_threshold(),
            hessian=self.hessian,
            hessian_every=int(self.hessian_every),
            probes=int(self.probes),
            schedule=self.lr_schedule(),
        )

    # --- computing -----------------------------------------------------------------------------

    def plan(self) -> NetsPlan:
        """A snapshot of the inputs; bad inputs become :attr:`NetsPlan.problems` (no jobs)."""
        points = self.user_points if self.dataset == USER_DATA else None
        size = self.training_points()
        spec = DataSpec(self.dataset, size, float(self.noise), int(self.data_seed), points)
        fatal, skipped, jobs = [], [], []
        if self.dataset == USER_DATA and points is None:
            fatal.append("dataset: load your points first (CSV lines: x, y, label)")
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
            jobs.append(NetsJob(name, overrides, self.settings[name].key()))
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
        lines = [*self._notes, *plan.problems]
        self._notes = []
        lines += [f"{_title(k)}: {v}" for k, v in outcome.errors.items()]
        if not plan.jobs or not outcome.runs:
            if lines:
                lines.insert(0, "Not trained — fix this first (the plots show the last run):")
            self.param.update(message="\n".join(lines), status="", stale=False)
            return
        lines += diagnosis(outcome, self.settings)
        self.param.update(
            runs=dict(outcome.runs),
            boundaries=dict(outcome.boundaries),
            landscape_result=outcome.landscape,
            data=outcome.data,
            shown=plan,
            message="\n".join(lines),
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
