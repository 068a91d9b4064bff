"""The tree walked into nested closures of ``jax.numpy`` operations (text is never executed)."""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp

from ._tree import (
    BINARY_FUNCTIONS,
    CONSTANTS,
    UNARY_FUNCTIONS,
    VARIABLES,
    Call,
    Const,
    Node,
    Num,
    Unary,
    Var,
)

_Fn = Callable[[jax.Array], jax.Array | float]


def _constant(node: Node) -> float | None:
    """The value of a literal or a signed literal, else ``None``."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Unary) and isinstance(node.operand, Num):
        return -node.operand.value if node.op == "-" else node.operand.value
    return None


def _build(node: Node) -> _Fn:
    """Walk the tree into nested closures of jnp operations (the text is never executed)."""
    if isinstance(node, Num):
        value = node.value
        return lambda xy: value
    if isinstance(node, Const):
        value = CONSTANTS[node.name]
        return lambda xy: value
    if isinstance(node, Var):
        index = VARIABLES.index(node.name)
        return lambda xy: xy[index]
    if isinstance(node, Unary):
        inner = _build(node.operand)
        if node.op == "-":
            return lambda xy: -inner(xy)
        return inner
    if isinstance(node, Call):
        args = tuple(_build(a) for a in node.args)
        if len(args) == 1:
            f1, (a,) = UNARY_FUNCTIONS[node.func], args
            return lambda xy: f1(jnp.asarray(a(xy)))
        f2, (a, b) = BINARY_FUNCTIONS[node.func], args
        return lambda xy: f2(a(xy), b(xy))
    left, right = _build(node.left), _build(node.right)
    if node.op == "+":
        return lambda xy: left(xy) + right(xy)
    if node.op == "-":
        return lambda xy: left(xy) - right(xy)
    if node.op == "*":
        return lambda xy: left(xy) * right(xy)
    if node.op == "/":
        return lambda xy: jnp.divide(left(xy), right(xy))
    exponent = _constant(node.right)
    if exponent is not None and exponent.is_integer() and abs(exponent) <= 64:
        n = int(exponent)
        return lambda xy: jax.lax.integer_pow(jnp.asarray(left(xy)), n)
    return lambda xy: jnp.power(left(xy), right(xy))


def as_function(tree: Node) -> Callable[[jax.Array], jax.Array]:
    body = _build(tree)

    def fn(xy: jax.Array) -> jax.Array:
        xy = jnp.asarray(xy)
        if not jnp.issubdtype(xy.dtype, jnp.floating):
            xy = xy.astype(jnp.float32)
        return jnp.asarray(body(xy), dtype=xy.dtype)

    return fn
