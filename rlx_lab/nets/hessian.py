r"""Diagonal-Hessian estimates of a network's loss, for Sophia, on params given as a dict.

* Hutchinson: :math:`\hat h = \frac1n\sum_{k=1}^n u_k \odot (\nabla^2 L\,u_k)` with Rademacher
  :math:`u_k \in \{\pm1\}^P`; the Hessian-vector product is ``jax.jvp`` of ``jax.grad``
  (forward over reverse), so no P×P matrix is ever formed. Unbiased, can be negative; the
  i-th coordinate's variance is :math:`\frac1n\sum_{j\ne i} H_{ij}^2`.
* Gauss–Newton: :math:`\hat h = g \odot g` (always ≥ 0), from the minibatch gradient.
* exact: :math:`\operatorname{diag}\nabla^2 L` by ``jax.hessian`` of the flattened params —
  P HVPs, for tests and tiny nets only.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
from jax.flatten_util import ravel_pytree

Params = dict[str, jax.Array]
Loss = Callable[[Params], jax.Array]

ESTIMATORS = ("hutchinson", "gauss_newton")
"""Index order of the traced estimator choice."""


def estimator_index(name: str) -> int:
    """The traced index of an estimator name; ValueError for an unknown one."""
    if name not in ESTIMATORS:
        raise ValueError(f"hessian: unknown estimator {name!r}; valid: {ESTIMATORS}")
    return ESTIMATORS.index(name)


def rademacher_like(key: jax.Array, params: Params) -> Params:
    """A ±1 tensor shaped like each param, every tensor from its own key."""
    leaves, treedef = jax.tree.flatten(params)
    keys = jax.random.split(key, len(leaves))
    probes = [
        jax.random.rademacher(k, p.shape, dtype=p.dtype) for k, p in zip(keys, leaves, strict=True)
    ]
    return treedef.unflatten(probes)


def hvp(loss: Loss, params: Params, vector: Params) -> Params:
    """∇²L(θ)·v by forward-over-reverse differentiation."""
    return jax.jvp(jax.grad(loss), (params,), (vector,))[1]


def hutchinson(loss: Loss, params: Params, key: jax.Array, probes: int) -> Params:
    """Mean over ``probes`` Rademacher vectors u of u ⊙ (∇²L u)."""

    def one(k: jax.Array) -> Params:
        u = rademacher_like(k, params)
        return jax.tree.map(jnp.multiply, u, hvp(loss, params, u))

    if probes == 1:
        return one(key)
    samples = jax.vmap(one)(jax.random.split(key, probes))
    return jax.tree.map(lambda s: jnp.mean(s, axis=0), samples)


def gauss_newton(grads: Params) -> Params:
    """g ⊙ g."""
    return jax.tree.map(jnp.square, grads)


def estimate(
    kind: jax.Array, loss: Loss, params: Params, grads: Params, key: jax.Array, probes: int
) -> Params:
    """The estimate chosen by the traced index ``kind`` (see :data:`ESTIMATORS`)."""
    return jax.lax.switch(
        kind, (lambda: hutchinson(loss, params, key, probes), lambda: gauss_newton(grads))
    )


def exact_diagonal(loss: Loss, params: Params) -> Params:
    """diag ∇²L, shaped like the params (builds the full P×P Hessian: tiny nets only)."""
    flat, unravel = ravel_pytree(params)
    hess = jax.hessian(lambda v: loss(unravel(v)))(flat)
    return unravel(jnp.diagonal(hess))
