"""The load harness (``python -m rlx_lab_app.bench load``) on a small room: three students
over Bokeh's websocket protocol for a few seconds, every kind of action answered."""

from __future__ import annotations

import argparse
import math

import jax
import pytest

from rlx_lab_app.bench import load


@pytest.mark.slow
def test_three_students_get_answers_to_every_action() -> None:
    parser = argparse.ArgumentParser()
    load.add_arguments(parser)
    # the run's compile cache (tests/compile_cache.py): the server compiles what it lacks
    cache = jax.config.jax_compilation_cache_dir
    args = parser.parse_args(
        [
            "--sessions=3",
            "--seconds=5",
            "--rounds=2",  # two rooms, one after the other: a churn of 6 pages
            "--timeout=60",
            "--settle=2",
            "--no-setup",
            "--query=?opt=adam,lion&steps=200",
            *([f"--cache-dir={cache}"] if cache else []),
        ]
    )
    table, total = load.measure(args)
    answered = {row["action"]: row for row in table}
    assert set(answered) == {"open", "slider", "tap", "sweep", "nets"}, table
    assert all(row["count"] >= 1 for row in table), table
    assert answered["open"]["count"] == 3
    assert total["errors"] == 0 and not total["log"], total["log"]
    assert sum(row["timeouts"] for row in table) == 0, table
    for row in table:
        assert all(math.isfinite(row[k]) and row[k] > 0 for k in ("p50_ms", "p95_ms", "max_ms"))
    assert total["rss_after_close_mb"] > 50, "the server's memory after the sessions closed"
    assert total["rss_after_first_close_mb"] > 50, "and after the first room's closed"
    assert total["server_cpu_per_action_ms"] > 0 and total["generator_cpu_pct"] > 0


class _Draws:
    """A stand-in for ``random.Random`` whose ``uniform`` gives these values in turn."""

    def __init__(self, *values: float) -> None:
        self.values = list(values)

    def uniform(self, low: float, high: float) -> float:
        return self.values.pop(0)


def test_a_student_s_slider_move_asks_for_a_new_beta1_not_only_a_new_position() -> None:
    """The β₁ slider holds its value's exact position, off the 0.01 lattice a drag stops on;
    a move to the lattice point beside it is the same β₁ once rounded, which the server
    rightly ignores: a student who waited for its answer timed out."""
    from rlx_lab_app.bench.actions import new_beta1_position
    from rlx_lab_app.state.scales import from_position, to_position

    now = to_position(from_position(0.71, "log1m"), "log1m")
    assert now != 0.71 and from_position(0.71, "log1m") == from_position(now, "log1m")
    assert new_beta1_position(now, _Draws(0.71, 0.71, 1.5)) == 1.5  # type: ignore[arg-type]


def test_rounds_must_be_a_positive_integer(capsys: pytest.CaptureFixture[str]) -> None:
    """``--rounds 0`` is a usage error, not a room that never ran."""
    parser = argparse.ArgumentParser()
    load.add_arguments(parser)
    assert parser.parse_args(["--rounds=3"]).rounds == 3
    with pytest.raises(SystemExit):
        parser.parse_args(["--rounds=0"])
    assert "must be a positive integer" in capsys.readouterr().err
