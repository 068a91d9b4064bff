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

import keyword
import math
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

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

_NUMBER = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)
_SPACE = frozenset(" \t\r\n\f\v")
_OPERATORS = ("**", "*", "/", "+", "-", "^", "(", ")", ",")
_FLOAT32_MAX: Final = float(np.finfo(np.float32).max)
_FORBIDDEN: Final = MappingProxyType(
    {
        "'": "strings are not allowed",
        '"': "strings are not allowed",
        "`": "strings are not allowed",
        "[": "brackets [ ] and { } are not allowed; use parentheses ( )",
        "]": "brackets [ ] and { } are not allowed; use parentheses ( )",
        "{": "brackets [ ] and { } are not allowed; use parentheses ( )",
        "}": "brackets [ ] and { } are not allowed; use parentheses ( )",
        ":": "':' is not allowed (no lambdas, slices or dictionaries)",
        ";": "';' is not allowed: a formula is a single expression",
        "=": "'=' is not allowed: write an expression in x and y, not an equation or assignment",
        "%": "'%' is not supported",
    }
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


@dataclass(frozen=True)
class Formula:
    """A parsed formula: its source, tree, a jnp function of ``xy`` (shape (2,)) and LaTeX."""

    text: str
    tree: Node
    fn: Callable[[jax.Array], jax.Array] = field(compare=False, repr=False)
    latex: str


# -- tokenizer -----------------------------------------------------------------------------------


class _Token(NamedTuple):
    kind: str  # "num" | "name" | "op" | "end"
    text: str
    pos: int
    value: float = 0.0


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)

    def fail(reason: str, pos: int) -> FormulaError:
        return FormulaError(reason, pos, text)

    while i < n:
        c = text[i]
        if c in _SPACE:
            i += 1
            continue
        if c == "." and tokens and (tokens[-1].kind == "name" or tokens[-1].text == ")"):
            raise fail("attribute access ('.') is not allowed", i)
        if c.isascii() and (c.isdigit() or (c == "." and text[i + 1 : i + 2].isdigit())):
            m = _NUMBER.match(text, i)
            assert m is not None  # the first character guarantees a match
            nxt = text[m.end() : m.end() + 1]
            if nxt == ".":
                raise fail(f"malformed number {text[i : m.end() + 1]!r}", m.end())
            if nxt == "(" or (nxt.isascii() and (nxt.isalpha() or nxt == "_")):
                word = _NAME.match(text, m.end())
                rhs = word.group() if word else "(...)"
                raise fail(
                    f"implicit multiplication is not supported: use {m.group()}*{rhs}", m.end()
                )
            value = float(m.group())
            if not abs(value) <= _FLOAT32_MAX:
                raise fail(f"numeric literal {m.group()!r} is not finite in float32", i)
            tokens.append(_Token("num", m.group(), i, value))
            i = m.end()
        elif c.isascii() and (c.isalpha() or c == "_"):
            m = _NAME.match(text, i)
            assert m is not None
            word = m.group()
            if keyword.iskeyword(word):
                raise fail(f"Python keywords are not allowed ({word!r})", i)
            if word not in ALLOWED_NAMES:
                allowed = ", ".join(ALLOWED_NAMES)
                raise fail(f"unknown name {word!r}; allowed names are: {allowed}", i)
            tokens.append(_Token("name", word, i))
            i = m.end()
        else:
            if text.startswith("//", i):
                raise fail("'//' (floor division) is not supported; use '/'", i)
            op = next((o for o in _OPERATORS if text.startswith(o, i)), None)
            if op is None:
                reason = _FORBIDDEN.get(c, f"unexpected character {c!r} (U+{ord(c):04X})")
                raise fail(reason, i)
            tokens.append(_Token("op", op, i))
            i += len(op)
        if len(tokens) > MAX_TOKENS:
            raise fail(f"formula has more than {MAX_TOKENS} tokens", tokens[-1].pos)
    tokens.append(_Token("end", "", n))
    return tokens


