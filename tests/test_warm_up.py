"""The server's start-up work: the default race, computed before any visitor asks (no server)."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

import numpy as np
import pytest

from rlx_lab import optim
from rlx_lab_app.state import DEFAULT_OPTIMIZERS, RaceModel
from rlx_lab_app.state.surfaces.plan import CACHE, cached, compute
from rlx_lab_app.state.warm_up import (
    compile_race,
    default_race_order,
    seed_default_race,
    warm_default_race,
)
from rlx_lab_app.state.worker import ProcessLane


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


def test_the_worker_process_seeds_the_default_race_a_page_asks_for() -> None:
    """The default race comes from a worker process (a spawned interpreter) into this
    process's cache, under the keys a page's plan asks for and equal to computing it here;
    compiling this process's programs afterwards keeps what was seeded."""
    worker = ProcessLane(1)
    CACHE.clear()
    try:
        assert seed_default_race(["adamw", "radam"], worker) == 2
    finally:
        worker.shutdown()
    plan = RaceModel(optimizers=["radam", "adamw"]).plan()  # a page's plan, its own order
    seeded = {job.optimizer: cached(plan, job) for job in plan.jobs}
    assert all(seeded.values())
    assert compile_race(plan, check=lambda: None) == ["radam", "adamw"]
    assert all(cached(plan, job) is seeded[job.optimizer] for job in plan.jobs)
    CACHE.clear()
    here = compute(plan).results
    for name, trajectory in seeded.items():
        assert trajectory is not None
        np.testing.assert_allclose(trajectory.positions, here[name].positions, rtol=1e-6)
        np.testing.assert_allclose(trajectory.loss, here[name].loss, rtol=1e-6)


class BrokenWorker:
    """A worker process that fails every job (as one killed by the kernel would)."""

    def submit(self, call: Any) -> Future:
        future: Future = Future()
        future.set_exception(RuntimeError("the worker died"))
        return future


def test_a_worker_that_fails_leaves_nothing_claimed(capsys: pytest.CaptureFixture[str]) -> None:
    """Its claims are given up, so a page asking for the paths computes them rather than
    waiting forever."""
    CACHE.clear()
    assert seed_default_race(["sgd"], BrokenWorker()) == 0  # type: ignore[arg-type]
    assert "did not race sgd" in capsys.readouterr().out
    plan = RaceModel(optimizers=["sgd"]).plan()
    assert not plan.known()
    assert compute(plan).computed == 1
