"""Strict input: values are checked as they will be stored (float32), link booleans and
integers are read exactly, and a formula with nothing to descend is a formula error."""

from __future__ import annotations

import re

import numpy as np
import pytest

from app.state.race import RaceModel
from rlx_lab import optim, surfaces
from rlx_lab.formula import FormulaError
from rlx_lab.optim import HParam

SPECS = [(name, p) for name in optim.names() for p in optim.get(name).spec]
SPEC_IDS = [f"{name}.{p.name}" for name, p in SPECS]
NUMBERS = [(n, p) for n, p in SPECS if p.kind in ("float", "optional_float")]
OPEN_HIGH = [(n, p) for n, p in NUMBERS if p.high is not None and p.high_open]
BOOLS = [(n, p) for n, p in SPECS if p.kind == "bool"]
INTS = [(n, p) for n, p in SPECS if p.kind == "int"]
NOWHERE_FINITE = "the formula is infinite or NaN everywhere on the window"
CONSTANT = "the formula is constant over the window: nothing to descend"


def _ids(pairs: list[tuple[str, HParam]]) -> list[str]:
    return [f"{n}.{p.name}" for n, p in pairs]


def _word(field: str) -> str:
    """``field`` as a whole word (``lr`` is not found in ``precond_lr``)."""
    return rf"(?<![\w]){re.escape(field)}(?![\w])"


def _overflow(p: HParam) -> float:
    """A float64-finite value of ``p``'s sign that overflows float32."""
    return -1e39 if p.high is not None and p.high <= 0 else 1e39


# --- 1. hyperparameters are checked as float32 ---------------------------------------------


@pytest.mark.parametrize(("name", "p"), NUMBERS, ids=_ids(NUMBERS))
def test_a_value_that_overflows_float32_is_rejected_naming_the_field(name: str, p: HParam) -> None:
    assert np.isfinite(_overflow(p))  # finite as a Python float: only float32 overflows
    with pytest.raises(ValueError, match=_word(p.name) + ".*float32"):
        optim.get(name).hparams(**{p.name: _overflow(p)})


TUPLES = [(n, p) for n, p in SPECS if p.kind == "tuple"]


@pytest.mark.parametrize(("name", "p"), TUPLES, ids=_ids(TUPLES))
def test_a_tuple_entry_that_overflows_float32_is_rejected(name: str, p: HParam) -> None:
    with pytest.raises(ValueError, match=_word(p.name) + ".*float32"):
        optim.get(name).hparams(**{p.name: (1e39, *p.default[1:])})


def test_adam_lr_of_1e39_no_longer_becomes_inf() -> None:
    with pytest.raises(ValueError, match=r"^lr: 1e\+39 overflows float32"):
        optim.get("adam").hparams(lr=1e39)
    assert float(optim.get("adam").hparams(lr=3e38)["lr"]) == pytest.approx(3e38)


def test_momentum_that_rounds_to_one_in_float32_is_rejected_saying_why() -> None:
    message = re.escape("momentum: 0.9999999999 rounds to 1.0 in float32, outside [0, 1)")
    with pytest.raises(ValueError, match=message):
        optim.get("sgd").hparams(momentum=0.9999999999)
    kept = optim.get("sgd").hparams(momentum=0.9999999)["momentum"]  # float32 0.99999988
    assert float(kept) < 1.0


@pytest.mark.parametrize(("name", "p"), OPEN_HIGH, ids=_ids(OPEN_HIGH))
def test_an_open_upper_bound_reached_by_rounding_is_rejected(name: str, p: HParam) -> None:
    assert p.high is not None
    below = np.nextafter(p.high, -np.inf)  # inside in float64, the bound itself in float32
    assert below < p.high and np.float32(below) == p.high
    with pytest.raises(ValueError, match=_word(p.name) + ".*rounds to.*float32"):
        optim.get(name).hparams(**{p.name: float(below)})


def test_a_positive_lr_that_rounds_to_zero_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"lr: 1e-50 rounds to 0\.0 in float32, outside \(0"):
        optim.get("adam").hparams(lr=1e-50)


# --- 5. a formula with nothing to descend -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("9**9**9**9", NOWHERE_FINITE),
        ("log(-1 - x^2)", NOWHERE_FINITE),
        ("sqrt(-1 - y^2) + x", NOWHERE_FINITE),
        ("0*x", CONSTANT),
        ("3", CONSTANT),
        ("x - x + 2", CONSTANT),
        ("1e-50*x", CONSTANT),  # 1e-50 is 0 in float32
    ],
)
def test_a_formula_with_nothing_to_descend_is_a_formula_error(text: str, reason: str) -> None:
    with pytest.raises(FormulaError) as info:
        surfaces.from_formula(text)
    assert info.value.reason == reason


def test_the_window_decides() -> None:
    surfaces.from_formula("log(x)", window=((0.5, 3.0), (-1.0, 1.0)))  # finite here
    with pytest.raises(FormulaError, match="infinite or NaN"):
        surfaces.from_formula("log(x)", window=((-3.0, -1.0), (-1.0, 1.0)))
    surfaces.from_formula("max(x, 0)", window=((-1.0, 1.0), (-1.0, 1.0)))
    with pytest.raises(FormulaError, match="constant"):
        surfaces.from_formula("max(x, 0)", window=((-3.0, -1.0), (-1.0, 1.0)))


def test_a_formula_finite_somewhere_is_accepted() -> None:
    surface = surfaces.from_formula("log(x) + y^2")  # NaN for x ≤ 0, finite elsewhere
    assert surface.name == "custom"


@pytest.mark.parametrize(
    ("text", "says"),
    [("9**9**9**9", "infinite or NaN everywhere"), ("0*x", "constant over the window")],
)
def test_race_reports_the_formula_and_keeps_the_last_surface(text: str, says: str) -> None:
    race = RaceModel(optimizers=["adam"], surface="custom", formula="x^2 + y^2")
    good = race.current_surface
    race.formula = text
    assert says in race.formula_error
    assert race.current_surface is good
    problems = RaceModel(optimizers=["adam"]).from_query({"surface": "custom", "formula": text})
    assert any(p.startswith("formula:") and says in p for p in problems)
