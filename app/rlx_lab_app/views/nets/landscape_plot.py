"""The small-nets loss landscape: log₁₀ training loss on a plane through the weights, its
contours, each optimizer's projected path and the loss each run met along it.

A raw Bokeh figure drawing from :class:`~rlx_lab_app.views.nets.sources.NetsSources`, in the
style of :mod:`.nets_plots`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from bokeh.models import ColumnDataSource, HoverTool, Range1d

from rlx_lab import optim
from rlx_lab_app.state.nets.plan import Landscape
from rlx_lab_app.views.heat_map import HeatMap
from rlx_lab_app.views.nets.plots import nets_figure
from rlx_lab_app.views.nets.sources import NetsSources, log_loss


class LandscapePlot:
    """log₁₀ training loss on the plane, its contours, and each optimizer's projected path."""

    def __init__(self, sources: NetsSources, width: int = 470, height: int = 450) -> None:
        s = self.sources = sources
        fig = nets_figure(
            width=width,
            height=height,
            name="nets-landscape",
            x_range=Range1d(-1, 1),
            y_range=Range1d(-1, 1),
            tools="pan,wheel_zoom,reset,save",
            toolbar_location="above",
        )
        self.image = ColumnDataSource(
            {"image": [], "x": [], "y": [], "dw": [], "dh": []}, name="nets-landscape-image"
        )
        self.heat = HeatMap(fig, self.image, title="log₁₀ train loss")
        fig.multi_line(
            "xs", "ys", source=s.paths, line_color="color", line_width=1.5, line_alpha=0.35
        )
        # every frame of every path (under the trail), filled with the loss the run met there
        # in the slice's colours: a dot that stands out from the colour under it marks where
        # the picture, a plane through thousands of weights, misleads
        self.met = ColumnDataSource(
            {k: [] for k in ("x", "y", "log_met", "met", "on_plane", "name", "step", "color")},
            name="nets-landscape-met",
        )
        dots = fig.scatter(
            "x",
            "y",
            source=self.met,
            size=7,
            fill_color={"field": "log_met", "transform": self.heat.mapper},
            line_color="color",
            line_width=1.2,
        )
        fig.add_tools(
            HoverTool(
                renderers=[dots],
                tooltips=[
                    ("", "@name, step @step"),
                    ("loss met", "@met{0.000e0}"),
                    ("slice here", "@on_plane{0.000e0}"),
                ],
            )
        )
        fig.multi_line("xs", "ys", source=s.trail, line_color="color", line_width=2.5)
        self.marks = ColumnDataSource({"x": [], "y": [], "color": [], "marker": []})
        fig.scatter(
            "x",
            "y",
            source=self.marks,
            marker="marker",
            size=13,
            line_color="color",
            fill_color="white",
            line_width=2.5,
        )
        fig.scatter(
            "x",
            "y",
            source=s.path_heads,
            marker="marker",
            size=13,
            fill_color="color",
            line_color="white",
            line_width=1.5,
        )
        fig.xaxis.axis_label, fig.yaxis.axis_label = "α (direction 1)", "β (direction 2)"
        self.figure = fig

    def set_data(
        self,
        result: Landscape | None,
        colors: Mapping[str, str],
        markers: Mapping[str, str],
        frame_steps: np.ndarray,
    ) -> None:
        """The slice, its contours, paths, the loss met at each frame, start points and ✕
        where a run diverged."""
        if result is None:
            self.image.data = {"image": [], "x": [], "y": [], "dw": [], "dh": []}
            self.sources.paths.data = {"xs": [], "ys": [], "color": [], "marker": [], "name": []}
            self.met.data = {k: [] for k in self.met.data}
            return
        cut = result.slice
        a, b = cut.alphas.astype(np.float64), cut.betas.astype(np.float64)
        self.heat.show(log_loss(cut.loss), a, b, ((a[0], a[-1]), (b[0], b[-1])))
        self.figure.x_range.update(start=a[0], end=a[-1])
        self.figure.y_range.update(start=b[0], end=b[-1])
        self.figure.title.text = result.center
        paths = {n: np.clip(p, [a[0], b[0]], [a[-1], b[-1]]) for n, p in result.paths.items()}
        names = list(paths)
        self.sources.paths.data = {
            "xs": [paths[n][:, 0] for n in names],
            "ys": [paths[n][:, 1] for n in names],
            "color": [colors[n] for n in names],
            "marker": [markers[n] for n in names],
            "name": [optim.get(n).title for n in names],
        }
        met = [n for n in names if n in result.met]

        def joined(column: Callable[[str], np.ndarray]) -> np.ndarray:
            return np.concatenate([column(n) for n in met]) if met else np.zeros(0)

        self.met.data = {
            "x": joined(lambda n: paths[n][:, 0]),
            "y": joined(lambda n: paths[n][:, 1]),
            "log_met": joined(lambda n: log_loss(result.met[n])),
            "met": joined(lambda n: result.met[n]),
            "on_plane": joined(lambda n: result.on_plane[n]),
            "name": [optim.get(n).title for n in met for _ in frame_steps],
            "step": np.tile(np.asarray(frame_steps, np.int64), len(met)),
            "color": [colors[n] for n in met for _ in frame_steps],
        }
        starts = [(paths[n][0], colors[n], "circle") for n in names]
        crosses = [(paths[n][-1], colors[n], "x") for n in names if n in result.left_out]
        marks = starts[:1] + crosses
        self.marks.data = {
            "x": [m[0][0] for m in marks],
            "y": [m[0][1] for m in marks],
            "color": ["#222" if m[2] == "circle" else m[1] for m in marks],
            "marker": [m[2] for m in marks],
        }
