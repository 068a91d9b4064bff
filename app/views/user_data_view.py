"""Your own points for the small nets: paste CSV or upload a file, see what was read or why not.

Shown while the dataset is "Your points"; the text is parsed by
:func:`rlx_lab.nets.user_data.parse_points` (never evaluated) through
:meth:`app.state.nets.NetsModel.load_points`.
"""

from __future__ import annotations

import html
from typing import Any

import panel as pn

from ..state.nets import USER_DATA, NetsModel

EXAMPLE = "x, y, label\n0.1, 2.3, a\n-1.2, 0.4, b\n…"


class UserDataBox(pn.viewable.Viewer):
    """A CSV box, a file picker and a load button, with the model's verdict underneath."""

    def __init__(self, model: NetsModel, **params: Any) -> None:
        super().__init__(**params)
        self.model = model
        self.text = pn.widgets.TextAreaInput(
            placeholder=EXAMPLE,
            height=110,
            css_classes=["nets-points"],
            sizing_mode="stretch_width",
            description="One point per line: x, y and a class label (a number or a word); "
            "a header line is fine",
        )
        self.file = pn.widgets.FileInput(
            accept=".csv,.txt", css_classes=["nets-points-file"], sizing_mode="stretch_width"
        )
        self.load = pn.widgets.Button(label="Use these points", css_classes=["nets-load-points"])
        self.verdict = pn.pane.HTML("", css_classes=["nets-points-verdict"], margin=(0, 10))
        self.load.on_click(lambda _: self.model.load_points(self.text.value_input or ""))
        self.file.param.watch(self._read_file, "value")
        model.param.watch(self.render, ["data_error", "user_points", "dataset"])
        self.box = pn.Column(self.text, self.load, self.file, self.verdict, margin=0,
                             sizing_mode="stretch_width")  # fmt: skip
        self.render()

    def __panel__(self) -> pn.viewable.Viewable:
        return self.box

    def _read_file(self, event: Any) -> None:
        if event.new:
            text = event.new.decode("utf-8", "replace")
            self.text.value = text
            self.model.load_points(text)

    def render(self, *_: Any) -> None:
        """Visible for "Your points"; the error, or a summary of the points in use."""
        model = self.model
        self.box.visible = model.dataset == USER_DATA
        points = model.user_points
        if model.data_error:
            text, color = model.data_error, "#a33"
        elif points is None:
            text, color = "Paste points or choose a file, then use them.", "#555"
        else:
            n = len(points.labels)
            names = ", ".join(points.class_names)
            text = (
                f"{n:,} points, {points.n_classes} classes ({names}): {points.n_train:,} to "
                f"train on, {n - points.n_train:,} to test."
            )
            color = "#555"
        self.verdict.object = f"<small style='color:{color}'>{html.escape(text)}</small>"
