"""The first/second-moment bookkeeping shared by the Adam family (Adam … SOAP, MARS)."""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from ._hparams import HParamsDict
from ._numerics import bias_scales, is_static_zero


class Moments(NamedTuple):
    """Exponential averages of the gradient (``m``) and of its square (``v``)."""

    m: jax.Array
    v: jax.Array


def zero_moments(param: jax.Array) -> Moments:
    """Moments start at zero."""
    return Moments(jnp.zeros_like(param), jnp.zeros_like(param))


def update_moments(moments: Moments, g: jax.Array, hp: HParamsDict) -> Moments:
    """m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²."""
    b1, b2 = hp["beta1"], hp["beta2"]
    return Moments(b1 * moments.m + (1 - b1) * g, b2 * moments.v + (1 - b2) * g * g)


def adam_direction(moments: Moments, hp: HParamsDict, t: jax.Array) -> jax.Array:
    """m̂/(√v̂ + ε) with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)."""
    scale1, scale2 = bias_scales((hp["beta1"], t), (hp["beta2"], t))
    return moments.m * scale1 / (jnp.sqrt(moments.v * scale2) + hp["eps"])


def decoupled_descent(
    param: jax.Array, update: jax.Array, lr: jax.Array, hp: HParamsDict
) -> jax.Array:
    """The descent lr·(update + λθ) of θ ← θ − lr·(update + λθ)."""
    if is_static_zero(hp["weight_decay"]):
        return lr * update
    return lr * (update + hp["weight_decay"] * param)


def l2_decayed(grad: jax.Array, param: jax.Array, hp: HParamsDict) -> jax.Array:
    """L2 weight decay folded into the gradient: g + λθ."""
    if is_static_zero(hp["weight_decay"]):
        return grad
    return grad + hp["weight_decay"] * param
