"""A loss heat map on a Bokeh figure: the image, its contour lines and a colour bar.

Both the surface plot and the nets lab's loss landscape draw a 2-D slice of a loss this way:
light blue (low) to white (high) so every path colour stays visible on top, the colour range
clipped to the 1st–99th percentile, and contour lines strictly inside the finite range.
"""

from __future__ import annotations

import numpy as np
from bokeh.models import ColorBar, ColumnDataSource, LinearColorMapper
from bokeh.plotting import figure
from bokeh.plotting.contour import contour_data

from rlx_lab.surfaces import Window
from rlx_lab_app.state.palette import CONTOUR, HEAT, ramp
from rlx_lab_app.state.surfaces.surface_source import contour_levels


class HeatMap:
    """Heat map, contour lines and colour bar of one figure, drawn from ``image``."""

    def __init__(self, fig: figure, image: ColumnDataSource, title: str) -> None:
        self.image = image
        self.mapper = LinearColorMapper(palette=ramp(HEAT), nan_color=(0, 0, 0, 0))
        fig.image(
            "image",
            x="x",
            y="y",
            dw="dw",
            dh="dh",
            source=image,
            color_mapper=self.mapper,
            level="image",
        )
        z = np.add.outer(np.linspace(0, 1, 4), np.linspace(0, 1, 4))
        self.contours = fig.contour(
            np.linspace(-1, 1, 4),
            np.linspace(-1, 1, 4),
            z,
            levels=[0.5, 1.0],
            line_color=CONTOUR,
            line_alpha=0.45,
            line_width=1,
            fill_color=None,
        )
        self.colorbar = ColorBar(color_mapper=self.mapper, width=12, title=title)
        fig.add_layout(self.colorbar, "right")

    def show(self, values: np.ndarray, xs: np.ndarray, ys: np.ndarray, window: Window) -> None:
        """Draw ``values`` (rows along ``ys``, columns along ``xs``) over ``window``.

        Non-finite values stay transparent. With no finite value the colour bar is hidden, and
        without levels to draw (no finite range) so are the contours: nothing of a previous
        surface is left over the new one.
        """
        (x0, x1), (y0, y1) = window
        self.image.data = {
            "image": [values],
            "x": [x0],
            "y": [y0],
            "dw": [x1 - x0],
            "dh": [y1 - y0],
        }
        finite = values[np.isfinite(values)]
        if finite.size:
            self.mapper.update(
                low=float(np.percentile(finite, 1)), high=float(np.percentile(finite, 99))
            )
        self.colorbar.visible = bool(finite.size)
        levels = contour_levels(values)
        self.contours.visible = bool(levels)
        if levels:
            filled = np.where(np.isfinite(values), values, float(finite.max()))
            self.contours.set_data(contour_data(xs, ys, filled, levels, want_fill=False))
