"""The small-nets lab's inputs: data, architecture, training settings and optimizers, with the
nets lab defaults every optimizer starts at.

:class:`NetsInputs` declares the parameters a user sets and answers questions about them;
:class:`~rlx_lab_app.state.nets.model.NetsModel` adds training on them and the results. Plain
``param``: no Panel.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import param

from rlx_lab import optim
from rlx_lab.nets import TrainSettings
from rlx_lab.nets.datasets import DATASETS
from rlx_lab.nets.hessian import ESTIMATORS
from rlx_lab.nets.settings import MAX_STEPS
from rlx_lab.nets.user_data import UserPoints, decode_points, parse_points
from rlx_lab_app.state.gradient_options import GradientOptions
from rlx_lab_app.state.jobs import JobState
from rlx_lab_app.state.palette import assign_colors
from rlx_lab_app.state.roles import LINK, LOCAL, RUN, names
from rlx_lab_app.state.settings import OptimizerSettings, make_settings

DEFAULT_OPTIMIZERS = ("adam", "lion", "muon", "soap")
"""Few, so the first run compiles quickly."""
BOUNDARY_DATASETS = tuple(
    n for n, s in DATASETS.items() if s.task == "classification" and n != "glyphs"
)
"""Datasets with two input features, whose decision boundary can be drawn."""
USER_DATA = "custom"
"""The dataset choice that trains on the user's own points (:meth:`NetsModel.load_points`)."""
SAMPLES = (128, 256, 512, 1024)


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


class NetsInputs(GradientOptions, JobState):
    """The inputs of the small-nets lab; they mark the results stale when they move."""

    dataset = param.Selector(
        default="two_moons",
        objects=[*BOUNDARY_DATASETS, USER_DATA],
        doc="Toy data with two input features, or your own points",
        metadata={"role": RUN},
    )
    noise = param.Number(
        default=DATASETS["two_moons"].noise,
        bounds=(0.0, None),
        softbounds=(0.0, 0.5),
        doc="Input noise (σ of Gaussian jitter)",
        metadata={"role": RUN},
    )
    samples = param.Selector(
        default=512,
        objects=list(SAMPLES),
        doc="Training points (and as many test points)",
        metadata={"role": RUN, "query": "samples"},
    )
    data_seed = param.Integer(
        default=0,
        bounds=(0, 2**31 - 1),
        doc="Seed of the data draw",
        metadata={"role": RUN, "query": "data_seed"},
    )
    user_points = param.ClassSelector(
        class_=UserPoints,
        default=None,
        precedence=-1,
        doc="Your points (CSV: x, y, label)",
        metadata={"role": RUN},
    )
    data_error = param.String(default="", precedence=-1, doc="What was wrong with your points")
    depth = param.Integer(
        default=2,
        bounds=(0, 6),
        doc="Hidden layers (0: a linear model)",
        metadata={"role": RUN, "query": "depth"},
    )
    width = param.Integer(
        default=32,
        bounds=(0, 1024),
        softbounds=(1, 128),
        doc="Units per hidden layer",
        metadata={"role": RUN, "query": "width"},
    )
    activation = param.Selector(
        default="relu",
        objects=["relu", "tanh", "gelu"],
        metadata={"role": RUN, "query": "activation"},
    )
    batch_size = param.Integer(
        default=64,
        bounds=(0, 4096),
        softbounds=(1, 512),
        doc="Minibatch size (at most the training set)",
        metadata={"role": RUN, "query": "batch_size"},
    )
    steps = param.Integer(
        default=300,
        bounds=(1, MAX_STEPS),
        softbounds=(50, 2000),
        doc="Optimizer steps, the same budget for everyone",
        metadata={"role": RUN, "query": "steps"},
    )
    optimizers = param.ListSelector(
        default=list(DEFAULT_OPTIMIZERS), objects=list(optim.names()), metadata={"role": RUN}
    )
    seed = param.Integer(
        default=0,
        bounds=(0, 2**31 - 8),
        softbounds=(0, 99),
        doc="First run seed: sets the initial weights and the batch order",
        metadata={"role": RUN, "query": "seed"},
    )
    n_seeds = param.Integer(
        default=1,
        bounds=(1, 8),
        doc="Seeds per optimizer (curves: mean)",
        metadata={"role": RUN, "query": "n_seeds"},
    )
    hessian = param.Selector(
        default="hutchinson",
        objects=list(ESTIMATORS),
        doc="Sophia's diagonal-Hessian estimator",
        metadata={"role": RUN, "query": "hessian"},
    )
    landscape = param.Selector(
        default="pca",
        objects=["pca", "random"],
        doc="Plane of the loss landscape: PCA of the paths, or random filter-normalised directions",
        metadata={"role": RUN, "query": "landscape"},
    )
    tune_by = param.Selector(
        default="validation",
        objects=["validation", "training"],
        doc="What tuning judges: the loss on a quarter of the training set held out from "
        "training, or the training loss itself",
        metadata={"role": LINK, "query": "tune_by"},
    )
    auto = param.Boolean(
        default=True, doc="Train again shortly after any change", metadata={"role": LOCAL}
    )

    revision = param.Integer(
        default=0, precedence=-1, doc="Bumps when a selected setting moves", metadata={"role": RUN}
    )
    colors = param.Dict(default={}, precedence=-1, doc="optimizer → palette slot (sticky)")
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


INPUTS = names(NetsInputs, RUN)
"""Parameters whose change calls for training (cached runs make most of them instant)."""
LINKED = names(NetsInputs, RUN, LINK)
"""Parameters the page's link records (the optimizers' own settings besides)."""
