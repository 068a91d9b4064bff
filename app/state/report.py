"""What the race tells the user in words: divergences, errors, and the comparison table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from rlx_lab import optim
from rlx_lab.engine import Trajectory

from .palette import color
from .plan import Outcome, RacePlan
from .settings import OptimizerSettings


def messages(plan: RacePlan, outcome: Outcome) -> list[str]:
    """One line per problem: optimizers that failed, and runs that diverged."""
    lines = [f"{_title(name)}: {error}" for name, error in outcome.errors.items()]
    for name, trajectory in outcome.results.items():
        diverged = trajectory.diverged_at
        bad = int(np.sum(diverged >= 0))
        if bad == 0:
            continue
        title = _title(name)
        where = "the start" if diverged.size == 1 else f"{bad} of {diverged.size} starts"
        first = int(diverged[diverged >= 0].min())
        lines.append(
            f"{title} diverged from {where} (first at step {first}): the point left the "
            "plot area or the loss stopped being finite — try a smaller η."
        )
    return lines


def summary_rows(
    results: Mapping[str, Trajectory],
    colors: Mapping[str, int],
    settings: Mapping[str, OptimizerSettings],
) -> list[dict[str, Any]]:
    """The comparison table: every optimizer from the same start with the same step budget."""
    rows = []
    for name, trajectory in results.items():
        loss = trajectory.loss[0]
        diverged = int(trajectory.diverged_at[0])
        steps = max(trajectory.steps, 1)
        rows.append(
            {
                "optimizer": optim.get(name).title,
                "name": name,
                "color": color(colors.get(name, 0)),
                "lr": settings[name].lr_label(),
                "final_loss": float(loss[-1]),
                "best_loss": _lowest(loss),
                "diverged_at": diverged,
                "clip_pct": float(100.0 * np.mean(trajectory.clip[0] > 0)),
                "global_clip_pct": float(100.0 * np.mean(trajectory.global_clip[0])),
                "steps": steps,
            }
        )
    return rows


def _title(name: str) -> str:
    return optim.get(name).title if name in optim.names() else name


def _lowest(values: np.ndarray) -> float:
    """The lowest finite value (NaN when there is none)."""
    finite = values[np.isfinite(values)]
    return float(finite.min()) if finite.size else float("nan")
