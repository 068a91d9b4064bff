"""The server's start-up work: the default race, computed before any visitor asks (no server)."""

from __future__ import annotations

import pytest

from rlx_lab import optim
from rlx_lab_app.state import DEFAULT_OPTIMIZERS, RaceModel
from rlx_lab_app.state.warm_up import default_race_order, warm_default_race


def test_the_default_page_s_optimizers_come_first_and_every_one_once() -> None:
    order = default_race_order()
    assert order[: len(DEFAULT_OPTIMIZERS)] == list(DEFAULT_OPTIMIZERS)
    assert sorted(order) == sorted(optim.names())


def test_a_warmed_race_is_computed_for_a_page_with_the_default_settings() -> None:
    """What lets a page start its race at GET: every path of its plan is in the cache."""
    assert warm_default_race(["sgd"]) == 1
    assert RaceModel(optimizers=["sgd"]).plan().computed()
    assert not RaceModel(optimizers=["sgd"], steps=77).plan().computed()


def test_the_nets_warm_up_leaves_the_tab_s_first_training_cached(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Small nets tab's default training is done at start-up (in the worker process when
    the server has one; here, without one, in this process) and kept where the tab's first
    visit looks: it trains nothing."""
    from rlx_lab_app.state.jobs import default_server
    from rlx_lab_app.state.nets.model import NetsModel
    from rlx_lab_app.state.warm_up import NETS_READY, warm_default_nets

    monkeypatch.setattr(default_server(), "process", None)
    warm_default_nets()
    assert NETS_READY in capsys.readouterr().out
    assert not NetsModel().plan().needs_training()
    assert NetsModel(steps=77).plan().needs_training()
