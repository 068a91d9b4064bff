"""Closing a served page that nobody has used for a while (:mod:`rlx_lab_app.state.idle`).

``panel serve``'s ``--unused-session-lifetime`` only lets go of sessions with no browser
connected; a page left open in a tab keeps its session, its memory and its place under the
admission limit for as long as the tab stays open. Here every page gets an
:class:`~rlx_lab_app.state.idle.IdleClock`, touched by every change of its document; once it
has been idle for its limit the page says so, its websocket is closed and Bokeh is asked to
discard the session at its next check, which runs the page's ``on_session_destroyed``
clean-up (its jobs cancelled, its count released). The browser does not come back to it:
its reconnection is refused, the session's token having expired (Bokeh's
``--session-token-expiration``, 5 minutes, well under the idle limit); reloading the page
opens a new one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from rlx_lab_app.state.idle import IdleClock
from rlx_lab_app.views.runner import in_document, session_document

LOG = logging.getLogger(__name__)
GOODBYE_MS = 500
"""The time between showing the page's last words and closing its connection."""

CLOSED = (
    "## This page was closed\n\n"
    "Nobody had used it for {minutes:g} minutes, so the server let it go to make room for "
    "others. **Reload the page** to continue: its link keeps your settings."
)


def closed_words(limit_s: float) -> str:
    """What a page closed for idleness says."""
    return CLOSED.format(minutes=round(limit_s / 60, 1))


def close_when_idle(
    limit_s: float, say_goodbye: Callable[[], None], doc: Any = None
) -> IdleClock | None:
    """Close the served page of ``doc`` (default: the current session's) once it has been
    idle ``limit_s`` seconds, after ``say_goodbye()`` changed it to say why. None without a
    served session or without a limit."""
    doc = doc if doc is not None else session_document()
    if doc is None or limit_s <= 0:
        return None
    clock = IdleClock(limit_s)
    doc.on_change(lambda event: clock.touch())
    ticker: list[Any] = []

    def check() -> None:
        if not clock.expired():
            return
        doc.remove_periodic_callback(ticker.pop())
        LOG.info("closing a page idle for %.0f s", clock.idle_s())
        say_goodbye()
        doc.add_timeout_callback(lambda: close_session(doc), GOODBYE_MS)

    ticker.append(doc.add_periodic_callback(in_document(doc, check), clock.check_every_s() * 1000))
    return clock


def close_session(doc: Any) -> None:
    """Close the websockets of ``doc``'s session and have Bokeh discard it at its next check.

    Reads the session's connections the way Panel itself does (``ServerSession.
    _subscribed_connections`` and ``ServerConnection._socket``, pinned in
    ``tests/test_private_hooks.py``); ``request_expiration`` is Bokeh's own."""
    session = getattr(doc.session_context, "session", None)
    if session is None:
        return
    session.request_expiration()
    for connection in list(session._subscribed_connections):
        connection._socket.close()
