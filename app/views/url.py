"""The race's state in the page URL: read once when a session starts, written on every change."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import panel as pn

from ..state import INPUTS, RaceModel

WATCHED = (*INPUTS, "log_color", "ghosts_on", "speed")


def session_query() -> dict[str, str]:
    """The query parameters this session was opened with (empty outside a server)."""
    args = pn.state.session_args or {}
    return {
        k: (v[-1].decode("utf-8", "replace") if isinstance(v[-1], bytes) else str(v[-1]))
        for k, v in args.items()
        if v
    }


class UrlSync:
    """Restores the model from the URL, then mirrors every change into it."""

    def __init__(self, model: RaceModel, on_link: Any = None) -> None:
        self.model = model
        self.on_link = on_link
        query = session_query()
        if query:
            model.from_query(query)
        self.location = pn.state.location
        model.param.watch(self.write, list(WATCHED))
        for settings in model.settings.values():
            settings.param.watch(self.write, [p for p in settings.param if p != "name"])
        self.write()

    def search(self) -> str:
        """``?…`` for the current state."""
        return "?" + urlencode(self.model.to_query())

    def write(self, *events: Any) -> None:
        """Push the current state into the address bar (and the share box)."""
        search = self.search()
        if self.location is not None and self.location.search != search:
            self.location.search = search
        if self.on_link is not None:
            self.on_link(search)
