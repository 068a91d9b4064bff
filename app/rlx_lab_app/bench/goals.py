"""The report of a browser benchmark: each figure beside its goal, the others after, and the
numbers as JSON when asked."""

from __future__ import annotations

import json
from pathlib import Path

from rlx_lab.bench import _report

Goals = dict[str, tuple[str, float]]
"""Key → ("<=" or ">=", the goal)."""


def met(goals: Goals, key: str, value: float) -> str:
    """ "yes" when ``value`` meets the goal of ``key``, else "no"."""
    op, goal = goals[key]
    return "yes" if (value <= goal if op == "<=" else value >= goal) else "no"


def report(heading: str, results: dict[str, float], goals: Goals, json_path: str | None) -> None:
    """Print ``heading``, the table of the figures with goals, then the others; write
    ``json_path`` (every figure) when given."""
    rows = [
        {
            "metric": key,
            "value": round(value, 3),
            "goal": f"{goals[key][0]} {goals[key][1]:g}",
            "met": met(goals, key, value),
        }
        for key, value in results.items()
        if key in goals
    ]
    print(heading)
    print(_report.format_table(rows, ("metric", "value", "goal", "met")))
    extra = {k: round(v, 3) for k, v in results.items() if k not in goals}
    print("also: " + ", ".join(f"{k}={v}" for k, v in extra.items()))
    if json_path:
        Path(json_path).write_text(
            json.dumps({k: round(v, 4) for k, v in results.items()}, indent=2) + "\n"
        )
