"""Tests for the safe formula parser: values, gradients, precedence, LaTeX and hostile input."""

from __future__ import annotations

import builtins
import inspect
import re
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rlx_lab.formula import (
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_TOKENS,
    Binary,
    Call,
    Formula,
    FormulaError,
    Num,
    Unary,
    Var,
    _build,
    _latex,
    _parser,
    _tree,
    parse_formula,
)

FORMULA_MODULES = (_tree, _parser, _build, _latex)
POINTS = np.random.default_rng(0).uniform(-2.0, 2.0, size=(16, 2)).astype(np.float32)


def _xy(f: Callable[[jax.Array, jax.Array], jax.Array]) -> Callable[[jax.Array], jax.Array]:
    return lambda p: f(p[0], p[1])


VALID: list[tuple[str, Callable[[jax.Array, jax.Array], jax.Array]]] = [
    ("(1-x)**2 + 100*(y-x**2)**2", lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2),
    ("sin(x)*cos(y) + 0.1*(x^2+y^2)", lambda x, y: jnp.sin(x) * jnp.cos(y) + 0.1 * (x**2 + y**2)),
    ("-x**2", lambda x, y: -(x**2)),
    ("2**-1*x", lambda x, y: 0.5 * x),
    ("max(x, y) + min(abs(x), 1)", lambda x, y: jnp.maximum(x, y) + jnp.minimum(jnp.abs(x), 1.0)),
    ("exp(-(x^2+y^2))", lambda x, y: jnp.exp(-(x**2 + y**2))),
    ("log(1 + x^2) + sqrt(y^2 + 1)", lambda x, y: jnp.log(1 + x**2) + jnp.sqrt(y**2 + 1)),
    ("pi*e*x", lambda x, y: jnp.pi * jnp.e * x),
    (
        "tanh(x) + sinh(y/3) - cosh(x*y/4)",
        lambda x, y: jnp.tanh(x) + jnp.sinh(y / 3) - jnp.cosh(x * y / 4),
    ),
    ("atan(x) + arctan(y) + tan(x/4)", lambda x, y: jnp.arctan(x) + jnp.arctan(y) + jnp.tan(x / 4)),
    ("1e-3*x + .5*y - 2.5E+1", lambda x, y: 1e-3 * x + 0.5 * y - 25.0),
    ("x/y/2", lambda x, y: x / y / 2),
    ("2^x^0.5", lambda x, y: 2.0 ** (x**0.5)),
    ("-+-x - -y", lambda x, y: x + y),
    ("(x^2 + y - 11)^2 + (x + y^2 - 7)^2", lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2),
    ("x**-2 + y^3", lambda x, y: x**-2 + y**3),
    ("abs(x)**1.5 * 3", lambda x, y: jnp.abs(x) ** 1.5 * 3),
    ("7", lambda x, y: jnp.full_like(x, 7.0)),
]


@pytest.mark.parametrize(("text", "ref"), VALID, ids=[t for t, _ in VALID])
def test_formula_agrees_with_jnp_reference(text: str, ref: Callable) -> None:
    formula = parse_formula(text)
    got_v, got_g = jax.jit(jax.vmap(jax.value_and_grad(formula.fn)))(POINTS)
    want_v, want_g = jax.vmap(jax.value_and_grad(_xy(ref)))(jnp.asarray(POINTS))
    np.testing.assert_allclose(got_v, want_v, rtol=1e-5, atol=1e-5, equal_nan=True)
    np.testing.assert_allclose(got_g, want_g, rtol=1e-4, atol=1e-4, equal_nan=True)


