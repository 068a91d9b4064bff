"""The compiled programs of the engine and the host-side work around one call: the traced
:class:`Dynamics` built from the settings, and the :class:`Trajectory` read back from a trace.

A program is keyed by (optimizer, surface, view, step bucket, start count, probes) and, for a
grid of settings, by which hyperparameters vary and the devices its lanes are spread over
(:mod:`.devices`); everything else is traced, so changing it never recompiles.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh

from .. import optim
from ..surfaces import Surface
from . import hessian
from .devices import over_lanes
from .results import Trajectory
from .settings import VIEWS, RunSettings
from .simulate import Dynamics, Trace, grad_norm, simulate


def program(
    name: str,
    surface: Surface,
    view: str,
    length: int,
    probes: int,
    count: int,
    *,
    over_hparams: tuple[str, ...] | None,
    mesh: Mesh | None = None,
) -> Callable[..., Trace]:
    """The jitted, vmapped simulation for one static configuration (memoised). A grid's
    settings (``over_hparams`` not None) are split over ``mesh``'s devices, if given."""
    # one spelling of the key, however the caller passes the keywords
    return _program(name, surface, view, length, probes, count, over_hparams, mesh)


@functools.lru_cache(maxsize=256)
def _program(
    name: str,
    surface: Surface,
    view: str,
    length: int,
    probes: int,
    count: int,
    over_hparams: tuple[str, ...] | None,
    mesh: Mesh | None,
) -> Callable[..., Trace]:
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

    return jax.jit(over_lanes(over_grid, mesh, (False, True, False, False)))


def compiled_programs() -> int:
    """How many programs the engine has compiled (for tests that check reuse)."""
    return _program.cache_info().currsize


def dynamics(surface: Surface, settings: RunSettings) -> Dynamics:
    """The traced arguments of a program for ``settings`` on ``surface``."""
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


def trajectory(
    name: str,
    hparams: dict[str, Any],
    surface: Surface,
    settings: RunSettings,
    recorded: dict[str, Any],
    points: np.ndarray,
    trace: Trace,
) -> Trajectory:
    """The :class:`Trajectory` of one run's host-side ``trace`` (axes: lane, …), cut to
    ``settings.steps`` from the compiled bucket."""
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
