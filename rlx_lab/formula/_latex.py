"""The tree rendered as KaTeX-compatible LaTeX."""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from ._tree import Binary, Call, Const, Node, Num, Unary, Var

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
