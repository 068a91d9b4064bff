"""``race``: several optimizers train the same MLP on the same minibatches, compiled once.

A fair race: run seed r fixes the initial params (:func:`mlp.init`) and the minibatch order
(:func:`batch_indices`) for every optimizer — neither ever depends on the optimizer. Each
optimizer's runs (hyperparameter settings × seeds) are one ``vmap`` of the traced training
loop (:func:`loop.train`); all selected optimizers run inside one jitted program.

A compiled program is keyed by (optimizers, grid sizes and which hyperparameters vary, seed
count, architecture, step bucket, frames, probes) and the array shapes; everything else —
hyperparameter values, seeds, the data, the steps within their bucket, the global clip,
Sophia's estimator and period — is traced, so changing it never recompiles.

>>> from rlx_lab.nets import datasets, race
>>> result = race(datasets.make("two_moons"), ["adam", "muon"])
>>> result["adam"].train_loss[[0, -1]]
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh

from .. import optim
from ..engine.devices import device_count, lane_mesh, over_lanes, padded, to_host
from . import hessian, loop
from . import mlp as mlp_
from .datasets import Dataset
from .mlp import MLP
from .results import NetRun, RaceResult
from .settings import OptimizerChoice, TrainSettings, batch_indices, bucket, expand


@dataclass(frozen=True, eq=False)
class RacePlan:
    """A race ready to run: the jitted program, its arguments, and how to read its output."""

    program: Callable[..., tuple[loop.Trace, ...]]
    args: tuple[Any, ...]
    data: Dataset
    model: MLP
    settings: TrainSettings
    seeds: tuple[int, ...]
    grids: dict[str, list[dict[str, Any]]]
    batches: np.ndarray
    init: tuple[dict[str, np.ndarray], ...]
    devices: int = 1
    """How many devices each optimizer's settings are split over."""

    def run(self) -> RaceResult:
        """Execute the program and collect every run."""
        return self.finish(self.program(*self.args))

    def finish(self, traces: tuple[loop.Trace, ...]) -> RaceResult:
        """The :class:`RaceResult` of the program's output."""
        traces = to_host(traces)
        frame_steps = loop.Layout.of(bucket(self.settings.steps), self.settings.frames).frame_steps(
            self.settings.steps
        )
        runs = [
            _run(name, values, seed, trace, g, r, frame_steps, self.model)
            for name, trace in zip(self.grids, traces, strict=True)
            for g, values in enumerate(self.grids[name])
            for r, seed in enumerate(self.seeds)
        ]
        return RaceResult(
            dataset=self.data.name,
            model=self.model,
            settings={**asdict(self.settings), "devices": self.devices},
            seeds=self.seeds,
            batches=self.batches[:, : self.settings.steps],
            init_params=self.init,
            runs=tuple(runs),
        )


