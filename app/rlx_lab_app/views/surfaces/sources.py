"""Column data for the plots, computed from trajectories (numpy only, no Bokeh or Panel).

Two kinds: the per-optimizer *full* columns the server sends once per trajectory, and the
*drawn* columns for a frame — which the browser rebuilds on every frame (``js.FRAME``); the
Python versions (:mod:`.frame_sources`) give the first render and make the logic testable.
Float columns are float32 so the browser receives typed arrays it can slice without copying.
This module holds the full columns and the loss plots' columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rlx_lab.engine import Trajectory
from rlx_lab_app.views.surfaces.clipping import clip_path, visible_points

Columns = dict[str, Any]
FLOOR = 1e-12
"""Smallest value drawn on a log axis (loss gaps and step sizes of exactly 0)."""
ARROW = 0.1
"""Length of the playhead's arrows, as a fraction of the window (the same on screen for
every direction: only directions are compared; the step sizes have their own plot)."""


@dataclass(frozen=True)
class Style:
    """How one racing optimizer is drawn."""

    slot: int
    """Index of the optimizer's full source (its place in the registry)."""
    name: str
    title: str
    color: str
    marker: str
    ghost: bool = False


def last_valid(trajectory: Trajectory) -> np.ndarray:
    """(N,) index of each path's last finite point (the engine freezes a diverged run)."""
    diverged = trajectory.diverged_at
    return np.where(diverged >= 0, np.maximum(diverged - 1, 0), trajectory.steps).astype(np.int32)


def full(
    trajectory: Trajectory | None, offset: float = 0.0, window: Any = None, *, arrows: bool = False
) -> Columns:
    """Everything the browser needs about one optimizer's run, one row per start.

    ``xs``/``ys`` are the paths clipped to ``window`` ((x0, x1), (y0, y1)), ``cut[s]`` the
    index of step ``s`` in them, ``hx``/``hy`` the points themselves (NaN outside the window,
    for heads and hover), ``angle[s]`` the step's turn from −g in degrees (hover).
    ``cross_x``/``cross_y`` place a diverged run's ✕ at its last good point, pulled back
    inside the window when it lies outside, so it stays visible. With ``arrows``,
    ``gx``/``gy`` and ``sx``/``sy`` are the ends of the arrows at each point, relative to it:
    −g and the step, :data:`ARROW` of the window long (NaN where there is none).
    """
    if trajectory is None:
        return {
            "xs": [],
            "ys": [],
            "loss": [],
            "plot_loss": [],
            "plot_step": [],
            "last": np.zeros(0, np.int32),
            "div": np.zeros(0, np.int32),
            "cross_x": np.zeros(0),
            "cross_y": np.zeros(0),
            "cut": [],
            "hx": [],
            "hy": [],
            "angle": [],
            **({"gx": [], "gy": [], "sx": [], "sy": []} if arrows else {}),
        }
    positions = trajectory.positions.astype(np.float32)
    plots = [_plot_rows(trajectory, i, offset) for i in range(positions.shape[0])]
    last = last_valid(trajectory)
    cross = positions[np.arange(len(last)), last].astype(np.float64)
    if window is not None:
        (x0, x1), (y0, y1) = window
        inset_x, inset_y = 0.01 * (x1 - x0), 0.01 * (y1 - y0)
        cross[:, 0] = np.clip(cross[:, 0], x0 + inset_x, x1 - inset_x)
        cross[:, 1] = np.clip(cross[:, 1], y0 + inset_y, y1 - inset_y)
    clipped = [clip_path(row[:, 0], row[:, 1], window) for row in positions]
    heads = [visible_points(row[:, 0], row[:, 1], window) for row in positions]
    return {
        "xs": [c[0] for c in clipped],
        "ys": [c[1] for c in clipped],
        "cut": [c[2] for c in clipped],
        "hx": [h[0] for h in heads],
        "hy": [h[1] for h in heads],
        "loss": [row.astype(np.float32) for row in trajectory.loss],
        "plot_loss": [p[0] for p in plots],
        "plot_step": [p[1] for p in plots],
        "last": last,
        "div": trajectory.diverged_at.astype(np.int32),
        "cross_x": cross[:, 0],
        "cross_y": cross[:, 1],
        "angle": [_append_nan(row) for row in trajectory.step_angle().astype(np.float32)],
        **(_arrows(trajectory, window) if arrows else {}),
    }


def _append_nan(row: np.ndarray) -> np.ndarray:
    """A per-step row as a per-point one: the last point has no step."""
    return np.concatenate([row, np.full(1, np.nan, row.dtype)])


