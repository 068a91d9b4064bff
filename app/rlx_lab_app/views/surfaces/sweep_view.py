"""The sweep tab: a heat map over two hyperparameters of one optimizer; a click races a cell.

The controls, the job that runs the sweep, opening a headless sweep's results file (an upload
or a path on the server) and what a click does live here; the heat map itself is
:class:`~rlx_lab_app.views.surfaces.sweep_plot.SweepPlot`.
"""

from __future__ import annotations

import io
from functools import partial
from pathlib import Path
from typing import Any

import panel as pn
import param
from bokeh import events
from tornado.ioloop import IOLoop

from rlx_lab import optim
from rlx_lab_app.state import SweepModel
from rlx_lab_app.state.scales import format_value
from rlx_lab_app.state.surfaces.theory import sweep_overlay
from rlx_lab_app.views.jobs import JobProgress, jobs_for
from rlx_lab_app.views.runner import schedule_on
from rlx_lab_app.views.surfaces.sweep_plot import SweepPlot
from rlx_lab_app.views.widgets import IntSlider


class SweepView(pn.viewable.Viewer):
    """Controls from the :class:`SweepModel`, the heat map, and what it found."""

    sweep = param.ClassSelector(class_=SweepModel)

    def __init__(self, sweep: SweepModel, doc: Any = None, **params: Any) -> None:
        super().__init__(sweep=sweep, **params)
        self.doc = doc
        self._loop = IOLoop.current() if doc is not None else None
        self.jobs = jobs_for(doc)
        self.progress = JobProgress(sweep, self.jobs, css="sweep-progress")
        s = sweep.param
        self.controls = pn.Column(
            pn.widgets.Select.from_param(
                s.optimizer,
                label="Optimizer",
                options={optim.get(n).title: n for n in optim.names()},
                css_classes=["sweep-optimizer"],
            ),
            pn.Row(
                pn.widgets.Select.from_param(s.x_param, label="x axis", width=140),
                pn.widgets.LiteralInput.from_param(s.x_range, label="x range", width=170),
                margin=0,
            ),
            pn.Row(
                pn.widgets.Select.from_param(s.y_param, label="y axis", width=140),
                pn.widgets.LiteralInput.from_param(s.y_range, label="y range", width=170),
                margin=0,
            ),
            IntSlider.from_param(
                s.resolution,
                label="cells per side",
                throttled=True,
                css_classes=["sweep-resolution"],
            ),
            pn.widgets.RadioButtonGroup.from_param(
                s.metric,
                color="light",
                options={"final loss": "final_loss", "steps to tol": "steps_to_tol"},
            ),
            pn.widgets.FloatInput.from_param(s.tol, label="tol (loss reached)"),
            margin=0,
            width=340,
        )
        self.button = pn.widgets.Button(
            label="Run sweep", color="primary", css_classes=["run-sweep"]
        )
        self.button.on_click(self._run)
        self.note = pn.pane.Markdown(
            "Uses the race's surface, start, steps and settings; the "
            "other hyperparameters keep their current values.",
            styles={"color": "#555"},
        )
        self.info = pn.pane.Markdown("", css_classes=["sweep-info"])
        self.plot = SweepPlot()
        self.plot.figure.on_event(events.Tap, self._on_tap)
        self.upload = pn.widgets.FileInput(accept=".npz", css_classes=["sweep-upload"])
        self.upload.param.watch(self._uploaded, "value")
        self.path = pn.widgets.TextInput(placeholder="results.npz on the server", width=220)
        opener = pn.widgets.Button(label="Open", width=70, css_classes=["sweep-open"])
        opener.on_click(self._open_path)
        self.file_optimizer = pn.widgets.Select.from_param(
            s.file_optimizer, label="The file's optimizer", visible=False
        )
        self.files = pn.Card(
            pn.pane.Markdown("A results file of `python -m rlx_lab.sweep SPEC`:"),
            self.upload,
            pn.Row(self.path, opener, margin=0),
            self.file_optimizer,
            title="Open a results file",
            collapsed=True,
            width=340,
        )

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Row(
            pn.Column(
                self.controls,
                self.button,
                self.progress,
                self.note,
                self.files,
                self.info,
                width=360,
            ),
            pn.pane.Bokeh(self.plot.figure),
        )

    def _uploaded(self, event: Any) -> None:
        if event.new:
            self.sweep.open_file(io.BytesIO(event.new), self.upload.filename or "upload.npz")
            self._opened()

    def _open_path(self, _: Any = None) -> None:
        name = self.path.value.strip()
        if not name.endswith(".npz"):
            self.info.object = "Give the path of a results file (.npz) on the server."
            return
        self.sweep.open_file(Path(name).expanduser(), name)
        self._opened()

    def _opened(self) -> None:
        self.file_optimizer.visible = bool(self.sweep.opened)
        self.info.object = self.sweep.message

    @param.depends("sweep.file_optimizer", watch=True)
    def _file_info(self) -> None:
        self.info.object = self.sweep.message

    def _run(self, _: Any = None) -> None:
        sweep = self.sweep
        if sweep.busy:
            return
        self.info.object = "Sweeping… (the first sweep of an optimizer compiles it)"
        self.jobs.submit(
            sweep,
            sweep.cost(),
            lambda report: sweep.run(),
            lambda outcome: self._finish(*outcome),
            self._failed,
            phase="sweeping…",
        )

    def _failed(self, words: str) -> None:
        self.info.object = words

    def _finish(self, result: Any, message: str, seconds: float) -> None:
        self.sweep.show(result, message, seconds)
        self.info.object = (
            f"{message}  \n{self.sweep.resolution}² settings in "
            f"{seconds:.2f} s (one vmapped engine call)."
        )

    @param.depends("sweep.result", "sweep.metric", watch=True)
    def _draw(self) -> None:
        result = self.sweep.result
        if result is None:
            return
        self.plot.draw(result, self.sweep.metric, self.sweep.tol)
        # the theory is the race's surface's: a file's sweep may have run on another
        overlay = None if self.sweep.opened else sweep_overlay(self.sweep.race, result)
        self.plot.draw_theory(result, overlay)
        self._show_current()

    def _show_current(self) -> None:
        result = self.sweep.result
        if result is None:
            return
        settings = self.sweep.race.settings[result.optimizer]
        x, y = getattr(settings, result.axes[0]), getattr(settings, result.axes[1])
        self.plot.show_current(result, x, y)

    def _on_tap(self, event: events.Tap) -> None:
        if self.sweep.result is None or event.x is None or event.y is None:
            return
        i, j = self.plot.nearest(event.x, event.y)
        # a Bokeh event callback runs outside Panel's document context, where panes would
        # resolve their stylesheets to the CDN: do the work on the document's next tick
        schedule_on(self.doc, self._loop, partial(self._load, i, j))

    def _load(self, i: int, j: int) -> None:
        self.sweep.load(i, j)
        self._show_current()
        self.info.object = (
            f"Racing {self.sweep.result.axes[0]}="
            f"{format_value(float(self.sweep.result.values[0][i]))}, "
            f"{self.sweep.result.axes[1]}="
            f"{format_value(float(self.sweep.result.values[1][j]))} — see the "
            "Race tab."
        )
