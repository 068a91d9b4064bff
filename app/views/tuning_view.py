"""The "Tune η" button: every racing optimizer's learning rate set by one stated rule.

The scan (:func:`app.state.tuning.tune`) runs off the page's thread; the sliders move, and the
race recomputes, back on the document's loop. The note under the button says what was tuned,
how, and to what — until a change of surface, start or budget makes it history.
"""

from __future__ import annotations

import html
from functools import partial
from typing import Any

import panel as pn
from tornado.ioloop import IOLoop

from ..state import RaceModel
from ..state.tuning import Tuning, apply_tuning, tune
from .runner import EXECUTOR, schedule_on

STALE_AFTER = ("surface", "formula", "window", "surface_params", "start", "steps", "view")
"""Changes after which the note no longer describes the race."""


class TuneButton(pn.viewable.Viewer):
    """A button that tunes η of every selected optimizer, and the note of what it did."""

    def __init__(self, model: RaceModel, doc: Any = None, **params: Any) -> None:
        super().__init__(**params)
        self.model = model
        self.doc = doc
        self._loop = IOLoop.current() if doc is not None else None
        self.button = pn.widgets.Button(
            label="Tune η on this surface",
            css_classes=["tune-lr"],
            description="Set each optimizer's η to the one of 25 (1e-4 … 1) whose run ends "
            "lowest without diverging, from this start with this budget",
        )
        self.note = pn.pane.HTML(
            "", css_classes=["tune-note"], margin=(0, 10), styles={"color": "#444"}
        )
        self.button.on_click(self.run)
        model.param.watch(self._stale, list(STALE_AFTER))

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(self.button, self.note, margin=0, sizing_mode="stretch_width")

    def run(self, _: Any = None) -> None:
        """Tune now (off the page's thread when served)."""
        if self.button.disabled:
            return
        self.button.disabled = True
        self.note.object = "<small>Tuning η… (25 runs per optimizer in one call)</small>"
        if self.doc is None:
            self._finish(tune(self.model))
            return
        future = EXECUTOR.submit(tune, self.model)
        future.add_done_callback(
            lambda f: schedule_on(self.doc, self._loop, partial(self._done, f))
        )

    def _done(self, future: Any) -> None:
        try:
            tuning = future.result()
        except Exception as error:  # an engine bug must not leave the button dead
            tuning = Tuning({}, (), f"Tuning failed: {type(error).__name__}: {error}")
        self._finish(tuning)

    def _finish(self, tuning: Tuning) -> None:
        problems = apply_tuning(self.model, tuning)
        text = " ".join([tuning.note, *problems])
        self.note.object = f"<small>{html.escape(text)}</small>"
        self.button.disabled = False

    def _stale(self, *_: Any) -> None:
        if self.note.object and not self.button.disabled and "(before" not in self.note.object:
            self.note.object = self.note.object.replace(
                "<small>", "<small>(before the last change) ", 1
            )
