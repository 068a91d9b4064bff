"""The small-nets tab's data: Bokeh sources, the frame callback, and numpy column helpers.

Every optimizer of the registry owns a *frames* source (all its decision-boundary images, sent once
per new result) and a *shown* source (the one image drawn); the curves and the landscape keep one
source per kind of line, a colour column telling optimizers apart. The browser reveals a frame with
:data:`rlx_lab_app.views.nets.js.FRAME`; :meth:`NetsSources.draw` computes the same thing in Python
for the first picture. The helpers are numpy only (testable without a browser).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from bokeh.models import ColumnDataSource, CustomJS

from rlx_lab import optim
from rlx_lab.nets import Boundary, NetRun
from rlx_lab_app.state.palette import class_codes
from rlx_lab_app.views import js
from rlx_lab_app.views.nets import js as nets_js
from rlx_lab_app.views.nets.js import POSITIONS, frame_index


def image_columns(boundary: Boundary, frame: int) -> tuple[list[np.ndarray], dict[str, Any]]:
    """(every frame's encoded image, the drawn source's columns at frame index ``frame``)."""
    images = list(class_codes(boundary.probs))
    xs, ys = boundary.xs, boundary.ys
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    shown = {
        "image": [images[min(frame, len(images) - 1)]],
        "x": [float(xs[0] - dx / 2)],
        "y": [float(ys[0] - dy / 2)],
        "dw": [float(xs[-1] - xs[0] + dx)],
        "dh": [float(ys[-1] - ys[0] + dy)],
    }
    return images, shown


def curve_columns(
    runs: Mapping[str, Sequence[NetRun]],
    colors: Mapping[str, str],
    field: str,
    floor: float | None = None,
) -> tuple[dict[str, list], dict[str, list]]:
    """Mean over seeds of ``field`` per optimizer (lines), and the seeds' min–max (bands).

    ``floor`` (for a log axis): values ≤ 0 — a loss that reached exactly 0 — are drawn there,
    where a log axis would drop them and the curve would end.
    """
    lines: dict[str, list] = {"xs": [], "ys": [], "color": [], "name": []}
    bands: dict[str, list] = {"xs": [], "ys": [], "color": []}
    for name, group in runs.items():
        steps = group[0].frame_steps.astype(np.float64)
        values = np.stack([getattr(r, field) for r in group]).astype(np.float64)
        if floor is not None:
            values = np.where(values <= 0, floor, values)  # NaN (diverged) stays NaN
        lines["xs"].append(steps)
        lines["ys"].append(values.mean(axis=0))
        lines["color"].append(colors[name])
        lines["name"].append(optim.get(name).title)
        if len(group) > 1:
            bands["xs"].append(np.concatenate([steps, steps[::-1]]))
            bands["ys"].append(np.concatenate([values.min(0), values.max(0)[::-1]]))
            bands["color"].append(colors[name])
    return lines, bands


def log_loss(loss: np.ndarray) -> np.ndarray:
    """log₁₀ of a loss grid; a loss of exactly 0 (float32 underflow of a perfect fit) takes the
    smallest positive value, a non-finite one becomes NaN (drawn transparent)."""
    loss = np.asarray(loss, np.float64)
    positive = loss[np.isfinite(loss) & (loss > 0)]
    floor = max(float(positive.min()), 1e-30) if positive.size else 1e-30
    return np.log10(np.where(np.isfinite(loss), np.maximum(loss, floor), np.nan))


def loss_range(runs: Mapping[str, Sequence[NetRun]]) -> tuple[float, float]:
    """The smallest and largest finite positive losses of the runs that did not diverge (of
    all runs when every one diverged)."""
    healthy = [r for g in runs.values() for r in g if not r.diverged] or [
        r for g in runs.values() for r in g
    ]
    values = np.concatenate(
        [np.concatenate([r.train_loss, r.test_loss]) for r in healthy] or [np.ones(1)]
    )
    values = values[np.isfinite(values) & (values > 0)]
    if not values.size:
        return 1e-3, 1.0
    return float(values.min()), float(values.max())


class NetsSources:
    """Every source of one session's tab, and the ``CustomJS`` that reveals a frame."""

    def __init__(self) -> None:
        self.names = optim.names()
        self.slot = {name: k for k, name in enumerate(self.names)}
        self.frames = [ColumnDataSource({"image": []}, name=f"nets-frames-{n}") for n in self.names]
        self.shown = [
            ColumnDataSource(
                {"image": [], "x": [], "y": [], "dw": [], "dh": []}, name=f"nets-shown-{n}"
            )
            for n in self.names
        ]
        self.meta = ColumnDataSource({"frame_steps": []}, name="nets-meta")
        self.cursor = ColumnDataSource({"x": [0], "frame": [POSITIONS]}, name="nets-cursor")
        self.label = ColumnDataSource({"x": [0.0], "y": [0.0], "text": [""]})
        self.points = ColumnDataSource({"x": [], "y": [], "color": []}, name="nets-points")
        lines = {"xs": [], "ys": [], "color": [], "name": []}
        self.loss = {
            k: ColumnDataSource(dict(lines), name=f"nets-{k}")
            for k in ("train_loss", "test_loss", "train_acc", "test_acc")
        }
        self.bands = {
            k: ColumnDataSource({"xs": [], "ys": [], "color": []})
            for k in ("train_loss", "test_acc")
        }
        self.paths = ColumnDataSource(
            {"xs": [], "ys": [], "color": [], "marker": [], "name": []}, name="nets-paths"
        )
        self.heads = {
            k: ColumnDataSource({"x": [], "y": [], "color": []}) for k in ("train_loss", "test_acc")
        }
        self.path_heads = ColumnDataSource({"x": [], "y": [], "color": [], "marker": []})
        self.trail = ColumnDataSource({"xs": [], "ys": [], "color": []}, name="nets-trail")
        self.pairs = pairs = [
            [self.loss["train_loss"], self.heads["train_loss"]],
            [self.loss["test_acc"], self.heads["test_acc"]],
            [self.paths, self.path_heads],
        ]
        self.frame_cb = CustomJS(
            args={
                "frames": self.frames,
                "shown": self.shown,
                "meta": self.meta,
                "cursor": self.cursor,
                "label": self.label,
                "heads": pairs,
                "trails": [[self.paths, self.trail]],
            },
            code=nets_js.FRAME,
        )
        on_data = CustomJS(args={"frame_cb": self.frame_cb}, code=js.ON_DATA)
        for source in (*self.frames, self.meta, self.paths):
            source.js_on_change("data", on_data)

    def draw_on_load(self, doc: Any) -> None:
        """Have the browser draw the frame as soon as the document is ready (results that
        arrived before the page connected are part of the document, not a change)."""
        doc.js_on_event(
            "document_ready", CustomJS(args={"frame_cb": self.frame_cb}, code=js.ON_DATA)
        )

    def draw(self, position: int) -> None:
        """What ``nets_js.FRAME`` draws at player ``position``, computed here for the first
        picture (a notebook, a saved page); the browser draws every later frame itself."""
        steps = np.asarray(self.meta.data["frame_steps"])
        i = frame_index(position, len(steps))
        step = float(steps[i]) if len(steps) else 0.0
        self.cursor.data = {"x": [step], "frame": [position]}
        self.label.data = {**self.label.data, "text": [f"step {step:.0f}" if len(steps) else ""]}
        for frames, shown in zip(self.frames, self.shown, strict=True):
            images = frames.data["image"]
            if len(images):
                shown.data = {**shown.data, "image": [images[min(i, len(images) - 1)]]}
        for src, dst in self.pairs:
            extra = [key for key in dst.data if key not in ("x", "y")]
            out: dict[str, list] = {"x": [], "y": [], **{key: [] for key in extra}}
            for j, (xs, ys) in enumerate(zip(src.data["xs"], src.data["ys"], strict=True)):
                q = min(i, len(xs) - 1)
                out["x"].append(float(xs[q]))
                out["y"].append(float(ys[q]))
                for key in extra:
                    out[key].append(src.data[key][j])
            dst.data = out
        d = self.paths.data
        self.trail.data = {
            "xs": [np.asarray(x)[: i + 1] for x in d["xs"]],
            "ys": [np.asarray(y)[: i + 1] for y in d["ys"]],
            "color": list(d["color"]),
        }
