"""Timing helpers shared by the benchmarks: ahead-of-time compile, then best-of-N wall time.

A program is compiled once with ``jit(...).lower(...).compile()`` so its compile time is measured
apart from its run time. Several programs are then timed *interleaved* (A, B, A, B, … with the
order flipped every round) so machine noise hits all of them alike, and each keeps its best run.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import jax

MAX_ROUNDS = 1000
"""Upper bound on timing rounds however short the programs are."""


@dataclass(frozen=True)
class Program:
    """A compiled program, the arguments to run it with and how long compiling took."""

    run: Callable[..., Any]
    args: tuple[Any, ...]
    compile_s: float
    """Seconds to trace, lower and compile (the first call's overhead)."""

    def __call__(self) -> Any:
        return jax.block_until_ready(self.run(*self.args))


def compile_program(jitted: Any, *args: Any) -> Program:
    """Compile ``jitted`` (a ``jax.jit`` function) for ``args`` and time it."""
    start = time.perf_counter()
    compiled = jitted.lower(*args).compile()
    return Program(compiled, args, time.perf_counter() - start)


def wall_time(program: Program) -> float:
    """Seconds for one run, waiting for the result."""
    start = time.perf_counter()
    program()
    return time.perf_counter() - start


def interleaved_best(
    programs: Sequence[Program], *, repeats: int, budget_s: float = 0.0, warmup: int = 1
) -> list[float]:
    """The best (minimum) wall time of each program over interleaved rounds.

    At least ``repeats`` rounds; more (up to ``MAX_ROUNDS``) while any program has spent less
    than ``budget_s`` seconds in total, so very short programs get enough samples.
    """
    if repeats < 1:
        raise ValueError(f"repeats: need at least 1, got {repeats}")
    for program in programs:
        for _ in range(warmup):
            program()
    best = [math.inf] * len(programs)
    spent = [0.0] * len(programs)
    order = list(range(len(programs)))
    rounds = 0
    while rounds < repeats or (min(spent) < budget_s and rounds < MAX_ROUNDS):
        for i in order:
            seconds = wall_time(programs[i])
            best[i] = min(best[i], seconds)
            spent[i] += seconds
        order.reverse()
        rounds += 1
    return best