def _arrows(trajectory: Trajectory, window: Any) -> Columns:
    """Relative ends of each point's arrows: −g (the gradient given there; at the last good
    point, the one a next step would be given) and the step taken from it."""
    positions = trajectory.positions.astype(np.float64)
    grad = trajectory.grad_at_points()
    last = last_valid(trajectory)
    after = np.arange(positions.shape[1])[None, :] > last[:, None]
    grad = np.where(after[..., None], np.nan, -grad.astype(np.float64))
    move = np.diff(positions, axis=1, append=np.nan)
    spans = np.ones(2) if window is None else np.array([b - a for a, b in window], np.float64)
    out: Columns = {}
    for (kx, ky), vector in ((("gx", "gy"), grad), (("sx", "sy"), move)):
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            scaled = vector * (ARROW / np.linalg.norm(vector / spans, axis=-1))[..., None]
        scaled = np.where(np.isfinite(scaled), scaled, np.nan).astype(np.float32)
        out[kx], out[ky] = list(scaled[..., 0]), list(scaled[..., 1])
    return out


def _plot_rows(trajectory: Trajectory, i: int, offset: float) -> tuple[np.ndarray, np.ndarray]:
    """Loss gap and step size of start ``i`` for log axes (NaN where not drawable)."""
    loss = trajectory.loss[i].astype(np.float64)
    step = np.concatenate([[np.nan], trajectory.step_norm[i].astype(np.float64)])
    with np.errstate(invalid="ignore"):
        gap = np.where(np.isfinite(loss), np.maximum(loss - offset, FLOOR), np.nan)
        size = np.where(step > 0, step, np.nan)
    return gap.astype(np.float32), size.astype(np.float32)


def append_row(columns: Columns, **values: Any) -> None:
    """Append one row of ``values`` to ``columns`` (a value per column named)."""
    for key, value in values.items():
        columns[key].append(value)


def curves(fulls: Sequence[tuple[Style, Columns]]) -> Columns:
    """Whole loss-gap and step-size curves of each optimizer's first start."""
    out: Columns = {"xs": [], "loss": [], "step": [], "color": [], "name": []}
    for style, f in fulls:
        if len(f["xs"]):
            append_row(
                out,
                xs=np.arange(len(f["plot_loss"][0]), dtype=np.int32),
                loss=f["plot_loss"][0],
                step=f["plot_step"][0],
                color=style.color,
                name=style.title,
            )
    return out


def clip_segments(rows: Sequence[tuple[Style, Trajectory]]) -> Columns:
    """Runs of equal clip activity of each optimizer's first start as quads, one row each.

    The upper band is the optimizer's own clip (opacity grows with the fraction of entries
    clipped), the lower band the global gradient-norm clip. Run-length encoding keeps it to a
    few quads per optimizer.
    """
    out: Columns = {
        "left": [],
        "right": [],
        "bottom": [],
        "top": [],
        "alpha": [],
        "color": [],
        "kind": [],
        "first": [],
        "last": [],
        "name": [],
    }
    for index, (style, trajectory) in enumerate(rows):
        row = float(len(rows) - 1 - index)
        bands = (
            ("own clip", trajectory.clip[0], row + 0.38, row + 0.05),
            ("global clip", trajectory.global_clip[0], row - 0.05, row - 0.38),
        )
        for kind, values, top, bottom in bands:
            for first, last, value in _runs(np.round(np.asarray(values, np.float64), 3)):
                if value > 0:
                    append_row(
                        out,
                        left=first + 0.5,
                        right=last + 1.5,
                        bottom=bottom,
                        top=top,
                        alpha=float(min(1.0, 0.25 + 0.75 * value)),
                        color=style.color,
                        kind=kind,
                        first=first + 1,
                        last=last + 1,
                        name=style.title,
                    )
    return out


def _runs(values: np.ndarray) -> list[tuple[int, int, float]]:
    """(first index, last index, value) of each run of equal values."""
    if values.size == 0:
        return []
    edges = np.flatnonzero(np.diff(values) != 0) + 1
    starts = np.concatenate([[0], edges])
    ends = np.concatenate([edges - 1, [values.size - 1]])
    return [(int(a), int(b), float(values[a])) for a, b in zip(starts, ends, strict=True)]


def loss_offset(trajectories: list[Trajectory], min_value: float | None, grid_min: float) -> float:
    """What the log-loss plots subtract: the known global minimum, else the lowest loss seen."""
    if min_value is not None:
        return float(min_value)
    lows = [grid_min] + [
        float(t.loss[np.isfinite(t.loss)].min(initial=np.inf)) for t in trajectories
    ]
    finite = [v for v in lows if np.isfinite(v)]
    return min(finite) if finite else 0.0


def offset_label(min_value: float | None, offset: float) -> str:
    """Title of the log-loss plot: what was subtracted."""
    if min_value is not None:
        return "loss − global minimum (log)" if min_value != 0 else "loss (log)"
    return f"loss − lowest seen ({offset:.3g}) (log)"
