"""A heat map from a results file: one optimizer, two grid axes, the other axes held at one
index each — the :class:`~rlx_lab.engine.SweepResult` the app's Sweep tab draws.

The seeds fold into a cell as :func:`~rlx_lab.engine.sweep` folds noise draws: the mean
final loss; diverged at the first seed's divergence if any seed diverged; steps to tol only
if every seed reached it (the slowest). The other axes (and the random draw) are held at the
index given, by default the one of the lowest mean final loss among settings where no seed
diverged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..engine import SweepResult
from .results import SweepFile


def fold_seeds(file: SweepFile, k: int) -> dict[str, np.ndarray]:
    """Optimizer ``k``'s final loss, divergence and steps to tol with the seed axis folded."""
    final = file.arrays["final_loss"][k]
    diverged = file.arrays["diverged_at"][k]
    reached = file.arrays["steps_to_tol"][k]
    any_diverged = (diverged >= 0).any(-1)
    first = np.where(diverged >= 0, diverged, np.iinfo(np.int32).max).min(-1)
    return {
        "final_loss": final.mean(-1),
        "diverged_at": np.where(any_diverged, first, -1),
        "steps_to_tol": np.where((reached >= 0).all(-1), reached.max(-1), -1),
    }


def best_index(folded: Mapping[str, np.ndarray]) -> tuple[int, ...]:
    """The index (along every axis but the seed) of the lowest mean final loss where no seed
    diverged; the first index if every setting diverged."""
    loss = np.where(folded["diverged_at"] >= 0, np.inf, folded["final_loss"])
    loss = np.where(np.isfinite(loss), loss, np.inf)
    return tuple(int(i) for i in np.unravel_index(int(np.argmin(loss)), loss.shape))


def heatmap(
    file: SweepFile,
    optimizer: str,
    x: str,
    y: str,
    at: Mapping[str, int] | None = None,
) -> tuple[SweepResult, dict[str, float]]:
    """The heat map of ``optimizer`` over grid axes ``x`` × ``y``, and the values of every
    other hyperparameter of the slice (what loading a cell sets beside ``x`` and ``y``)."""
    if optimizer not in file.optimizers:
        raise ValueError(f"optimizer: the file has {file.optimizers}, not {optimizer!r}")
    axes = file.axes()
    for name in (x, y):
        if name not in axes:
            raise ValueError(f"{name}: not a grid axis of the file (its axes: {list(axes)})")
    if x == y:
        raise ValueError(f"axes: the two axes must differ, got {x!r} twice")
    folded = fold_seeds(file, file.optimizers.index(optimizer))
    dims = file.dims[1:-1]  # without optimizer and seed
    best = best_index(folded)
    chosen = {d: int((at or {}).get(d, best[n])) for n, d in enumerate(dims)}
    index: list[Any] = [slice(None) if d in (x, y) else chosen[d] for d in dims]
    cells = {k: v[tuple(index)] for k, v in folded.items()}
    if dims.index(x) > dims.index(y):  # the slice keeps the file's order: put x first
        cells = {k: v.T for k, v in cells.items()}
    fixed = {d: float(axes[d][chosen[d]]) for d in dims if d in axes and d not in (x, y)}
    if "draw" in dims:
        fixed.update(
            {
                key.removeprefix("random."): float(values[chosen["draw"]])
                for key, values in file.arrays.items()
                if key.startswith("random.")
            }
        )
    spec = file.spec
    result = SweepResult(
        optimizer=optimizer,
        axes=(x, y),
        values=(np.asarray(axes[x], np.float64), np.asarray(axes[y], np.float64)),
        final_loss=cells["final_loss"],
        steps_to_tol=cells["steps_to_tol"],
        diverged_at=cells["diverged_at"],
        base={**file.base(optimizer), **fixed},
        settings={
            "steps": spec.get("steps", 200),
            "tol": spec.get("keep", {}).get("tol"),
            "draws": len(file.arrays["seed"]),
            "world": spec.get("world", "surface"),
            **{f"at.{d}": i for d, i in chosen.items() if d not in (x, y)},
        },
    )
    return result, fixed
