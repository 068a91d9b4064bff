"""A small-nets race's immutable snapshot (:class:`NetsPlan`) and how it is computed.

Like the surfaces' race, with the plumbing both share (:mod:`rlx_lab_app.state.plan`): the model
snapshots everything a training run depends on, so :func:`compute` can run on a worker thread
while the user keeps moving sliders. Runs are memoised per optimizer in a process-wide LRU keyed
by that snapshot, so sessions showing the same thing share the work.

Compiling dominates (seconds per optimizer on 2 cores; running 300 steps takes ~0.1 s), so
whenever anything needs training, the *whole* selection races in one program: it is compiled
once per (selection, architecture, batch size, sample count, step bucket, seed count) and then
reused by every slider move. Pure numpy/JAX: no Panel, no ``param``.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from rlx_lab import nets, optim
from rlx_lab.cost import MB, Cost, nothing
from rlx_lab.nets import MLP, Boundary, Dataset, NetRun, TrainSettings
from rlx_lab.nets.landscape import Landscape, race_landscape
from rlx_lab.nets.user_data import UserPoints, user_dataset
from rlx_lab_app.state.budget import configured
from rlx_lab_app.state.plan import Job, TrajectoryCache, cache_key, uncached

RESOLUTION = 80
"""Decision-boundary grid points per side (every frame of every optimizer is sent once)."""
LANDSCAPE_RESOLUTION = 41
CACHE = TrajectoryCache(configured().cache_mb * MB // 2, size=64)
"""(shared key, optimizer, settings) → (runs per seed, seed-0 boundary frames); an entry is
about 1–3 MB at the default network (the boundary probabilities), far more for a wide one: the
cache is bounded by bytes."""
COMPILED_KEPT = 64
_COMPILED: dict[tuple[Any, ...], None] = {}
"""Program keys already trained in this process (to tell the user whether a run compiles);
the oldest are forgotten beyond :data:`COMPILED_KEPT` (``nets.train`` keeps at most 64 programs)."""


class DataSpec(NamedTuple):
    """What :func:`rlx_lab.nets.datasets.make` is called with (hashable), or the user's points
    (``samples`` is then their training half)."""

    name: str
    samples: int
    noise: float
    seed: int
    points: UserPoints | None = None


@dataclass(frozen=True, eq=False)
class NetsPlan:
    """Everything a training run needs; safe to hand to another thread."""

    data: DataSpec
    model: MLP
    settings: TrainSettings
    seeds: tuple[int, ...]
    jobs: tuple[Job, ...]
    landscape: str = "pca"
    problems: tuple[str, ...] = field(default=())
    """What was wrong with the inputs; jobs are empty when nothing can be trained."""

    def shared_key(self) -> tuple[Any, ...]:
        """The part of every job's cache key that all optimizers share."""
        return (self.data, self.model, self.settings, self.seeds)

    def cache_key(self, job: Job) -> tuple[Any, ...]:
        """The memo key of one optimizer's runs."""
        return cache_key(self, job)

    def program_key(self) -> tuple[Any, ...]:
        """What decides whether training compiles (mirrors ``nets.train``'s program key)."""
        s = self.settings
        return (
            self.race_order(),
            self.model,
            s.batch_size,
            nets.bucket(s.steps),
            s.frames,
            s.probes,
            len(self.seeds),
            self.data.samples,
        )

    def race_order(self) -> tuple[str, ...]:
        """The selection in registry order, so {adam, lion} and {lion, adam} share a program."""
        order = optim.names()
        return tuple(sorted((j.optimizer for j in self.jobs), key=order.index))

    def cost(self) -> Cost:
        """What training (when some optimizer is not cached: the whole selection races), its
        decision frames and the landscape slice will take."""
        if not self.jobs:
            return nothing("this training")
        training = self.needs_training()
        return nets.cost.race_cost(
            self.model,
            self.settings,
            seeds=len(self.seeds),
            optimizers=len(self.jobs) if training else 0,
            samples=self.data.samples,
            boundary_resolution=RESOLUTION if training else 0,
            landscape_resolution=LANDSCAPE_RESOLUTION,
            compiles=int(self.compiles()),
        )

    def needs_training(self) -> bool:
        """Whether some optimizer's runs are not cached yet."""
        return bool(uncached(self, CACHE))

    def compiles(self) -> bool:
        """Whether training would build a new program (a first run, a new architecture…)."""
        return self.needs_training() and self.program_key() not in _COMPILED


