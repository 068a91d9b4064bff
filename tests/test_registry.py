"""The registry and the hyperparameter metadata the app builds its controls from."""

from __future__ import annotations

import pytest

from rlx_lab import optim
from rlx_lab.optim import HParam

RLX_ORDER = (
    "sgd",
    "adam",
    "adamw",
    "nadamw",
    "radam",
    "qhadamw",
    "lamb",
    "adafactor",
    "lion",
    "soap",
    "kron_psgd",
    "muon",
    "sophia",
    "mars",
)
SPECS = [(name, p) for name in optim.names() for p in optim.get(name).spec]
SPEC_IDS = [f"{name}.{p.name}" for name, p in SPECS]


def test_names_are_the_fourteen_rlx_optimizers_in_rlx_order() -> None:
    assert optim.names() == RLX_ORDER
    assert len(optim.names()) == 14


@pytest.mark.parametrize("name", optim.names())
def test_get_returns_the_optimizer_of_that_name(name: str) -> None:
    opt = optim.get(name)
    assert isinstance(opt, optim.Optimizer)
    assert opt.name == name
    assert opt.title.strip()
    assert opt.summary.strip()
    assert opt.rule_latex.strip()


@pytest.mark.parametrize("name", optim.names())
def test_spec_names_are_unique_and_match_the_hparams_dict(name: str) -> None:
    opt = optim.get(name)
    fields = [p.name for p in opt.spec]
    assert len(fields) == len(set(fields))
    flags = {p.none_flag for p in opt.spec if p.kind == "optional_float"}
    assert set(opt.hparams()) == set(fields) | flags
    assert opt.defaults() == {p.name: p.default for p in opt.spec}


@pytest.mark.parametrize(("name", "p"), SPECS, ids=SPEC_IDS)
def test_every_entry_has_a_meaning_and_a_symbol(name: str, p: HParam) -> None:
    assert p.meaning.strip()
    assert p.symbol.strip()
    assert p.kind in ("float", "optional_float", "bool", "int", "tuple")
    assert p.scale in ("linear", "log", "log1m")
    assert p.tag in ("", "lr", "clip", "paper", "inert")


@pytest.mark.parametrize(("name", "p"), SPECS, ids=SPEC_IDS)
def test_every_default_validates(name: str, p: HParam) -> None:
    assert p.validate(p.default) == (p.default if p.kind != "tuple" else tuple(p.default))
    optim.get(name).hparams(**{p.name: p.default})


@pytest.mark.parametrize("name", optim.names())
def test_hparams_with_no_overrides_works(name: str) -> None:
    assert optim.get(name).hparams()


def _default_inside_ui_range_cases() -> list:
    return [
        pytest.param(name, p, id=f"{name}.{p.name}")
        for name, p in SPECS
        if p.ui_low is not None and p.ui_high is not None and p.default is not None
    ]


@pytest.mark.parametrize(("name", "p"), _default_inside_ui_range_cases())
def test_default_lies_inside_its_slider_range(name: str, p: HParam) -> None:
    assert p.ui_low <= p.default <= p.ui_high


@pytest.mark.parametrize(("name", "p"), SPECS, ids=SPEC_IDS)
def test_slider_range_is_sane(name: str, p: HParam) -> None:
    if p.kind in ("float", "optional_float"):
        assert p.ui_low is not None and p.ui_high is not None
        assert p.ui_low < p.ui_high
    if p.kind == "int" and p.ui_low is not None:
        assert p.ui_low < p.ui_high
    if p.scale == "log":
        assert p.ui_low > 0
    if p.scale == "log1m":
        assert p.ui_high < 1
    if p.ui_low is not None:  # both slider ends are valid values
        p.validate(int(p.ui_low) if p.kind == "int" else p.ui_low)
        p.validate(int(p.ui_high) if p.kind == "int" else p.ui_high)


@pytest.mark.parametrize("name", optim.names())
def test_every_optimizer_has_an_lr_tagged_lr(name: str) -> None:
    tagged = [p.name for p in optim.get(name).spec if p.tag == "lr"]
    assert tagged == ["lr"]


@pytest.mark.parametrize(
    ("name", "field"),
    [("sophia", "rho"), ("kron_psgd", "clip"), ("adafactor", "clip_threshold"), ("mars", "clip_c")],
)
def test_clip_controls_carry_the_clip_tag(name: str, field: str) -> None:
    spec = {p.name: p for p in optim.get(name).spec}
    assert spec[field].tag == "clip"


@pytest.mark.parametrize(
    ("name", "fields"),
    [("soap", {"skip_first_update", "reproject_moments"}), ("kron_psgd", {"random_probe"})],
)
def test_paper_switches_are_tagged_and_default_to_rlx(name: str, fields: set[str]) -> None:
    spec = {p.name: p for p in optim.get(name).spec}
    assert {p.name for p in spec.values() if p.tag == "paper"} == fields
    for field in fields:
        assert spec[field].kind == "bool"
        assert spec[field].default is False


def test_only_soap_and_kron_have_paper_switches() -> None:
    with_paper = {name for name, p in SPECS if p.tag == "paper"}
    assert with_paper == {"soap", "kron_psgd"}