@pytest.mark.parametrize(
    ("text", "x", "y", "expected"),
    [
        ("-x**2", 3.0, 0.0, -9.0),
        ("-x^2", 3.0, 0.0, -9.0),
        ("(-x)**2", 3.0, 0.0, 9.0),
        ("2**3**2", 0.0, 0.0, 512.0),
        ("2**-1", 0.0, 0.0, 0.5),
        ("-2**-2", 0.0, 0.0, -0.25),
        ("2 + 3 * 4", 0.0, 0.0, 14.0),
        ("2 * 3 + 4", 0.0, 0.0, 10.0),
        ("8 / 4 / 2", 0.0, 0.0, 1.0),
        ("2 - 3 - 4", 0.0, 0.0, -5.0),
        ("2 * -x", 3.0, 0.0, -6.0),
        ("x - -y", 1.0, 2.0, 3.0),
        ("-x * y", 2.0, 3.0, -6.0),
        ("x ^ 2 * y", 2.0, 3.0, 12.0),
        ("2 ^ x ^ y", 3.0, 2.0, 512.0),
        ("max(x, y) ^ 2", -3.0, 2.0, 4.0),
        ("+x", 5.0, 0.0, 5.0),
    ],
)
def test_precedence(text: str, x: float, y: float, expected: float) -> None:
    value = parse_formula(text).fn(jnp.array([x, y], dtype=jnp.float32))
    assert float(value) == pytest.approx(expected, rel=1e-6)


def test_tree_shapes() -> None:
    tree = parse_formula("-x**2").tree
    assert tree == Unary("-", Binary("**", Var("x", 1), Num(2.0, 4), 2), 0)
    power = parse_formula("2^3^x").tree
    assert isinstance(power, Binary) and isinstance(power.right, Binary)  # right-associative
    assert parse_formula("x^2").tree == Binary("**", Var("x", 0), Num(2.0, 2), 1)
    assert parse_formula("atan(x)").tree == Call("arctan", (Var("x", 5),), 0)


def test_formula_is_frozen_and_jax_transformable() -> None:
    formula = parse_formula("x*y + sin(x)")
    assert isinstance(formula, Formula) and formula.text == "x*y + sin(x)"
    with pytest.raises(AttributeError):
        formula.text = "y"  # type: ignore[misc]
    batch = jnp.asarray(POINTS)
    hess = jax.jit(jax.vmap(jax.hessian(formula.fn)))(batch)
    assert hess.shape == (16, 2, 2) and bool(jnp.isfinite(hess).all())
    assert formula.fn(jnp.array([1, 2])).dtype == jnp.float32  # integer input is promoted


def test_formula_works_under_strict_promotion() -> None:
    with jax.numpy_dtype_promotion("strict"), jax.numpy_rank_promotion("raise"):
        formula = parse_formula("max(x, 1) * 2**-1 + pi - atan(y)/sqrt(2) + 3")
        value, grad = jax.value_and_grad(formula.fn)(jnp.array([1.5, -0.5], jnp.float32))
    assert value.dtype == jnp.float32 and bool(jnp.isfinite(grad).all())


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("-x**2", "-x^{2}"),
        ("(1-x)**2", r"\left(1 - x\right)^{2}"),
        ("x/y", r"\frac{x}{y}"),
        ("x*(y/2)", r"x \cdot \frac{y}{2}"),
        ("sqrt(x) + abs(y)", r"\sqrt{x} + \left|y\right|"),
        ("pi*e", r"\pi \cdot e"),
        ("log(x)", r"\ln\left(x\right)"),
        ("max(x, y)", r"\max\left(x, y\right)"),
        ("x - (y - 1)", r"x - \left(y - 1\right)"),
        ("x + -y", r"x + \left(-y\right)"),
        ("1e-3*x", r"0.001 \cdot x"),
        ("1e-5", r"10^{-5}"),
        ("2.5e-7", r"2.5 \times 10^{-7}"),
        ("2^3^x", "2^{3^{x}}"),
    ],
)
def test_latex(text: str, latex: str) -> None:
    assert parse_formula(text).latex == latex


