"""The small-nets plots: decision-boundary small multiples and loss/accuracy curves (the
landscape is in :mod:`.nets_landscape_plot`).

Raw Bokeh figures (for the browser-side playback, like the surface tab) drawing from
:class:`~rlx_lab_app.views.nets.sources.NetsSources`. Each optimizer keeps its palette colour from
:mod:`rlx_lab_app.state.palette` everywhere; classes have their own colours.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from bokeh.models import ColumnDataSource, LinearColorMapper, Range1d
from bokeh.plotting import figure

from rlx_lab.nets import Boundary, Dataset, NetRun
from rlx_lab_app.state.palette import CLASS_COLORS, SHADES, class_palette
from rlx_lab_app.views.nets.sources import NetsSources, curve_columns, loss_range

BOX = 256


def nets_figure(**kwargs: Any) -> Any:
    """A Bokeh figure in the small-nets style: no toolbar unless asked, no logo, small title."""
    fig = figure(**{"toolbar_location": None, **kwargs})
    fig.toolbar.logo = None
    fig.title.text_font_size = "10pt"
    return fig


class BoundaryFigures:
    """One small decision-boundary plot per optimizer (built on first use), sharing ranges."""

    def __init__(self, sources: NetsSources) -> None:
        self.sources = sources
        self.x_range, self.y_range = Range1d(-1, 1), Range1d(-1, 1)
        self.mapper = LinearColorMapper(palette=class_palette(2), low=-0.5, high=2 * SHADES - 0.5)
        self.figures: dict[str, Any] = {}

    def figure(self, name: str) -> Any:
        """The plot of optimizer ``name``."""
        if name not in self.figures:
            s = self.sources
            fig = nets_figure(
                width=BOX,
                height=BOX + 24,
                x_range=self.x_range,
                y_range=self.y_range,
                name=f"nets-boundary-{name}",
                min_border=4,
            )
            fig.image(
                "image",
                x="x",
                y="y",
                dw="dw",
                dh="dh",
                source=s.shown[s.slot[name]],
                color_mapper=self.mapper,
                level="image",
            )
            fig.scatter(
                "x",
                "y",
                source=s.points,
                size=4,
                fill_color="color",
                line_color="white",
                line_width=0.4,
            )
            fig.text(
                "x",
                "y",
                text="text",
                source=s.label,
                text_font_size="9pt",
                text_color="#333",
                text_baseline="bottom",
            )
            fig.axis.visible = False
            fig.grid.visible = False
            fig.outline_line_width = 3
            self.figures[name] = fig
        return self.figures[name]

    def style(self, name: str, title: str, color: str) -> None:
        """Title and frame colour of ``name``'s plot."""
        fig = self.figure(name)
        fig.title.update(text=title, text_color=color)
        fig.outline_line_color = color

    def set_data(self, data: Dataset, boundary: Boundary) -> None:
        """Ranges, colours and the training points of ``data`` (grid from ``boundary``)."""
        xs, ys = boundary.xs, boundary.ys
        self.x_range.update(start=float(xs[0]), end=float(xs[-1]))
        self.y_range.update(start=float(ys[0]), end=float(ys[-1]))
        n = data.n_classes
        self.mapper.update(palette=class_palette(n), high=n * SHADES - 0.5)
        self.sources.points.data = {
            "x": data.x_train[:, 0],
            "y": data.x_train[:, 1],
            "color": [CLASS_COLORS[c % 8] for c in data.y_train],
        }
        self.sources.label.data = {
            "x": [float(xs[0]) + 0.05 * float(xs[-1] - xs[0])],
            "y": [float(ys[0]) + 0.03 * float(ys[-1] - ys[0])],
            "text": [self.sources.label.data["text"][0]],
        }


class Curves:
    """Loss (log) and accuracy against steps: mean over seeds, min–max band, frame cursor."""

    def __init__(self, sources: NetsSources, width: int = 470, height: int = 225) -> None:
        s = self.sources = sources
        self.crosses = ColumnDataSource({"x": [], "loss": [], "acc": [], "color": []})
        self.loss = nets_figure(
            width=width,
            height=height,
            y_axis_type="log",
            x_range=Range1d(0, 300),
            y_range=Range1d(1e-3, 1.0),
            name="nets-loss",
            title="Loss (log scale): train ——, test - - -",
        )
        self.accuracy = nets_figure(
            width=width,
            height=height,
            name="nets-accuracy",
            x_range=self.loss.x_range,
            y_range=Range1d(0.0, 1.02),
            title="Accuracy: train ——, test - - -",
        )
        for fig, train, test, band in (
            (self.loss, "train_loss", "test_loss", "train_loss"),
            (self.accuracy, "train_acc", "test_acc", "test_acc"),
        ):
            fig.patches(
                "xs",
                "ys",
                source=s.bands[band],
                fill_color="color",
                fill_alpha=0.15,
                line_color=None,
            )
            fig.multi_line("xs", "ys", source=s.loss[train], line_color="color", line_width=2)
            fig.multi_line(
                "xs",
                "ys",
                source=s.loss[test],
                line_color="color",
                line_width=1.6,
                line_dash="dashed",
            )
            fig.vspan(x="x", source=s.cursor, line_color="#888", line_width=1)
            fig.scatter(
                "x", "y", source=s.heads[band], size=8, fill_color="color", line_color="white"
            )
            fig.scatter(
                "x",
                "loss" if fig is self.loss else "acc",
                source=self.crosses,
                marker="x",
                size=14,
                line_color="color",
                line_width=3,
            )
            fig.xaxis.axis_label = "step"
            fig.min_border_left = 50

    def set_data(self, runs: Mapping[str, Sequence[NetRun]], colors: Mapping[str, str]) -> None:
        """Every optimizer's curves; the loss axis fits the runs that did not diverge, and a
        loss of 0 runs along its bottom edge."""
        low, high = loss_range(runs)
        bottom = low / 1.6
        for field in ("train_loss", "test_loss", "train_acc", "test_acc"):
            floor = bottom if field.endswith("loss") else None
            lines, bands = curve_columns(runs, colors, field, floor)
            self.sources.loss[field].data = lines
            if field in self.sources.bands:
                self.sources.bands[field].data = bands
        self.loss.y_range.update(start=bottom, end=high * 1.6)
        steps = max((float(g[0].frame_steps[-1]) for g in runs.values()), default=1.0)
        self.loss.x_range.update(start=0.0, end=max(steps, 1.0))
        marks = {"x": [], "loss": [], "acc": [], "color": []}
        for name, group in runs.items():
            run = group[0]
            if run.diverged:
                k = min(int(np.searchsorted(run.frame_steps, run.diverged_at)), run.steps)
                k = min(k, len(run.frame_steps) - 1)
                marks["x"].append(float(run.diverged_at))
                marks["loss"].append(float(np.clip(run.train_loss[k], low, high)))
                marks["acc"].append(float(run.train_acc[k]))
                marks["color"].append(colors[name])
        self.crosses.data = marks
