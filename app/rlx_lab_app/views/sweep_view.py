"""The sweep tab: a heat map over two hyperparameters of one optimizer; a click races a cell.

Axes are drawn in slider positions (log10 for log scales, −log10(1 − β) for β) with tick labels
showing the values, so the cells are evenly sized.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import panel as pn
import param
from bokeh import events
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
from tornado.ioloop import IOLoop

from rlx_lab import optim

from ..state import SweepModel
from ..state.scales import format_value, to_position
from ..state.sweep import hp_scale
from ..state.theory import SweepOverlay, sweep_overlay
from . import js
from .jobs import JobProgress, jobs_for
from .runner import schedule_on
from .widgets import IntSlider


def _formatter(scale: str) -> Any:
    code = {"log": js.LOG_FORMAT, "log1m": js.LOG1M_FORMAT}.get(scale)
    return CustomJSTickFormatter(code=code or "return tick.toPrecision(3);")


class SweepView(pn.viewable.Viewer):
    """Controls from the :class:`SweepModel`, the heat map, and what it found."""

    sweep = param.ClassSelector(class_=SweepModel)

    def __init__(self, sweep: SweepModel, doc: Any = None, **params: Any) -> None:
        super().__init__(sweep=sweep, **params)
        self.doc = doc
        self._loop = IOLoop.current() if doc is not None else None
        self.jobs = jobs_for(doc)
        self.progress = JobProgress(sweep, self.jobs, css="sweep-progress")
        s = sweep.param
        self.controls = pn.Column(
            pn.widgets.Select.from_param(
                s.optimizer,
                label="Optimizer",
                options={optim.get(n).title: n for n in optim.names()},
                css_classes=["sweep-optimizer"],
            ),
            pn.Row(
                pn.widgets.Select.from_param(s.x_param, label="x axis", width=140),
                pn.widgets.LiteralInput.from_param(s.x_range, label="x range", width=170),
                margin=0,
            ),
            pn.Row(
                pn.widgets.Select.from_param(s.y_param, label="y axis", width=140),
                pn.widgets.LiteralInput.from_param(s.y_range, label="y range", width=170),
                margin=0,
            ),
            IntSlider.from_param(
                s.resolution,
                label="cells per side",
                throttled=True,
                css_classes=["sweep-resolution"],
            ),
            pn.widgets.RadioButtonGroup.from_param(
                s.metric,
                color="light",
                options={"final loss": "final_loss", "steps to tol": "steps_to_tol"},
            ),
            pn.widgets.FloatInput.from_param(s.tol, label="tol (loss reached)"),
            margin=0,
            width=340,
        )
        self.button = pn.widgets.Button(
            label="Run sweep", color="primary", css_classes=["run-sweep"]
        )
        self.button.on_click(self._run)
        self.note = pn.pane.Markdown(
            "Uses the race's surface, start, steps and settings; the "
            "other hyperparameters keep their current values.",
            styles={"color": "#555"},
        )
        self.info = pn.pane.Markdown("", css_classes=["sweep-info"])
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
        fig.on_event(events.Tap, self._on_tap)
        self.figure = fig

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Row(
            pn.Column(self.controls, self.button, self.progress, self.note, self.info, width=360),
            pn.pane.Bokeh(self.figure),
        )

    def _run(self, _: Any = None) -> None:
        sweep = self.sweep
        if sweep.busy:
            return
        self.info.object = "Sweeping… (the first sweep of an optimizer compiles it)"
        self.jobs.submit(
            sweep,
            sweep.cost(),
            lambda report: sweep.run(),
            lambda outcome: self._finish(*outcome),
            self._failed,
            phase="sweeping…",
        )

    def _failed(self, words: str) -> None:
        self.info.object = words

    def _finish(self, result: Any, message: str, seconds: float) -> None:
        self.sweep.show(result, message, seconds)
        self.info.object = (
            f"{message}  \n{self.sweep.resolution}² settings in "
            f"{seconds:.2f} s (one vmapped engine call)."
        )

    @param.depends("sweep.result", "sweep.metric", watch=True)
    def _draw(self) -> None:
        result = self.sweep.result
        if result is None:
            return
        sx, sy = (hp_scale(result.optimizer, name) for name in result.axes)
        px = np.array([to_position(v, sx) for v in result.values[0]])
        py = np.array([to_position(v, sy) for v in result.values[1]])
        gx, gy = np.meshgrid(px, py, indexing="ij")
        wx = np.ptp(px) / max(len(px) - 1, 1) or 1.0
        wy = np.ptp(py) / max(len(py) - 1, 1) or 1.0
        diverged = result.diverged_at >= 0
        if self.sweep.metric == "final_loss":
            loss = np.where(diverged | ~np.isfinite(result.final_loss), np.nan, result.final_loss)
            low = np.nanmin(loss) if np.isfinite(loss).any() else 0.0
            value = np.log10(loss - low + max(abs(low) * 1e-9, 1e-12))
            self.colorbar.title = "log₁₀(final loss − lowest)"
        else:
            value = np.where(result.steps_to_tol >= 0, result.steps_to_tol, np.nan).astype(float)
            self.colorbar.title = f"steps to loss ≤ {format_value(self.sweep.tol)}"
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
        self._centers = (px, py)
        self._draw_theory(sweep_overlay(self.sweep.race, result), (wx, wy))
        self._show_current()

    def _draw_theory(self, overlay: SweepOverlay | None, cell: tuple[float, float]) -> None:
        """The theory's stability limits and best setting over an SGD lr × momentum sweep."""
        empty: dict[str, list[float]] = {"x": [], "y": []}
        if overlay is None:
            self.limit.data, self.start_limit.data, self.best.data = empty, empty, dict(empty)
            self.caption.text = ""
            return
        result = self.sweep.result
        lr_first = result.axes[0] == "lr"
        px, py = self._centers
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

    def _show_current(self) -> None:
        result = self.sweep.result
        if result is None:
            return
        settings = self.sweep.race.settings[result.optimizer]
        x, y = getattr(settings, result.axes[0]), getattr(settings, result.axes[1])
        sx, sy = (hp_scale(result.optimizer, name) for name in result.axes)
        self.current.data = {"x": [to_position(x, sx)], "y": [to_position(y, sy)]}

    def _on_tap(self, event: events.Tap) -> None:
        if self.sweep.result is None or event.x is None or event.y is None:
            return
        px, py = self._centers
        i, j = int(np.argmin(np.abs(px - event.x))), int(np.argmin(np.abs(py - event.y)))
        # a Bokeh event callback runs outside Panel's document context, where panes would
        # resolve their stylesheets to the CDN: do the work on the document's next tick
        schedule_on(self.doc, self._loop, partial(self._load, i, j))

    def _load(self, i: int, j: int) -> None:
        self.sweep.load(i, j)
        self._show_current()
        self.info.object = (
            f"Racing {self.sweep.result.axes[0]}="
            f"{format_value(float(self.sweep.result.values[0][i]))}, "
            f"{self.sweep.result.axes[1]}="
            f"{format_value(float(self.sweep.result.values[1][j]))} — see the "
            "Race tab."
        )
