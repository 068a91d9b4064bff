"""Strict input: values are checked as they will be stored (float32), link booleans and
integers are read exactly, and a formula with nothing to descend is a formula error."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from rlx_lab import optim, surfaces
from rlx_lab.formula import FormulaError
from rlx_lab.optim import HParam
from rlx_lab_app.state.nets.model import NetsModel
from rlx_lab_app.state.surfaces.race import RaceModel

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


def test_float32_limits_of_a_link_hyperparameter_are_reported() -> None:
    race = RaceModel(optimizers=["adam"])
    problems = race.from_query({"adam.lr": "1e39", "sgd.momentum": "0.9999999999"})
    assert any(p.startswith("adam.lr:") and "float32" in p for p in problems)
    assert any(p.startswith("sgd.momentum:") and "rounds to 1.0" in p for p in problems)
    assert race.settings["adam"].lr == 0.01 and race.settings["sgd"].momentum < 1.0


@pytest.mark.parametrize(
    ("key", "text", "field"),
    [
        ("noise", "1e39", "noise"),
        ("clip", "1e39", "clip_norm"),
        ("window", "-1e39,3,-3,3", "window"),
        ("start", "1e39,0", "start"),
    ],
)
def test_a_race_link_number_that_overflows_float32_is_refused(
    key: str, text: str, field: str
) -> None:
    race = RaceModel(optimizers=["adam"], surface="custom")
    before = getattr(race, field)
    problems = race.from_query({"surface": "custom", key: text})
    assert any(re.match(_word(field) + ".*overflows float32", p) for p in problems), problems
    assert getattr(race, field) == before
    assert race.formula_error == ""


def test_a_nets_link_noise_that_overflows_float32_is_refused() -> None:
    model = NetsModel()
    before = model.noise
    problems = model.from_query({"noise": "1e39"})
    assert any(p.startswith("noise:") and "overflows float32" in p for p in problems), problems
    assert model.noise == before


def test_a_window_that_is_empty_in_float32_is_a_window_error() -> None:
    race = RaceModel(optimizers=["adam"], surface="custom")
    race.window = (1.0, 1.0 + 1e-12, -3.0, 3.0)  # x min < x max, but equal as float32
    assert race.formula_error.startswith("window:")


def test_a_start_click_that_overflows_float32_is_reported() -> None:
    race = RaceModel(optimizers=["adam"])
    race.set_start(1e39, 0.0)
    assert race.start is None and race.message.startswith("start:")


# --- 2. booleans in links ---------------------------------------------------------------------


FALSE = ["0", "false", "off", "no", "FALSE", "Off", " No "]
TRUE = ["1", "true", "on", "yes", "TRUE", "On", "YES"]


@pytest.mark.parametrize("model_class", [RaceModel, NetsModel])
@pytest.mark.parametrize("text", FALSE)
def test_adafactor_relative_step_false_in_a_link_is_false(model_class: type, text: str) -> None:
    model = model_class(optimizers=["adafactor"])
    model.settings["adafactor"].relative_step = True
    assert model.from_query({"adafactor.relative_step": text}) == []
    assert model.settings["adafactor"].relative_step is False
    assert model.settings["adafactor"].overrides()["lr"] is not None


@pytest.mark.parametrize("model_class", [RaceModel, NetsModel])
@pytest.mark.parametrize("text", TRUE)
def test_adafactor_relative_step_true_in_a_link_is_true(model_class: type, text: str) -> None:
    model = model_class(optimizers=["adafactor"])
    model.settings["adafactor"].relative_step = False
    assert model.from_query({"adafactor.relative_step": text}) == []
    assert model.settings["adafactor"].relative_step is True
    assert model.settings["adafactor"].overrides()["lr"] is None


@pytest.mark.parametrize("model_class", [RaceModel, NetsModel])
@pytest.mark.parametrize("text", ["banana", "2", "", "truthy", "0.0"])
def test_a_bad_relative_step_is_reported_and_kept(model_class: type, text: str) -> None:
    model = model_class(optimizers=["adafactor"])
    for kept in (True, False):
        model.settings["adafactor"].relative_step = kept
        problems = model.from_query({"adafactor.relative_step": text})
        assert len(problems) == 1 and problems[0].startswith("adafactor.relative_step:")
        assert model.settings["adafactor"].relative_step is kept


@pytest.mark.parametrize(("name", "p"), BOOLS, ids=_ids(BOOLS))
def test_every_boolean_hyperparameter_reads_the_same_words(name: str, p: HParam) -> None:
    model = RaceModel(optimizers=[name])
    for text, expected in [*((t, False) for t in FALSE), *((t, True) for t in TRUE)]:
        assert model.from_query({f"{name}.{p.name}": text}) == []
        assert getattr(model.settings[name], p.name) is expected
    problems = model.from_query({f"{name}.{p.name}": "banana"})
    assert len(problems) == 1 and re.search(_word(f"{name}.{p.name}"), problems[0])
    assert getattr(model.settings[name], p.name) is True


@pytest.mark.parametrize(
    ("key", "field"),
    [
        ("many", "many_starts"),
        ("log", "log_color"),
        ("ghosts", "ghosts_on"),
        ("arrows", "arrows"),
        ("lecture", "lecture"),
    ],
)
def test_race_flags_read_the_same_words_and_report_others(key: str, field: str) -> None:
    race = RaceModel(optimizers=["adam"])
    for text, expected in [("off", False), ("YES", True), ("no", False), ("On", True)]:
        assert race.from_query({key: text}) == []
        assert getattr(race, field) is expected
    problems = race.from_query({key: "banana"})
    assert len(problems) == 1 and problems[0].startswith(f"{key}:") and "banana" in problems[0]
    assert getattr(race, field) is True


# --- 3. integers in links ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_class", "key", "text", "expected"),
    [
        (RaceModel, "steps", "1e3", 1000),
        (RaceModel, "steps", "300.0", 300),
        (RaceModel, "seed", "1E1", 10),
        (NetsModel, "steps", "1e3", 1000),
        (NetsModel, "width", "6.4e1", 64),
    ],
)
def test_an_integral_number_is_an_integer(
    model_class: type, key: str, text: str, expected: int
) -> None:
    model = model_class()
    assert model.from_query({key: text}) == []
    assert getattr(model, key) == expected and type(getattr(model, key)) is int


def test_steps_1e4_is_ten_thousand_or_names_the_limit() -> None:
    race = RaceModel()
    problems = race.from_query({"steps": "1e4"})
    limit = race.param.steps.bounds[1]
    if limit >= 10_000:
        assert problems == [] and race.steps == 10_000
    else:
        assert len(problems) == 1 and "finite number" not in problems[0]
        assert problems[0].startswith("steps:") and str(limit) in problems[0]


@pytest.mark.parametrize("model_class", [RaceModel, NetsModel])
@pytest.mark.parametrize("text", ["1.5", "2.0000001", "1e-3"])
def test_a_fraction_is_refused_as_an_integer(model_class: type, text: str) -> None:
    model = model_class()
    problems = model.from_query({"steps": text})
    assert len(problems) == 1 and problems[0].startswith("steps: expected an integer")
    assert repr(text) in problems[0] and model.steps == model.param.steps.default


@pytest.mark.parametrize(("name", "p"), INTS, ids=_ids(INTS))
def test_an_integer_hyperparameter_reads_integral_numbers(name: str, p: HParam) -> None:
    model = RaceModel(optimizers=[name])
    value = int(p.default) + 1
    assert model.from_query({f"{name}.{p.name}": f"{value:e}"}) == []  # e.g. 1.100000e+01
    assert getattr(model.settings[name], p.name) == value
    problems = model.from_query({f"{name}.{p.name}": f"{value}.5"})
    assert len(problems) == 1 and re.search(_word(f"{name}.{p.name}"), problems[0])
    assert getattr(model.settings[name], p.name) == value


# --- 4. every written link reads back ---------------------------------------------------------


@pytest.mark.parametrize("samples", [128, 256, 1024])
def test_a_nets_link_with_samples_reads_back(samples: int) -> None:
    model = NetsModel()
    model.samples = samples
    query = model.to_query()
    assert query["samples"] == str(samples)
    copy = NetsModel()
    assert copy.from_query(query) == []
    assert copy.samples == samples and copy.to_query() == query


def test_an_unknown_samples_value_is_reported() -> None:
    model = NetsModel()
    problems = model.from_query({"samples": "1000"})
    assert len(problems) == 1 and problems[0].startswith("samples:")
    assert model.samples == model.param.samples.default


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


def test_the_heat_map_keeps_nothing_of_the_previous_surface() -> None:
    from bokeh.plotting import figure

    from rlx_lab_app.views.heat_map import HeatMap

    heat = HeatMap(figure(), _image(), title="loss")
    window = ((-1.0, 1.0), (-1.0, 1.0))
    xs = ys = np.linspace(-1.0, 1.0, 8)
    bowl = np.add.outer(ys**2, xs**2)
    heat.show(bowl, xs, ys, window)
    assert heat.contours.visible and heat.colorbar.visible
    heat.show(np.full_like(bowl, np.nan), xs, ys, window)  # nothing finite to draw
    assert not heat.contours.visible and not heat.colorbar.visible
    heat.show(np.ones_like(bowl), xs, ys, window)  # a colour, but no level to draw
    assert not heat.contours.visible and heat.colorbar.visible
    heat.show(bowl, xs, ys, window)
    assert heat.contours.visible and heat.colorbar.visible


def _image() -> Any:
    from bokeh.models import ColumnDataSource

    return ColumnDataSource(
        {"image": [np.zeros((2, 2))], "x": [-1.0], "y": [-1.0], "dw": [2.0], "dh": [2.0]}
    )