def prepare(
    data: Dataset,
    optimizers: OptimizerChoice,
    *,
    model: MLP | None = None,
    settings: TrainSettings | None = None,
    seeds: Sequence[int] = (0,),
    lab_defaults: bool = True,
    devices: Sequence[jax.Device] | None = None,
) -> RacePlan:
    """Validate everything and build (or fetch) the compiled program; see :func:`race`."""
    model = (model or mlp_.for_dataset(data)).validate()
    if model.sizes[0] != data.input_dim or model.sizes[-1] != data.output_dim:
        raise ValueError(
            f"model: sizes {model.sizes} do not fit {data.name} "
            f"({data.input_dim} in, {data.output_dim} out)"
        )
    if model.task != data.task:
        raise ValueError(f"model: task {model.task!r} but {data.name} is {data.task!r}")
    settings = (settings or TrainSettings()).validate(len(data.x_train))
    seeds = tuple(int(s) for s in seeds)
    if not seeds or any(not 0 <= s < 2**31 for s in seeds):
        raise ValueError(f"seeds: need at least one seed in [0, 2³¹), got {seeds!r}")
    grids = expand(optimizers, lab_defaults=lab_defaults)
    layout = loop.Layout.of(bucket(settings.steps), settings.frames)
    init = tuple(mlp_.init(model, s) for s in seeds)
    batches = np.stack(
        [batch_indices(len(data.x_train), layout.capacity, settings.batch_size, s) for s in seeds]
    )
    mesh = lane_mesh(devices)
    # each optimizer's settings padded to a multiple of the devices (the padding is dropped)
    size = {n: padded(len(rows), device_count(mesh)) for n, rows in grids.items()}
    lanes = {n: rows + rows[-1:] * (size[n] - len(rows)) for n, rows in grids.items()}
    split = tuple(_split_grid(optim.get(n), rows) for n, rows in lanes.items())
    shape = tuple((len(lanes[n]), tuple(v)) for n, (_, v) in zip(grids, split, strict=True))
    program = _program(tuple(grids), shape, len(seeds), model, layout, settings.probes, mesh)
    args = (
        split,
        jax.tree.map(lambda *xs: jnp.stack(xs), *init),
        jnp.asarray(batches),
        jnp.stack([jax.random.PRNGKey(s) for s in seeds]),
        loop.Data(
            *(jnp.asarray(a) for a in (data.x_train, data.y_train, data.x_test, data.y_test))
        ),
        _dynamics(settings),
    )
    init_np = tuple({k: np.asarray(v) for k, v in p.items()} for p in init)
    n_dev = device_count(mesh)
    return RacePlan(program, args, data, model, settings, seeds, grids, batches, init_np, n_dev)


def race(
    data: Dataset,
    optimizers: OptimizerChoice,
    *,
    model: MLP | None = None,
    settings: TrainSettings | None = None,
    seeds: Sequence[int] = (0,),
    lab_defaults: bool = True,
    devices: Sequence[jax.Device] | None = None,
) -> RaceResult:
    """Train ``model`` (default: ``data``'s input → 32 → 32 → output, ReLU) with each optimizer.

    ``optimizers``: a list of names, or a dict name → overrides (or → list of overrides, a
    grid vmapped in one call). Values start from RLX's defaults, then :data:`NET_DEFAULTS`
    (unless ``lab_defaults=False``), then the overrides. Each setting runs once per seed.
    Each optimizer's settings are split over ``devices`` (default: all, :func:`jax.devices`).
    """
    return prepare(
        data,
        optimizers,
        model=model,
        settings=settings,
        seeds=seeds,
        lab_defaults=lab_defaults,
        devices=devices,
    ).run()


def compiled_programs() -> int:
    """How many race programs have been built (for tests that check reuse)."""
    return _program.cache_info().currsize


# --- internals -------------------------------------------------------------------------------


def _dynamics(settings: TrainSettings) -> loop.Dynamics:
    return loop.Dynamics(
        steps=jnp.int32(settings.steps),
        clip_on=jnp.bool_(settings.clip_norm is not None),
        clip_norm=jnp.float32(settings.clip_norm or 1.0),
        hessian_kind=jnp.int32(hessian.estimator_index(settings.hessian)),
        hessian_every=jnp.int32(settings.hessian_every),
        schedule=settings.schedule.arrays(settings.steps),
    )


def _split_grid(
    opt: optim.Optimizer, settings: list[dict[str, Any]]
) -> tuple[optim.HParamsDict, optim.HParamsDict]:
    """(hyperparameters shared by every setting, the varying ones stacked along axis 0).

    Only what varies is vmapped: a shared value stays a scalar, so a branch on it (SOAP's
    eigenbasis recompute on ``precond_freq``) stays a real branch instead of a select that
    computes both sides for every lane.
    """
    encoded = [opt.hparams(**v) for v in settings]
    first = encoded[0]
    varying = [k for k in first if any(not np.array_equal(e[k], first[k]) for e in encoded[1:])]
    shared = {k: v for k, v in first.items() if k not in varying}
    return shared, {k: jnp.stack([e[k] for e in encoded]) for k in varying}