HOSTILE = [
    ("__import__('os')", 0, "unknown name"),
    ("x.real", 1, "attribute"),
    ("(lambda: 1)()", 1, "keyword"),
    ("[x for x in y]", 0, "brackets"),
    ('open("f")', 0, "unknown name"),
    ("z + 1", 0, "unknown name"),
    ("2x", 1, "2*x"),
    ("2(x + 1)", 1, "implicit multiplication"),
    ("sin()", 4, "takes 1 argument"),
    ("sin(x, y)", 5, "takes 1 argument"),
    ("min(x)", 5, "takes 2 arguments"),
    ("max(x, y, 1)", 8, "takes 2 arguments"),
    ("((((x)", 2, "never closed"),
    ("x)", 1, "unmatched"),
    ("min(x, )", 7, "found ')'"),
    ("()", 1, "found ')'"),
    ("2ö", 1, "unexpected character"),
    ("x +", 3, "ended"),
    ("1e999", 0, "not finite"),
    ("x ** ** y", 5, "found '**'"),
    ("", 0, "empty"),
    ("  \t ", 0, "empty"),
    ("x y", 2, "missing operator"),
    ("(x)(y)", 3, "missing operator"),
    ("(x y)", 3, "missing operator"),
    ("x(2)", 0, "not a function"),
    ("sin", 0, "must be called"),
    ("sin x", 0, "must be called"),
    ("(x, y)", 2, "','"),
    ("x, y", 1, "','"),
    ("x = 1", 2, "'='"),
    ("x == y", 2, "'='"),
    ("x; y", 1, "';'"),
    ("{x: 1}", 0, "brackets"),
    ("x[0]", 1, "brackets"),
    ("x // 2", 2, "floor division"),
    ("x % 2", 2, "'%'"),
    ("1.2.3", 3, "malformed number"),
    ("x @ y", 2, "unexpected character"),
    ("x + ü", 4, "unexpected character"),
    ("x + ٣", 4, "unexpected character"),
    ("`x`", 0, "strings"),
    ("sin.__class__", 3, "attribute"),
    ("(x).real", 3, "attribute"),
    ("import os", 0, "keyword"),
]


@pytest.mark.parametrize(("text", "position", "reason"), HOSTILE, ids=[t for t, _, _ in HOSTILE])
def test_hostile_input_raises_formula_error(text: str, position: int, reason: str) -> None:
    with pytest.raises(FormulaError) as info:
        parse_formula(text)
    assert info.value.position == position
    assert reason in info.value.reason
    assert isinstance(info.value, ValueError)


def test_unknown_name_lists_allowed_names() -> None:
    with pytest.raises(FormulaError) as info:
        parse_formula("x + foo")
    for name in ("x", "y", "pi", "e", "sin", "atan", "min", "max"):
        assert re.search(rf"\b{name}\b", info.value.reason)


@pytest.mark.parametrize(
    ("text", "position", "reason"),
    [
        ("x" * 10_000, MAX_LENGTH, "longer than"),
        ("(" * 1000 + "x" + ")" * 1000, MAX_LENGTH, "longer than"),
        ("-" * 1000 + "x", MAX_LENGTH, "longer than"),
        ("(" * 60 + "x" + ")" * 60, MAX_DEPTH, "nested"),
        ("-" * 60 + "x", MAX_DEPTH, "nested"),
        ("2**" * 60 + "x", 3 * MAX_DEPTH + 1, "nested"),
        ("sin(" * 60 + "x" + ")" * 60, 4 * MAX_DEPTH + 3, "nested"),
        ("x+" * 240 + "x", MAX_TOKENS, "tokens"),
    ],
)
def test_limits(text: str, position: int, reason: str) -> None:
    with pytest.raises(FormulaError) as info:
        parse_formula(text)
    assert info.value.position == position
    assert reason in info.value.reason


