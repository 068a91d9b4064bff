"""Smoke test of ``python -m rlx_lab.bench engine`` pieces at tiny sizes (no timing asserted)."""

from __future__ import annotations

import math

from rlx_lab.bench import engine as bench_engine


def test_slider_moves_and_batch_return_positive_times() -> None:
    few = ("adafactor", "soap")  # the relative step, and a matrix method; the bench runs all 14
    moves = bench_engine.slider_moves(steps=20, repeats=2, names=few)
    assert len(moves) == 2 and all(t > 0 and math.isfinite(t) for t in moves)
    assert bench_engine.batch(points=4, steps=10, repeats=1, names=few) > 0
