"""One training run as a pure, traced function: minibatch steps under ``lax.scan``.

The run is a loop over *chunks* of ``every`` steps (an inner ``lax.scan``), each followed by
a *frame*: full train/test loss and accuracy and a snapshot of the params. The program is
built for a step *bucket* (:class:`Layout`); the number of steps actually run is traced, and
the chunk loop stops after the chunk that reaches it, so a steps slider recompiles only when
it crosses a bucket. Everything else a slider moves is traced too — hyperparameters, initial
params, batch order, the global clip, Sophia's estimator and period, the η schedule.

Divergence: the run freezes at its last good params — finite, with a finite minibatch loss —
as soon as a step produces non-finite params (that step failed) or params whose next
minibatch loss is not finite (the step that produced them failed). ``diverged_at`` is the
1-based number of the failing step (−1: never; 0: the initial params already fail). From then
on the per-step loss is NaN, the norms and clip records are 0 and every frame repeats the
frozen params. (The optimizer state of a frozen run keeps evolving and means nothing.)
"""

from __future__ import annotations

import math
from typing import NamedTuple

import jax
import jax.numpy as jnp

from .. import optim
from ..schedule import ScheduleArrays, multiplier
from . import hessian
from . import mlp as mlp_
from .mlp import MLP, Params


class Layout(NamedTuple):
    """A compiled program's static shape: at most ``chunks`` chunks of ``every`` steps."""

    every: int
    chunks: int

    @property
    def capacity(self) -> int:
        """The most steps the program can run (``chunks · every``)."""
        return self.every * self.chunks

    @classmethod
    def of(cls, bucket: int, frames: int) -> Layout:
        """``bucket`` steps in about ``frames`` chunks."""
        every = max(1, bucket // max(1, frames))
        return cls(every, math.ceil(bucket / every))

    def frame_steps(self, steps: int) -> tuple[int, ...]:
        """The step after which each frame of a ``steps``-step run is taken (0 = the start)."""
        return tuple(min(k * self.every, steps) for k in range(self.used_chunks(steps) + 1))

    def used_chunks(self, steps: int) -> int:
        """Chunks a ``steps``-step run goes through."""
        return math.ceil(steps / self.every)


class Data(NamedTuple):
    """The dataset as device arrays (traced: a new draw of the same size reuses the program)."""

    x_train: jax.Array
    y_train: jax.Array
    x_test: jax.Array
    y_test: jax.Array


class Dynamics(NamedTuple):
    """Traced run settings shared by every optimizer of a race."""

    steps: jax.Array
    """Steps to run (≤ the layout's capacity)."""
    clip_on: jax.Array
    clip_norm: jax.Array
    """Global gradient-norm clip (``global_grad_clip_scale``) before the optimizer."""
    hessian_kind: jax.Array
    """Index into :data:`hessian.ESTIMATORS` (Sophia only)."""
    hessian_every: jax.Array
    """Sophia gets a fresh estimate before steps 0, k, 2k, … (0-based)."""
    schedule: ScheduleArrays
    """η's multiplier per step (``lr_scale``)."""


class Steps(NamedTuple):
    """Per-step records (leading axis: step)."""

    loss: jax.Array
    """Minibatch loss at the params the step started from (NaN once diverged)."""
    grad_norm: jax.Array
    """‖g‖ over all tensors, after the global clip."""
    update_norm: jax.Array
    """(T,) ‖Δθ‖ of each tensor, in ``MLP.tensor_names()`` order."""
    clip: jax.Array
    """Fraction of entries the optimizer's own clip changed (Sophia ρ, Kron clip, …)."""
    global_clip: jax.Array
    """Whether the global gradient-norm clip fired."""


class Frames(NamedTuple):
    """Per-frame records (leading axis: frame)."""

    train_loss: jax.Array
    train_acc: jax.Array
    test_loss: jax.Array
    test_acc: jax.Array
    params: Params


class Trace(NamedTuple):
    steps: Steps
    frames: Frames
    diverged_at: jax.Array


def _where(condition: jax.Array, a: Params, b: Params) -> Params:
    """``a`` where ``condition`` (a scalar) holds, else ``b``, tensor by tensor."""
    return jax.tree.map(lambda x, y: jnp.where(condition, x, y), a, b)


def _frame(model: MLP, params: Params, data: Data) -> Frames:
    train = mlp_.evaluate(model, params, data.x_train, data.y_train)
    test = mlp_.evaluate(model, params, data.x_test, data.y_test)
    return Frames(train[0], train[1], test[0], test[1], params)


def train(
    opt: optim.Optimizer,
    model: MLP,
    layout: Layout,
    probes: int,
    hp: optim.HParamsDict,
    params: Params,
    batches: jax.Array,
    key: jax.Array,
    data: Data,
    dyn: Dynamics,
) -> Trace:
    """Train ``params`` for ``dyn.steps`` steps on the minibatches ``batches`` (capacity, B)."""
    names = model.tensor_names()

    def step(carry: tuple, xs: tuple[jax.Array, jax.Array, jax.Array]) -> tuple[tuple, Steps]:
        params, last, state, alive, diverged_at = carry
        i, index, lr_scale = xs
        xb, yb = data.x_train[index], data.y_train[index]

        def batch_loss(p: Params) -> jax.Array:
            return mlp_.loss(model, p, xb, yb)

        value, grads = jax.value_and_grad(batch_loss)(params)
        # Shared (unbatched) switches are real branches: a run without a clip or a due
        # Hessian estimate does not pay for them.
        scale = jax.lax.cond(
            dyn.clip_on,
            lambda: optim.global_grad_clip_scale(jax.tree.leaves(grads), dyn.clip_norm),
            lambda: jnp.float32(1.0),
        )
        grads = jax.tree.map(lambda g: g * scale, grads)
        if opt.hessian_tensor is not None:

            def refresh() -> optim.OptState:
                key_i = jax.random.fold_in(key, i)
                h_hat = hessian.estimate(dyn.hessian_kind, batch_loss, params, grads, key_i, probes)
                return opt.update_hessian(state, h_hat, hp)

            state = jax.lax.cond((i % dyn.hessian_every) == 0, refresh, lambda: state)
        new_params, new_state = opt.step(params, grads, state, hp, lr_scale)
        # Plain sums of squares: a NaN or inf anywhere in the new params makes them non-finite.
        sq = jnp.stack([jnp.sum(jnp.square(new_params[n] - params[n])) for n in names])
        active = alive & (i < dyn.steps)
        loss_ok = jnp.isfinite(value)
        moving = active & loss_ok & jnp.isfinite(jnp.sum(sq))
        grad_sq = jnp.sum(jnp.stack([jnp.sum(jnp.square(g)) for g in jax.tree.leaves(grads)]))
        record = Steps(
            loss=jnp.where(active, value, jnp.nan),
            grad_norm=jnp.where(active & loss_ok, jnp.sqrt(grad_sq), 0.0),
            update_norm=jnp.sqrt(jnp.where(moving, sq, 0.0)),
            clip=jnp.where(moving, opt.clip_fraction(params, grads, state, new_state, hp), 0.0),
            global_clip=active & loss_ok & (scale < 1.0),
        )
        # Params whose minibatch loss is not finite came from a bad step i: back to the
        # params before it. New params that are not finite: stay where step i + 1 began.
        revert = active & ~loss_ok
        diverged_at = jnp.where(revert, i, diverged_at)
        diverged_at = jnp.where(active & loss_ok & ~moving, i + 1, diverged_at)
        kept = _where(revert, last, params)
        carry = (
            _where(moving, new_params, kept),
            _where(moving, params, last),
            new_state,
            alive & (moving | ~active),
            diverged_at,
        )
        return carry, record

    def chunk(c: jax.Array, loop_carry: tuple) -> tuple:
        carry, records, frames = loop_carry
        start = c * layout.every
        xs = (
            start + jnp.arange(layout.every, dtype=jnp.int32),
            jax.lax.dynamic_slice_in_dim(batches, start, layout.every),
            jax.lax.dynamic_slice_in_dim(lr_scales, start, layout.every),
        )
        carry, block = jax.lax.scan(step, carry, xs)
        records = jax.tree.map(
            lambda buf, b: jax.lax.dynamic_update_slice_in_dim(buf, b, start, 0), records, block
        )
        frames = jax.tree.map(
            lambda buf, f: buf.at[c + 1].set(f), frames, _frame(model, carry[0], data)
        )
        return carry, records, frames

    # η's multipliers for every step in one vector op, not a chain of scalar ones per step
    lr_scales = multiplier(dyn.schedule, jnp.arange(layout.capacity))
    carry = (params, params, opt.init(params), jnp.bool_(True), jnp.int32(-1))
    first = _frame(model, params, data)
    frames = jax.tree.map(
        lambda f: jnp.zeros((layout.chunks + 1, *f.shape), f.dtype).at[0].set(f), first
    )
    capacity, count = layout.capacity, len(names)
    records = Steps(
        *(
            jnp.zeros(shape, dtype)
            for shape, dtype in (
                ((capacity,), jnp.float32),
                ((capacity,), jnp.float32),
                ((capacity, count), jnp.float32),
                ((capacity,), jnp.float32),
                ((capacity,), jnp.bool_),
            )
        )
    )
    n_chunks = (dyn.steps + layout.every - 1) // layout.every
    carry, records, frames = jax.lax.fori_loop(0, n_chunks, chunk, (carry, records, frames))
    return Trace(records, frames, carry[4])
