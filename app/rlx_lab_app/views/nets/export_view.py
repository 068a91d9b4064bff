"""The small-nets tab's export row: the shown runs' curves as CSV or JSON and the decision
boundaries over training as a GIF, each made as a job (:func:`~rlx_lab_app.views.download.download`)
that reports through one shared slot.
"""

from __future__ import annotations

from typing import Any

import panel as pn
import param

from rlx_lab_app.state.jobs import JobState, SessionJobs
from rlx_lab_app.state.nets.model import NetsModel
from rlx_lab_app.state.plan import export_cost
from rlx_lab_app.views.download import download
from rlx_lab_app.views.jobs import JobProgress
from rlx_lab_app.views.nets.gif import nets_gif, nets_gif_cost


class NetsExport(pn.viewable.Viewer):
    """CSV / JSON of the shown runs and a GIF of the decision boundaries (2-D data only)."""

    model = param.ClassSelector(class_=NetsModel)

    def __init__(self, model: NetsModel, jobs: SessionJobs, **params: Any) -> None:
        super().__init__(model=model, **params)

        def say(words: str) -> None:
            model.message = words

        self.exporting = JobState()
        self.gif = download(
            "GIF",
            "rlx_lab_nets.gif",
            lambda: nets_gif(model),
            cost=lambda: nets_gif_cost(model),
            failed=say,
            slot=self.exporting,
            css_classes=["nets-export-gif"],
            disabled=True,
        )
        model.param.watch(self._enable_gif, ["boundaries"])
        self.row = pn.Row(
            pn.pane.Markdown("**Export**", margin=(12, 10)),
            *(
                download(
                    kind.upper(),
                    f"rlx_lab_nets.{kind}",
                    write,
                    failed=say,
                    slot=self.exporting,
                    cost=lambda kind=kind: export_cost(f"the {kind.upper()} file", model.runs),
                    css_classes=[f"nets-export-{kind}"],
                )
                for kind, write in (("csv", model.export_csv), ("json", model.export_json))
            ),
            self.gif,
            pn.pane.HTML(
                "<small>curves of every run shown; GIF: the decision boundaries over training; "
                "the plots save as PNG from their toolbars</small>",
                margin=(14, 10),
                styles={"color": "#555"},
            ),
            JobProgress(self.exporting, jobs, css="nets-export-progress"),
            margin=0,
        )

    def _enable_gif(self, *events: Any) -> None:
        """Boundaries exist only for 2-D datasets (and after training)."""
        self.gif.disabled = not self.model.boundaries

    def __panel__(self) -> pn.viewable.Viewable:
        return self.row
