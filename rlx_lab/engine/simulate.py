"""One trajectory as a pure, traced function: ``lax.scan`` of optimizer steps on a surface.

Everything a slider can move is traced (hyperparameters, start, noise σ and seed, global
clip, Hessian estimator and period, surface parameters, the η schedule), so one compiled
program serves every value. Static: the optimizer, the surface's loss, the point's view
shape, the scan length and the number of Hutchinson probes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .. import optim
from ..schedule import ScheduleArrays, multiplier
from . import hessian

SurfaceLoss = Callable[[jax.Array, Mapping[str, jax.Array]], jax.Array]


class Dynamics(NamedTuple):
    """Traced run settings shared by every start point of a run."""

    noise: jax.Array
    """σ of the Gaussian noise added to each gradient coordinate."""
    seed: jax.Array
    clip_on: jax.Array
    clip_norm: jax.Array
    """Global gradient-norm clip (``global_grad_clip_scale``), applied before the optimizer."""
    hessian_kind: jax.Array
    """Index into :data:`hessian.ESTIMATORS` (Sophia only)."""
    hessian_every: jax.Array
    """Sophia gets a fresh estimate before iterations 0, k, 2k, …"""
    center: jax.Array
    escape: jax.Array
    """A run whose point leaves the box center ± escape has diverged."""
    surface_params: Mapping[str, jax.Array]
    schedule: ScheduleArrays
    """η's multiplier per step (``lr_scale``)."""


class Steps(NamedTuple):
    """Per-step records of one trajectory (after ``simulate``: leading axis = step)."""

    xy: jax.Array
    """Position after the step."""
    loss: jax.Array
    """Loss after the step."""
    grad: jax.Array
    """The gradient the optimizer saw at the point before the step (after noise and global
    clip; its norm skips non-finite entries, see :func:`grad_norm`)."""
    step_norm: jax.Array
    """‖Δθ‖ of the step."""
    clip: jax.Array
    """Fraction of entries the optimizer's own clip changed (Sophia ρ, Kron clip, …)."""
    global_clip: jax.Array
    """Whether the global gradient-norm clip fired."""


class Trace(NamedTuple):
    """A whole trajectory: start, per-step records, the divergence step (−1: none) and the
    exact gradient at the last good point (which no step was given)."""

    start_loss: jax.Array
    steps: Steps
    diverged_at: jax.Array
    end_grad: jax.Array


def simulate(
    opt: optim.Optimizer,
    loss: SurfaceLoss,
    shape: tuple[int, ...],
    length: int,
    probes: int,
    hp: optim.HParamsDict,
    start: jax.Array,
    lane: jax.Array,
    dyn: Dynamics,
) -> Trace:
    """Run ``length`` iterations of ``opt`` from ``start`` (2,) viewed as ``shape``.

    A run whose loss or position turns non-finite, or leaves the escape box, freezes at its
    last good point; ``diverged_at`` is the 1-based step that failed.
    """
    init, body = stepper(opt, loss, shape, probes, hp, start, lane, dyn)
    (*_, end_grad, _, diverged_at), records = jax.lax.scan(body, init, step_inputs(dyn, length))
    return Trace(init[2], records, diverged_at, end_grad.reshape(2))


def step_inputs(dyn: Dynamics, length: int) -> tuple[jax.Array, jax.Array]:
    """What the scan of :func:`stepper`'s body runs over: the step index and η's multiplier."""
    # η's multipliers for every step in one vector op, not a chain of scalar ones per step
    steps = jnp.arange(length)
    return steps, multiplier(dyn.schedule, steps)


