"""What a piece of work will take, estimated from its plan before it starts.

A :class:`Cost` is built from the shapes a computation will allocate — never by running it — so
a server can refuse a request that would exhaust it and say why. Estimates are upper-bound
minded (a device buffer and its host copy are both counted) and are checked against measured
peaks in the benchmarks (``python -m rlx_lab_app.bench contention``).

Every estimate is split into named :class:`Term` s, so a refusal can name the biggest
contributor and what to lower:

>>> from rlx_lab import engine
>>> cost = engine.race_cost(optimizers=14, lanes=9, steps=10_000)
>>> cost.biggest().label
'trajectories'
"""

from __future__ import annotations

from dataclasses import dataclass

GB = 1024**3
MB = 1024**2


@dataclass(frozen=True)
class Term:
    """One contributor to a cost: its bytes, what it is, and how to make it smaller."""

    label: str
    bytes: int
    detail: str = ""
    """How the bytes come about, e.g. ``"51 frames × 5.3 M weights × 8 seeds × 14 optimizers"``."""
    advice: str = ""
    """What to lower, e.g. ``"fewer units, layers, seeds or optimizers"``."""


@dataclass(frozen=True)
class Cost:
    """Peak memory, work and compilations of a job, estimated from its plan.

    ``lane_steps`` counts optimizer steps over every lane (one lane = one start point, noise
    draw, seed or setting); ``flops`` the arithmetic they take (coarse, for time budgets);
    ``compiles`` the programs the job may build.
    """

    what: str
    terms: tuple[Term, ...]
    lane_steps: int = 0
    flops: float = 0.0
    compiles: int = 0

    @property
    def bytes(self) -> int:
        """Estimated peak memory: the sum of the terms."""
        return sum(t.bytes for t in self.terms)

    def biggest(self) -> Term:
        """The term that contributes most (the one to lower first)."""
        return max(self.terms, key=lambda t: t.bytes)

    def __add__(self, other: Cost) -> Cost:
        return Cost(
            self.what,
            self.terms + other.terms,
            self.lane_steps + other.lane_steps,
            self.flops + other.flops,
            self.compiles + other.compiles,
        )


def nothing(what: str) -> Cost:
    """The cost of work that allocates nothing worth counting (a cache hit, a tiny parse)."""
    return Cost(what, (Term("nothing", 0),))


def size(n: float) -> str:
    """Bytes in words: ``1.5 GB``, ``730 MB``, ``12 kB``."""
    for unit, scale in (("TB", 1024**4), ("GB", GB), ("MB", MB), ("kB", 1024)):
        if n >= scale:
            value = n / scale
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{int(n)} B"


def count(n: float) -> str:
    """A count in words: ``5.3 M``, ``12 k``, ``840``."""
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= scale:
            value = n / scale
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{int(n)}"
