"""A safe parser for user-typed loss formulas in ``x`` and ``y``.

The text is never executed: a hand-written tokenizer and recursive-descent parser turn it into a
tree of NamedTuples, every error is raised before anything is built, and only then is the tree
walked into closures of ``jax.numpy`` operations and into a LaTeX string.

Grammar (``**`` and ``^`` both mean power, right-associative, tighter than a unary sign on
their left, so ``-x**2`` is ``-(x**2)`` and ``2**-1`` is allowed)::

    expr    := term (("+" | "-") term)*
    term    := unary (("*" | "/") unary)*
    unary   := ("+" | "-") unary | power
    power   := primary (("**" | "^") unary)?
    primary := NUMBER | "x" | "y" | "pi" | "e" | "(" expr ")" | FUNC "(" expr ("," expr)? ")"

Example:
    >>> f = parse_formula("(1 - x)**2 + 100*(y - x^2)**2")
    >>> float(f.fn(jnp.array([1.0, 1.0])))
    0.0
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import jax
import jax.numpy as jnp

from ._build import as_function
from ._latex import to_latex
from ._parser import Parser, tokenize
from ._tree import (
    ALIASES,
    ALLOWED_NAMES,
    BINARY_FUNCTIONS,
    CONSTANTS,
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_TOKENS,
    UNARY_FUNCTIONS,
    VARIABLES,
    Binary,
    Call,
    Const,
    FormulaError,
    Node,
    Num,
    Unary,
    Var,
)

__all__ = [
    "ALIASES",
    "ALLOWED_NAMES",
    "BINARY_FUNCTIONS",
    "CONSTANTS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_TOKENS",
    "UNARY_FUNCTIONS",
    "VARIABLES",
    "Binary",
    "Call",
    "Const",
    "Formula",
    "FormulaError",
    "Node",
    "Num",
    "Unary",
    "Var",
    "parse_formula",
    "to_latex",
]


@dataclass(frozen=True)
class Formula:
    """A parsed formula: its source, tree, a jnp function of ``xy`` (shape (2,)) and LaTeX."""

    text: str
    tree: Node
    fn: Callable[[jax.Array], jax.Array] = field(compare=False, repr=False)
    latex: str


def parse_formula(text: str) -> Formula:
    """Parse ``text`` into a :class:`Formula`; raise :class:`FormulaError` if it is not valid.

    All checks (length, characters, names, nesting, arity, balance) happen before anything is
    built; the function is then assembled from ``jax.numpy`` operations and checked to return a
    scalar for a point of shape (2,).
    """
    if not isinstance(text, str):
        raise TypeError(f"formula must be a str, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"formula is longer than {MAX_LENGTH} characters", MAX_LENGTH, text)
    tree = Parser(text, tokenize(text)).parse()
    fn = as_function(tree)
    out = jax.eval_shape(fn, jax.ShapeDtypeStruct((2,), jnp.float32))
    if out.shape != ():
        raise FormulaError(f"formula is not a scalar (shape {out.shape})", 0, text)
    return Formula(text=text, tree=tree, fn=fn, latex=to_latex(tree))
