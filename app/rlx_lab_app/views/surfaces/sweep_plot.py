"""The sweep's heat map: one cell per setting of two hyperparameters, ✕ where a setting
diverged, a ring on the setting the race runs now and, over an SGD lr × momentum sweep, the
theory's stability limits and best setting.

Axes are drawn in slider positions (log10 for log scales, −log10(1 − β) for β) with tick labels
showing the values, so the cells are evenly sized.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from bokeh.models import (
    ColorBar,
    ColumnDataSource,
    CustomJSTickFormatter,
    HoverTool,
    LinearColorMapper,
    Title,
)
from bokeh.palettes import Viridis256
from bokeh.plotting import figure

from rlx_lab import optim
from rlx_lab.engine import SweepResult
from rlx_lab_app.state.scales import format_value, to_position
from rlx_lab_app.state.surfaces.sweep import hp_scale
from rlx_lab_app.state.surfaces.theory import SweepOverlay
from rlx_lab_app.views import js


def _formatter(scale: str) -> Any:
    code = {"log": js.LOG_FORMAT, "log1m": js.LOG1M_FORMAT}.get(scale)
    return CustomJSTickFormatter(code=code or "return tick.toPrecision(3);")


class SweepPlot:
    """The heat map's Bokeh figure and its sources (no Panel: :class:`SweepView` shows it)."""

    def __init__(self) -> None:
        self.cells = ColumnDataSource(
            {
                "x": [],
                "y": [],
                "w": [],
                "h": [],
                "value": [],
                "vx": [],
                "vy": [],
                "loss": [],
                "reach": [],
                "div": [],
            }
        )
        self.mapper = LinearColorMapper(palette=Viridis256, nan_color="#d0d0d0")
        fig = figure(
            width=560,
            height=500,
            tools=["tap", "reset", "save"],
            toolbar_location="above",
            name="sweep-plot",
            title="Run a sweep",
        )
        fig.rect(
            "x",
            "y",
            "w",
            "h",
            source=self.cells,
            fill_color={"field": "value", "transform": self.mapper},
            line_color=None,
        )
        self.marks = ColumnDataSource({"x": [], "y": []})
        fig.scatter("x", "y", source=self.marks, marker="x", size=7, line_color="#b00020")
        self.current = ColumnDataSource({"x": [], "y": []})
        fig.scatter(
            "x",
            "y",
            source=self.current,
            marker="circle",
            size=14,
            fill_color=None,
            line_color="white",
            line_width=3,
        )
        # the theory over an SGD sweep of lr × momentum (empty otherwise)
        self.limit = ColumnDataSource({"x": [], "y": []}, name="sweep-theory-limit")
        self.start_limit = ColumnDataSource({"x": [], "y": []})
        self.best = ColumnDataSource({"x": [], "y": []}, name="sweep-theory-best")
        fig.line("x", "y", source=self.limit, line_color="white", line_width=2.5)
        fig.line(
            "x", "y", source=self.start_limit, line_color="white", line_width=2, line_dash="dashed"
        )
        fig.scatter(
            "x",
            "y",
            source=self.best,
            marker="star",
            size=16,
            fill_color="white",
            line_color="black",
        )
        self.caption = Title(text="", text_font_size="9pt", text_font_style="normal")
        fig.add_layout(self.caption, "below")
        fig.add_tools(
            HoverTool(
                renderers=[fig.renderers[0]],
                tooltips=[
                    ("x", "@vx{0.000e}"),
                    ("y", "@vy{0.0000}"),
                    ("final loss", "@loss{0.000e}"),
                    ("steps to tol", "@reach"),
                    ("diverged at", "@div"),
                ],
            )
        )
        self.colorbar = ColorBar(color_mapper=self.mapper, width=12, title="")
        fig.add_layout(self.colorbar, "right")
        self.figure = fig
        self.centers: tuple[np.ndarray, np.ndarray] = (np.zeros(0), np.zeros(0))
        """Slider positions of the cells' centres along x and y (of the last result drawn)."""
        self.cell: tuple[float, float] = (1.0, 1.0)
        """Width and height of a cell, in slider positions."""

    def draw(self, result: SweepResult, metric: str, tol: float) -> None:
        """One cell per setting of ``result``, coloured by ``metric`` (``final_loss`` or
        ``steps_to_tol``, reached at loss ≤ ``tol``), ✕ where a setting diverged."""
        sx, sy = (hp_scale(result.optimizer, name) for name in result.axes)
        px = np.array([to_position(v, sx) for v in result.values[0]])
        py = np.array([to_position(v, sy) for v in result.values[1]])
        gx, gy = np.meshgrid(px, py, indexing="ij")
        wx = np.ptp(px) / max(len(px) - 1, 1) or 1.0
        wy = np.ptp(py) / max(len(py) - 1, 1) or 1.0
        diverged = result.diverged_at >= 0
        if metric == "final_loss":
            loss = np.where(diverged | ~np.isfinite(result.final_loss), np.nan, result.final_loss)
            low = np.nanmin(loss) if np.isfinite(loss).any() else 0.0
            value = np.log10(loss - low + max(abs(low) * 1e-9, 1e-12))
            self.colorbar.title = "log₁₀(final loss − lowest)"
        else:
            value = np.where(result.steps_to_tol >= 0, result.steps_to_tol, np.nan).astype(float)
            self.colorbar.title = f"steps to loss ≤ {format_value(tol)}"
        self.cells.data = {
            "x": gx.ravel(),
            "y": gy.ravel(),
            "w": np.full(gx.size, wx),
            "h": np.full(gx.size, wy),
            "value": value.ravel(),
            "vx": np.repeat(result.values[0], len(py)),
            "vy": np.tile(result.values[1], len(px)),
            "loss": result.final_loss.ravel(),
            "reach": result.steps_to_tol.ravel(),
            "div": result.diverged_at.ravel(),
        }
        finite = value[np.isfinite(value)]
        if finite.size:
            self.mapper.update(low=float(finite.min()), high=float(finite.max()))
        self.marks.data = {"x": gx[diverged], "y": gy[diverged]}
        self.figure.xaxis.formatter, self.figure.yaxis.formatter = _formatter(sx), _formatter(sy)
        self.figure.xaxis.axis_label, self.figure.yaxis.axis_label = result.axes
        self.figure.title.text = (
            f"{optim.get(result.optimizer).title}: {result.axes[0]} × "
            f"{result.axes[1]} (✕ diverged; click a cell to race it)"
        )
        self.centers = (px, py)
        self.cell = (wx, wy)

    def draw_theory(self, result: SweepResult, overlay: SweepOverlay | None) -> None:
        """The theory's stability limits and best setting over an SGD lr × momentum sweep
        (``result``, drawn last by :meth:`draw`)."""
        empty: dict[str, list[float]] = {"x": [], "y": []}
        if overlay is None:
            self.limit.data, self.start_limit.data, self.best.data = empty, empty, dict(empty)
            self.caption.text = ""
            return
        lr_first = result.axes[0] == "lr"
        px, py = self.centers
        cell = self.cell
        box = (
            (px.min() - cell[0] / 2, px.max() + cell[0] / 2),
            (py.min() - cell[1] / 2, py.max() + cell[1] / 2),
        )

        lr_scale, mu_scale = hp_scale("sgd", "lr"), hp_scale("sgd", "momentum")

        def place(lrs: np.ndarray, mus: np.ndarray) -> dict[str, np.ndarray]:
            a = np.array([to_position(float(v), lr_scale) for v in lrs])
            b = np.array([to_position(float(v), mu_scale) for v in mus])
            x, y = (a, b) if lr_first else (b, a)
            inside = (box[0][0] <= x) & (x <= box[0][1]) & (box[1][0] <= y) & (y <= box[1][1])
            return {"x": np.where(inside, x, np.nan), "y": np.where(inside, y, np.nan)}

        self.limit.data = place(overlay.limit, overlay.momenta)
        start = overlay.start_limit
        self.start_limit.data = place(start, overlay.momenta) if start is not None else empty
        best = overlay.best
        self.best.data = (
            place(np.array([best.lr]), np.array([best.momentum])) if best else dict(empty)
        )
        self.caption.text = (
            "White: the theory's largest stable η at the minimum"
            + (" (dashed: at the start)" if start is not None else "")
            + ("; ★ best heavy ball" if best else "")
        )

    def show_current(self, result: SweepResult, x: float, y: float) -> None:
        """Ring the cell of the values ``x``, ``y`` of ``result``'s two hyperparameters."""
        sx, sy = (hp_scale(result.optimizer, name) for name in result.axes)
        self.current.data = {"x": [to_position(x, sx)], "y": [to_position(y, sy)]}

    def nearest(self, x: float, y: float) -> tuple[int, int]:
        """Indices of the cell whose centre is nearest to the point ``x``, ``y``."""
        px, py = self.centers
        return int(np.argmin(np.abs(px - x))), int(np.argmin(np.abs(py - y)))