def _vmap_or_squeeze(f: Callable[..., Any], in_axes: tuple, size: int) -> Callable[..., Any]:
    """``vmap(f, in_axes)``, or for a single lane the same shapes without batching at all."""
    if size > 1:
        return jax.vmap(f, in_axes=in_axes)

    def one(*args: Any) -> Any:
        picked = [
            a if ax is None else jax.tree.map(lambda x: x[0], a)
            for a, ax in zip(args, in_axes, strict=True)
        ]
        return jax.tree.map(lambda x: x[None], f(*picked))

    return one


@functools.lru_cache(maxsize=64)
def _program(
    names: tuple[str, ...],
    grids: tuple[tuple[int, tuple[str, ...]], ...],
    n_seeds: int,
    model: MLP,
    layout: loop.Layout,
    probes: int,
    mesh: Mesh | None = None,
) -> Callable[..., tuple[loop.Trace, ...]]:
    """One jitted program: for each optimizer, vmap over its settings × the seeds, the
    settings split over ``mesh``'s devices if given (each device vmaps its block).

    ``grids``: per optimizer, (number of settings — a multiple of the devices —, names of the
    hyperparameters that vary).
    """
    per_optimizer = []
    for name, (size, _) in zip(names, grids, strict=True):
        opt = optim.get(name)
        local = size // device_count(mesh)

        def one(
            shared: Any,
            varying: Any,
            lane: Any,
            params: Any,
            batches: Any,
            key: Any,
            data: Any,
            dyn: Any,
            opt: optim.Optimizer = opt,
        ) -> loop.Trace:
            del lane  # batched even when no hyperparameter varies (repeated settings)
            hp = {**shared, **varying}
            return loop.train(opt, model, layout, probes, hp, params, batches, key, data, dyn)

        over_seeds = _vmap_or_squeeze(one, (None, None, None, 0, 0, 0, None, None), n_seeds)
        over_grid = _vmap_or_squeeze(over_seeds, (None, 0, 0, None, None, None, None, None), local)

        def block(*args: Any, over_grid: Callable[..., Any] = over_grid, local: int = local) -> Any:
            shared, varying, *rest = args
            return over_grid(shared, varying, jnp.arange(local), *rest)

        split = (False, True, False, False, False, False, False)
        per_optimizer.append(over_lanes(block, mesh, split))

    def program(hps: tuple, params: Any, batches: Any, keys: Any, data: Any, dyn: Any) -> tuple:
        return tuple(
            f(shared, varying, params, batches, keys, data, dyn)
            for f, (shared, varying) in zip(per_optimizer, hps, strict=True)
        )

    return jax.jit(program)


def _run(
    name: str,
    values: dict[str, Any],
    seed: int,
    trace: loop.Trace,
    g: int,
    r: int,
    frame_steps: tuple[int, ...],
    model: MLP,
) -> NetRun:
    s, f = frame_steps[-1], len(frame_steps)

    def pick(a: np.ndarray, length: int) -> np.ndarray:
        return np.asarray(a[g, r, :length])

    steps, frames = trace.steps, trace.frames
    return NetRun(
        optimizer=name,
        hparams=dict(values),
        seed=seed,
        loss=pick(steps.loss, s),
        grad_norm=pick(steps.grad_norm, s),
        update_norm=pick(steps.update_norm, s),
        clip=pick(steps.clip, s),
        global_clip=pick(steps.global_clip, s),
        frame_steps=np.asarray(frame_steps),
        train_loss=pick(frames.train_loss, f),
        train_acc=pick(frames.train_acc, f),
        test_loss=pick(frames.test_loss, f),
        test_acc=pick(frames.test_acc, f),
        snapshots={k: pick(v, f) for k, v in frames.params.items()},
        diverged_at=int(trace.diverged_at[g, r]),
        tensor_names=model.tensor_names(),
    )
