"""Every link a lab writes reads back into the same state (both tabs, random valid states).

A state is drawn at random (optimizers and their settings inside the valid ranges, the run's
settings, the surface or the data), written with ``to_query`` and read into a fresh model with
``from_query``: no problems, the same link, the same settings. Nothing is computed on the way.
Back and Forward (``restore``) bring a model in *another* random state to exactly that link.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlx_lab import optim
from rlx_lab.engine import ESTIMATORS, MAX_STEPS, VIEWS
from rlx_lab.nets.hessian import ESTIMATORS as NET_ESTIMATORS
from rlx_lab.nets.settings import MAX_STEPS as NET_MAX_STEPS
from rlx_lab.optim import HParam
from rlx_lab.schedule import KINDS, MAX_WARMUP
from rlx_lab_app.state.nets import model as nets_module
from rlx_lab_app.state.nets.model import BOUNDARY_DATASETS, SAMPLES, NetsModel
from rlx_lab_app.state.surfaces import race as race_module
from rlx_lab_app.state.surfaces.race import RaceModel
from rlx_lab_app.state.surfaces.surface_source import CUSTOM, surface_names

FORMULAS = ("x**2 + 10*y**2 + 2*sin(2*x)", "(1 - x)^2 + 100*(y - x^2)^2", "abs(x) + y^2")
EXAMPLES = settings(max_examples=40, deadline=None)


def _number(low: float, high: float, *, low_open: bool = False, high_open: bool = False) -> Any:
    return st.floats(
        min_value=low,
        max_value=high,
        exclude_min=low_open,
        exclude_max=high_open,
        allow_nan=False,
        allow_infinity=False,
        allow_subnormal=False,
    )


def _hparam_value(p: HParam) -> Any:
    """A valid value of ``p`` (inside its slider range, which lies inside its valid set)."""
    if p.kind == "bool":
        return st.booleans()
    if p.kind == "int":
        return st.integers(int(p.low), int(p.high))
    if p.kind == "tuple":
        return st.tuples(*[_number(-10.0, 10.0)] * p.length)
    assert p.ui_low is not None and p.ui_high is not None
    low_open = p.low_open and p.low == p.ui_low
    high_open = p.high_open and p.high == p.ui_high
    value = _number(p.ui_low, p.ui_high, low_open=low_open, high_open=high_open)
    return st.none() | value if p.kind == "optional_float" else value


@st.composite
def _optimizers(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    """Chosen optimizers (in order) → some of their hyperparameters."""
    names = draw(st.lists(st.sampled_from(optim.names()), unique=True, max_size=4))
    chosen: dict[str, dict[str, Any]] = {}
    for name in names:
        spec = optim.get(name).spec
        fields = draw(st.lists(st.sampled_from(spec), unique_by=lambda p: p.name, max_size=4))
        chosen[name] = {p.name: draw(_hparam_value(p)) for p in fields}
    return chosen


@st.composite
def _common(draw: st.DrawFn) -> dict[str, Any]:
    """The settings both labs share: clip, η schedule, Sophia's estimate period and probes."""
    return {
        "clip_on": draw(st.booleans()),
        "clip_norm": draw(_number(0.01, 100.0)),
        "schedule": draw(st.sampled_from(list(KINDS))),
        "warmup": draw(st.integers(0, MAX_WARMUP)),
        "floor": draw(_number(0.0, 1.0)),
        "hessian_every": draw(st.integers(1, 1000)),
        "probes": draw(st.integers(1, 64)),
    }


def _apply_optimizers(model: Any, chosen: dict[str, dict[str, Any]]) -> None:
    model.optimizers = list(chosen)
    for name, values in chosen.items():
        assert model.settings[name].apply(values) == []


