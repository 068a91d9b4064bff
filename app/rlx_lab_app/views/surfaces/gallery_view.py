"""The Gallery tab: every optimizer at its own tuned η on the race's surface, best first.

Building it (:meth:`rlx_lab_app.state.surfaces.gallery.GalleryModel.run`) runs off the page's
thread; the picture (:func:`gallery_image.gallery_png`) and the note render the model. *Race the
best four* puts the top four into the race at their tuned η.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import panel as pn

from rlx_lab_app.state.surfaces.gallery import GalleryModel
from rlx_lab_app.views.download import download
from rlx_lab_app.views.jobs import JobProgress, jobs_for
from rlx_lab_app.views.surfaces.gallery_image import gallery_png

INTRO = (
    "**Every optimizer at its own best η**, on the race's surface, from its start, with its "
    "steps and settings. Each optimizer's η is the one of 25 (1e-4 … 1) whose run ends lowest "
    "without diverging, its other settings as you set them in the race; then they are ranked "
    "by the loss they reach. The optimizer galleries' pictures, made live and fair. The first "
    "build compiles every optimizer (a few seconds each); later ones take a moment."
)

BUSY_TEXT = "Tuning and running all 14… (25 runs per optimizer in one call each)"


class GalleryView(pn.viewable.Viewer):
    """The button, the note, the picture and its download."""

    def __init__(
        self,
        gallery: GalleryModel,
        doc: Any = None,
        on_race: Callable[[], None] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(**params)
        self.gallery = gallery
        self.doc = doc
        self.on_race = on_race
        self.jobs = jobs_for(doc)
        self.progress = JobProgress(gallery, self.jobs, css="gallery-progress")
        self.build = pn.widgets.Button(
            label="Tune and rank all 14", color="primary", css_classes=["gallery-run"]
        )
        self.race = pn.widgets.Button(
            label="Race the best four", css_classes=["gallery-race"], disabled=True
        )
        self.download = download(
            "PNG", "rlx_lab_gallery.png", self._png, disabled=True, css_classes=["gallery-download"]
        )
        self.note = pn.pane.HTML("", css_classes=["gallery-note"], styles={"color": "#444"})
        self.image = pn.pane.PNG(None, css_classes=["gallery-image"], visible=False)
        self.build.on_click(self.run)
        self.race.on_click(self._race)
        gallery.param.watch(self.render, ["gallery", "busy", "stale", "error"])
        self.render()

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            pn.pane.Markdown(INTRO, sizing_mode="stretch_width"),
            pn.Row(self.build, self.race, self.download, margin=0),
            self.progress,
            self.note,
            self.image,
            sizing_mode="stretch_width",
        )

    def run(self, _: Any = None) -> None:
        """Build the gallery now (off the page's thread when served), if the budgets allow."""
        model = self.gallery
        if model.busy:
            return
        model.error = ""
        self.jobs.submit(
            model, model.cost(), lambda report: model.run(), model.show, model.fail, phase=BUSY_TEXT
        )

    def render(self, *_: Any) -> None:
        """Show the model: busy, or the picture and its note (marked when stale)."""
        model = self.gallery
        built = model.gallery is not None
        self.build.disabled = model.busy
        self.race.disabled = self.download.disabled = model.busy or not built
        if model.busy:
            text = BUSY_TEXT
        elif model.error:
            text = model.error
        elif built:
            text = ("(before the last change of the race) " if model.stale else "") + (
                model.gallery.note
            )
        else:
            text = ""
        self.note.object = f"<small>{html.escape(text)}</small>" if text else ""
        if built and not model.busy:
            self.image.object = gallery_png(model.gallery)
            self.image.visible = True

    def _png(self) -> bytes | None:
        gallery = self.gallery.gallery
        return gallery_png(gallery) if gallery is not None else None

    def _race(self, _: Any = None) -> None:
        problems = self.gallery.race_best()
        if problems:
            self.note.object = f"<small>{html.escape(' '.join(problems))}</small>"
        elif self.on_race is not None:
            self.on_race()
