"""The "Tune η" button: every racing optimizer's learning rate set by one stated rule.

The scan (:meth:`rlx_lab_app.state.tuning.TuningJob.run`, either lab's) runs off the page's
thread; the sliders move, and the race recomputes, back on the document's loop. The note under
the button renders the model: what was tuned, how, and to what — marked as history once the race
has changed since.
"""

from __future__ import annotations

import html
from typing import Any

import panel as pn

from rlx_lab_app.state.tuning import TuningJob
from rlx_lab_app.views.jobs import JobProgress, jobs_for


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
        **params: Any,
    ) -> None:
        super().__init__(**params)
        self.tuning = tuning
        self.doc = doc
        self.busy_text = busy_text
        self.jobs = jobs_for(doc)
        self.progress = JobProgress(tuning, self.jobs, css=f"{css}-progress")
        self.button = pn.widgets.Button(label=label, css_classes=[css], description=description)
        self.note = pn.pane.HTML(
            "", css_classes=[note_css], margin=(0, 10), styles={"color": "#444"}
        )
        self.button.on_click(self.run)
        tuning.param.watch(self.render, ["note", "busy", "stale", "error"])

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            self.button, self.progress, self.note, margin=0, sizing_mode="stretch_width"
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

    def render(self, *_: Any) -> None:
        """Show the model: busy, or the last note (marked when the race has changed since)."""
        tuning = self.tuning
        self.button.disabled = tuning.busy
        if tuning.busy:
            text = self.busy_text
        elif tuning.error:
            text = tuning.error
        else:
            text = ("(before the last change) " if tuning.stale else "") + tuning.note
        lines = html.escape(text).replace("\n", "<br>")  # a note may hold a line per optimizer
        self.note.object = f"<small>{lines}</small>" if text else ""
