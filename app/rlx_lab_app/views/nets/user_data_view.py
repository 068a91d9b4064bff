"""Your own points for the small nets: paste CSV or upload a file, see what was read or why not.

Shown while the dataset is "Your points"; the text is parsed by
:func:`rlx_lab.nets.user_data.parse_points` (never evaluated) through
:meth:`rlx_lab_app.state.nets.model.NetsModel.parse` and used by
:meth:`~rlx_lab_app.state.nets.model.NetsModel.apply_points`.

Reading is a job (:mod:`rlx_lab_app.state.jobs`): served, the parsing runs on a worker thread (the
interactive lane: at most 1 MB) and its result is used on the page's own loop; a newer paste or
file supersedes an older one; without a served page (tests, notebooks) it runs at once. An
uploaded file is never copied into the page: its bytes are checked against the size limit on the
server and only a summary is shown.
"""

from __future__ import annotations

import html
from functools import partial
from typing import Any

import panel as pn

from rlx_lab.cost import Cost, Term
from rlx_lab.nets.user_data import MAX_BYTES, MAX_POINTS
from rlx_lab_app.state.jobs import INTERACTIVE, JobState, SessionJobs
from rlx_lab_app.state.nets.model import USER_DATA, NetsModel, PointsRead
from rlx_lab_app.views.jobs import jobs_for

EXAMPLE = "x, y, label\n0.1, 2.3, a\n-1.2, 0.4, b\n…"
BOX_LIMIT = MAX_BYTES + 1
"""Characters the text box holds: one more than the parser reads, so a paste the box cut is
always over the limit and refused with the limit named (never trained on, cut)."""
GREY, RED = "#555", "#a33"
PARSE_BYTES_PER_BYTE = 40
"""Peak memory of parsing, per byte of text (the lines, their fields and the arrays)."""


class UserDataBox(pn.viewable.Viewer):
    """A CSV box, a file picker and a load button, with the model's verdict underneath."""

    def __init__(self, model: NetsModel, jobs: SessionJobs | None = None, **params: Any) -> None:
        super().__init__(**params)
        self.model = model
        self.jobs = jobs or jobs_for()
        self.reading = JobState()
        self.text = pn.widgets.TextAreaInput(
            placeholder=EXAMPLE,
            height=110,
            max_length=BOX_LIMIT,
            css_classes=["nets-points"],
            sizing_mode="stretch_width",
            description="One point per line: x, y and a class label (a number or a word); "
            f"a header line is fine; at most {MAX_POINTS:,} points ({MAX_BYTES // 10**6} MB)",
        )
        self.file = pn.widgets.FileInput(
            accept=".csv,.txt", css_classes=["nets-points-file"], sizing_mode="stretch_width"
        )
        self.load = pn.widgets.Button(label="Use these points", css_classes=["nets-load-points"])
        self.verdict = pn.pane.HTML("", css_classes=["nets-points-verdict"], margin=(0, 10))
        self._origin = {"points": "", "error": ""}
        self.load.on_click(lambda _: self.submit(self.text.value_input or ""))
        self.file.param.watch(self._read_file, "value")
        model.param.watch(self.render, ["data_error", "user_points", "dataset"])
        self.box = pn.Column(
            self.text, self.load, self.file, self.verdict, margin=0, sizing_mode="stretch_width"
        )
        self.render()

    def __panel__(self) -> pn.viewable.Viewable:
        return self.box

    def _read_file(self, event: Any) -> None:
        """Parse the uploaded bytes as they are: never decoded into the text box."""
        if event.new:
            self.submit(event.new, origin=self.file.filename or "the file")

    def submit(self, data: str | bytes, origin: str = "") -> None:
        """Parse ``data`` (pasted text, or the bytes of the file ``origin``) and use the points:
        on a worker thread when served, at once otherwise. A newer request supersedes this one."""
        if self.jobs.page is not None:
            self._show("reading the points…", GREY)
        size = PARSE_BYTES_PER_BYTE * len(data)
        cost = Cost("reading the points", (Term("the text", size, "", "fewer points"),))
        self.jobs.submit(
            self.reading,
            cost,
            lambda report: self.model.parse(data),
            partial(self._use, origin),
            lambda words: self._use(origin, PointsRead(error=words)),
            lane=INTERACTIVE,
        )

    def _use(self, origin: str, read: PointsRead) -> None:
        self._origin["points" if read.points is not None else "error"] = origin
        self.model.apply_points(read)
        self.render()  # also when the verdict is unchanged: it says "reading…" now

    def render(self, *_: Any) -> None:
        """Visible for "Your points"; the error, or a summary of the points in use."""
        model = self.model
        self.box.visible = model.dataset == USER_DATA
        points = model.user_points
        if model.data_error:
            self._show(_from(self._origin["error"], model.data_error), RED)
        elif points is None:
            self._show("Paste points or choose a file, then use them.", GREY)
        else:
            n = len(points.labels)
            names = ", ".join(points.class_names)
            text = (
                f"{n:,} points, {points.n_classes} classes ({names}): {points.n_train:,} to "
                f"train on, {n - points.n_train:,} to test."
            )
            self._show(_from(self._origin["points"], text), GREY)

    def _show(self, text: str, color: str) -> None:
        self.verdict.object = f"<small style='color:{color}'>{html.escape(text)}</small>"


def _from(origin: str, text: str) -> str:
    """``points.csv: text`` (just ``text`` for the text box)."""
    return f"{origin}: {text}" if origin else text
