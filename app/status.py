"""The teacher's view of the server: ``panel serve app/app.py app/status.py`` serves it at
``/status`` beside the lab (``make serve`` does), refreshed every two seconds."""

from __future__ import annotations

import panel as pn

from rlx_lab_app.state.health import CpuMeter, describe, health
from rlx_lab_app.state.jobs import default_server
from rlx_lab_app.views.runner import served
from rlx_lab_app.views.templates import page_template

REFRESH_MS = 2000


def build() -> pn.template.BaseTemplate:
    """The status page of this server process."""
    server, cpu = default_server(), CpuMeter()
    figures = pn.pane.Markdown(describe(health(server, cpu)), css_classes=["server-health"])

    def refresh() -> None:
        figures.object = describe(health(server, cpu))

    pn.state.add_periodic_callback(refresh, period=REFRESH_MS)
    template = page_template("rlx_lab — server status")
    template.main.append(figures)
    return template


if served(__name__):
    build().servable()
