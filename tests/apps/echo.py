"""A tiny served app for the serving tests: a slider whose release is answered with its value
and the answering worker's process id (``panel serve tests/apps/echo.py``). With ``?idle=S``
the page is closed after S idle seconds, as the lab's pages are (``views.idle``).

Light on purpose: a test opens ten of its pages through nginx in a second or two, where ten
pages of the lab take half a minute of both cores."""

from __future__ import annotations

import os

import panel as pn

pn.extension(notifications=False)
slider = pn.widgets.FloatSlider(start=0, end=10, value=0, css_classes=["echo-slider"])
answer = pn.pane.Str(f"{os.getpid()} 0.0", css_classes=["echo-answer"])
session = pn.pane.Str(pn.state.curdoc.session_context.id, css_classes=["echo-session"])
print(f"echo: a page built by process {os.getpid()}", flush=True)  # counted in the console


def echo(event: object) -> None:
    answer.object = f"{os.getpid()} {event.new}"  # type: ignore[attr-defined]


def goodbye() -> None:
    answer.object = f"{os.getpid()} closed"


slider.param.watch(echo, "value_throttled")
if idle_s := float(pn.state.session_args.get("idle", [b"0"])[0]):
    from rlx_lab_app.views.idle import close_when_idle  # imports JAX: only when asked

    close_when_idle(idle_s, goodbye)
pn.state.on_session_destroyed(lambda context: print(f"echo: let {context.id} go", flush=True))
pn.Column(slider, answer, session).servable()
