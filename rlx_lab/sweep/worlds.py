"""Each optimizer of a sweep as chunks to run: on a surface, the engine's streaming grid
(:func:`rlx_lab.engine.plan_grid`); on a net, :func:`rlx_lab.nets.race` over a chunk of the
settings, reduced on the host.

Both give, per chunk, the arrays of :data:`KEPT` with axes (settings of the chunk, seeds[,
thin]) — the net world adds ``test_loss``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import jax
import numpy as np

from .. import engine, nets, surfaces
from ..engine.stream import curve_steps
from .spec import SweepSpec

KEPT = ("final_loss", "best_loss", "steps_to_tol", "diverged_at", "curve")
"""What every chunk keeps (see :mod:`rlx_lab.engine.stream`)."""
SURFACE_KEYS = ("name", "start", *(f.name for f in dataclasses.fields(engine.RunSettings)))
NET_KEYS = ("dataset", "n_train", "n_test", "data_seed", "batch_size", "frames", "clip_norm")
NET_KEYS_MORE = ("hessian", "hessian_every", "probes")


class Chunked(Protocol):
    """One optimizer's settings, run chunk by chunk."""

    @property
    def chunks(self) -> int: ...

    def span(self, k: int) -> tuple[int, int]: ...

    def run(self, k: int) -> dict[str, np.ndarray]: ...


@dataclass(frozen=True)
class SurfaceChunks:
    """A surface world's optimizer: the engine's :class:`~rlx_lab.engine.StreamPlan`."""

    plan: engine.StreamPlan

    @property
    def chunks(self) -> int:
        return self.plan.chunks

    def span(self, k: int) -> tuple[int, int]:
        return self.plan.span(k)

    def run(self, k: int) -> dict[str, np.ndarray]:
        return self.plan.chunk(k)._asdict()


@dataclass(frozen=True)
class NetChunks:
    """A net world's optimizer: a race per chunk of settings, each at every seed."""

    name: str
    rows: list[dict[str, Any]]
    data: nets.Dataset
    settings: nets.TrainSettings
    seeds: tuple[int, ...]
    chunk_rows: int
    tol: float | None
    thin: int
    devices: Sequence[jax.Device] | None

    @property
    def chunks(self) -> int:
        return -(-len(self.rows) // self.chunk_rows)

    def span(self, k: int) -> tuple[int, int]:
        return k * self.chunk_rows, min((k + 1) * self.chunk_rows, len(self.rows))

    def run(self, k: int) -> dict[str, np.ndarray]:
        first, last = self.span(k)
        result = nets.race(
            self.data,
            {self.name: self.rows[first:last]},
            settings=self.settings,
            seeds=self.seeds,
            devices=self.devices,
        )
        runs = result.runs_of(self.name)
        shape = (last - first, len(self.seeds))
        frames = np.stack([r.train_loss for r in runs])  # full training loss at each frame
        at = runs[0].frame_steps
        tol = np.inf if self.tol is None else self.tol
        reached = frames <= tol if self.tol is not None else np.zeros(frames.shape, bool)
        first_frame = np.where(reached.any(-1), at[reached.argmax(-1)], -1)
        wanted = curve_steps(self.settings.steps, self.thin) if self.thin else np.zeros(0)
        curve = np.stack([np.interp(wanted, at, f) for f in frames])
        kept = {
            "final_loss": frames[:, -1],
            "best_loss": np.nanmin(frames, -1),
            "steps_to_tol": first_frame,
            "diverged_at": np.asarray([r.diverged_at for r in runs]),
            "curve": curve,
            "test_loss": np.asarray([r.test_loss[-1] for r in runs]),
        }
        return {k: v.reshape(*shape, *v.shape[1:]) for k, v in kept.items()}


def plans(spec: SweepSpec, devices: Sequence[jax.Device] | None = None) -> list[Chunked]:
    """One :class:`Chunked` per optimizer of ``spec``, in its order."""
    # each optimizer gets its own copy of the world's options (the builders pop from them)
    if spec.world == "surface":
        columns = spec.columns()
        return [
            _surface(spec, name, base, columns, dict(spec.world_options), devices)
            for name, base in spec.optimizers.items()
        ]
    rows = spec.rows()  # a net sweep is small: its settings as dicts
    return [
        _net(spec, name, base, rows, dict(spec.world_options), devices)
        for name, base in spec.optimizers.items()
    ]


def _unknown(options: dict[str, Any], known: Sequence[str], table: str) -> None:
    extra = sorted(set(options) - set(known))
    if extra:
        raise ValueError(f"{table}.{extra[0]}: unknown; known: {', '.join(known)}")


def _surface(
    spec: SweepSpec,
    name: str,
    base: dict[str, Any],
    rows: dict[str, np.ndarray],
    options: dict[str, Any],
    devices: Sequence[jax.Device] | None,
) -> SurfaceChunks:
    _unknown(options, [k for k in SURFACE_KEYS if k not in ("steps", "schedule")], "surface")
    surface = surfaces.get(options.pop("name", "rosenbrock"))
    start = options.pop("start", list(surface.start))
    settings = engine.RunSettings(steps=spec.steps, **options)
    plan = engine.plan_grid(
        name,
        base,
        rows,
        surface,
        start,
        settings,
        draws=spec.seeds,
        tol=spec.tol,
        thin=spec.thin,
        chunk_lanes=spec.chunk_lanes,
        devices=devices,
    )
    return SurfaceChunks(plan)


def _net(
    spec: SweepSpec,
    name: str,
    base: dict[str, Any],
    rows: list[dict[str, Any]],
    options: dict[str, Any],
    devices: Sequence[jax.Device] | None,
) -> NetChunks:
    _unknown(options, NET_KEYS + NET_KEYS_MORE, "net")
    data = nets.datasets.make(
        options.pop("dataset", "two_moons"),
        n_train=options.pop("n_train", 512),
        n_test=options.pop("n_test", 512),
        seed=options.pop("data_seed", 0),
    )
    settings = nets.TrainSettings(steps=spec.steps, **options).validate(len(data.x_train))
    return NetChunks(
        name=name,
        rows=[{**base, **row} for row in rows],
        data=data,
        settings=settings,
        seeds=tuple(range(spec.seeds)),
        chunk_rows=max(1, spec.chunk_lanes // spec.seeds),
        tol=spec.tol,
        thin=spec.thin,
        devices=devices,
    )
