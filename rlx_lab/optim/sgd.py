r"""SGD with optional heavy-ball or Nesterov momentum and L2 weight decay.

.. math::
    g \leftarrow g + \lambda\theta;\qquad
    v \leftarrow \mu v + g;\qquad
    \theta \leftarrow \theta - \eta\,(g + \mu v \text{ if nesterov else } v)

With μ = 0 this is plain ``θ ← θ − η·g`` (RLX keeps no velocity then; neither do we).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from . import _hparams as H
from ._base import Optimizer, StepContext


class SgdState(NamedTuple):
    velocity: jax.Array


def init_tensor(param: jax.Array) -> SgdState:
    return SgdState(jnp.zeros_like(param))


def update_tensor(
    param: jax.Array, grad: jax.Array, state: SgdState, hp: H.HParamsDict, ctx: StepContext
) -> tuple[jax.Array, SgdState]:
    mu = hp["momentum"]
    g = grad + hp["weight_decay"] * param
    v = mu * state.velocity + g
    update = jnp.where(hp["nesterov"], g + mu * v, v)
    update = jnp.where(mu == 0, g, update)
    velocity = jnp.where(mu == 0, state.velocity, v)
    return param - hp["lr"] * ctx.lr_scale * update, SgdState(velocity)


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
)
