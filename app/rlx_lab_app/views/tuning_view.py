"""The "Tune η" button: every racing optimizer's learning rate set by one stated rule.

The scan (:meth:`rlx_lab_app.state.tuning.TuningJob.run`, either lab's) runs off the page's
thread; the sliders move, and the race recomputes, back on the document's loop. The button and
the note under it are bound to the model (``pn.bind``): what was tuned, how, and to what —
marked as history once the race has changed since, led by the job's caveat where it has one
(the data changed under tuned values). With ``undo=True``, an *Undo tuning* button puts back
the values the last tuning replaced (:meth:`~rlx_lab_app.state.tuning.TuningJob.undo`).
"""

from __future__ import annotations

import html
from typing import Any

import panel as pn
from bokeh.models import Tooltip

from rlx_lab_app.state.tuning import TuningJob
from rlx_lab_app.views import js
from rlx_lab_app.views.jobs import JobProgress, jobs_for

TIP_STYLE = ":host { white-space: normal; width: 300px; max-width: 300px; }"
"""A tuning button's description: a box beside the sidebar, not a line across the page."""


class TuneButton(pn.viewable.Viewer):
    """A button that tunes η of every selected optimizer, and the note of what it did."""

    def __init__(
        self,
        tuning: TuningJob,
        doc: Any = None,
        *,
        label: str = "Tune η on this surface",
        description: str = "Set each optimizer's η to the one of 25 (1e-4 … 1) whose run ends "
        "lowest without diverging, from this start with this budget",
        busy_text: str = "Tuning η… (25 runs per optimizer in one call)",
        css: str = "tune-lr",
        note_css: str = "tune-note",
        undo: bool = False,
        **params: Any,
    ) -> None:
        super().__init__(**params)
        self.tuning = tuning
        self.doc = doc
        self.busy_text = busy_text
        self.jobs = jobs_for(doc)
        self.progress = JobProgress(tuning, self.jobs, css=f"{css}-progress")
        # The description wraps (one line of it crossed the plots) and a click hides it (else it
        # stayed over them, the button busy under the mouse, for the whole run).
        tip = Tooltip(content=description, position="right", stylesheets=[TIP_STYLE])
        self.button = pn.widgets.Button(
            label=label, css_classes=[css], description=tip, disabled=tuning.param.busy
        )
        self.button.js_on_click(args={"tip": tip}, code=js.HIDE_TOOLTIP)
        self.note = pn.pane.HTML(
            pn.bind(
                note_html,
                tuning.param.busy,
                tuning.param.error,
                tuning.param.stale,
                tuning.param.note,
                busy_text,
                tuning.param.caveat,
            ),
            css_classes=[note_css],
            margin=(0, 10),
            styles={"color": "#444"},
        )
        self.button.on_click(self.run)
        shown = pn.bind(_can_undo, tuning.param.previous, tuning.param.busy) if undo else False
        self.undo = pn.widgets.Button(
            label="Undo tuning", color="light", css_classes=[f"{css}-undo"], visible=shown
        )
        self.undo.on_click(lambda _: tuning.undo())

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            self.button,
            self.progress,
            self.note,
            self.undo,
            margin=0,
            sizing_mode="stretch_width",
        )

    def run(self, _: Any = None) -> None:
        """Tune now (off the page's thread when served), if the budgets allow."""
        tuning = self.tuning
        if tuning.busy:
            return
        tuning.error = ""
        self.jobs.submit(
            tuning,
            tuning.cost(),
            lambda report: tuning.run(),
            tuning.show,
            tuning.fail,
            phase=self.busy_text,
            remote=tuning.task(),
        )


def _can_undo(previous: dict[str, Any], busy: bool) -> bool:
    """Whether the last tuning left values to put back (and none is running)."""
    return bool(previous) and not busy


def note_html(
    busy: bool, error: str, stale: bool, note: str, busy_text: str, caveat: str = ""
) -> str:
    """The note under the button: busy, why the last run failed, or the last note (marked as
    history once the race has changed since, after the ``caveat`` if there is one)."""
    if busy:
        text = busy_text
    elif error:
        text = error
    else:
        text = ("(before the last change) " if stale else "") + note
        if stale and caveat:
            text = f"⚠ {caveat}\n{text}"
    lines = html.escape(text).replace("\n", "<br>")  # a note may hold a line per optimizer
    return f"<small>{lines}</small>" if text else ""
