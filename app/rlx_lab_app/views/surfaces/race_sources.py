"""The Bokeh data sources of a race and the callback that plays it in the browser.

Each optimizer of the registry owns a *full* source from the start, empty while it is not
racing, and a ghost one from its first ghost on (most pages never show one); a recompute
replaces only the sources whose trajectory changed. The drawn sources are shared by all
optimizers (one renderer each, a colour column), which keeps the document small; the browser
rebuilds them per frame from the full sources (``js.FRAME``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from bokeh.events import DocumentReady
from bokeh.models import ColumnDataSource, CustomJS, Selection, UnionRenderers

from rlx_lab import optim
from rlx_lab.engine import Trajectory
from rlx_lab_app.views import js
from rlx_lab_app.views.surfaces.frame_sources import drawn
from rlx_lab_app.views.surfaces.sources import Style, clip_segments, curves, full

DRAWN = ("paths", "gpaths", "heads", "crosses", "pts", "nows", "grads", "moves")
MADE_BY_BROWSER = ("pts",)
"""Drawn sources the first paint does not show, left to the browser's first draw (at its
document's ready event, before anyone can point at them): the hover points, invisible until
hovered, were half the first page's document (≈2000 points as JSON lists)."""


class RaceSources:
    """All column data sources of one session's race, plus the ``CustomJS`` that plays it."""

    def __init__(self, frame: int = 0, *, browser_draws: bool = False) -> None:
        self.names: tuple[str, ...] = optim.names()
        self.slot = {name: k for k, name in enumerate(self.names)}
        empty = full(None)
        # One selection policy and one (empty) selection for all the race's sources: nothing
        # selects in them (no selection tool), and each would otherwise bring models of its own
        self._policy, self._selection = UnionRenderers(), Selection()
        self.fulls = [self._source(dict(empty), f"full-{n}") for n in self.names]
        self.gfulls: list[ColumnDataSource | None] = [None] * len(self.names)
        """Each optimizer's ghost source, made with its first ghost (``None`` until then)."""
        self.style = self._source(_style_columns([]), "style")
        first = drawn([], frame)
        self.drawn = {key: self._source(first[key], key) for key in DRAWN}
        self.curves = self._source(curves([]), "curves")
        self.clips = self._source(clip_segments([]), "clips")
        self.cursor = self._source({"x": [frame]}, "cursor")
        self.frame_cb = CustomJS(
            args={
                "fulls": self.fulls,
                "gfulls": self.gfulls,
                "style": self.style,
                "cursor": self.cursor,
                **self.drawn,
            },
            code=js.FRAME,
        )
        self._on_data = CustomJS(args={"frame_cb": self.frame_cb}, code=js.ON_DATA)
        for data in (*self.fulls, self.style):
            data.js_on_change("data", self._on_data)
        self._sent: dict[str, tuple[Trajectory | None, float, bool]] = {}
        self._ghosts_sent: dict[str, Trajectory | None] = dict.fromkeys(self.names)
        self._columns: dict[str, dict] = {n: empty for n in self.names}
        self._ghost_columns: dict[str, dict] = {n: empty for n in self.names}
        self._style: list[Style] = []
        self._curve_styles: list[Style] = []
        self._frame = frame
        self.browser_draws = browser_draws
        """In a served session the browser draws every frame (and at load, see
        :meth:`draw_on_load`); otherwise (notebooks) the server sends the drawn data too."""

    def show(
        self,
        styles: Sequence[Style],
        results: Mapping[str, Trajectory],
        ghosts: Mapping[str, Trajectory],
        frame: int,
        offset: float,
        window: Any = None,
        *,
        arrows: bool = False,
    ) -> list[str]:
        """Send what changed; return the names whose full data were sent (all of them when
        ``arrows``, the playhead's arrows, are switched: only then are their columns sent).

        The full sources go first, then the style, then the drawn sources (at the server's
        idea of the frame, for the first picture); the browser then redraws once more at its
        own frame (``js.ON_DATA``), so every intermediate state is consistent.
        """
        changed: list[str] = []
        updates: list[tuple[ColumnDataSource, dict]] = []
        for name, k in self.slot.items():
            trajectory = results.get(name)
            if self._sent.get(name, (None, 0.0, False)) != (trajectory, offset, arrows):
                if trajectory is not None or self._sent.get(name, (None,))[0] is not None:
                    self._columns[name] = full(trajectory, offset, window, arrows=arrows)
                    updates.append((self.fulls[k], self._columns[name]))
                    changed.append(name)
                self._sent[name] = (trajectory, offset, arrows)
            ghost = ghosts.get(name)
            if ghost is not self._ghosts_sent[name]:
                self._ghost_columns[name] = full(ghost, offset, window)
                if self.gfulls[k] is not None:
                    updates.append((self.gfulls[k], self._ghost_columns[name]))
                else:  # its first ghost: a source of its own, which the frame callback reads
                    self._add_ghost_source(k, self._ghost_columns[name])
                self._ghosts_sent[name] = ghost
        # Once the browser draws, it owns the frame (the player's value, kept in the cursor by
        # js.FRAME): the server's idea of it lags during playback, and sending it would pull a
        # redraw on new data back to an old step.
        if frame != self._frame and not self.browser_draws:
            self.cursor.data = {"x": [frame]}
            self._frame = frame
        for source, columns in updates:
            source.data = columns
        if list(styles) != self._style:
            self.style.data = _style_columns(styles)
            self._style = list(styles)
        if not self.browser_draws:
            entries = [(s, self._columns[s.name], self._ghost_columns[s.name]) for s in styles]
            for key, columns in drawn(entries, frame).items():
                if key not in MADE_BY_BROWSER:
                    self.drawn[key].data = columns
        if changed or styles != self._curve_styles:
            self.curves.data = curves([(s, self._columns[s.name]) for s in styles])
            clips = clip_segments([(s, results[s.name]) for s in styles if s.name in results])
            if clips != self.clips.data:  # a repaint of the strip only when it changed
                self.clips.data = clips
            self._curve_styles = list(styles)
        return changed

    def _source(self, columns: dict, name: str) -> ColumnDataSource:
        """A race source, with the shared selection policy and selection."""
        return ColumnDataSource(
            columns, name=name, selection_policy=self._policy, selected=self._selection
        )

    def _add_ghost_source(self, k: int, columns: dict) -> None:
        ghost = self._source(columns, f"ghost-full-{self.names[k]}")
        ghost.js_on_change("data", self._on_data)
        # a new list: the callback's args hold the old one, which must stay as it was sent
        self.gfulls = [*self.gfulls[:k], ghost, *self.gfulls[k + 1 :]]
        self.frame_cb.args = {**self.frame_cb.args, "gfulls": self.gfulls}

    def forget(self, name: str) -> None:
        """Send ``name``'s full columns again at the next :meth:`show`, even if its trajectory
        is the one sent (the page drew something else over it: a scrubbed row)."""
        self._sent.pop(name, None)

    def draw_on_load(self, doc: Any) -> None:
        """Have the browser draw every frame once its document is ready.

        Until the browser reports ready the server keeps sending the drawn data too, so paths
        computed while the page loads are in the document it receives and show in its first
        paint, without waiting for the ready event and a redraw.
        """
        self.browser_draws = False

        def ready(_: Any) -> None:
            self.browser_draws = True

        doc.on_event(DocumentReady, ready)
        doc.js_on_event(
            "document_ready", CustomJS(args={"frame_cb": self.frame_cb}, code=js.ON_DATA)
        )


def _style_columns(styles: Sequence[Style]) -> dict[str, list]:
    return {
        "slot": [s.slot for s in styles],
        "name": [optim.get(s.name).title for s in styles],
        "color": [s.color for s in styles],
        "marker": [s.marker for s in styles],
        "ghost": [s.ghost for s in styles],
    }


def grid_min(z: np.ndarray) -> float:
    """Lowest finite value of a grid (``inf`` when there is none)."""
    finite = z[np.isfinite(z)]
    return float(finite.min()) if finite.size else float("inf")
