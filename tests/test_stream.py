"""Streaming reductions (:mod:`rlx_lab.engine.stream`) keep exactly what the full trajectories
of :func:`~rlx_lab.engine.run_grid` would give, chunk by chunk, without recompiling."""

from __future__ import annotations

import numpy as np
import pytest

from rlx_lab import engine, surfaces
from rlx_lab.engine import stream

ROSENBROCK = surfaces.get("rosenbrock")
START = [-1.5, 2.0]
ROWS = [{"lr": lr, "beta1": b} for lr in (1e-3, 0.05, 3.0, 50.0) for b in (0.5, 0.9)][:7]
SETTINGS = engine.RunSettings(steps=60, noise=0.05)


@pytest.fixture(scope="module")
def full() -> tuple[np.ndarray, np.ndarray]:
    """Every draw's loss at steps 0 … 60, and its divergence step, from the full traces."""
    grid = engine.run_grid("adam", {}, ROWS, ROSENBROCK, START, SETTINGS, draws=2)
    loss = np.concatenate([grid.trace.start_loss[..., None], grid.trace.steps.loss[..., :60]], -1)
    at = np.asarray(grid.trace.diverged_at)
    return loss, np.where(at > 60, -1, at)


def test_reductions_equal_the_full_trajectories(full) -> None:
    loss, diverged = full
    kept = stream.stream_grid(
        "adam", {}, ROWS, ROSENBROCK, START, SETTINGS, draws=2, tol=1.0, thin=7, chunk_lanes=6
    )
    assert kept.final_loss.shape == (7, 2) and kept.curve.shape == (7, 2, 7)
    np.testing.assert_allclose(kept.final_loss, loss[..., -1], rtol=1e-6)
    np.testing.assert_allclose(kept.best_loss, loss.min(-1), rtol=1e-6)
    reached = loss <= 1.0
    np.testing.assert_array_equal(
        kept.steps_to_tol, np.where(reached.any(-1), reached.argmax(-1), -1)
    )
    assert (kept.steps_to_tol > 0).any() and (kept.steps_to_tol < 0).any()
    np.testing.assert_array_equal(kept.diverged_at, diverged)
    assert (diverged > 0).any() and (diverged < 0).any()
    np.testing.assert_array_equal(stream.curve_steps(60, 7), [0, 10, 20, 30, 40, 50, 60])
    np.testing.assert_allclose(kept.curve, loss[..., [0, 10, 20, 30, 40, 50, 60]], rtol=1e-6)


def test_chunks_run_one_program_and_tol_or_steps_do_not_recompile() -> None:
    plan = stream.plan_grid(
        "adam", {}, ROWS, ROSENBROCK, START, SETTINGS, draws=2, tol=1.0, chunk_lanes=4
    )
    assert plan.chunk_rows == 2 and plan.chunks == 4  # 7 settings, 2 per chunk, the last padded
    parts = [part for _, part in stream.stream(plan)]
    assert [len(p.final_loss) for p in parts] == [2, 2, 2, 1]
    compiled = plan.program._cache_size()
    other = stream.plan_grid(
        "adam",
        {},
        ROWS,
        ROSENBROCK,
        START,
        engine.RunSettings(steps=55, noise=0.05),
        draws=2,
        tol=1e-3,
        chunk_lanes=4,
    )
    assert other.program is plan.program
    other.chunk(3)
    assert plan.program._cache_size() == compiled
    assert plan.lane_steps() == 7 * 2 * 60


def test_bad_requests_name_the_field() -> None:
    with pytest.raises(ValueError, match="thin"):
        stream.plan_grid("sgd", {}, [{}], ROSENBROCK, START, SETTINGS, thin=-1)
    with pytest.raises(ValueError, match="tol"):
        stream.plan_grid("sgd", {}, [{}], ROSENBROCK, START, SETTINGS, tol=float("nan"))
    with pytest.raises(ValueError, match="chunk_lanes"):
        stream.plan_grid("sgd", {}, [{}], ROSENBROCK, START, SETTINGS, chunk_lanes=0)


def test_columns_give_what_rows_give() -> None:
    rows = stream.stream_grid("adam", {}, ROWS, ROSENBROCK, START, SETTINGS, draws=2, tol=1.0)
    columns = {name: [row[name] for row in ROWS] for name in ("lr", "beta1")}
    kept = stream.stream_grid("adam", {}, columns, ROSENBROCK, START, SETTINGS, draws=2, tol=1.0)
    for got, want in zip(kept, rows, strict=True):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="beta1"):
        stream.plan_grid("adam", {}, {"beta1": [0.5, 1.5]}, ROSENBROCK, START, SETTINGS)
    with pytest.raises(ValueError, match="nesterov"):
        stream.plan_grid("adam", {}, {"nesterov": [0.5]}, ROSENBROCK, START, SETTINGS)
