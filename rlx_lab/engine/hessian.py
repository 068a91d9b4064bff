r"""Diagonal-Hessian estimates for Sophia on a loss ``f(θ)``.

* exact: :math:`\operatorname{diag}\nabla^2 f` (cheap in 2-D);
* Hutchinson: :math:`\hat h = \frac1n\sum_k u_k \odot (\nabla^2 f\,u_k)` with Rademacher
  :math:`u_k` (unbiased, can be negative), Hessian-vector products by ``jax.jvp`` of the gradient;
* Gauss–Newton: :math:`\hat h = g \odot g` (always ≥ 0).
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp

ESTIMATORS = ("exact", "hutchinson", "gauss_newton")
"""Index order of the traced estimator choice."""

Loss = Callable[[jax.Array], jax.Array]


def estimator_index(name: str) -> int:
    """The traced index of an estimator name; ValueError for an unknown one."""
    if name not in ESTIMATORS:
        raise ValueError(f"hessian: unknown estimator {name!r}; valid: {ESTIMATORS}")
    return ESTIMATORS.index(name)


def exact_diagonal(loss: Loss, theta: jax.Array) -> jax.Array:
    """diag ∇²f at θ, shaped like θ."""
    flat = theta.reshape(-1)
    hess = jax.hessian(lambda v: loss(v.reshape(theta.shape)))(flat)
    return jnp.diagonal(hess).reshape(theta.shape)


def hutchinson(loss: Loss, theta: jax.Array, key: jax.Array, probes: int) -> jax.Array:
    """Mean over ``probes`` Rademacher vectors u of u ⊙ (∇²f u)."""
    grad = jax.grad(loss)

    def one(k: jax.Array) -> jax.Array:
        u = jax.random.rademacher(k, theta.shape, dtype=theta.dtype)
        return u * jax.jvp(grad, (theta,), (u,))[1]

    return jnp.mean(jax.vmap(one)(jax.random.split(key, probes)), axis=0)


def estimate(
    kind: jax.Array, loss: Loss, theta: jax.Array, grad: jax.Array, key: jax.Array, probes: int
) -> jax.Array:
    """The estimate chosen by the traced index ``kind`` (see :data:`ESTIMATORS`)."""
    return jax.lax.switch(
        kind,
        (
            lambda: exact_diagonal(loss, theta),
            lambda: hutchinson(loss, theta, key, probes),
            lambda: grad * grad,
        ),
    )
