"""A lab's state in the page URL: read when a session starts, written on every change, and
restored whole on Back and Forward.

One page may hold two labs (the surfaces tab and the small-nets tab) and one address bar (a
:class:`~rlx_lab_app.views.history.BrowserHistory`, which decides between a new history entry
and replacing the current one): each :class:`UrlSync` names its ``tab`` and applies the
session's query only when the query names that tab (``tab=nets``; no ``tab`` means the
surfaces) or its lab is the whole page (``standalone``). It writes only while ``active``: the
app activates the visible tab's sync, which writes its state at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import parse_qs, urlencode

import panel as pn

from rlx_lab_app.state.query_fields import parse_value
from rlx_lab_app.state.surfaces.query import LINK_FIELDS
from rlx_lab_app.views.history import BrowserHistory

DEFAULT_TAB = "surfaces"


def session_query() -> dict[str, str]:
    """The query parameters this session was opened with (empty outside a server)."""
    args = pn.state.session_args or {}
    return {
        k: (v[-1].decode("utf-8", "replace") if isinstance(v[-1], bytes) else str(v[-1]))
        for k, v in args.items()
        if v
    }


def query_tab(search: str | None = None) -> str:
    """The tab ``search`` (``?…``; by default the session's URL) asks for."""
    query = session_query() if search is None else search_query(search)
    return query.get("tab", DEFAULT_TAB)


def search_query(search: str) -> dict[str, str]:
    """``?a=1&b=2`` as ``{"a": "1", "b": "2"}`` (the last of repeated keys)."""
    return {k: v[-1] for k, v in parse_qs(search.lstrip("?"), keep_blank_values=True).items()}


def query_lecture() -> bool:
    """Whether the session's URL asks for lecture mode (``lecture=1``)."""
    return parse_value(session_query().get("lecture", "0"), "bool") is True


class UrlSync:
    """Restores a model from the URL, then mirrors every change into it while active.

    ``model`` has ``to_query()``, ``from_query(params)``, ``restore(params)`` and optimizer
    ``settings``; ``watched`` are its parameters that the link records. ``active`` defaults to
    whether the query is this tab's. ``history`` is the page's address bar (without one, only
    ``on_link`` hears).
    """

    def __init__(
        self,
        model: Any,
        watched: Sequence[str] = LINK_FIELDS,
        *,
        tab: str = DEFAULT_TAB,
        active: bool | None = None,
        standalone: bool = False,
        on_link: Callable[[str], None] | None = None,
        history: BrowserHistory | None = None,
    ) -> None:
        self.model = model
        self.on_link = on_link
        self.tab, self.standalone = tab, standalone
        reads = standalone or query_tab() == tab
        self.active = reads if active is None else active
        query = session_query()
        if query and reads:
            model.from_query(query)
        self.history = history
        if history is not None:
            self.history.listen(self.restore)
        model.param.watch(self.write, list(watched))
        for settings in model.settings.values():
            settings.param.watch(self.write, [p for p in settings.param if p != "name"])
        self.write()

    def search(self) -> str:
        """``?…`` for the current state."""
        return "?" + urlencode(self.model.to_query())

    def activate(self, active: bool) -> None:
        """Own the address bar (writing the state now) or leave it to another lab."""
        self.active = active
        self.write()

    def write(self, *events: Any) -> None:
        """Put the current state into the address bar (while active) and the share box."""
        search = self.search()
        if self.active and self.history is not None:
            self.history.write(search)
        if self.on_link is not None:
            self.on_link(search)

    def restore(self, search: str) -> None:
        """Back or Forward arrived at ``search``: if it is this tab's, the whole state is what
        it says (the fields it omits at their defaults)."""
        if self.standalone or query_tab(search) == self.tab:
            self.model.restore(search_query(search))
