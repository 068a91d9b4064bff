"""Scrubbing a hyperparameter slider: the page swaps the drawn path from a table while the
slider is dragged, with no server round trip; the release computes the exact value as before.

* A press on (or the focus entering) a slider that :meth:`ScrubLink.attach` registered asks
  for its table (``js.SCRUB_GRAB`` assigns the ``scrub-ask`` source, which syncs back here);
  :class:`~rlx_lab_app.state.surfaces.scrub.ScrubModel` computes it through the job layer.
* The table reaches the page once, in the ``scrub`` source: every row's full columns
  (:func:`~rlx_lab_app.views.surfaces.sources.full`, drawn as the race is drawn now: the same
  loss offset, window and arrows), row-major by (position, start).
* The slider's ``value`` callback (``js.SCRUB``, not ``value_throttled``) shows the row nearest
  the value: the path, its head and hover points at the frame, its loss and step-size curves
  and markers in the linked plots. The scoreboard and the clip strip follow on release only.
* The release (``value_throttled``) disarms the slider until it is pressed, focused or keyed
  again (``js.SCRUB_GRAB``), so the value the server sets back (the release's, rounded) swaps
  nothing over the exact run. When the exact value's path is the one already sent (released
  at a position that rounds to the same value, or dragged back to where it was last released,
  which sends no release at all), it is sent again, replacing the scrubbed row.

A table that no longer matches the race (another setting, surface, start or step count) is
dropped, so a later drag works as without one until the next grab.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource, CustomJS

from rlx_lab.optim import HParam
from rlx_lab_app.state import RaceModel
from rlx_lab_app.state.surfaces.scrub import ScrubModel, ScrubTable
from rlx_lab_app.views import js
from rlx_lab_app.views.runner import in_document
from rlx_lab_app.views.surfaces.race_sources import RaceSources
from rlx_lab_app.views.surfaces.sources import Columns, full

View = tuple[float, Any, bool]
"""How the race is drawn now: (loss offset, window, arrows)."""
META = ("position", "css", "slot", "starts")
"""The table's own columns, beside the full columns of each row."""


def table_columns(table: ScrubTable, css: str, slot: int, view: View) -> Columns:
    """The ``scrub`` source's data: the full columns of every row and start, row-major."""
    offset, window, arrows = view
    rows = [full(t, offset, window, arrows=arrows) for t in table.trajectories]
    starts = len(rows[0]["last"])
    out: Columns = {}
    for key, first in rows[0].items():
        if isinstance(first, np.ndarray):
            out[key] = np.concatenate([r[key] for r in rows])
        else:
            out[key] = [a for r in rows for a in r[key]]
    out["position"] = np.repeat(table.positions.astype(np.float64), starts)
    out["css"] = [css] * (len(rows) * starts)
    out["slot"] = np.full(len(rows) * starts, slot, np.int32)
    out["starts"] = np.full(len(rows) * starts, starts, np.int32)
    return out


def empty_columns() -> Columns:
    """The ``scrub`` source without a table."""
    return {key: [] for key in (*full(None), *META)}


