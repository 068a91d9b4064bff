"""What the race says in words: problems, a fair-comparison scoreboard, exports and the link."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import panel as pn
import param

from rlx_lab.cost import Cost
from rlx_lab_app.state import RaceModel
from rlx_lab_app.state.jobs import JobState
from rlx_lab_app.state.plan import export_cost
from rlx_lab_app.state.scales import format_value
from rlx_lab_app.views import js
from rlx_lab_app.views.download import download
from rlx_lab_app.views.jobs import JobProgress, jobs_for
from rlx_lab_app.views.surfaces.race_gif import gif_cost, race_gif

Defer = Callable[[Callable[[], None]], None]


def now(callback: Callable[[], None]) -> None:
    """The default :data:`Defer`: no deferral."""
    callback()


class Deferred(pn.viewable.Viewer):
    """A text view that may update a moment after the plots (plots first: they are what a
    slider move is for; text can follow)."""

    model = param.ClassSelector(class_=RaceModel)

    def __init__(self, model: RaceModel, defer: Defer = now, **params: Any) -> None:
        super().__init__(model=model, **params)
        self._defer = defer
        self._pending = False

    def _request(self, *events: Any) -> None:
        if self._pending:
            return
        self._pending = True
        self._defer(self._flush)

    def _flush(self) -> None:
        self._pending = False
        self.render()

    def render(self) -> None:
        """Update the text now."""
        raise NotImplementedError


class Messages(Deferred):
    """A warning box listing what is wrong (hidden when nothing is), plus a busy note."""

    def __init__(self, model: RaceModel, defer: Defer = now, **params: Any) -> None:
        super().__init__(model, defer, **params)
        self.alert = pn.pane.Alert(
            "",
            alert_type="warning",
            visible=False,
            css_classes=["race-message"],
            sizing_mode="stretch_width",
        )
        self.status = pn.pane.HTML("", css_classes=["race-status"], styles={"color": "#555"})
        self.render()
        model.param.watch(self._request, ["message", "status", "busy"])

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(self.status, self.alert, margin=0, sizing_mode="stretch_width")

    def render(self) -> None:
        """Show the current message and status."""
        lines = [line for line in self.model.message.splitlines() if line]
        self.alert.object = "<br>".join(html.escape(line) for line in lines)
        self.alert.visible = bool(lines)
        busy = "computing… " if self.model.busy else ""
        self.status.object = f"<small>{busy}{html.escape(self.model.status)}</small>"


class Scoreboard(Deferred):
    """Every optimizer from the same start with the same budget: η, loss reached, clips."""

    def __init__(self, model: RaceModel, defer: Defer = now, **params: Any) -> None:
        super().__init__(model, defer, **params)
        self.pane = pn.pane.HTML("", css_classes=["scoreboard"], sizing_mode="stretch_width")
        self.render()
        model.param.watch(self._request, ["results", "colors"])

    def __panel__(self) -> pn.viewable.Viewable:
        return self.pane

    def render(self) -> None:
        """The table for the current results."""
        rows = self.model.summary()
        if not rows:
            self.pane.object = "<i>No optimizer selected.</i>"
            return
        x, y = self.model.start_point()
        settings = self.model.run_settings()
        head = (
            f"Same start ({x:.3g}, {y:.3g}), same {settings.steps} steps, view "
            f"{settings.view}, noise σ={settings.noise:g}; each optimizer's η as listed "
            "(lab defaults unless you moved it)."
        )
        if not settings.schedule.is_constant:
            head += f" {settings.schedule.describe()}, alike for all."
        draws = self.model.draws()
        if draws > 1:
            head += (
                f" Each optimizer ran {draws} times with its own noise draws: losses are "
                "medians, with the range of the final loss."
            )
        body = "".join(
            f"<tr><td><span style='color:{r['color']}'>●</span> {html.escape(r['optimizer'])}"
            f"</td><td>{html.escape(r['lr'])}</td><td>{_final(r)}</td>"
            f"<td>{format_value(r['best_loss'])}</td><td>{_diverged(r)}</td>"
            f"<td>{r['clip_pct']:.0f}%</td><td>{r['global_clip_pct']:.0f}%</td></tr>"
            for r in rows
        )
        self.pane.object = (
            f"<div style='font-size:0.85em;color:#444'>{html.escape(head)}</div>"
            "<table style='font-size:0.85em;border-collapse:collapse' cellpadding='3'>"
            "<tr><th align='left'>optimizer</th><th>η</th><th>final loss</th><th>best loss</th>"
            "<th>diverged</th><th>own clip</th><th>global clip</th></tr>"
            f"{body}</table>"
        )


def _final(row: dict[str, Any]) -> str:
    """The final loss, with the range over the noise draws when there are several."""
    text = format_value(row["final_loss"])
    if row["final_range"] is not None:
        low, high = row["final_range"]
        text += f" <small>({format_value(low)} – {format_value(high)})</small>"
    return text


def _diverged(row: dict[str, Any]) -> str:
    """Where the run diverged, or how many of the noise draws did."""
    if row["draws"] > 1:
        return f"✕ {row['diverged_runs']} of {row['draws']}" if row["diverged_runs"] else "—"
    return f"✕ step {row['diverged_at']}" if row["diverged_at"] >= 0 else "—"


class Export(pn.viewable.Viewer):
    """CSV / JSON of the trajectories, a PNG of the surface plot, an animated GIF of the race,
    and a link to this view."""

    model = param.ClassSelector(class_=RaceModel)

    def __init__(self, model: RaceModel, save_tool: Any, **params: Any) -> None:
        super().__init__(model=model, **params)

        def say(words: str) -> None:
            model.message = words

        def text_cost(what: str) -> Callable[[], Cost]:
            return lambda: export_cost(what, model.results)

        self.exporting = JobState()
        self.progress = JobProgress(self.exporting, jobs_for(), css="export-progress")
        self.csv = download(
            "CSV",
            "rlx_lab_trajectories.csv",
            model.export_csv,
            failed=say,
            cost=text_cost("the CSV file"),
            slot=self.exporting,
        )
        self.json = download(
            "JSON",
            "rlx_lab_trajectories.json",
            model.export_json,
            failed=say,
            cost=text_cost("the JSON file"),
            slot=self.exporting,
        )
        self.gif = download(
            "GIF",
            "rlx_lab_race.gif",
            lambda: race_gif(model),
            cost=gif_cost,
            failed=say,
            slot=self.exporting,
            css_classes=["export-gif"],
            description="The race animated, for slides (about 60 frames, a few seconds to make)",
        )
        model.param.watch(self._enable, ["results"])
        self._enable()
        self.png = pn.widgets.Button(label="PNG", color="light", width=90)
        self.png.js_on_click(args={"tool": save_tool}, code=js.SAVE_PNG)
        self.link = pn.widgets.TextInput(
            label="Link to this view",
            value="",
            disabled=False,
            css_classes=["share-link"],
            sizing_mode="stretch_width",
        )

    def _enable(self, *events: Any) -> None:
        self.gif.disabled = not self.model.results

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            pn.Row(
                pn.pane.Markdown("**Export**", margin=(12, 10)),
                self.csv,
                self.json,
                self.png,
                self.gif,
                margin=0,
            ),
            self.progress,
            self.link,
            sizing_mode="stretch_width",
            margin=0,
        )
