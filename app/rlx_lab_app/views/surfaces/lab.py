"""The surfaces lab assembled: controls and cards beside the race; the sweep and the gallery
in tabs.

:class:`SurfacesLab` owns one session's state (a :class:`RaceModel` and a :class:`SweepModel`),
its Bokeh sources and views, the :class:`Runner` that recomputes off-thread, and the URL sync.
Use it inline in a notebook (``SurfacesLab()``) or in a template (``.sidebar`` / ``.main``).
"""

from __future__ import annotations

import functools
from functools import partial
from typing import Any

import panel as pn
import param

from rlx_lab import engine, optim
from rlx_lab_app.state import RaceModel, SweepModel, color, marker
from rlx_lab_app.state.surfaces.gallery import GalleryModel
from rlx_lab_app.state.surfaces.scrub import ScrubModel
from rlx_lab_app.state.surfaces.search import SearchModel
from rlx_lab_app.state.surfaces.surface_source import surface_grid
from rlx_lab_app.state.surfaces.theory import TheoryModel
from rlx_lab_app.state.surfaces.tuning import TuningModel
from rlx_lab_app.views.history import BrowserHistory
from rlx_lab_app.views.jobs import JobProgress, jobs_for
from rlx_lab_app.views.live import race_recompute
from rlx_lab_app.views.optimizer_cards import OptimizerCards
from rlx_lab_app.views.player import FramePlayer
from rlx_lab_app.views.runner import in_document, session_document
from rlx_lab_app.views.surfaces.controls import Controls
from rlx_lab_app.views.surfaces.gallery_view import GalleryView
from rlx_lab_app.views.surfaces.linked_plots import LinkedPlots
from rlx_lab_app.views.surfaces.race_sources import RaceSources, grid_min
from rlx_lab_app.views.surfaces.report_view import Export, Messages, Scoreboard, now
from rlx_lab_app.views.surfaces.scrub_link import ScrubLink
from rlx_lab_app.views.surfaces.sources import Style, loss_offset, offset_label
from rlx_lab_app.views.surfaces.surface_plot import SurfacePlot
from rlx_lab_app.views.surfaces.sweep_view import SweepView
from rlx_lab_app.views.surfaces.theory_view import TheoryCard
from rlx_lab_app.views.tuning_view import TuneButton
from rlx_lab_app.views.url import UrlSync, session_query
from rlx_lab_app.views.widgets import sophia_controls

TEXT_DELAY_MS = 60
"""The scoreboard and messages follow the plots by this much (the plots update first)."""


def _after(doc: Any, callback: Any) -> None:
    """Run ``callback`` on ``doc`` :data:`TEXT_DELAY_MS` from now, as Panel code."""
    doc.add_timeout_callback(in_document(doc, callback), TEXT_DELAY_MS)