def test_limits_are_inclusive() -> None:
    parse_formula("(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH)
    parse_formula("-" * MAX_DEPTH + "x")
    formula = parse_formula("x+" * (MAX_TOKENS // 2 - 1) + "x")  # 399 tokens, a deep left chain
    assert float(jax.jit(formula.fn)(jnp.ones(2))) == MAX_TOKENS // 2


def test_error_message_has_caret_under_position() -> None:
    with pytest.raises(FormulaError) as info:
        parse_formula("x + 2y")
    lines = str(info.value).splitlines()
    assert "implicit multiplication" in lines[0]
    assert lines[1].index("2y") + 1 == lines[2].index("^")


def test_long_error_message_caret_stays_aligned() -> None:
    text = "x + " * 30 + "x $ y"
    with pytest.raises(FormulaError) as info:
        parse_formula(text)
    _, snippet, caret = str(info.value).splitlines()
    assert snippet[caret.index("^")] == "$"


def test_source_never_executes_user_text() -> None:
    source = "".join(inspect.getsource(m) for m in FORMULA_MODULES)
    builtin_call = r"(?<![\w.])(eval|exec|compile|__import__|getattr|literal_eval)\("
    assert not re.search(builtin_call, source)
    assert not re.search(r"^\s*(import ast|from ast)", source, flags=re.MULTILINE)


def test_parsing_calls_no_dynamic_execution(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("dynamic execution during parsing")

    text = "sin(x)**2 + max(y, 1) - 1"
    float(parse_formula(text).fn(jnp.zeros(2)))  # warm up lazy imports, which may compile
    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, forbidden)
    assert float(parse_formula(text).fn(jnp.zeros(2))) == 0.0
    with pytest.raises(FormulaError):
        parse_formula("__import__('os').system('true')")


# -- fuzzing -------------------------------------------------------------------------------------

_GRAMMAR_ALPHABET = "xy0123456789.eE+-*/^(),pisncotaxplgqrbhm _[]'\"=:;"
_SAMPLE = jnp.array([0.3, -0.7], dtype=jnp.float32)


def _check_outcome(text: str) -> None:
    try:
        formula = parse_formula(text)
    except FormulaError as err:
        assert 0 <= err.position <= len(text)
        assert err.reason
        return
    value = formula.fn(_SAMPLE)
    assert value.shape == ()
    assert isinstance(float(value), float)  # finite, inf or nan: all are plain floats


_FUZZ = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])


@_FUZZ
@given(st.text(max_size=80))
def test_fuzz_arbitrary_text(text: str) -> None:
    _check_outcome(text)


@_FUZZ
@given(st.text(alphabet=_GRAMMAR_ALPHABET, max_size=60))
def test_fuzz_grammar_alphabet(text: str) -> None:
    _check_outcome(text)


_TOKENS = st.sampled_from(
    [
        "x",
        "y",
        "pi",
        "e",
        "2",
        "0.5",
        "1e-2",
        "+",
        "-",
        "*",
        "/",
        "**",
        "^",
        "(",
        ")",
        ",",
        "sin(",
        "min(",
        "max(",
        "sqrt(",
        "abs(",
        "exp(",
        "atan(",
    ]
)


@_FUZZ
@given(st.lists(_TOKENS, max_size=30).map(" ".join))
def test_fuzz_token_soup(text: str) -> None:
    _check_outcome(text)


def _expressions() -> st.SearchStrategy[str]:
    leaves = st.sampled_from(["x", "y", "pi", "e", "1", "2.5", ".5", "3e-1"])

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binary = st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**", "^"]), inner)
        unary = st.sampled_from(["sin", "cos", "exp", "log", "tanh", "abs", "atan", "sqrt"])
        return st.one_of(
            binary.map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(st.sampled_from(["-", "+"]), inner).map("".join),
            st.tuples(unary, inner).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(st.sampled_from(["min", "max"]), inner, inner).map(
                lambda t: f"{t[0]}({t[1]}, {t[2]})"
            ),
        )

    return st.recursive(leaves, extend, max_leaves=12)


@_FUZZ
@given(_expressions())
def test_fuzz_valid_expressions_parse(text: str) -> None:
    formula = parse_formula(text)
    value = float(formula.fn(_SAMPLE))
    assert isinstance(value, float)
    assert formula.latex.count("{") == formula.latex.count("}")
    assert formula.latex.count(r"\left") == formula.latex.count(r"\right")
