"""Plots linked to the surface at the same frame: loss, step size and clip activity per step.

All three share the step axis and a frame cursor that the browser moves during playback;
markers show each optimizer's value at the frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import panel as pn
import param
from bokeh.models import DataRange1d, FixedTicker, HoverTool, Range1d
from bokeh.plotting import figure

from rlx_lab_app.state import RaceModel
from rlx_lab_app.views.lean_glyphs import lean
from rlx_lab_app.views.surfaces.race_sources import RaceSources

WIDTH = 460


def _step_figure(title: str, height: int, x_range: Range1d, y_axis_type: str) -> Any:
    fig = figure(
        width=WIDTH,
        height=height,
        title=title,
        x_range=x_range,
        y_axis_type=y_axis_type,
        tools=["xpan", "xwheel_zoom", "reset", "save"],
        toolbar_location="right",
    )
    fig.title.text_font_size = "10pt"
    fig.min_border_left = 70
    fig.toolbar.logo = None
    return fig


class LinkedPlots(pn.viewable.Viewer):
    """Loss gap (log), step size (log) and the clip strip, one line/row per optimizer."""

    model = param.ClassSelector(class_=RaceModel)

    def __init__(self, model: RaceModel, race_sources: RaceSources, **params: Any) -> None:
        super().__init__(model=model, **params)
        self.sources = race_sources
        self.x_range = Range1d(0, model.steps)
        self.loss = _step_figure("loss (log)", 210, self.x_range, "log")
        self.step = _step_figure("step size ‖Δθ‖ (log)", 170, self.x_range, "log")
        self.clip = _step_figure(
            "clip activity: own clip (upper) · global clip (lower)", 120, self.x_range, "linear"
        )
        self.clip.xaxis.axis_label = "step"
        self.clip.ygrid.grid_line_color = None
        self.clip.y_range = Range1d(-0.5, 0.5)
        self.ticker = FixedTicker(ticks=[])
        self.clip.yaxis.ticker = self.ticker
        curves, nows = race_sources.curves, race_sources.drawn["nows"]
        lines = self.loss.multi_line("xs", "loss", source=curves, line_color="color", line_width=2)
        self.loss.scatter(
            "x",
            "loss",
            source=nows,
            size=8,
            fill_color="color",
            line_color="white",
            level="overlay",
        )
        steps = self.step.multi_line(
            "xs", "step", source=curves, line_color="color", line_width=1.5
        )
        self.step.scatter(
            "x",
            "step_plot",
            source=nows,
            size=7,
            fill_color="color",
            line_color="white",
            level="overlay",
        )
        # the y ranges follow the curves only, so moving markers never re-lay-out a plot
        self.loss.y_range = DataRange1d(renderers=[lines])
        self.step.y_range = DataRange1d(renderers=[steps])
        quads = self.clip.quad(
            left="left",
            right="right",
            bottom="bottom",
            top="top",
            source=race_sources.clips,
            fill_color="color",
            fill_alpha="alpha",
            line_color=None,
        )
        self.loss.add_tools(
            HoverTool(
                renderers=[lines],
                tooltips=[("", "@name"), ("step", "$x{0}"), ("value", "$y{0.000e}")],
            )
        )
        self.clip.add_tools(
            HoverTool(
                renderers=[quads], tooltips=[("", "@name · @kind"), ("steps", "@first – @last")]
            )
        )
        for fig in (self.loss, self.step, self.clip):
            fig.vspan(
                x="x",
                source=race_sources.cursor,
                line_color="#444444",
                line_width=1,
                line_dash="dotted",
                level="overlay",
            )
        lean(self.loss, self.step, self.clip)
        self.pane = pn.Column(
            pn.pane.Bokeh(self.loss), pn.pane.Bokeh(self.step), pn.pane.Bokeh(self.clip), margin=0
        )

    def __panel__(self) -> pn.viewable.Viewable:
        return self.pane

    def refresh(self, titles: Sequence[str], loss_title: str) -> None:
        """Follow the race: step range, strip rows (``titles`` in race order), loss title."""
        steps = max((t.steps for t in self.model.results.values()), default=self.model.steps)
        self.x_range.update(start=0, end=steps)
        count = max(len(titles), 1)
        self.clip.y_range.update(start=-0.5, end=count - 0.5)
        self.clip.height = 50 + 26 * count
        self.ticker.ticks = list(range(len(titles)))
        self.clip.yaxis.major_label_overrides = {
            len(titles) - 1 - i: title for i, title in enumerate(titles)
        }
        self.loss.title.text = loss_title
