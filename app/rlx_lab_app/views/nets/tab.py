"""The "Small nets" tab: optimizers race to train an MLP on 2-D toy data.

:class:`NetsTab` owns one session's :class:`~rlx_lab_app.state.nets.model.NetsModel`, its Bokeh
sources and plots, and the live recompute (:func:`~rlx_lab_app.views.live.nets_recompute`) that
trains off the page's thread. Use it inline in a notebook (``NetsTab()``) or in a template
(``.sidebar`` / ``.main``, like the surfaces lab). It reuses the surface tab's optimizer cards,
sliders, palette, player callbacks and worker threads.
"""

from __future__ import annotations

import html
from typing import Any

import panel as pn
import param

from rlx_lab import optim
from rlx_lab.nets.landscape import fit_note
from rlx_lab_app.state import color, marker
from rlx_lab_app.state.nets import query as nets_query
from rlx_lab_app.state.nets.model import NetsModel
from rlx_lab_app.views.history import BrowserHistory
from rlx_lab_app.views.jobs import JobProgress, jobs_for
from rlx_lab_app.views.live import nets_recompute
from rlx_lab_app.views.nets.controls import NetsControls
from rlx_lab_app.views.nets.export_view import NetsExport
from rlx_lab_app.views.nets.js import POSITIONS, frame_index
from rlx_lab_app.views.nets.landscape_plot import LandscapePlot
from rlx_lab_app.views.nets.plots import BoundaryFigures, Curves
from rlx_lab_app.views.nets.scoreboard import scoreboard_table
from rlx_lab_app.views.nets.sources import NetsSources, image_columns
from rlx_lab_app.views.player import play_in_browser
from rlx_lab_app.views.runner import session_document
from rlx_lab_app.views.url import UrlSync

FAIR = (
    "**A fair race.** Every optimizer starts from the same initial weights and sees the same "
    "minibatches in the same order for the same number of steps (the run seed fixes both). "
    "Each one's step size η is listed; it is the *nets lab default* unless you moved its "
    "slider, and the η schedule under Training scales every optimizer's alike. ✕ marks a run "
    "that diverged."
)
LANDSCAPES = {"PCA of the paths": "pca", "Random (filter-normalised)": "random"}
CAPTIONS = {
    "pca": (
        "The plane through the shared start spanned by the two main directions of all the "
        "paths (uncentred PCA), the plane in which the paths move most. ○ start, ● now, "
        "✕ diverged (left out of the plane). The dots on a path are filled with the loss the "
        "run met there: where a dot stands out from the colour under it, the slice misleads."
    ),
    "random": (
        "Two random filter-normalised directions (Li et al., 2018) around the best run's end "
        "point: the classic picture of a minimum's neighbourhood. Paths barely project onto "
        "random directions among thousands of weights — use PCA to compare paths. The dots "
        "on a path are filled with the loss the run met there."
    ),
}
SPEEDS = {"2 frames/s": 500, "5 frames/s": 200, "10 frames/s": 100, "25 frames/s": 40}


