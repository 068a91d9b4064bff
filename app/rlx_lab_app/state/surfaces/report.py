"""What the race tells the user in words: divergences, errors, and the comparison table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from rlx_lab import optim
from rlx_lab.engine import Trajectory
from rlx_lab_app.state.palette import color
from rlx_lab_app.state.settings import OptimizerSettings
from rlx_lab_app.state.surfaces.plan import Outcome, RacePlan


def messages(plan: RacePlan, outcome: Outcome) -> list[str]:
    """One line per problem: optimizers that failed, and runs that diverged."""
    lines = [f"{_title(name)}: {error}" for name, error in outcome.errors.items()]
    for name, trajectory in outcome.results.items():
        diverged = trajectory.diverged_at
        bad = int(np.sum(diverged >= 0))
        if bad == 0:
            continue
        title = _title(name)
        where = "its start" if diverged.size == 1 else f"{bad} of its {diverged.size} runs"
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
    draws: int = 1,
) -> list[dict[str, Any]]:
    """The comparison table: every optimizer from the same start with the same step budget.

    With ``draws`` runs from the chosen start (the first rows of each trajectory, one noise
    draw each), the losses are their medians, ``final_range`` their (lowest, highest) final
    loss and ``diverged_runs`` how many diverged; ``diverged_at`` is the first run's."""
    rows = []
    for name, trajectory in results.items():
        count = min(draws, trajectory.positions.shape[0])
        finals = trajectory.loss[:count, -1].astype(np.float64)
        diverged = int(trajectory.diverged_at[0])
        steps = max(trajectory.steps, 1)
        rows.append(
            {
                "optimizer": optim.get(name).title,
                "name": name,
                "color": color(colors.get(name, 0)),
                "lr": settings[name].lr_label(),
                "final_loss": float(np.median(finals)),
                "best_loss": float(np.median([_lowest(row) for row in trajectory.loss[:count]])),
                "final_range": (float(finals.min()), float(finals.max())) if count > 1 else None,
                "diverged_runs": int(np.sum(trajectory.diverged_at[:count] >= 0)),
                "draws": count,
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
