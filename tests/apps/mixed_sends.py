"""A tiny served app whose one callback changes a plain Bokeh model and a Panel object that
refers to what the first change added (``tests/test_ordered_sends.py``): the shape of the
theory card's first opening, made certain instead of timing-dependent."""

from __future__ import annotations

import panel as pn
from bokeh.models import ColumnDataSource
from bokeh.plotting import figure

from rlx_lab_app.views import ordered_sends

ordered_sends.install()  # as app/app.py does
pn.extension(notifications=False)
base = figure(width=300, height=200, name="base")
base.line([0, 1], [0, 1])
holder = pn.Column(pn.pane.Str("nothing yet"))
button = pn.widgets.Button(label="add", css_classes=["add"])
clicks = pn.pane.Str("0", css_classes=["clicks"])


def add(_: object) -> None:
    source = ColumnDataSource({"x": [0, 1], "y": [1, 0]})
    base.line("x", "y", source=source)  # a plain Bokeh change: it brings in `source`
    other = figure(width=300, height=200)
    other.scatter("x", "y", source=source)
    holder.objects = [pn.pane.Bokeh(other)]  # a Panel change that refers to `source`
    clicks.object = str(int(clicks.object) + 1)


button.on_click(add)
pn.Column(button, clicks, pn.pane.Bokeh(base), holder).servable()
