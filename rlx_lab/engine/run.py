"""``run`` and ``sweep``: trajectories of an optimizer on a surface, compiled once and reused.

A compiled program is keyed by (optimizer, surface, view, step bucket, start count, probes);
everything else — hyperparameters, start points, noise σ and seed, global clip, Sophia's
estimator and period, surface parameters, the η schedule — is traced, so changing it never
recompiles.
Step counts are rounded up to a bucket (the extra steps are computed and dropped) so that a
steps slider does not recompile at every value either.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import optim
from ..schedule import LrSchedule
from ..surfaces import Surface
from . import hessian
from .results import LrScan, SweepResult, Trajectory
from .simulate import Dynamics, Trace, grad_norm, simulate

VIEWS: Mapping[str, tuple[int, ...]] = {"vector": (2,), "row": (1, 2), "column": (2, 1)}
"""How the 2-D point is shown to the optimizer: a vector or a 1×2 / 2×1 matrix."""

STEP_BUCKETS = (50, 100, 200, 500, 1000, 2000, 5000, 10_000)
MAX_STEPS = STEP_BUCKETS[-1]
MAX_PROBES = 64
MAX_DRAWS = 64
"""Noise draws a grid of settings may run each setting with."""


@dataclass(frozen=True)
class RunSettings:
    """Everything about a run except the optimizer, its hyperparameters and the starts."""

    steps: int = 200
    view: str = "vector"
    noise: float = 0.0
    seed: int = 0
    clip_norm: float | None = None
    """Global gradient-norm clip before the optimizer; None = off."""
    hessian: str = "exact"
    hessian_every: int = 10
    probes: int = 1
    escape: float = 10.0
    """A point farther than ``escape`` window-spans from the window's centre has diverged."""
    surface_params: Mapping[str, float] = field(default_factory=dict)
    schedule: LrSchedule = field(default_factory=LrSchedule)
    """How η moves over the run (a multiplier per step; constant by default)."""

    def validate(self) -> RunSettings:
        """Raise ``ValueError`` naming the first bad field; return self."""
        _require(
            isinstance(self.steps, int) and 1 <= self.steps <= MAX_STEPS,
            "steps",
            f"an integer in [1, {MAX_STEPS}]",
            self.steps,
        )
        _require(self.view in VIEWS, "view", f"one of {tuple(VIEWS)}", self.view)
        _require(_finite(self.noise) and self.noise >= 0, "noise", "finite and ≥ 0", self.noise)
        _require(
            isinstance(self.seed, int) and 0 <= self.seed < 2**31,
            "seed",
            "an integer in [0, 2³¹)",
            self.seed,
        )
        if self.clip_norm is not None:
            _require(
                _finite(self.clip_norm) and self.clip_norm > 0,
                "clip_norm",
                "finite and > 0, or None",
                self.clip_norm,
            )
        hessian.estimator_index(self.hessian)
        _require(
            isinstance(self.hessian_every, int) and self.hessian_every >= 1,
            "hessian_every",
            "an integer ≥ 1",
            self.hessian_every,
        )
        _require(
            isinstance(self.probes, int) and 1 <= self.probes <= MAX_PROBES,
            "probes",
            f"an integer in [1, {MAX_PROBES}]",
            self.probes,
        )
        _require(_finite(self.escape) and self.escape > 0, "escape", "finite and > 0", self.escape)
        _require(isinstance(self.schedule, LrSchedule), "schedule", "an LrSchedule", self.schedule)
        self.schedule.validate()
        return self


def run(
    optimizer: str,
    hparams: Mapping[str, Any] | None,
    surface: Surface,
    starts: Any,
    settings: RunSettings | None = None,
) -> Trajectory:
    """Trajectories of ``optimizer`` from each start point (shape (2,) or (N, 2))."""
    return race([(optimizer, hparams)], surface, starts, settings)[0]