class SurfacesLab(pn.viewable.Viewer):
    """Everything of the surfaces tab for one session."""

    model = param.ClassSelector(class_=RaceModel)

    def __init__(
        self,
        model: RaceModel | None = None,
        *,
        sync_url: bool | None = None,
        history: BrowserHistory | None = None,
        **params: Any,
    ) -> None:
        """``history``: the page's address bar, if the page has other labs (else its own)."""
        super().__init__(model=model or RaceModel(), **params)
        model = self.model
        doc = session_document()
        self.sweep = SweepModel(model)
        self.sources = RaceSources(frame=model.frame)
        if doc is not None:
            self.sources.draw_on_load(doc)
        self.surface_plot = SurfacePlot(model, self.sources)
        self.linked = LinkedPlots(model, self.sources)
        self.player = FramePlayer(model, self.sources)
        self.controls = Controls(model)
        self.scrub = ScrubModel(model, jobs_for(doc))
        self.scrub_link = ScrubLink(
            model, self.scrub, self.sources, self._drawn_view, self._resend, doc
        )
        self.cards = OptimizerCards(
            model,
            extras={"sophia": partial(sophia_controls, model)},
            on_slider=self.scrub_link.attach if doc is not None else None,
        )
        defer = partial(_after, doc) if doc is not None else now
        self.messages = Messages(model, defer)
        self.scoreboard = Scoreboard(model, defer)
        self.export = Export(model, self.surface_plot.save_tool)
        self.export_row = pn.Column(self.export, visible=not model.lecture, margin=0)
        model.param.watch(self._lecture, "lecture")
        self.tuning = TuningModel(model)
        self.tune_button = TuneButton(self.tuning, doc=doc)
        self.search = SearchModel(model)
        self.search_button = TuneButton(
            self.search,
            doc=doc,
            label="Tune every hyperparameter",
            description="Search η, the β's, ε and the other tunable fields at once: "
            f"{engine.SEARCH_SAMPLES} random settings per optimizer (seed 0) beside its "
            "settings as given and its η scan, from this start with this budget",
            busy_text=f"Searching… ({1 + len(engine.TUNE_LRS) + engine.SEARCH_SAMPLES} runs "
            "per optimizer in one call)",
            css="tune-all",
            note_css="tune-all-note",
        )
        self.theory = TheoryModel(model)
        self.theory_card = TheoryCard(self.theory)
        self.gallery = GalleryModel(model)
        self._doc = doc
        if sync_url if sync_url is not None else doc is not None:
            self.url = UrlSync(model, on_link=self._show_link, history=history)
        self.jobs = jobs_for(doc)
        self.runner = race_recompute(model, self.jobs)
        self.progress = JobProgress(model, self.jobs, css="race-progress")
        model.param.watch(self._render, ["results", "ghosts", "ghosts_on", "arrows", "colors"])
        if doc is None:
            self._start()
        elif not session_query() or model.plan().known():
            # The default page's race (one fixed job per server, computed at its start-up and
            # shared through the trajectory cache) and a link whose paths are all computed (or
            # on their way from the start-up) start at once, while the browser loads the page:
            # its first paint has the paths, with no round trip. Neither computes anything.
            doc.add_next_tick_callback(in_document(doc, self._start))
        else:  # other links wait for the browser: a request without one computes nothing
            pn.state.onload(self._start)

    def _start(self) -> None:
        self._render()
        self.runner.request()

    def _lecture(self, event: param.parameterized.Event) -> None:
        self.export_row.visible = not event.new  # the surface plot resizes itself

    def _show_link(self, search: str) -> None:
        location = pn.state.location
        base = ""
        if location is not None and location.href:
            base = location.href.split("?")[0]
        self.export.link.value = f"{base}{search}"

    def _drawn_view(self) -> tuple[float, Any, bool]:
        """How the race is drawn now: (loss offset, window, arrows)."""
        model = self.model
        surface = model.shown_surface or model.current_surface
        z = surface_grid(surface, dict(model.shown_params))[2]
        offset = loss_offset(list(model.results.values()), surface.min_value, grid_min(z))
        return offset, surface.window, bool(model.arrows)

    def _resend(self, name: str) -> None:
        """Send ``name``'s path again (the page drew a scrubbed row over it)."""
        self.sources.forget(name)
        self._render()

    def _render(self, *events: Any) -> None:
        model = self.model
        surface = model.shown_surface or model.current_surface
        offset = self._drawn_view()[0]
        ghosts = model.ghosts if model.ghosts_on else {}
        styles = [
            Style(
                self.sources.slot[name],
                name,
                optim.get(name).title,
                color(model.colors.get(name, 0)),
                marker(model.colors.get(name, 0)),
                ghost=name in ghosts,
            )
            for name in model.optimizers
            if name in model.results
        ]
        self.sources.show(
            styles,
            model.results,
            ghosts,
            int(model.frame),
            offset,
            surface.window,
            arrows=model.arrows,
        )
        # the legend names the optimizers; η and the loss reached are in the scoreboard, so
        # a slider move does not re-lay-out the plot
        self.surface_plot.refresh(styles)
        self.linked.refresh([s.title for s in styles], offset_label(surface.min_value, offset))
        self.scrub_link.refresh()

    @functools.cached_property
    def sweep_view(self) -> SweepView:
        """The sweep's view, built when its tab is first opened (its figures are a fifth of
        the page's build)."""
        return SweepView(self.sweep, doc=self._doc)

    @property
    def sidebar(self) -> pn.viewable.Viewable:
        """Controls and optimizer cards."""
        return pn.Column(
            self.controls,
            pn.pane.Markdown("### Optimizers", margin=(10, 10, 0, 10)),
            self.tune_button,
            self.search_button,
            self.scrub_link.note,
            self.cards,
            sizing_mode="stretch_width",
        )

    @property
    def main(self) -> pn.viewable.Viewable:
        """The race (surface, linked plots, player, scoreboard, theory, export) and the sweep."""
        race = pn.Column(
            pn.Row(self.surface_plot, self.linked, margin=0),
            self.player,
            self.progress,
            self.messages,
            self.scoreboard,
            self.theory_card,
            self.export_row,
            sizing_mode="stretch_width",
        )
        # The sweep and gallery tabs are filled when first opened: a lighter first page.
        # (Panel's dynamic tabs would also drop and rebuild the race each time it is left.)
        sweep = pn.Column(pn.pane.Markdown("Loading the sweep…"), sizing_mode="stretch_width")
        gallery = pn.Column(pn.pane.Markdown("Loading the gallery…"), sizing_mode="stretch_width")
        tabs = pn.Tabs(
            ("Race", race), ("Sweep", sweep), ("Gallery", gallery), sizing_mode="stretch_width"
        )

        def to_race() -> None:
            tabs.active = 0

        def open_tab(event: param.parameterized.Event) -> None:
            if event.new == 1:
                self.sweep.follow_race()
                if not isinstance(sweep[0], SweepView):
                    sweep.objects = [self.sweep_view]
            elif event.new == 2 and not isinstance(gallery[0], GalleryView):
                gallery.objects = [GalleryView(self.gallery, doc=self._doc, on_race=to_race)]

        tabs.param.watch(open_tab, "active")
        return tabs

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Row(pn.Column(self.sidebar, width=360), self.main, sizing_mode="stretch_width")
