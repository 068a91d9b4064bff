"""Paths clipped to the surface's window, so lines never spill over axes or the legend.

The moving marks are drawn on Bokeh's overlay layer (cheap to repaint every frame), which Bokeh
does not clip to the plot area; the paths are therefore clipped here, once per trajectory. A
clipped path keeps every inside point, adds the boundary crossings, and has a NaN (a break)
where it is outside; ``cut[s]`` is the index of step ``s`` in it, so the browser draws "up to
step s" as the prefix ``[0, cut[s]]``.
"""

from __future__ import annotations

import math

import numpy as np

Window = tuple[tuple[float, float], tuple[float, float]]


def inside(x: np.ndarray, y: np.ndarray, window: Window) -> np.ndarray:
    """Which points lie in the window (boundary included)."""
    (x0, x1), (y0, y1) = window
    return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)


def segment(p: tuple[float, float], q: tuple[float, float], window: Window) -> tuple[float, float]:
    """Liang–Barsky: the parameter interval [t0, t1] of p→q inside the window (t0 > t1: none)."""
    (x0, x1), (y0, y1) = window
    dx, dy = q[0] - p[0], q[1] - p[1]
    t0, t1 = 0.0, 1.0
    for d, lo, hi, start in ((dx, x0, x1, p[0]), (dy, y0, y1, p[1])):
        if d == 0:
            if not lo <= start <= hi:
                return 1.0, 0.0
            continue
        a, b = (lo - start) / d, (hi - start) / d
        t0, t1 = max(t0, min(a, b)), min(t1, max(a, b))
    return t0, t1


def clip_path(
    xs: np.ndarray, ys: np.ndarray, window: Window | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(clipped x, clipped y, cut) for one path (float32, float32, int32)."""
    n = len(xs)
    if window is None or bool(np.all(inside(xs, ys, window))):
        return xs.astype(np.float32), ys.astype(np.float32), np.arange(n, dtype=np.int32)
    out_x: list[float] = []
    out_y: list[float] = []
    cut = np.zeros(n, np.int32)
    flags = inside(xs, ys, window)

    def emit(x: float, y: float) -> None:
        out_x.append(x)
        out_y.append(y)

    emit(float(xs[0]), float(ys[0])) if flags[0] else emit(math.nan, math.nan)
    for s in range(1, n):
        p, q = (float(xs[s - 1]), float(ys[s - 1])), (float(xs[s]), float(ys[s]))
        if flags[s - 1] and flags[s]:
            emit(*q)
        else:
            t0, t1 = segment(p, q, window)
            if t0 <= t1:  # part of the segment is visible
                if not flags[s - 1]:
                    emit(p[0] + t0 * (q[0] - p[0]), p[1] + t0 * (q[1] - p[1]))
                if flags[s]:
                    emit(*q)
                else:
                    emit(p[0] + t1 * (q[0] - p[0]), p[1] + t1 * (q[1] - p[1]))
                    emit(math.nan, math.nan)
            elif not math.isnan(out_x[-1]):
                emit(math.nan, math.nan)
        cut[s] = len(out_x) - 1
    return np.asarray(out_x, np.float32), np.asarray(out_y, np.float32), cut


def visible_points(xs: np.ndarray, ys: np.ndarray, window: Window | None) -> tuple[np.ndarray, ...]:
    """The points themselves, NaN where outside the window (heads and hover points)."""
    if window is None:
        return xs.astype(np.float32), ys.astype(np.float32)
    keep = inside(xs, ys, window)
    return (
        np.where(keep, xs, np.nan).astype(np.float32),
        np.where(keep, ys, np.nan).astype(np.float32),
    )
