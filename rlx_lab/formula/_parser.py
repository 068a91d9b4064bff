"""Tokenizer and recursive-descent parser: text → tree, every error before anything is built."""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterator
from contextlib import contextmanager
from types import MappingProxyType
from typing import Final, NamedTuple

import numpy as np

from ._tree import (
    ALIASES,
    ALLOWED_NAMES,
    BINARY_FUNCTIONS,
    CONSTANTS,
    MAX_DEPTH,
    MAX_TOKENS,
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


# -- tokenizer -----------------------------------------------------------------------------------


class _Token(NamedTuple):
    kind: str  # "num" | "name" | "op" | "end"
    text: str
    pos: int
    value: float = 0.0


def tokenize(text: str) -> list[_Token]:
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


class Parser:
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