# -- parser --------------------------------------------------------------------------------------


class _Parser:
    """Recursive descent over the token list; ``depth`` bounds the recursion."""

    def __init__(self, text: str, tokens: list[_Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    def fail(self, reason: str, pos: int) -> FormulaError:
        return FormulaError(reason, pos, self.text)

    @property
    def tok(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        tok = self.tokens[self.index]
        self.index += 1
        return tok

    def at(self, *ops: str) -> bool:
        return self.tok.kind == "op" and self.tok.text in ops

    @contextmanager
    def deeper(self, pos: int) -> Iterator[None]:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"formula is nested more than {MAX_DEPTH} levels deep", pos)
        try:
            yield
        finally:
            self.depth -= 1

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise self.fail("empty formula", 0)
        node = self.expr()
        if self.tok.kind != "end":
            raise self.unexpected("an operator or the end of the formula")
        return node

    def unexpected(self, expected: str) -> FormulaError:
        tok = self.tok
        if tok.kind == "end":
            return self.fail(f"expected {expected} but the formula ended", tok.pos)
        if tok.text == ",":
            return self.fail("',' is only allowed between the two arguments of min/max", tok.pos)
        wants_operator = expected.startswith("an operator") or expected == "')'"
        if tok.text == ")" and wants_operator:
            return self.fail("unmatched ')'", tok.pos)
        operand_next = tok.kind != "op" or tok.text == "("
        if operand_next and wants_operator:
            return self.fail(f"missing operator before {tok.text!r} (use '*' to multiply)", tok.pos)
        return self.fail(f"expected {expected}, found {tok.text!r}", tok.pos)

    def expr(self) -> Node:
        node = self.term()
        while self.at("+", "-"):
            op = self.advance()
            node = Binary(op.text, node, self.term(), op.pos)
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.at("*", "/"):
            op = self.advance()
            node = Binary(op.text, node, self.unary(), op.pos)
        return node

    def unary(self) -> Node:
        if self.at("+", "-"):
            op = self.advance()
            with self.deeper(op.pos):
                return Unary(op.text, self.unary(), op.pos)
        return self.power()

    def power(self) -> Node:
        base = self.primary()
        if self.at("**", "^"):
            op = self.advance()
            with self.deeper(op.pos):
                return Binary("**", base, self.unary(), op.pos)
        return base

    def primary(self) -> Node:
        tok = self.tok
        if tok.kind == "num":
            self.advance()
            return Num(tok.value, tok.pos)
        if tok.kind == "name":
            self.advance()
            if tok.text in VARIABLES or tok.text in CONSTANTS:
                if self.at("("):
                    raise self.fail(
                        f"{tok.text!r} is not a function (use '*' to multiply)", tok.pos
                    )
                kind = Var if tok.text in VARIABLES else Const
                return kind(tok.text, tok.pos)
            return self.call(tok)
        if self.at("("):
            self.advance()
            with self.deeper(tok.pos):
                node = self.expr()
            self.close(tok)
            return node
        raise self.unexpected("a number, x, y, a constant, a function or '('")

    def close(self, opening: _Token) -> None:
        if self.at(")"):
            self.advance()
        elif self.tok.kind == "end":
            raise self.fail("unbalanced parentheses: this '(' is never closed", opening.pos)
        else:
            raise self.unexpected("')'")

    def call(self, name: _Token) -> Node:
        func = ALIASES.get(name.text, name.text)
        arity = 2 if func in BINARY_FUNCTIONS else 1
        if not self.at("("):
            hint = f"{name.text}(a, b)" if arity == 2 else f"{name.text}(...)"
            raise self.fail(f"function {name.text!r} must be called: {hint}", name.pos)
        opening = self.advance()
        takes = f"{name.text} takes {arity} argument{'s' if arity > 1 else ''}"
        if self.at(")"):
            raise self.fail(f"{takes}, got none", self.tok.pos)
        args: list[Node] = []
        with self.deeper(opening.pos):
            args.append(self.expr())
            while self.at(","):
                comma = self.advance()
                if len(args) == arity:
                    raise self.fail(f"{takes}, got more", comma.pos)
                args.append(self.expr())
        if len(args) < arity and self.at(")"):
            raise self.fail(f"{takes}, got 1", self.tok.pos)
        self.close(opening)
        return Call(func, tuple(args), name.pos)


# -- building ------------------------------------------------------------------------------------

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


def _as_function(tree: Node) -> Callable[[jax.Array], jax.Array]:
    body = _build(tree)

    def fn(xy: jax.Array) -> jax.Array:
        xy = jnp.asarray(xy)
        if not jnp.issubdtype(xy.dtype, jnp.floating):
            xy = xy.astype(jnp.float32)
        return jnp.asarray(body(xy), dtype=xy.dtype)

    return fn


# -- LaTeX ---------------------------------------------------------------------------------------

_PRECEDENCE: Final = MappingProxyType(
    {"+": 1, "-": 1, "*": 2, "/": 2, "unary": 3, "**": 4, "atom": 5}
)
_LATEX_FUNCS: Final = MappingProxyType({"log": r"\ln", "min": r"\min", "max": r"\max"})


def _precedence(node: Node) -> int:
    """Binding strength of a rendered node; a fraction is typeset as a block, like an atom."""
    if isinstance(node, Binary):
        return _PRECEDENCE["atom" if node.op == "/" else node.op]
    if isinstance(node, Unary):
        return _PRECEDENCE["unary"]
    return _PRECEDENCE["atom"]


def _paren(tex: str) -> str:
    return rf"\left({tex}\right)"


def _latex_number(value: float) -> str:
    if value.is_integer() and value < 1e15:
        return str(int(value))
    text = repr(value)
    if "e" not in text:
        return text
    mantissa, exp = text.split("e")
    power = rf"10^{{{int(exp)}}}"
    return power if float(mantissa) == 1.0 else rf"{mantissa} \times {power}"


def to_latex(node: Node) -> str:
    """Render a tree as KaTeX-compatible LaTeX, parenthesising only where needed."""
    if isinstance(node, Num):
        return _latex_number(node.value)
    if isinstance(node, Var):
        return node.name
    if isinstance(node, Const):
        return r"\pi" if node.name == "pi" else "e"
    if isinstance(node, Unary):
        inner = to_latex(node.operand)
        if _precedence(node.operand) <= _PRECEDENCE["+"] or isinstance(node.operand, Unary):
            inner = _paren(inner)
        return f"{node.op}{inner}"
    if isinstance(node, Call):
        args = [to_latex(a) for a in node.args]
        if node.func == "sqrt":
            return rf"\sqrt{{{args[0]}}}"
        if node.func == "abs":
            return rf"\left|{args[0]}\right|"
        name = _LATEX_FUNCS.get(node.func, "\\" + node.func)
        return name + _paren(", ".join(args))
    left, right = to_latex(node.left), to_latex(node.right)
    if node.op == "/":
        return rf"\frac{{{left}}}{{{right}}}"
    if node.op == "**":
        if _precedence(node.left) <= _PRECEDENCE["**"] or isinstance(node.left, Call | Binary):
            left = _paren(left)
        return f"{left}^{{{right}}}"
    prec = _PRECEDENCE[node.op]
    if _precedence(node.left) < prec:
        left = _paren(left)
    if _precedence(node.right) <= prec or isinstance(node.right, Unary):
        right = _paren(right)
    symbol = r" \cdot " if node.op == "*" else f" {node.op} "
    return left + symbol + right


# -- entry point ---------------------------------------------------------------------------------


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
    tree = _Parser(text, _tokenize(text)).parse()
    fn = _as_function(tree)
    out = jax.eval_shape(fn, jax.ShapeDtypeStruct((2,), jnp.float32))
    if out.shape != ():
        raise FormulaError(f"formula is not a scalar (shape {out.shape})", 0, text)
    return Formula(text=text, tree=tree, fn=fn, latex=to_latex(tree))