@contextlib.contextmanager
def _no_computation() -> Iterator[None]:
    """Fail if anything trains or runs a race."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("reading a link must not compute")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(race_module, "compute", refuse)
        patch.setattr(nets_module, "compute", refuse)
        yield


# --- the surfaces tab -------------------------------------------------------------------------


@st.composite
def race_states(draw: st.DrawFn) -> RaceModel:
    """A RaceModel in a random valid state."""
    model = RaceModel()
    surface = draw(st.sampled_from(surface_names()))
    if surface == CUSTOM:
        x0, y0 = draw(_number(-10.0, 0.0)), draw(_number(-10.0, 0.0))
        width, height = draw(_number(0.5, 10.0)), draw(_number(0.5, 10.0))
        window = (x0, x0 + width, y0, y0 + height)
        model.param.update(surface=CUSTOM, formula=draw(st.sampled_from(FORMULAS)), window=window)
    else:
        model.surface = surface
    assert model.formula_error == ""
    shown = model.current_surface
    params = {
        key: draw(_number(info.low, info.high))
        for key, info in shown.param_info.items()
        if draw(st.booleans())
    }
    (x0, x1), (y0, y1) = shown.window
    start = draw(st.none() | st.tuples(_number(x0, x1), _number(y0, y1)))
    model.param.update(
        surface_params=params,
        start=start,
        steps=draw(st.integers(1, MAX_STEPS)),
        view=draw(st.sampled_from(list(VIEWS))),
        noise=draw(_number(0.0, 5.0)),
        seed=draw(st.integers(0, 2**31 - 1)),
        repeats=draw(st.integers(1, 32)),
        hessian=draw(st.sampled_from(list(ESTIMATORS))),
        many_starts=draw(st.booleans()),
        grid_size=draw(st.integers(2, 5)),
        log_color=draw(st.booleans()),
        ghosts_on=draw(st.booleans()),
        arrows=draw(st.booleans()),
        lecture=draw(st.booleans()),
        speed=draw(st.integers(1, 2000)),
        **draw(_common()),
    )
    _apply_optimizers(model, draw(_optimizers()))
    return model


@EXAMPLES
@given(race_states())
def test_every_race_link_reads_back(model: RaceModel) -> None:
    with _no_computation():
        query = model.to_query()
        copy = RaceModel()
        assert copy.from_query(query) == []
        assert copy.to_query() == query
    assert copy.results == {} and copy.status == ""
    assert copy.optimizers == model.optimizers
    for name in model.optimizers:
        assert copy.settings[name].overrides() == model.settings[name].overrides()
    assert copy.run_settings() == model.run_settings()
    assert copy.start_point() == model.start_point()
    assert copy.current_surface is model.current_surface
    for name in (
        "view",
        "many_starts",
        "grid_size",
        "log_color",
        "ghosts_on",
        "arrows",
        "lecture",
        "speed",
        "repeats",
    ):
        assert getattr(copy, name) == getattr(model, name), name


@settings(max_examples=10, deadline=None)
@given(race_states(), race_states())
def test_back_to_any_race_link_restores_all_of_it(model: RaceModel, other: RaceModel) -> None:
    """What the link omits goes back to its default, whatever ``other`` had changed."""
    query = model.to_query()
    with _no_computation():
        assert other.restore(query) == []
    assert other.to_query() == query
    assert other.optimizers == model.optimizers  # the link's order
    for name in model.optimizers:
        assert other.settings[name].overrides() == model.settings[name].overrides()
    assert other.start_point() == model.start_point()


# --- the small-nets tab -----------------------------------------------------------------------


@st.composite
def nets_states(draw: st.DrawFn) -> NetsModel:
    """A NetsModel in a random valid state."""
    model = NetsModel()
    model.dataset = draw(st.sampled_from(BOUNDARY_DATASETS))  # sets the data's own noise
    if draw(st.booleans()):
        model.noise = draw(_number(0.0, 0.5))
    model.param.update(
        samples=draw(st.sampled_from(SAMPLES)),
        data_seed=draw(st.integers(0, 2**31 - 1)),
        depth=draw(st.integers(0, 6)),
        width=draw(st.integers(0, 1024)),
        activation=draw(st.sampled_from(model.param.activation.objects)),
        batch_size=draw(st.integers(0, 4096)),
        steps=draw(st.integers(1, NET_MAX_STEPS)),
        seed=draw(st.integers(0, 2**31 - 8)),
        n_seeds=draw(st.integers(1, 8)),
        hessian=draw(st.sampled_from(list(NET_ESTIMATORS))),
        landscape=draw(st.sampled_from(model.param.landscape.objects)),
        tune_by=draw(st.sampled_from(model.param.tune_by.objects)),
        **draw(_common()),
    )
    _apply_optimizers(model, draw(_optimizers()))
    return model


@EXAMPLES
@given(nets_states())
def test_every_nets_link_reads_back(model: NetsModel) -> None:
    with _no_computation():
        query = model.to_query()
        copy = NetsModel()
        assert copy.from_query(query) == []
        assert copy.to_query() == query
    assert copy.runs == {} and copy.shown is None
    assert copy.optimizers == model.optimizers
    for name in model.optimizers:
        assert copy.settings[name].overrides() == model.settings[name].overrides()
    assert copy.train_settings() == model.train_settings()
    for name in (
        "dataset",
        "noise",
        "samples",
        "data_seed",
        "depth",
        "width",
        "activation",
        "batch_size",
        "seed",
        "n_seeds",
        "landscape",
        "tune_by",
    ):
        assert getattr(copy, name) == getattr(model, name), name


@settings(max_examples=10, deadline=None)
@given(nets_states(), nets_states())
def test_back_to_any_nets_link_restores_all_of_it(model: NetsModel, other: NetsModel) -> None:
    query = model.to_query()
    with _no_computation():
        assert other.restore(query) == []
    assert other.to_query() == query
    for name in model.optimizers:
        assert other.settings[name].overrides() == model.settings[name].overrides()
    assert other.train_settings() == model.train_settings()
