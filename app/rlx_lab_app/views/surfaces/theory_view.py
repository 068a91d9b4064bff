"""The theory card: what the local quadratic model predicts for SGD, beside the race.

Collapsed at first, and its model computes nothing until it is opened (its plot is built then);
open, it restates the theory whenever the surface, the start or SGD's sliders move, and plots
the racing SGD's distance from the minimum along each curvature direction with the theory's
slope beside it — Distill's eigen-components, measured. Its button races SGD at the best
heavy-ball setting, so the prediction can be watched against the real run.
"""

from __future__ import annotations

import html
from typing import Any

import panel as pn
from bokeh.models import ColumnDataSource
from bokeh.plotting import figure

from rlx_lab_app.state.surfaces.theory import TheoryModel
from rlx_lab_app.views.lean_glyphs import lean

COLORS = ("#1b9e77", "#d95f02")
"""Shallow and steep direction."""
THEORY_COLOR = "#333333"
"""The theory's lines: dark and dashed, on top, so they show where they match the run."""
EMPTY = {"step": [], "measured_1": [], "measured_2": [], "predicted_1": [], "predicted_2": []}


def components_figure(source: ColumnDataSource) -> Any:
    """Distance along each curvature direction (solid) and the theory's slope (dashed), log y."""
    fig = figure(
        width=600,
        height=230,
        y_axis_type="log",
        title="SGD's distance from the point, along each curvature (log)",
        tools=["pan", "wheel_zoom", "reset", "save"],
        toolbar_location="right",
    )
    fig.title.text_font_size = "10pt"
    fig.xaxis.axis_label = "step"
    fig.toolbar.logo = None
    for i, color in enumerate(COLORS, start=1):
        fig.line(
            "step",
            f"measured_{i}",
            source=source,
            color=color,
            line_width=2.5,
            legend_label=f"along λ{'₁₂'[i - 1]}",
        )
    for i in (1, 2):
        fig.line(
            "step",
            f"predicted_{i}",
            source=source,
            color=THEORY_COLOR,
            line_width=1.2,
            line_dash="dashed",
            legend_label="theory: ×ρ per step",
        )
    fig.legend.label_text_font_size = "8pt"
    fig.add_layout(fig.legend[0], "right")
    lean(fig)
    return fig


class TheoryCard(pn.viewable.Viewer):
    """A collapsible card with :class:`TheoryModel`'s statement and a "race the best" button."""

    def __init__(self, theory: TheoryModel, **params: Any) -> None:
        super().__init__(**params)
        self.theory = theory
        self.text = pn.pane.Markdown("", css_classes=["theory-text"], sizing_mode="stretch_width")
        self.button = pn.widgets.Button(
            label="Race SGD at the best momentum setting",
            css_classes=["theory-best"],
            description="Add SGD to the race with the heavy-ball η and μ the theory names",
            disabled=True,
        )
        self.note = pn.pane.HTML("", css_classes=["theory-note"], styles={"color": "#a33"})
        self.card = pn.Card(
            self.text,
            pn.Row(self.button, self.note, margin=0),
            title="Theory: what the quadratic model predicts for SGD",
            collapsed=True,
            css_classes=["theory-card"],
            sizing_mode="stretch_width",
        )
        self.source = ColumnDataSource(dict(EMPTY), name="theory-components")
        self.plot: pn.Column | None = None  # built when the card is first opened
        self.card.param.watch(self._toggle, "collapsed")
        self.button.on_click(self._race_best)
        theory.param.watch(self.render, ["text", "best", "curves", "labels"])
        self.render()

    def __panel__(self) -> pn.viewable.Viewable:
        return self.card

    def render(self, *_: Any) -> None:
        """Show the model's statement; the button works when there is a best setting."""
        self.text.object = self.theory.text
        self.button.disabled = self.theory.best is None
        if self.plot is not None:
            self.source.data = dict(self.theory.curves or EMPTY)
            self.plot.visible = bool(self.theory.curves)
            shallow, steep = self.theory.labels
            self.figure.title.text = (
                f"SGD's distance from the point along {shallow} and {steep} (log)"
            )

    def _toggle(self, event: Any) -> None:
        if not event.new and self.plot is None:  # first opened: build the plot
            self.figure = components_figure(self.source)
            # a Column, not the Bokeh pane, carries the visibility (the pane's does not hide
            # its figure once shown)
            self.plot = pn.Column(pn.pane.Bokeh(self.figure), visible=False, margin=0)
            self.card.insert(1, self.plot)
        self.theory.active = not event.new

    def _race_best(self, _: Any) -> None:
        problems = self.theory.race_best()
        self.note.object = f"<small>{html.escape(' '.join(problems))}</small>" if problems else ""