def stepper(
    opt: optim.Optimizer,
    loss: SurfaceLoss,
    shape: tuple[int, ...],
    probes: int,
    hp: optim.HParamsDict,
    start: jax.Array,
    lane: jax.Array,
    dyn: Dynamics,
) -> tuple[tuple, Callable[[tuple, tuple[jax.Array, jax.Array]], tuple[tuple, Steps]]]:
    """The initial carry and the scan body of one run (see :func:`simulate`): the carry is
    (params, optimizer state, loss, exact gradient, alive, diverged_at), the body's output the
    step's :class:`Steps` record. Shared with the streaming reductions (:mod:`.stream`)."""

    def f(theta: jax.Array) -> jax.Array:
        return loss(theta.reshape(2), dyn.surface_params)

    value_and_grad = jax.value_and_grad(f)
    key = jax.random.fold_in(jax.random.PRNGKey(dyn.seed), lane)
    params = {"xy": start.reshape(shape).astype(jnp.float32)}
    state = opt.init(params)

    def body(carry: tuple, xs: tuple[jax.Array, jax.Array]) -> tuple[tuple, Steps]:
        # (value, exact gradient) at the current point come in the carry: each step evaluates
        # the surface once, at the point it moves to.
        params, state, value, exact_grad, alive, diverged_at = carry
        i, lr_scale = xs
        theta = params["xy"]
        # Shared (unbatched) switches are real branches: a run without noise, clip or a
        # due Hessian estimate does not pay for them (nor for drawing their random keys).
        grad = jax.lax.cond(
            dyn.noise > 0,
            lambda: (
                exact_grad
                + dyn.noise
                * jax.random.normal(jax.random.fold_in(key, 2 * i), shape, exact_grad.dtype)
            ),
            lambda: exact_grad,
        )
        scale = jax.lax.cond(
            dyn.clip_on,
            lambda: optim.global_grad_clip_scale([grad], dyn.clip_norm),
            lambda: jnp.float32(1.0),
        )
        grad = grad * scale
        if opt.hessian_tensor is not None:
            state = jax.lax.cond(
                (i % dyn.hessian_every) == 0,
                lambda: opt.update_hessian(
                    state,
                    {
                        "xy": hessian.estimate(
                            dyn.hessian_kind,
                            f,
                            theta,
                            grad,
                            jax.random.fold_in(key, 2 * i + 1),
                            probes,
                        )
                    },
                    hp,
                ),
                lambda: state,
            )
        grads = {"xy": grad}
        new_params, new_state = opt.step(params, grads, state, hp, lr_scale)
        new_theta = new_params["xy"]
        new_value, new_grad = value_and_grad(new_theta)
        ok = (
            jnp.all(jnp.isfinite(new_theta))
            & jnp.isfinite(new_value)
            & jnp.all(jnp.abs(new_theta.reshape(2) - dyn.center) <= dyn.escape)
        )
        moving = alive & ok
        record = Steps(
            xy=jnp.where(moving, new_theta, theta).reshape(2),
            loss=jnp.where(moving, new_value, value),
            grad=jnp.where(alive, grad, 0.0).reshape(2),
            step_norm=jnp.where(moving, _norm2(new_theta - theta), 0.0),
            clip=jnp.where(moving, opt.clip_fraction(params, grads, state, new_state, hp), 0.0),
            global_clip=alive & (scale < 1.0),
        )
        diverged_at = jnp.where(alive & ~ok, i + 1, diverged_at)
        keep = jax.tree.map(
            lambda a, b: jnp.where(moving, a, b),
            (new_params, new_state, new_value, new_grad),
            (params, state, value, exact_grad),
        )
        return (*keep, moving, diverged_at), record

    value, grad = value_and_grad(params["xy"])
    return (params, state, value, grad, jnp.bool_(True), jnp.int32(-1)), body


def _norm2(x: jax.Array) -> jax.Array:
    """‖x‖ of a 2-entry array, NaN/inf entries skipped like ``optim.l2_norm`` (overflow-safe)."""
    a, b = jnp.where(jnp.isfinite(x), x, 0.0).reshape(2)
    return jnp.hypot(a, b)


def grad_norm(grad: np.ndarray) -> np.ndarray:
    """‖g‖ over the last axis (2 entries), NaN/inf entries skipped like ``optim.l2_norm``."""
    finite = np.where(np.isfinite(grad), grad, 0.0)
    return np.hypot(finite[..., 0], finite[..., 1])