def race(
    entries: Sequence[tuple[str, Mapping[str, Any] | None]],
    surface: Surface,
    starts: Any,
    settings: RunSettings | None = None,
) -> list[Trajectory]:
    """One trajectory per (optimizer, hyperparameter overrides), same starts and settings.

    Every input is validated first (a bad entry raises before anything runs); then all runs
    are dispatched before any result is awaited, so they overlap on the device.
    """
    settings = (settings or RunSettings()).validate()
    points = _starts(starts)
    dyn = _dynamics(surface, settings)
    checked = []
    for name, overrides in entries:
        opt = optim.get(name)
        checked.append((opt, dict(overrides or {}), opt.hparams(**dict(overrides or {}))))
    pending = [
        _program(
            opt.name,
            surface,
            settings.view,
            _bucket(settings.steps),
            settings.probes,
            len(points),
            over_hparams=None,
        )(hp, points, dyn)
        for opt, _, hp in checked
    ]
    recorded = asdict(settings)
    return [
        _trajectory(opt.name, overrides, surface, settings, recorded, points, jax.device_get(trace))
        for (opt, overrides, _), trace in zip(checked, pending, strict=True)
    ]


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


TUNE_LRS = np.geomspace(1e-4, 1.0, 25)
"""Learning rates :func:`tune_lr` tries by default: 25 log-spaced values, 1e-4 … 1."""


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
    """(draws, 2) the start, once per noise draw (each its own lane of noise, as in a race)."""
    trace: Trace
    """numpy; axes: setting, draw, …"""
    losses: np.ndarray
    """(settings, steps + 1) the loss at every point of each run, averaged over the draws."""
    diverged: np.ndarray
    """(settings,) the first step at which a draw of the setting diverged (−1: none did)."""

    def recorded(self) -> dict[str, Any]:
        """The run settings as a result records them, with the start and the draws."""
        return {
            **asdict(self.settings),
            "start": self.points[0].tolist(),
            "draws": len(self.points),
        }

    def trajectory(self, k: int) -> Trajectory:
        """The whole run of setting ``k`` (every draw), taken from the same call."""
        lane = jax.tree.map(lambda a: a[k], self.trace)  # (draws, …) like a race's trace
        return _trajectory(
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
) -> GridRun:
    """Every setting of ``rows`` (``base`` updated by the row; each validated first) from the
    first start point, ``draws`` times (with gradient noise, each draw its own noise, the same
    as a race's draws), in one vmapped call of the engine. A setting's loss curve is the mean
    over its draws, and a setting diverged if any of its draws did."""
    settings = (settings or RunSettings()).validate()
    if not (isinstance(draws, int) and not isinstance(draws, bool) and 1 <= draws <= MAX_DRAWS):
        raise ValueError(f"draws: expected an integer in [1, {MAX_DRAWS}], got {draws!r}")
    opt = optim.get(optimizer)
    base, rows = dict(base or {}), tuple(dict(row) for row in rows)
    if not rows:
        raise ValueError("need at least one setting")
    encoded = [opt.hparams(**{**base, **row}) for row in rows]
    grid = {k: np.stack([np.asarray(e[k]) for e in encoded]) for k in encoded[0]}
    # Only the fields that vary are batched: a batched SOAP precond_freq, say, would turn its
    # basis recompute into a select that runs eigh every step for every lane.
    varying = tuple(sorted(k for k, v in grid.items() if np.any(v != v[:1])))
    shared = {k: v[0] for k, v in grid.items() if k not in varying}
    batched = {k: grid[k] for k in varying}
    points = np.repeat(_starts(start)[:1], draws, axis=0)
    dyn = _dynamics(surface, settings)
    key = (opt.name, surface, settings.view, _bucket(settings.steps), settings.probes, draws)
    if varying:
        trace = jax.device_get(_program(*key, over_hparams=varying)(shared, batched, points, dyn))
    else:  # every row is the same setting: run it once
        one = jax.device_get(_program(*key, over_hparams=None)(shared, points, dyn))
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
    )


def compiled_programs() -> int:
    """How many programs the engine has compiled (for tests that check reuse)."""
    return _program.cache_info().currsize


