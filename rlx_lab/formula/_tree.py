"""Limits, vocabulary, errors and the expression tree of the formula language."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final, NamedTuple

import jax
import jax.numpy as jnp

MAX_LENGTH: Final = 500
MAX_DEPTH: Final = 50
MAX_TOKENS: Final = 400

VARIABLES: Final = ("x", "y")
CONSTANTS: Final = MappingProxyType({"pi": math.pi, "e": math.e})
UNARY_FUNCTIONS: Final[Mapping[str, Callable[[jax.Array], jax.Array]]] = MappingProxyType(
    {
        "sin": jnp.sin,
        "cos": jnp.cos,
        "tan": jnp.tan,
        "exp": jnp.exp,
        "log": jnp.log,
        "sqrt": jnp.sqrt,
        "abs": jnp.abs,
        "tanh": jnp.tanh,
        "sinh": jnp.sinh,
        "cosh": jnp.cosh,
        "arctan": jnp.arctan,
    }
)
BINARY_FUNCTIONS: Final[Mapping[str, Callable[[jax.Array, jax.Array], jax.Array]]] = (
    MappingProxyType({"min": jnp.minimum, "max": jnp.maximum})
)
ALIASES: Final = MappingProxyType({"atan": "arctan"})
ALLOWED_NAMES: Final = (
    *VARIABLES,
    *CONSTANTS,
    *UNARY_FUNCTIONS,
    *ALIASES,
    *BINARY_FUNCTIONS,
)


class FormulaError(ValueError):
    """A formula that cannot be parsed; ``position`` is a 0-based index into ``text``."""

    def __init__(self, reason: str, position: int, text: str = "") -> None:
        super().__init__(reason, position, text)
        self.reason = reason
        self.position = position
        self.text = text

    def __reduce__(self) -> tuple[type[FormulaError], tuple[str, int, str]]:
        return type(self), (self.reason, self.position, self.text)

    def __str__(self) -> str:
        head = f"{self.reason} (at position {self.position})"
        if not self.text:
            return head
        start = max(0, self.position - 60)
        snippet = self.text[start : self.position + 20]
        snippet = "".join(c if c.isprintable() else " " for c in snippet)
        prefix = "..." if start else ""
        caret = " " * (len(prefix) + self.position - start) + "^"
        return f"{head}\n  {prefix}{snippet}\n  {caret}"


# -- expression tree -----------------------------------------------------------------------------


class Num(NamedTuple):
    """A numeric literal (always non-negative: a sign is a ``Unary``)."""

    value: float
    pos: int


class Var(NamedTuple):
    """The variable ``x`` or ``y``."""

    name: str
    pos: int


class Const(NamedTuple):
    """A named constant, ``pi`` or ``e``."""

    name: str
    pos: int


class Unary(NamedTuple):
    """A prefix ``+`` or ``-``."""

    op: str
    operand: Node
    pos: int


class Binary(NamedTuple):
    """One of ``+ - * / **`` (``^`` is stored as ``**``)."""

    op: str
    left: Node
    right: Node
    pos: int


class Call(NamedTuple):
    """A function call; ``func`` is canonical (``atan`` is stored as ``arctan``)."""

    func: str
    args: tuple[Node, ...]
    pos: int


Node = Num | Var | Const | Unary | Binary | Call
