"""Parameter roles (rlx_lab_app.state.roles): every control of a lab declares what it is for,
and what the link records follows the declarations."""

from __future__ import annotations

from typing import Any

import param
import pytest

from rlx_lab_app.state import RaceModel
from rlx_lab_app.state.nets.inputs import INPUTS as NETS_INPUTS
from rlx_lab_app.state.nets.inputs import LINKED as NETS_LINKED
from rlx_lab_app.state.nets.inputs import NetsInputs
from rlx_lab_app.state.nets.model import NetsModel
from rlx_lab_app.state.roles import LINK, LOCAL, RUN, names, query_keys, role
from rlx_lab_app.state.surfaces.inputs import INPUTS, LINKED, RaceInputs

LABS = (
    pytest.param(RaceInputs, RaceModel, LINKED, id="surfaces"),
    pytest.param(NetsInputs, NetsModel, NETS_LINKED, id="nets"),
)


def _controls(cls: type[param.Parameterized]) -> list[str]:
    """Parameters a user sets (the rest have a negative precedence)."""
    return [
        n
        for n, p in cls.param.objects("existing").items()
        if n != "name" and (p.precedence is None or p.precedence >= 0)
    ]


def _changed(parameter: param.Parameter) -> Any:
    """A valid value other than ``parameter``'s default, for the simple kinds (else None)."""
    default = parameter.default
    if isinstance(parameter, param.Boolean):
        return not default
    if isinstance(parameter, param.ListSelector):
        return [o for o in parameter.objects if o not in default][:1]
    if isinstance(parameter, param.Selector):
        return next(o for o in parameter.objects if o != default)
    if isinstance(parameter, param.Number):  # Integer too
        low, high = parameter.bounds or (None, None)
        value = default + 1
        if high is not None and value > high:
            value = (low + high) / 2
        return type(default)(value)
    return None


@pytest.mark.parametrize("cls", [RaceInputs, NetsInputs])
def test_every_control_declares_its_role(cls: type[param.Parameterized]) -> None:
    missing = [n for n in _controls(cls) if role(cls.param[n]) not in (RUN, LINK, LOCAL)]
    assert not missing, f"{cls.__name__}: no role declared for {missing}"


def test_the_recompute_follows_the_run_roles() -> None:
    assert "revision" in INPUTS and "revision" in NETS_INPUTS, "a moved setting reruns"
    assert {"surface", "steps", "clip_norm", "schedule", "floor"} <= set(INPUTS)
    assert not {"log_color", "speed", "frame", "arrows"} & set(INPUTS)
    assert "tune_by" not in NETS_INPUTS and "auto" not in NETS_INPUTS
    assert names(RaceInputs, LINK) == ("log_color", "ghosts_on", "arrows", "lecture", "speed")
    assert names(NetsInputs, LINK, LOCAL) == ("tune_by", "auto")


@pytest.mark.parametrize(("cls", "model_cls", "linked"), LABS)
def test_whatever_the_link_records_the_link_follows(
    cls: type[param.Parameterized], model_cls: type, linked: tuple[str, ...]
) -> None:
    """Each simple parameter whose change changes the link is watched by the link, so the
    address bar and the share box never lag behind the page."""
    model = model_cls()
    before = model.to_query()
    tried = []
    for name, parameter in cls.param.objects("existing").items():
        value = _changed(parameter)
        if name == "name" or value is None or value == []:
            continue
        tried.append(name)
        model.param.update({name: value})
        if model.to_query() != before:
            assert name in linked, f"the link records {name} but does not watch it"
        model.param.update({name: parameter.default})
    assert len(tried) >= 15


def test_turning_the_arrows_on_rewrites_the_link() -> None:
    """The link records the arrows (``arrows=1``); it used to wait for another change."""
    from rlx_lab_app.views.url import UrlSync

    model, links = RaceModel(), []
    UrlSync(model, on_link=links.append)
    model.arrows = True
    assert "arrows=1" in links[-1]


@pytest.mark.parametrize("model_cls", [RaceModel, NetsModel], ids=["surfaces", "nets"])
def test_each_declared_link_key_is_written_and_read_back(model_cls: type) -> None:
    """A parameter that declares a link key (``metadata={"query": key}``) is written under it
    once changed, and a link with that key alone sets it again."""
    keys = query_keys(model_cls)
    assert {"steps", "seed", "schedule", "warmup", "floor", "hessian_every"} <= set(keys)
    assert all(role(model_cls.param[name]) in (RUN, LINK) for name in keys.values())
    for key, name in keys.items():
        model = model_cls()
        value = _changed(model.param[name])
        model.param.update({name: value})
        query = model.to_query()
        assert key in query, f"{name} changed, but the link has no {key}"
        copy = model_cls()
        assert copy.from_query({key: query[key]}) == [] and getattr(copy, name) == value, key


def test_a_tuning_goes_stale_after_any_input_it_reads() -> None:
    """The η note follows the run roles: the clip, the schedule and Sophia's estimator change
    what a tuning measured (they were missing from a hand-kept list); the selection, the extra
    starts and the display do not."""
    from rlx_lab_app.state.surfaces.search import SearchModel
    from rlx_lab_app.state.surfaces.tuning import TuningModel

    changes = {"clip_on": True, "schedule": "cosine", "hessian": "hutchinson", "steps": 60}
    for cls in (TuningModel, SearchModel):
        for name, value in changes.items():
            race = RaceModel()
            tuning = cls(race, note="η tuned")  # a result, so a change can make it stale
            race.param.update({name: value})
            assert tuning.stale, f"{cls.__name__} not stale after {name}"
        race = RaceModel()
        tuning = cls(race, note="η tuned")
        race.param.update(optimizers=["sgd"], many_starts=True, log_color=False, speed=80)
        assert not tuning.stale
