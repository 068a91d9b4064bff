"""Playback: a Panel ``Player`` drives the frame in the browser; the speed is steps per second.

Playing runs in the browser (:data:`js.ON_DIRECTION`): one frame per display refresh, the frame
following the clock at the speed the player holds (``step`` steps every ``interval`` ms), drawn
by the browser-side frame callback; the server hears the frame when the playing stops. A value
set from outside (a key, the range input, the server) draws that frame (:data:`js.ON_PLAYER`).
"""

from __future__ import annotations

from typing import Any

import panel as pn
import param
from bokeh.models import CustomJS

from rlx_lab_app.state import RaceModel
from rlx_lab_app.views import js
from rlx_lab_app.views.surfaces.race_sources import RaceSources

SPEEDS = (5, 10, 25, 50, 100, 250, 500, 1000)


def timing(speed: int) -> tuple[int, int]:
    """(interval in ms, steps) that the player holds for ``speed`` steps per second: one step
    (what ← and → move) every ``1000 / speed`` ms, or more steps when that is under 1 ms."""
    interval = max(1, round(1000 / max(speed, 1)))
    return interval, max(1, round(speed * interval / 1000))


def install_keys(doc: Any) -> None:
    """Keyboard control of the player on screen (:data:`js.KEYS`): space plays or pauses,
    ← and → step, Home and End jump — handy when presenting."""
    if doc is not None:
        doc.js_on_event("document_ready", CustomJS(code=js.KEYS))


def play_in_browser(player: pn.widgets.Player, frame_cb: CustomJS) -> None:
    """``player`` draws its frames with ``frame_cb`` (:data:`js.ON_PLAYER`) and plays in the
    browser (:data:`js.ON_DIRECTION`): the race's player and the small nets' alike."""
    # one jscallback per property: Panel 1.9 keeps only the last of several in one call
    player.jscallback(args={"frame_cb": frame_cb}, value=js.ON_PLAYER)
    player.jscallback(args={"frame_cb": frame_cb}, direction=js.ON_DIRECTION)


class FramePlayer(pn.viewable.Viewer):
    """Play / pause / step / scrub through the race, and choose the speed."""

    model = param.ClassSelector(class_=RaceModel)

    def __init__(self, model: RaceModel, race_sources: RaceSources, **params: Any) -> None:
        super().__init__(model=model, **params)
        interval, step = timing(model.speed)
        self.player = pn.widgets.Player(
            label="step",
            start=0,
            end=model.steps,
            value=min(model.frame, model.steps),
            interval=interval,
            step=step,
            loop_policy="once",
            show_loop_controls=False,
            show_value=True,
            width=520,
            height=90,
            css_classes=["frame-player"],
            visible_buttons=["first", "previous", "reverse", "pause", "play", "next", "last"],
        )
        play_in_browser(self.player, race_sources.frame_cb)
        self.speed = pn.widgets.DiscreteSlider(
            label="speed (steps/s)", options=list(SPEEDS), value=_nearest(model.speed), width=220
        )
        self.speed_note = pn.pane.Markdown("", margin=(0, 10), styles={"color": "#555"})
        self.player.param.watch(self._to_model, "value")
        self.speed.param.watch(lambda e: setattr(self.model, "speed", e.new), "value")
        self._speed()
        doc = pn.state.curdoc
        if doc is not None and doc.session_context is not None:
            doc.js_on_event("document_ready", CustomJS(code=js.PLAYER_RANGE))

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Row(self.player, pn.Column(self.speed, self.speed_note, margin=0), margin=0)

    def _to_model(self, event: param.parameterized.Event) -> None:
        if self.model.frame != event.new:
            self.model.frame = int(event.new)

    @param.depends("model.frame", "model.results", watch=True)
    def _follow(self) -> None:
        steps = max((t.steps for t in self.model.results.values()), default=self.model.steps)
        if self.player.end != steps:
            self.player.end = steps
        if self.player.value != self.model.frame:
            self.player.value = min(self.model.frame, steps)

    @param.depends("model.speed", watch=True)
    def _speed(self) -> None:
        interval, step = timing(self.model.speed)
        self.player.param.update(interval=interval, step=step)
        if self.speed.value != self.model.speed and self.model.speed in SPEEDS:
            self.speed.value = self.model.speed
        self.speed_note.object = (
            f"{self.model.speed} steps/s, drawn at your display's frame rate  \n"
            "Keys: space plays or pauses, ← → step, Home / End"
        )


def _nearest(speed: int) -> int:
    return min(SPEEDS, key=lambda s: abs(s - speed))
