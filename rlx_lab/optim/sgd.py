r"""SGD with optional heavy-ball or Nesterov momentum and L2 weight decay.

.. math::
    g \leftarrow g + \lambda\theta;\qquad
    v \leftarrow \mu v + g;\qquad
    \theta \leftarrow \theta - \eta\,(g + \mu v \text{ if nesterov else } v)

With μ = 0 this is plain ``θ ← θ − η·g``. (RLX then keeps no velocity; with a traced μ = 0 the
velocity holds the last gradient, which no later step can see — a run restarts when μ changes.)
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from . import _hparams as H
from ._base import Optimizer, StepContext
from ._moments import l2_decayed
from ._numerics import is_static_zero


class SgdState(NamedTuple):
    velocity: jax.Array


def init_tensor(param: jax.Array) -> SgdState:
    return SgdState(jnp.zeros_like(param))


def update_tensor(
    param: jax.Array, grad: jax.Array, state: SgdState, hp: H.HParamsDict, ctx: StepContext
) -> tuple[jax.Array, SgdState]:
    mu = hp["momentum"]
    g = l2_decayed(grad, param, hp)
    if is_static_zero(mu):
        return hp["lr"] * ctx.lr_scale * g, state
    v = mu * state.velocity + g
    update = jnp.where(hp["nesterov"], g + mu * v, v)
    return hp["lr"] * ctx.lr_scale * update, SgdState(v)


OPTIMIZER = Optimizer(
    name="sgd",
    title="SGD",
    spec=(
        H.lr(0.01),
        H.momentum(0.0),
        H.flag("nesterov", False, "Nesterov: look ahead along the velocity", r"\text{nesterov}"),
        H.weight_decay(0.0, decoupled=False),
    ),
    init_tensor=init_tensor,
    update_tensor=update_tensor,
    summary="Stochastic gradient descent, optionally with (Nesterov) momentum.",
    rule_latex=r"v \leftarrow \mu v + g,\quad \theta \leftarrow \theta - \eta\,v",
    # nets: 0.01 barely halves the loss in 300 steps; 0.1 is stable up to 1
    net_defaults={"lr": 0.1},
)