class NetsTab(pn.viewable.Viewer):
    """Everything of the small-nets tab for one session."""

    model = param.ClassSelector(class_=NetsModel)

    def __init__(
        self,
        model: NetsModel | None = None,
        *,
        train_on_load: bool = True,
        standalone: bool = True,
        history: BrowserHistory | None = None,
        **params: Any,
    ) -> None:
        """``standalone``: the tab is the whole page, so the URL is its own (when served);
        ``history``: the page's address bar, if the page has other labs (else its own)."""
        super().__init__(model=model or NetsModel(), **params)
        self.doc = session_document()
        self.url: UrlSync | None = None
        if self.doc is not None:
            self.url = UrlSync(
                self.model,
                nets_query.LINK_FIELDS,
                tab="nets",
                active=True,
                standalone=standalone,
                history=history,
            )
        self.sources = NetsSources()
        if self.doc is not None:
            self.sources.draw_on_load(self.doc)
        self.boundaries = BoundaryFigures(self.sources)
        self.curves = Curves(self.sources)
        self.landscape = LandscapePlot(self.sources)
        self.jobs = jobs_for(self.doc)
        self.runner = nets_recompute(self.model, self.jobs)
        self.progress = JobProgress(self.model, self.jobs, css="nets-progress", keep_space=True)
        self.controls = NetsControls(self.model, on_train=self.runner.request, doc=self.doc)
        self._build_main()
        self._sent: dict[str, Any] = {}
        self._panes: dict[str, pn.pane.Bokeh] = {}
        self._data: Any = None
        self._ticker: Any = None
        self.model.param.watch(self._render, ["runs", "landscape_result", "colors"])
        self.model.param.watch(
            self._show_status, ["busy", "phase", "status", "stale", "auto", "hint"]
        )
        self.model.param.watch(self._show_message, ["message"])
        self._show_status()
        if train_on_load:
            self.activate()

    def activate(self) -> None:
        """Train once if nothing has been trained yet (e.g. when the tab is first shown) —
        served, only once the browser is connected (a request without one trains nothing)."""
        if self.doc is None:
            self._train_once()
        else:  # at once if the page is loaded already (Panel's onload), else when it is
            pn.state.onload(self._train_once)

    def _train_once(self) -> None:
        if not self.model.runs and not self.model.busy:
            self.runner.request()

    # --- the main area -------------------------------------------------------------------------

    def _build_main(self) -> None:
        self.status = pn.pane.HTML(
            "",
            css_classes=["nets-status"],
            margin=(8, 10),
            styles={"color": "#444"},
            sizing_mode="stretch_width",
        )
        self.alert = pn.pane.Alert(
            "",
            alert_type="warning",
            visible=False,
            css_classes=["nets-message"],
            sizing_mode="stretch_width",
        )
        self.boxes = pn.GridBox(ncols=4, css_classes=["nets-boundaries"])
        self.player = pn.widgets.Player(
            label="frame",
            start=0,
            end=POSITIONS,
            value=POSITIONS,
            interval=SPEEDS["10 frames/s"],
            loop_policy="once",
            show_loop_controls=False,
            show_value=False,
            width=420,
            height=80,
            css_classes=["nets-player"],
            visible_buttons=["first", "previous", "reverse", "pause", "play", "next", "last"],
        )
        play_in_browser(self.player, self.sources.frame_cb)
        self.speed = pn.widgets.Select(
            label="Playback speed", options=SPEEDS, value=SPEEDS["10 frames/s"], width=130
        )
        self.speed.link(self.player, value="interval")
        self.legend = pn.pane.HTML("", margin=(0, 10))
        self.landscape_mode = pn.widgets.RadioButtonGroup.from_param(
            self.model.param.landscape, options=LANDSCAPES, color="light"
        )
        self.caption = pn.pane.HTML("", width=470, styles={"font-size": "0.8em", "color": "#555"})
        self.scoreboard = pn.pane.HTML(
            "", css_classes=["nets-scoreboard"], sizing_mode="stretch_width"
        )
        self.export = NetsExport(self.model, self.jobs)

    @property
    def sidebar(self) -> pn.viewable.Viewable:
        """Train, data, network, training and the optimizer cards."""
        return self.controls

    @property
    def main(self) -> pn.viewable.Viewable:
        """Status, decision boundaries and player, curves, landscape, scoreboard and export."""
        landscape = pn.Column(
            pn.Row(pn.pane.Markdown("**Loss landscape**", margin=(8, 10)), self.landscape_mode),
            pn.pane.Bokeh(self.landscape.figure),
            self.caption,
            margin=0,
        )
        curves = pn.Column(
            self.legend,
            pn.pane.Bokeh(self.curves.loss),
            pn.pane.Bokeh(self.curves.accuracy),
            margin=0,
        )
        return pn.Column(
            pn.Row(self.status, self.progress, margin=0),  # a retrain moves nothing on the page
            self.alert,
            pn.pane.Markdown(
                FAIR,
                styles={"font-size": "0.9em", "color": "#333"},
                margin=(0, 10),
                sizing_mode="stretch_width",
            ),
            self.boxes,
            pn.Row(self.player, self.speed, margin=0),
            pn.Row(curves, landscape, margin=0),
            self.scoreboard,
            self.export,
            sizing_mode="stretch_width",
        )

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Row(pn.Column(self.sidebar, width=360), self.main, sizing_mode="stretch_width")

    # --- rendering ------------------------------------------------------------------------------

    def _render(self, *events: Any) -> None:
        model, s = self.model, self.sources
        names = list(model.runs)
        colors = {n: color(model.colors.get(n, s.slot[n])) for n in names}
        first = next(iter(model.runs.values()), None)
        if first is None:
            return
        steps = first[0].frame_steps
        frame = frame_index(int(self.player.value), len(steps))
        if model.data is not self._data and names:
            self._data = model.data
            self.boundaries.set_data(model.data, model.boundaries[names[0]])
        s.meta.data = {"frame_steps": steps.astype(float)}
        for name in names:
            boundary = model.boundaries[name]
            if self._sent.get(name) is not boundary:
                images, shown = image_columns(boundary, frame)
                s.frames[s.slot[name]].data = {"image": images}
                s.shown[s.slot[name]].data = shown
                self._sent[name] = boundary
            self.boundaries.style(name, self._title(name), colors[name])
        for name in [n for n in self._sent if n not in names]:
            s.frames[s.slot[name]].data = {"image": []}
            del self._sent[name]
        panes = [self._pane(n) for n in names]
        if panes != self.boxes.objects:  # a new grid walks the whole document (≈0.2 s)
            self.boxes.objects = panes
        self.curves.set_data(model.runs, colors)
        markers = {n: marker(model.colors.get(n, s.slot[n])) for n in names}
        self.landscape.set_data(model.landscape_result, colors, markers, steps)
        self.legend.object = " ".join(
            f"<span style='color:{colors[n]};font-size:1.2em'>●</span> "
            f"{html.escape(optim.get(n).title)}&nbsp;&nbsp;"
            for n in names
        )
        self.scoreboard.object = scoreboard_table(self.model.summary(), colors)
        s.draw(int(self.player.value))
        plan = model.shown
        caption = CAPTIONS.get(plan.landscape, "") if plan is not None else ""
        if model.landscape_result is not None:
            caption = f"{caption} {fit_note(model.landscape_result, steps)}"
        self.caption.object = caption

    def _pane(self, name: str) -> pn.pane.Bokeh:
        if name not in self._panes:
            self._panes[name] = pn.pane.Bokeh(self.boundaries.figure(name))
        return self._panes[name]

    def _title(self, name: str) -> str:
        run = self.model.runs[name][0]
        tail = f" · ✕ step {run.diverged_at}" if run.diverged else ""
        return f"{optim.get(name).title} · {self.model.settings[name].lr_label()}{tail}"

    def _show_status(self, *events: Any) -> None:
        model = self.model
        if model.busy:
            elapsed = self.runner.elapsed() if self.doc is not None else 0.0
            text = f"◷ {html.escape(model.phase)} {elapsed:.0f} s"
            if self._ticker is None and self.doc is not None:
                self._ticker = self.doc.add_periodic_callback(self._show_status, 500)
        else:
            if self._ticker is not None:
                self.doc.remove_periodic_callback(self._ticker)
                self._ticker = None
            text = f"✓ {html.escape(model.status)}" if model.status else ""
            if model.stale and not model.auto:
                text = "Settings changed: click <b>Train</b>. " + text
            if model.hint:  # a next step, in the status line's neutral grey (not the alert)
                text = f"{html.escape(model.hint)} {text}"
        self.status.object = f"<span>{text}</span>"

    def _show_message(self, *events: Any) -> None:
        lines = [line for line in self.model.message.splitlines() if line]
        self.alert.object = "<br>".join(html.escape(line) for line in lines)
        self.alert.visible = bool(lines)
