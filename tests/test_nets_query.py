"""The small-nets lab's state in a URL (rlx_lab_app.state.nets.query), without a browser."""

from __future__ import annotations

from rlx_lab.schedule import LrSchedule
from rlx_lab_app.state.nets.model import USER_DATA, NetsModel


def test_defaults_give_a_short_link() -> None:
    assert NetsModel().to_query() == {
        "tab": "nets",
        "data": "two_moons",
        "opt": "adam,lion,muon,soap",
    }


def test_a_link_reproduces_the_race() -> None:
    model = NetsModel()
    model.param.update(
        dataset="spirals",
        noise=0.07,
        depth=3,
        width=16,
        activation="tanh",
        batch_size=32,
        steps=600,
        seed=5,
        n_seeds=2,
        landscape="random",
        optimizers=["sgd", "muon"],
        clip_on=True,
        clip_norm=2.5,
        schedule="linear",
        warmup=30,
        floor=0.2,
        tune_by="training",
    )
    model.settings["sgd"].param.update(lr=0.2, momentum=0.9, nesterov=True)
    model.settings["adam"].lr = 0.5  # not racing: not in the link
    query = model.to_query()
    assert "adam.lr" not in query and query["sgd.nesterov"] == "1"
    copy = NetsModel()
    assert copy.from_query(query) == []
    assert copy.to_query() == query
    assert copy.plan().shared_key() == model.plan().shared_key()
    assert copy.settings["sgd"].overrides() == model.settings["sgd"].overrides()
    assert copy.train_settings().schedule == LrSchedule("linear", 30, 0.2)
    assert query["tune_by"] == "training" and copy.tune_by == "training"  # how tuning judges


def test_net_defaults_are_the_baseline_for_settings() -> None:
    model = NetsModel(optimizers=["adam"])
    assert not any(key.startswith("adam.") for key in model.to_query())  # nets lab η, unwritten
    model.settings["adam"].lr = 0.001
    assert model.to_query()["adam.lr"] == "0.001"


def test_bad_entries_are_listed_and_the_rest_applies() -> None:
    model = NetsModel()
    query = {
        "data": "mnist",
        "depth": "many",
        "width": "8",
        "steps": "-3",
        "opt": "adam,adamx",
        "adam.lr": "nan",
        "color": "red",
    }
    problems = model.from_query(query)
    text = "\n".join(problems)
    expected = (
        "unknown dataset 'mnist'",
        "depth: expected a finite number",
        "steps:",
        "unknown optimizer 'adamx'",
        "adam.lr",
        "color: unknown URL parameter",
    )
    for says in expected:
        assert says in text, says
    assert model.width == 8 and model.optimizers == ["adam"] and model.dataset == "two_moons"
    assert model.message.startswith("data: unknown dataset")
    model.train()
    assert "unknown dataset 'mnist'" in model.message, "the problems lead the next message"


def test_your_own_points_are_asked_for_again() -> None:
    model = NetsModel()
    problems = model.from_query({"data": USER_DATA})
    assert model.dataset == USER_DATA
    assert any("not part of a link" in p for p in problems)