# --- internals -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _program(
    name: str,
    surface: Surface,
    view: str,
    length: int,
    probes: int,
    count: int,
    *,
    over_hparams: tuple[str, ...] | None,
) -> Callable[..., Trace]:
    """The jitted, vmapped simulation for one static configuration (memoised)."""
    del count  # part of the key only: a new start count is a new program
    opt = optim.get(name)
    shape = VIEWS[view]

    def one(hp: optim.HParamsDict, start: jax.Array, lane: jax.Array, dyn: Dynamics) -> Trace:
        return simulate(opt, surface.loss, shape, length, probes, hp, start, lane, dyn)

    def over_starts(hp: optim.HParamsDict, starts: jax.Array, dyn: Dynamics) -> Trace:
        if starts.shape[0] == 1:  # the lab's usual race: no batching to trace and lower
            return jax.tree.map(lambda x: x[None], one(hp, starts[0], jnp.int32(0), dyn))
        lanes = jnp.arange(starts.shape[0])
        return jax.vmap(one, in_axes=(None, 0, 0, None))(hp, starts, lanes, dyn)

    if over_hparams is None:
        return jax.jit(over_starts)

    def over_grid(
        shared: optim.HParamsDict, batched: optim.HParamsDict, starts: jax.Array, dyn: Dynamics
    ) -> Trace:
        return jax.vmap(lambda b: over_starts({**shared, **b}, starts, dyn))(batched)

    return jax.jit(over_grid)


def _dynamics(surface: Surface, settings: RunSettings) -> Dynamics:
    (x0, x1), (y0, y1) = surface.window
    span = max(x1 - x0, y1 - y0)
    # numpy, not jax, scalars: they become traced arguments at dispatch without a device
    # round trip each (creating a JAX scalar costs ~50 µs, a numpy one ~1 µs)
    return Dynamics(
        noise=np.float32(settings.noise),
        seed=np.int32(settings.seed),
        clip_on=np.bool_(settings.clip_norm is not None),
        clip_norm=np.float32(settings.clip_norm or 1.0),
        hessian_kind=np.int32(hessian.estimator_index(settings.hessian)),
        hessian_every=np.int32(settings.hessian_every),
        center=np.asarray([(x0 + x1) / 2, (y0 + y1) / 2], np.float32),
        escape=np.float32(settings.escape * span),
        surface_params={
            k: np.asarray(v, np.float32)
            for k, v in surface.surface_params(**settings.surface_params).items()
        },
        schedule=settings.schedule.arrays(settings.steps),
    )


def _trajectory(
    name: str,
    hparams: dict[str, Any],
    surface: Surface,
    settings: RunSettings,
    recorded: dict[str, Any],
    points: np.ndarray,
    trace: Trace,
) -> Trajectory:
    steps = settings.steps
    records = trace.steps
    positions = np.concatenate([points[:, None, :], np.asarray(records.xy)[:, :steps]], 1)
    loss = np.concatenate([np.asarray(trace.start_loss)[:, None], records.loss[:, :steps]], 1)
    diverged = np.asarray(trace.diverged_at)
    # the gradient at every point, the scan's last one included: a step past the budget (the
    # scan runs a bucket of steps) or, at its very end, the exact gradient it carries
    at_points = np.concatenate([records.grad, np.asarray(trace.end_grad)[:, None]], 1)
    grad = at_points[:, :steps]
    last = np.where((diverged > 0) & (diverged <= steps), diverged - 1, steps)
    return Trajectory(
        optimizer=name,
        hparams=hparams,
        surface=surface.name,
        view=settings.view,
        positions=positions,
        loss=loss,
        grad=grad,
        grad_norm=grad_norm(grad),
        step_norm=np.asarray(records.step_norm)[:, :steps],
        clip=np.asarray(records.clip)[:, :steps],
        global_clip=np.asarray(records.global_clip)[:, :steps],
        diverged_at=np.where(diverged > steps, -1, diverged),
        final_grad=at_points[np.arange(len(last)), last],
        settings=dict(recorded),
    )


def _require(ok: bool, name: str, expected: str, got: Any) -> None:
    if not ok:
        raise ValueError(f"{name}: expected {expected}, got {got!r}")


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _bucket(steps: int) -> int:
    return next(b for b in STEP_BUCKETS if b >= steps)


def _starts(starts: Any) -> np.ndarray:
    """(N, 2) float32 start points; ValueError for a wrong shape or a non-finite entry."""
    try:
        points = np.asarray(starts, dtype=np.float32)
    except (TypeError, ValueError):
        raise ValueError(f"starts: expected numbers, got {starts!r}") from None
    if points.shape == (2,):
        points = points[None, :]
    if points.ndim != 2 or points.shape[1] != 2 or points.shape[0] == 0:
        raise ValueError(f"starts: expected shape (2,) or (N, 2), got {points.shape}")
    if not np.all(np.isfinite(points)):
        raise ValueError("starts: every coordinate must be finite")
    return points
