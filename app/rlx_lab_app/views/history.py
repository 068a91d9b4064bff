"""The page's address bar and its Back and Forward buttons, one per page.

Panel's ``pn.state.location`` pushes a history entry for every change, so a slider dragged
through thirty values needed thirty presses of Back. Here the server only says what the address
should be (:attr:`HistoryModel.search`) and the browser (:data:`js.HISTORY_WRITE`) decides:
when one of :data:`PUSH_KEYS` differs from the address — another surface, data set, set or
order of optimizers, or tab — it pushes an entry; any other change (a slider, a switch, the
start point) replaces the current one. Back and Forward send the address they arrive at
(:data:`js.HISTORY_READY` listens for ``popstate``) to :meth:`BrowserHistory.popped`, which
hands it to every listener — each lab restores its whole state from it, the app shows its tab —
while holding the labs' writes back, then writes the result once (a replace: the keys agree).

The page places :attr:`BrowserHistory.pane` (an invisible ``Div``): a Bokeh model reaches the
browser only from a root that the page's template shows, so the model rides in its ``tags``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import panel as pn
from bokeh.core.properties import Int, List, String
from bokeh.model import DataModel
from bokeh.models import CustomJS, Div

from rlx_lab_app.views import js
from rlx_lab_app.views.runner import in_document

NAME = "rlx-history"
"""The name of the :class:`HistoryModel` (the browser code finds it by it)."""
PUSH_KEYS = ("tab", "surface", "opt", "data")
"""Query keys whose change is a step of its own in the history (a push); others replace."""


class HistoryModel(DataModel):
    """What the server and the browser tell each other about the address (no view)."""

    search = String(default="", help="The address's query (``?…``) the server wants")
    push_keys = List(String, default=list(PUSH_KEYS), help="Keys whose change pushes")
    popped = String(default="", help="The query Back or Forward arrived at")
    pops = Int(default=0, help="Counts Back and Forward presses (a change even if the same)")


class BrowserHistory:
    """The page's history: labs :meth:`write` their state, and hear Back and Forward."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self.model = HistoryModel(name=NAME)
        self.model.js_on_change("search", CustomJS(code=js.HISTORY_WRITE))
        self.pane = pn.pane.Bokeh(Div(visible=False, tags=[self.model]), margin=0)
        """Place it anywhere in the page (it shows nothing)."""
        doc.js_on_event("document_ready", CustomJS(code=js.HISTORY_READY))
        self.model.on_change("pops", lambda attr, old, new: in_document(doc, self.popped)())
        self._listeners: list[Callable[[str], None]] = []
        self._held: str | None = None

    def listen(self, listener: Callable[[str], None]) -> None:
        """Call ``listener(search)`` on Back and Forward (in the order listeners were added)."""
        self._listeners.append(listener)

    def write(self, search: str) -> None:
        """Have the address say ``search`` (held back while a Back or Forward is applied)."""
        if self._held is not None:
            self._held = search
        elif self.model.search != search:
            # a Bokeh model changed from Panel's code: on the loop, with the document's lock
            pn.state.execute(partial(self._send, search))

    def _send(self, search: str) -> None:
        with pn.io.unlocked():
            self.model.search = search

    def popped(self) -> None:
        """Apply the address Back or Forward arrived at, then write the page's state once."""
        search = self.model.popped
        self._send(search)  # what the address says now: a write of it is no change
        self._held = search
        try:
            # by index: a listener may add one (the small-nets tab, built when first shown)
            i = 0
            while i < len(self._listeners):
                self._listeners[i](search)
                i += 1
        finally:
            held, self._held = self._held, None
            self.write(held)
