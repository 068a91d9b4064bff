r"""Lion: the sign of an interpolated momentum (Chen et al., 2023).

.. math::
    c = \beta_1 m + (1-\beta_1)g;\quad
    \theta \leftarrow \theta - \eta\,(\operatorname{sign}(c) + \lambda\theta);\quad
    m \leftarrow \beta_2 m + (1-\beta_2)g

sign(0) = 0, so with λ = 0 every coordinate moves by exactly η or not at all.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from . import _hparams as H
from ._base import Optimizer, StepContext
from ._moments import decoupled_descent


class LionState(NamedTuple):
    m: jax.Array


def init_tensor(param: jax.Array) -> LionState:
    return LionState(jnp.zeros_like(param))


def update_tensor(
    param: jax.Array, grad: jax.Array, state: LionState, hp: H.HParamsDict, ctx: StepContext
) -> tuple[jax.Array, LionState]:
    c = hp["beta1"] * state.m + (1 - hp["beta1"]) * grad
    descent = decoupled_descent(param, jnp.sign(c), hp["lr"] * ctx.lr_scale, hp)
    return descent, LionState(hp["beta2"] * state.m + (1 - hp["beta2"]) * grad)


OPTIMIZER = Optimizer(
    name="lion",
    title="Lion",
    spec=(
        H.lr(0.003),
        H.beta("beta1", 0.9, "mix of momentum and gradient whose sign is the step", r"\beta_1"),
        H.beta("beta2", 0.99, "decay of the momentum kept between steps", r"\beta_2"),
        H.weight_decay(0.0, decoupled=True),
    ),
    init_tensor=init_tensor,
    update_tensor=update_tensor,
    summary="Steps by ±lr per coordinate: the sign of a momentum blend.",
    rule_latex=(
        r"\theta \leftarrow \theta - \eta\left(\operatorname{sign}"
        r"(\beta_1 m + (1-\beta_1)g) + \lambda\theta\right)"
    ),
    # nets: a sign step of lr: about AdamW's lr / 3, as the paper advises
    net_defaults={"lr": 0.003},
)
