"""The surface plot's legend: the global minimum, the start and one entry per racing optimizer.

Its symbols come from two never-drawn renderers (NaN data, one row per optimizer in the key
source); the moving marks themselves are filled in by the browser. Every entry is made once —
one per optimizer the race can hold — and a race that changes relabels and shows them: new
entries would make Bokeh walk the whole document again (≈50 ms each time, several times while
a race arrives).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from bokeh.core.properties import value
from bokeh.models import ColumnDataSource, GlyphRenderer, Legend, LegendItem
from bokeh.plotting import figure

from rlx_lab import optim
from rlx_lab_app.views.surfaces.sources import Style


class RaceLegend:
    """The legend below ``fig``, with ``minima`` and ``starts`` as its fixed entries."""

    def __init__(self, fig: figure, minima: GlyphRenderer, starts: GlyphRenderer) -> None:
        self.legend = Legend(
            items=[],
            click_policy="none",
            label_text_font_size="9pt",
            spacing=0,
            padding=4,
            background_fill_alpha=0.85,
            ncols=2,
            border_line_color=None,
        )
        self.key = ColumnDataSource(
            {"xs": [], "ys": [], "x": [], "y": [], "color": [], "marker": []}, name="legend-key"
        )
        line = fig.multi_line("xs", "ys", source=self.key, line_color="color", line_width=2.5)
        marker = fig.scatter(
            "x",
            "y",
            source=self.key,
            marker="marker",
            size=10,
            fill_color="color",
            line_color="white",
        )
        self._minima = LegendItem(label="global minimum", renderers=[minima])
        start = LegendItem(label="start", renderers=[starts])
        # entry j draws the line and marker of row j of the key source
        self._racing = [
            LegendItem(label=value(""), renderers=[line, marker], index=j, visible=False)
            for j in range(len(optim.names()))
        ]
        self.legend.items = [self._minima, start, *self._racing]
        self._shown: tuple = ()
        fig.add_layout(self.legend, "below")

    def show(self, styles: Sequence[Style], minima: bool) -> None:
        """Name ``styles`` (race order) and the global minimum if the surface has one; nothing
        changes when they are what is shown already (a slider move)."""
        key = (minima, tuple((s.title, s.color, s.marker) for s in styles))
        if key == self._shown:
            return
        self._shown = key
        count = len(styles)
        self.key.data = {
            "xs": [[np.nan]] * count,
            "ys": [[np.nan]] * count,
            "x": [np.nan] * count,
            "y": [np.nan] * count,
            "color": [s.color for s in styles],
            "marker": [s.marker for s in styles],
        }
        self._minima.visible = minima
        for j, item in enumerate(self._racing):
            item.visible = j < count
            item.label = value(styles[j].title if j < count else "")
