"""The surface view: heat map and contours of the loss, minima, start points and the race.

A raw Bokeh figure (for the browser-side playback). The background follows
:attr:`RaceModel.shown_surface`; the race is drawn from :class:`RaceSources` (one renderer per
kind of mark, coloured per optimizer). A tap on the plot moves the start point; hovering a path
shows one tooltip, for the point nearest the cursor.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import numpy as np
import panel as pn
import param
from bokeh import events
from bokeh.models import (
    Arrow,
    ColumnDataSource,
    CustomJS,
    HoverTool,
    Range1d,
    SaveTool,
    VeeHead,
)
from bokeh.plotting import figure

from rlx_lab_app.state import RaceModel
from rlx_lab_app.state.surfaces.surface_source import display_values, surface_grid
from rlx_lab_app.views import js
from rlx_lab_app.views.heat_map import HeatMap
from rlx_lab_app.views.lean_glyphs import lean
from rlx_lab_app.views.runner import in_document
from rlx_lab_app.views.surfaces.race_legend import RaceLegend
from rlx_lab_app.views.surfaces.race_sources import RaceSources
from rlx_lab_app.views.surfaces.sources import Style

SIZE = (620, 540)
"""Width and height of the surface plot (pixels)."""
LECTURE_SCALE = 1.35
"""How much larger the plot and its labels are in lecture mode."""


class SurfacePlot(pn.viewable.Viewer):
    """Heat map + contours + every optimizer's path, head, ✕ and ghost."""

    model = param.ClassSelector(class_=RaceModel)

    def __init__(self, model: RaceModel, race_sources: RaceSources, **params: Any) -> None:
        super().__init__(model=model, **params)
        self.sources = race_sources
        self.save_tool = SaveTool(filename="rlx_lab_surface")
        fig = figure(
            width=SIZE[0],
            height=SIZE[1],
            name="surface-plot",
            x_range=Range1d(-1, 1),
            y_range=Range1d(-1, 1),
            tools=["pan", "wheel_zoom", "box_zoom", "reset"],
            toolbar_location="above",
        )
        fig.add_tools(self.save_tool)
        fig.xaxis.axis_label, fig.yaxis.axis_label = "x", "y"
        self.image = ColumnDataSource(
            {"image": [np.zeros((2, 2))], "x": [-1.0], "y": [-1.0], "dw": [2.0], "dh": [2.0]}
        )
        self.heat = HeatMap(fig, self.image, title="loss")
        self.minima = ColumnDataSource({"x": [], "y": []})
        minima = fig.scatter(
            "x",
            "y",
            source=self.minima,
            marker="star",
            size=17,
            fill_color="white",
            line_color="black",
            line_width=1.5,
        )
        self.starts = ColumnDataSource({"x": [], "y": [], "size": []}, name="starts")
        starts = fig.scatter(
            "x",
            "y",
            source=self.starts,
            size="size",
            marker="circle",
            fill_color=None,
            line_color="black",
            line_width=2,
        )
        d = race_sources.drawn
        # Everything that moves during playback is drawn on the overlay layer: a frame repaints
        # only that layer, never the heat map and contours underneath.
        top = {"level": "overlay"}
        self.ghosts = fig.multi_line(
            "xs",
            "ys",
            source=d["gpaths"],
            line_color="color",
            line_alpha=0.45,
            line_width=2,
            line_dash="dashed",
            **top,
        )
        self.paths = fig.multi_line(
            "xs", "ys", source=d["paths"], line_color="color", line_width=2.5, **top
        )
        points = fig.scatter(
            "x",
            "y",
            source=d["pts"],
            size=8,
            fill_alpha=0,
            line_alpha=0,
            hover_fill_color="color",
            hover_fill_alpha=1,
            hover_line_color="white",
            **top,
        )
        self.heads = fig.scatter(
            "x",
            "y",
            source=d["heads"],
            marker="marker",
            size=13,
            fill_color="color",
            line_color="white",
            line_width=1.5,
            **top,
        )
        fig.scatter(
            "x",
            "y",
            source=d["crosses"],
            marker="x",
            size=18,
            line_color="color",
            line_width=3.5,
            **top,
        )
        # the playhead's arrows (``model.arrows``): −g dashed, the step solid, one length
        self.arrows = [
            Arrow(
                source=d[key],
                x_start="x0",
                y_start="y0",
                x_end="x1",
                y_end="y1",
                line_color="color",
                line_width=width,
                line_dash=dash,
                end=VeeHead(size=11, line_color="color", line_width=width),
                **top,
            )
            for key, width, dash in (("grads", 2.0, "dashed"), ("moves", 3.0, "solid"))
        ]
        for arrow in self.arrows:
            fig.add_layout(arrow)
        fig.add_tools(
            HoverTool(
                renderers=[points],
                tooltips=[
                    ("", "@name"),
                    ("step", "@step"),
                    ("loss", "@loss{0.000e}"),
                    ("position", "(@x{0.0000}, @y{0.0000})"),
                    ("next step vs −g", "@angle{0.0}°"),
                ],
                # one tooltip: after a tap every path starts under the cursor
                filters={"@step": CustomJS(code=js.HOVER_NEAREST)},
            )
        )
        self.race_legend = RaceLegend(fig, minima, starts)
        self.legend = self.race_legend.legend
        fig.on_event(events.Tap, self._on_tap)
        lean(fig)
        self.figure = fig
        self.pane = pn.pane.Bokeh(fig, sizing_mode="fixed")
        self._background_key: tuple | None = None
        self._starts_shown = np.zeros((0, 2))
        if model.lecture:
            self._resize()

    def __panel__(self) -> pn.viewable.Viewable:
        return self.pane

    def _on_tap(self, event: events.Tap) -> None:
        if event.x is None or event.y is None:
            return
        doc = pn.state.curdoc
        if doc is not None and getattr(doc, "session_context", None) is not None:
            # run as Panel code for the document (a Bokeh event callback is not)
            doc.add_next_tick_callback(
                in_document(doc, partial(self.model.set_start, float(event.x), float(event.y)))
            )
        else:
            self.model.set_start(float(event.x), float(event.y))

    @param.depends("model.lecture", watch=True)
    def _resize(self) -> None:
        """Lecture mode: the plot and its labels :data:`LECTURE_SCALE` times larger."""
        scale = LECTURE_SCALE if self.model.lecture else 1.0
        fig = self.figure
        fig.width, fig.height = round(SIZE[0] * scale), round(SIZE[1] * scale)
        font = f"{round(10 * scale)}pt"
        for axis in (*fig.xaxis, *fig.yaxis):
            axis.major_label_text_font_size = axis.axis_label_text_font_size = font
        fig.title.text_font_size = f"{round(12 * scale)}pt"
        self.legend.label_text_font_size = font

    @param.depends("model.shown_surface", "model.shown_params", "model.log_color", watch=True)
    def background(self) -> None:
        """Heat map, contours, minima and ranges of the surface being shown."""
        surface = self.model.shown_surface or self.model.current_surface
        params = dict(self.model.shown_params)
        key = (id(surface), tuple(sorted(params.items())), self.model.log_color)
        if key == self._background_key:
            return
        self._background_key = key
        xs, ys, z = surface_grid(surface, params)
        values, title = display_values(z, self.model.log_color)
        self.heat.show(values, xs, ys, surface.window)
        self.heat.colorbar.title = title
        (x0, x1), (y0, y1) = surface.window
        self.figure.x_range.update(start=x0, end=x1)
        self.figure.y_range.update(start=y0, end=y1)
        mins = np.array(surface.minima, dtype=float).reshape(-1, 2)
        self.minima.data = {"x": mins[:, 0], "y": mins[:, 1]}
        self.figure.title.text = surface.title

    def refresh(self, styles: Sequence[Style]) -> None:
        """Start points, ghost visibility and the legend (``styles`` in race order).

        Only what changed is set: a new start or label repaints the whole plot (heat map and
        contours included), while a new path only repaints the overlay layer.
        """
        self.background()
        model = self.model
        self.race_legend.show(styles, bool(model.shown_surface and model.shown_surface.minima))
        first = next(iter(model.results.values()), None)
        starts = first.starts if first is not None else model.starts()
        if not np.array_equal(starts, self._starts_shown):
            self._starts_shown = starts
            self.starts.data = {
                "x": starts[:, 0],
                "y": starts[:, 1],
                "size": [14.0] + [7.0] * (len(starts) - 1),
            }
        self.ghosts.visible = model.ghosts_on
