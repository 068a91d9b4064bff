"""How much one job, one session and the whole server may take, and the refusal when it is more.

Defaults are sized for the machine the lab is served from in a class: 2 cores and 24 GB for
about 30 students (docs/serving.md, "Budgets"). Each can be changed by an environment variable
(``RLX_LAB_JOB_MB=4096 make serve``) or ``panel serve app/app.py --args --job-mb 4096``.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields

from rlx_lab.cost import MB, Cost, count, size

MAY_BE_ZERO = frozenset({"heavy_processes", "idle_minutes"})
"""Budgets where 0 means none: no worker process, never close an idle page."""


class OverBudget(ValueError):
    """A job refused before it started: it would take more than a budget allows."""


@dataclass(frozen=True)
class Budgets:
    """The limits every job is checked against before it starts."""

    job_mb: int = 2048
    """Estimated peak memory of one job."""
    job_gflop: float = 2000.0
    """Estimated arithmetic of one job (2 TFLOP: about a minute of both cores)."""
    job_lane_steps: int = 200_000_000
    """Optimizer steps over every lane of one job (a 64 × 64 sweep of 10,000 steps × 12)."""
    session_mb: int = 3072
    """One session's jobs queued or running at once."""
    server_mb: int = 12_288
    """Every session's jobs queued or running at once (half of 24 GB; the rest holds the
    server, its ~10 MB per open page, and the caches)."""
    heavy_workers: int = 1
    """Threads for heavy jobs (sweeps, tuning, search, gallery, nets training, exports)."""
    heavy_processes: int = 1
    """Worker processes for small-nets training, tuning and search (0: threads only). A
    process of its own keeps a training's Python and XLA work off the page's threads."""
    interactive_workers: int = 1
    """Threads for the surfaces race recompute, so a slider never waits behind heavy work."""
    max_sessions: int = 40
    """Open pages per server process: a class of 30, the teacher and some spares. A visitor
    beyond it gets a page saying the lab is full instead of slowing everyone down."""
    idle_minutes: float = 30.0
    """A page nobody has used for this long is closed, freeing its memory and its place under
    ``max_sessions`` (0: never). Its link keeps its settings: reloading it opens the same lab."""
    cache_mb: int = 512
    """Computed trajectories and nets runs kept for reuse (shared by every session), in MB.
    (The compile cache on disk has its own limit: ``RLX_LAB_CACHE_MAX_MB``.)"""

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, argv: Sequence[str] | None = None
    ) -> Budgets:
        """Defaults, overridden by ``RLX_LAB_<FIELD>`` variables and then by ``--field value``
        (or ``--field=value``) arguments (``panel serve … --args --job-mb 4096``)."""
        env = os.environ if env is None else env
        argv = sys.argv[1:] if argv is None else argv
        given = _arguments(argv)
        values: dict[str, float | int] = {}
        for f in fields(cls):
            text = given.get(f.name, env.get(f"RLX_LAB_{f.name.upper()}"))
            if text is None:
                continue
            try:
                value: float | int = float(text)
            except ValueError:
                raise ValueError(f"{f.name}: expected a number, got {text!r}") from None
            if f.type in ("int", int):
                if not value.is_integer():
                    raise ValueError(f"{f.name}: expected a whole number, got {text!r}")
                value = int(value)
            if not (value > 0 or (value == 0 and f.name in MAY_BE_ZERO)):
                raise ValueError(f"{f.name}: expected a number > 0, got {text!r}")
            values[f.name] = value
        return cls(**values)

    def check(self, cost: Cost) -> None:
        """Raise :class:`OverBudget` if ``cost`` exceeds a per-job limit."""
        if cost.bytes > self.job_mb * MB:
            raise OverBudget(refusal(cost, self.job_mb * MB))
        if cost.flops > self.job_gflop * 1e9:
            raise OverBudget(
                f"{_what(cost)} needs ≈{count(cost.flops)}FLOP of arithmetic; the limit is "
                f"{count(self.job_gflop * 1e9)}FLOP (about a minute here): fewer steps, seeds, "
                "units or optimizers"
            )
        if cost.lane_steps > self.job_lane_steps:
            raise OverBudget(
                f"{_what(cost)} needs ≈{count(cost.lane_steps)} optimizer steps; the limit is "
                f"{count(self.job_lane_steps)}: {cost.biggest().advice or 'less work'}"
            )


def refusal(cost: Cost, limit: int, *, whose: str = "") -> str:
    """The words of a memory refusal: the estimate, the limit, the biggest contributor."""
    big = cost.biggest()
    detail = f" ({big.detail})" if big.detail else ""
    advice = f": {big.advice}" if big.advice else ""
    limit_words = f"the limit{whose} is {size(limit)}"
    return (
        f"{_what(cost)} needs ≈{size(cost.bytes)}; {limit_words} — mostly "
        f"{big.label}{detail}{advice}."
    )


def _what(cost: Cost) -> str:
    return capitalized(cost.what)


def capitalized(text: str) -> str:
    """``text`` with its first letter upper-case, to open a sentence."""
    return text[:1].upper() + text[1:]


@functools.cache
def configured() -> Budgets:
    """The process's budgets (:meth:`Budgets.from_env`, read once): the caches, the server and
    its sessions all follow the same figures."""
    return Budgets.from_env()


def _arguments(argv: Sequence[str]) -> dict[str, str]:
    """``--job-mb 4096`` / ``--job-mb=4096`` → ``{"job_mb": "4096"}``."""
    out: dict[str, str] = {}
    items = list(argv)
    for i, arg in enumerate(items):
        if not arg.startswith("--"):
            continue
        name, eq, value = arg[2:].partition("=")
        if not eq:
            if i + 1 >= len(items):
                continue
            value = items[i + 1]
        out[name.replace("-", "_")] = value
    return out
