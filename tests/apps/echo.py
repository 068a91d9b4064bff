"""A tiny served app for the serving tests: a slider whose release is answered with its value
and the answering worker's process id (``panel serve tests/apps/echo.py``).

Light on purpose: a test opens ten of its pages through nginx in a second or two, where ten
pages of the lab take half a minute of both cores."""

from __future__ import annotations

import os

import panel as pn

pn.extension(notifications=False)
slider = pn.widgets.FloatSlider(start=0, end=10, value=0, css_classes=["echo-slider"])
answer = pn.pane.Str(f"{os.getpid()} 0.0", css_classes=["echo-answer"])
print(f"echo: a page built by process {os.getpid()}", flush=True)  # counted in the console


def echo(event: object) -> None:
    answer.object = f"{os.getpid()} {event.new}"  # type: ignore[attr-defined]


slider.param.watch(echo, "value_throttled")
pn.Column(slider, answer).servable()