class ScrubLink:
    """One session's scrubbing: the table and ask sources, the sliders registered, and what
    to resend on release."""

    def __init__(
        self,
        model: RaceModel,
        scrub: ScrubModel,
        sources: RaceSources,
        view: Callable[[], View],
        resend: Callable[[str], None],
        doc: Any = None,
    ) -> None:
        self.model, self.scrub, self.sources = model, scrub, sources
        self._view, self._resend, self._doc = view, resend, doc
        self.table = ColumnDataSource(empty_columns(), name="scrub")
        self.ask = ColumnDataSource({"css": [], "n": []}, name="scrub-ask")
        self._sliders: dict[str, tuple[str, str]] = {}
        self._sent: tuple[Any, ...] | None = None
        """(table key, css, view) of the table on the page (None: none)."""
        self._css: dict[tuple[str, str], str] = {}
        self.note = pn.pane.Markdown(
            "", visible=False, css_classes=["scrub-note"], margin=(0, 10), max_width=340
        )
        """Says so when a grabbed slider has no table (place it near the sliders)."""
        scrub.param.watch(self._notice, "error")
        if doc is not None:
            self.ask.on_change("data", self._asked)
            grab = CustomJS(args={"ask": self.ask, "table": self.table}, code=js.SCRUB_GRAB)
            doc.js_on_event("document_ready", grab)
            # also on the race's style (always in the document): that puts the two sources in
            # the document — models only a document-level callback holds are not, and would
            # not sync — and installs the listener if the page was ready before (idempotent)
            sources.style.js_on_change("data", grab)
        scrub.param.watch(lambda _: self.refresh(), "table")

    def attach(self, optimizer: str, slider: Any, hp: HParam) -> None:
        """Scrub ``slider`` (``optimizer``'s ``hp``): its value callback, release and CSS."""
        css = next(c for c in slider.css_classes if c.startswith("hp-"))
        self._sliders[css] = (optimizer, hp.name)
        self._css[(optimizer, hp.name)] = css
        slider.css_classes = [*slider.css_classes, "scrub"]
        args = {
            "table": self.table,
            "fulls": self.sources.fulls,
            "curves": self.sources.curves,
            "style": self.sources.style,
            "frame_cb": self.sources.frame_cb,
            "css": css,
        }
        slider.jscallback(args=args, value=js.SCRUB)
        slider.param.watch(lambda _: self._released(optimizer), "value_throttled")

        def moved(event: Any) -> None:
            # a drag back to where the slider was last released sends no release at all
            if event.new == slider.value_throttled:
                self._released(optimizer)

        slider.param.watch(moved, "value")

    def grab(self, css: str) -> None:
        """The slider with class ``css`` was grabbed or focused: have its table, and its
        columns as the race is drawn now (made off the page's thread)."""
        if css not in self._sliders:
            return
        optimizer, field = self._sliders[css]
        slot, view = self.sources.slot[optimizer], self._view()

        def prepare(table: ScrubTable) -> tuple[tuple[Any, ...], Columns]:
            return (table.key, css, view), table_columns(table, css, slot, view)

        self.scrub.grab(optimizer, field, prepare)

    def refresh(self) -> None:
        """Send the table when it is new or the race is drawn differently now; drop it when
        the race no longer matches it (called after every redraw of the race)."""
        table = self.scrub.table
        if table is not None and not self.scrub.current():
            self.scrub.drop()  # comes back here through the watcher
            return
        if table is None:
            if self._sent is not None:
                self.table.data = empty_columns()
                self._sent = None
            return
        css = self._css[(table.optimizer, table.field)]
        view = self._view()
        sent = (table.key, css, view)
        if sent != self._sent:
            prepared = self.scrub.prepared
            if prepared is not None and prepared[0] == sent:
                columns = prepared[1]
            else:  # drawn differently since the grab (a new loss offset, arrows)
                columns = table_columns(table, css, self.sources.slot[table.optimizer], view)
            self.table.data = columns
            self._sent = sent

    def _notice(self, _: Any) -> None:
        words = self.scrub.notice
        self.note.object = f"⚠ {words} — the path follows the slider on release." if words else ""
        self.note.visible = bool(words)

    def _asked(self, attr: str, old: Any, new: Any) -> None:
        del attr, old
        css = list(new.get("css", []))
        if css:
            in_document(self._doc, lambda: self.grab(str(css[0])))()

    def _released(self, optimizer: str) -> None:
        """After the release has set the value: if that changed nothing (the path is the one
        sent already), send it again over the scrubbed row."""
        table, shown = self.scrub.table, self.model.results.get(optimizer)
        if table is None or table.optimizer != optimizer or shown is None:
            return
        if shown.hparams == self.model.settings[optimizer].overrides():
            self._resend(optimizer)
