"""Grids of settings of one optimizer in one vmapped call of the engine: :func:`run_grid` and
its uses, the two-hyperparameter :func:`sweep` and the learning-rate scan :func:`tune_lr`.

Only the hyperparameters that vary across the grid are batched; the rest stay shared. The
settings are spread over every device (:mod:`.devices`); results record how many.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import jax
import numpy as np

from .. import optim
from ..surfaces import Surface
from .devices import device_count, lane_mesh, pad_lanes, padded, place, to_host
from .programs import dynamics, program, trajectory
from .results import LrScan, SweepResult, Trajectory
from .settings import MAX_DRAWS, RunSettings, bucket, parse_starts
from .simulate import Trace

TUNE_LRS = np.geomspace(1e-4, 1.0, 25)
"""Learning rates :func:`tune_lr` tries by default: 25 log-spaced values, 1e-4 … 1."""


def sweep(
    optimizer: str,
    base: Mapping[str, Any] | None,
    axes: Mapping[str, Sequence[Any]],
    surface: Surface,
    start: Any,
    settings: RunSettings | None = None,
    *,
    tol: float | None = None,
    draws: int = 1,
) -> SweepResult:
    """Final loss over the grid of two hyperparameters, in one vmapped call of the engine
    (with ``draws`` > 1, each cell's mean over that many noise draws: :func:`run_grid`)."""
    if len(axes) != 2:
        raise ValueError(f"axes: expected two hyperparameters, got {list(axes)}")
    (name_a, values_a), (name_b, values_b) = axes.items()
    if name_a == name_b:
        raise ValueError(f"axes: the two hyperparameters must differ, got {name_a!r} twice")
    if not list(values_a) or not list(values_b):
        raise ValueError("axes: each axis needs at least one value")
    rows = [{name_a: a, name_b: b} for a, b in itertools.product(values_a, values_b)]
    grid = run_grid(optimizer, base, rows, surface, start, settings, draws=draws)
    shape = (len(values_a), len(values_b))
    losses = grid.losses.reshape(*shape, grid.settings.steps + 1)
    reached = losses <= tol if tol is not None else np.zeros_like(losses, dtype=bool)
    first = np.where(reached.any(-1), reached.argmax(-1), -1)
    return SweepResult(
        optimizer=grid.optimizer,
        axes=(name_a, name_b),
        values=(np.asarray(values_a, np.float64), np.asarray(values_b, np.float64)),
        final_loss=losses[..., -1],
        steps_to_tol=first,
        diverged_at=grid.diverged.reshape(shape),
        base=grid.base,
        settings={**grid.recorded(), "tol": tol},
    )


def tune_lr(
    optimizer: str,
    base: Mapping[str, Any] | None,
    surface: Surface,
    start: Any,
    settings: RunSettings | None = None,
    *,
    lrs: Sequence[float] | None = None,
    draws: int = 1,
) -> LrScan:
    """Final loss at each learning rate in ``lrs`` (other hyperparameters from ``base``), in
    one vmapped call of the engine; :meth:`LrScan.best` is the tuned value. With ``draws`` > 1
    each η runs that many noise draws and is judged by their mean (:func:`run_grid`)."""
    values = [float(v) for v in (TUNE_LRS if lrs is None else lrs)]
    if not values:
        raise ValueError("lrs: need at least one learning rate")
    base = {k: v for k, v in dict(base or {}).items() if k != "lr"}
    rows = [{"lr": lr} for lr in values]
    grid = run_grid(optimizer, base, rows, surface, start, settings, draws=draws)
    scan = LrScan(
        optimizer=grid.optimizer,
        lrs=np.asarray(values, np.float64),
        final_loss=grid.losses[:, -1],
        diverged_at=grid.diverged,
        base=base,
        settings=grid.recorded(),
    )
    k = scan.best_index()
    return scan if k is None else dataclasses.replace(scan, best_run=grid.trajectory(k))


@dataclass(frozen=True, eq=False)
class GridRun:
    """Several hyperparameter settings of one optimizer from one start, run in one vmapped call
    of the engine (the core of :func:`sweep`, :func:`tune_lr` and the search)."""

    optimizer: str
    base: dict[str, Any]
    rows: tuple[dict[str, Any], ...]
    """Each setting's changes to ``base``."""
    surface: Surface
    settings: RunSettings
    points: np.ndarray
    """(lanes, 2) the start, once per noise draw (each its own lane of noise, as in a race), or
    every start given (``every_start``)."""
    trace: Trace
    """numpy; axes: setting, draw, …"""
    losses: np.ndarray
    """(settings, steps + 1) the loss at every point of each run, averaged over the draws."""
    diverged: np.ndarray
    """(settings,) the first step at which a draw of the setting diverged (−1: none did)."""
    devices: int = 1
    """How many devices the settings were spread over."""

    def recorded(self) -> dict[str, Any]:
        """The run settings as a result records them, with the start, the draws and the
        device count."""
        return {
            **asdict(self.settings),
            "start": self.points[0].tolist(),
            "draws": len(self.points),
            "devices": self.devices,
        }

    def trajectory(self, k: int) -> Trajectory:
        """The whole run of setting ``k`` (every draw), taken from the same call."""
        lane = jax.tree.map(lambda a: a[k], self.trace)  # (draws, …) like a race's trace
        return trajectory(
            self.optimizer,
            {**self.base, **self.rows[k]},
            self.surface,
            self.settings,
            asdict(self.settings),
            self.points,
            lane,
        )


def run_grid(
    optimizer: str,
    base: Mapping[str, Any] | None,
    rows: Sequence[Mapping[str, Any]],
    surface: Surface,
    start: Any,
    settings: RunSettings | None = None,
    *,
    draws: int = 1,
    devices: Sequence[jax.Device] | None = None,
    every_start: bool = False,
    batch: Sequence[str] = (),
) -> GridRun:
    """Every setting of ``rows`` (``base`` updated by the row; each validated first) from the
    first start point, ``draws`` times (with gradient noise, each draw its own noise, the same
    as a race's draws), in one vmapped call of the engine. A setting's loss curve is the mean
    over its draws, and a setting diverged if any of its draws did.

    ``every_start``: run from every start point given instead (as :func:`race` does, each its
    own lane of noise; ``draws`` must be 1), so that ``trajectory(k)`` is the race of setting
    ``k``. ``batch``: hyperparameters batched even where every row agrees, so that grids over
    different fields of one optimizer share one compiled program (each field batched is an
    array per row instead of a constant in the program).

    The settings are split over ``devices`` (default: all of them, :func:`jax.devices`),
    padded to a multiple of their number; the result is the same as on one device."""
    settings = (settings or RunSettings()).validate()
    if not (isinstance(draws, int) and not isinstance(draws, bool) and 1 <= draws <= MAX_DRAWS):
        raise ValueError(f"draws: expected an integer in [1, {MAX_DRAWS}], got {draws!r}")
    if every_start and draws != 1:
        raise ValueError(f"draws: every_start runs each start once, got draws={draws!r}")
    opt = optim.get(optimizer)
    base, rows = dict(base or {}), tuple(dict(row) for row in rows)
    if not rows:
        raise ValueError("need at least one setting")
    encoded = [opt.hparams(**{**base, **row}) for row in rows]
    grid = {k: np.stack([np.asarray(e[k]) for e in encoded]) for k in encoded[0]}
    # Only the fields that vary are batched: a batched SOAP precond_freq, say, would turn its
    # basis recompute into a select that runs eigh every step for every lane.
    unknown = sorted(set(batch) - set(grid))
    if unknown:
        raise ValueError(f"batch: {opt.name} has no hyperparameter {unknown[0]!r}")
    varying = tuple(sorted(k for k, v in grid.items() if k in batch or np.any(v != v[:1])))
    shared = {k: v[0] for k, v in grid.items() if k not in varying}
    batched = {k: grid[k] for k in varying}
    points = parse_starts(start)
    points = points if every_start else np.repeat(points[:1], draws, axis=0)
    dyn = dynamics(surface, settings)
    key = (opt.name, surface, settings.view, bucket(settings.steps), settings.probes, len(points))
    mesh = lane_mesh(devices)
    if varying:
        call = program(*key, over_hparams=varying, mesh=mesh)
        size = padded(len(rows), device_count(mesh))
        out = call(
            place(shared, mesh, split=False),
            place(pad_lanes(batched, size), mesh, split=True),
            place(points, mesh, split=False),
            place(dyn, mesh, split=False),
        )
        trace = jax.tree.map(lambda a: a[: len(rows)], to_host(out))
    else:  # every row is the same setting: run it once
        one = jax.device_get(program(*key, over_hparams=None)(shared, points, dyn))
        trace = jax.tree.map(lambda a: np.broadcast_to(a, (len(rows), *np.shape(a))), one)
    steps = settings.steps
    losses = np.concatenate([trace.start_loss[..., None], trace.steps.loss[..., :steps]], -1)
    at = np.asarray(trace.diverged_at)
    at = np.where(at > steps, steps + 1, at).min(axis=1)  # the first draw's divergence
    return GridRun(
        opt.name,
        base,
        rows,
        surface,
        settings,
        points,
        trace,
        losses.mean(axis=1),
        np.where(at > steps, -1, at),
        device_count(mesh) if varying else 1,
    )