@dataclass
class NetsOutcome:
    """What a compute produced."""

    runs: dict[str, tuple[NetRun, ...]] = field(default_factory=dict)
    """Optimizer → one run per seed."""
    boundaries: dict[str, Boundary] = field(default_factory=dict)
    """Optimizer → class probabilities on the input grid at every frame (first seed)."""
    landscape: Landscape | None = None
    data: Dataset | None = None
    errors: dict[str, str] = field(default_factory=dict)
    computed: int = 0
    cached: int = 0
    compiled: bool = False
    seconds: float = 0.0


def remember(plan: NetsPlan, outcome: NetsOutcome) -> None:
    """Keep ``outcome``'s runs for reuse (when they were trained in another process)."""
    if outcome.compiled or outcome.computed:
        remember_compiled(plan.program_key())
    for job in plan.jobs:
        if job.optimizer in outcome.runs and job.optimizer in outcome.boundaries:
            value = (outcome.runs[job.optimizer], outcome.boundaries[job.optimizer])
            CACHE.put(plan.cache_key(job), value)


def remember_compiled(key: tuple[Any, ...]) -> None:
    """Note that ``key``'s program exists; forget the oldest beyond :data:`COMPILED_KEPT`."""
    _COMPILED.pop(key, None)
    _COMPILED[key] = None
    while len(_COMPILED) > COMPILED_KEPT:
        del _COMPILED[next(iter(_COMPILED))]


@functools.lru_cache(maxsize=32)
def make_data(spec: DataSpec) -> Dataset:
    """The dataset of ``spec`` (memoised: the same spec gives the same arrays)."""
    if spec.points is not None:
        return user_dataset(spec.points, seed=spec.seed)
    return nets.datasets.make(
        spec.name, n_train=spec.samples, n_test=spec.samples, noise=spec.noise, seed=spec.seed
    )


def compute(plan: NetsPlan) -> NetsOutcome:
    """Train what is not cached, then decision frames and the landscape. Never raises for bad
    input: problems end up in :attr:`NetsOutcome.errors`."""
    outcome = NetsOutcome()
    began = time.perf_counter()
    if not plan.jobs:
        return outcome
    try:
        data = make_data(plan.data)
    except ValueError as error:
        outcome.errors["data"] = str(error)
        return outcome
    outcome.data = data
    hits = {job.optimizer: CACHE.get(plan.cache_key(job)) for job in plan.jobs}
    if any(hit is None for hit in hits.values()):
        outcome.compiled = plan.compiles()
        try:
            fresh = _train(plan, data, [name for name, hit in hits.items() if hit is None])
        except (ValueError, TypeError, FloatingPointError) as error:
            outcome.errors["training"] = str(error)
            return outcome
        remember_compiled(plan.program_key())
        for job in plan.jobs:
            if hits[job.optimizer] is None:
                hits[job.optimizer] = fresh[job.optimizer]
                CACHE.put(plan.cache_key(job), fresh[job.optimizer])
                outcome.computed += 1
            else:
                outcome.cached += 1
    else:
        outcome.cached = len(hits)
    for job in plan.jobs:
        runs, boundary = hits[job.optimizer]
        outcome.runs[job.optimizer] = runs
        outcome.boundaries[job.optimizer] = boundary
    try:
        outcome.landscape = landscape(plan, data, outcome.runs)
    except ValueError as error:
        outcome.errors["landscape"] = str(error)
    outcome.seconds = time.perf_counter() - began
    return outcome


def _train(
    plan: NetsPlan, data: Dataset, names: Collection[str]
) -> dict[str, tuple[tuple[NetRun, ...], Boundary]]:
    """Race the whole selection in one program (one compiled program per selection, whatever
    changed); seed-0 decision frames for ``names`` only, the ones not cached (they were most of
    an η release's training: 50 frames of the input grid per optimizer)."""
    jobs = {j.optimizer: j for j in plan.jobs}
    choice = {name: dict(jobs[name].overrides) for name in plan.race_order()}
    result = nets.race(data, choice, model=plan.model, settings=plan.settings, seeds=plan.seeds)
    out = {}
    for name in choice:
        if name not in names:
            continue
        runs = result.runs_of(name)
        boundary = nets.decision_frames(plan.model, runs[0].snapshots, data, resolution=RESOLUTION)
        out[name] = (runs, boundary)
    return out


def landscape(
    plan: NetsPlan, data: Dataset, runs: Mapping[str, tuple[NetRun, ...]]
) -> Landscape | None:
    """:func:`rlx_lab.nets.landscape.race_landscape` of every optimizer's seed-0 run on the
    training set, on ``plan``'s kind of plane (None: no runs)."""
    first = {name: r[0] for name, r in runs.items() if r}
    if not first:
        return None
    return race_landscape(
        plan.model,
        first,
        data.x_train,
        data.y_train,
        kind=plan.landscape,
        seed=plan.seeds[0],
        resolution=LANDSCAPE_RESOLUTION,
    )
