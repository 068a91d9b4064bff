"""One queue per browser connection: every change to a page reaches its browser in the order
it was made, whoever made it.

Why: a message to the browser defines each model it is first to mention and names the others
by reference, so messages must arrive in the order they were made. Bokeh makes a message when a
plain Bokeh model changes (our sources, figures, JS callbacks) and sends it when the callback
that changed it ends; Panel writes the changes of its own objects at once
(``panel.io.document.write_events``) or, while the socket is busy, from a task of its own that
polls the socket (``schedule_write_events``), also from code running outside Bokeh's callbacks.
Three writers, three orders: a message that refers to a model could leave before the one
defining it (the browser stops with "reference pNNN isn't known" and drops that update: CI saw
it on the theory card, ``tests/test_ordered_sends.py`` makes it certain), and an older Panel
message could leave after a newer one and put back what it said ("reading the points…" after
the points were read). Panel's task also writes a message's frames without the socket's lock,
so another message's frames could land between them.

Here all three hand their message, made at once (so it says what the document is at that
moment, as before), to the connection's :class:`Outbox`, which writes one message after another
under the socket's lock. Bokeh still awaits its messages before it releases the document (the
outbox tells it when each is written); no callback runs later or in another order. A message
is made by :func:`~rlx_lab_app.views.patch_message.patch_message` (Bokeh's, without its pass
over every model of the page).
The private parts used are pinned in ``tests/test_private_hooks.py``.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Any

from bokeh.server.connection import ServerConnection
from panel.io import document as panel_document

from rlx_lab_app.views.patch_message import patch_message

LOG = logging.getLogger(__name__)
OUTBOX = "rlx_lab_outbox"
"""The attribute of a ``ServerConnection`` that holds its :class:`Outbox`."""
PANEL_WRITERS = ("write_events", "schedule_write_events")
"""The functions Panel's ``unlocked`` hands its events to (module globals, looked up per call)."""


class Outbox:
    """One connection's messages, written one at a time in the order they were put."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.waiting: deque[tuple[Any, asyncio.Future[None]]] = deque()
        self.writer: asyncio.Task[None] | None = None

    def put(self, message: Any) -> asyncio.Future[None]:
        """Queue ``message``; the future is done once it is written (or could not be)."""
        written = asyncio.get_running_loop().create_future()
        self.waiting.append((message, written))
        if self.writer is None or self.writer.done():
            self.writer = asyncio.ensure_future(self.write_all())
        return written

    async def write_all(self) -> None:
        """Write the queued messages, oldest first, each under the socket's lock."""
        while self.waiting:
            message, written = self.waiting.popleft()
            try:
                await self.socket.send_message(message)  # logs a closed socket itself
            except Exception:
                LOG.warning("could not send an update to a browser", exc_info=True)
            finally:
                if not written.done():
                    written.set_result(None)


def outbox(connection: Any) -> Outbox:
    """``connection``'s outbox (made on first use)."""
    box = getattr(connection, OUTBOX, None)
    if box is None:
        box = Outbox(connection._socket)
        setattr(connection, OUTBOX, box)
    return box


def send_patch_document(connection: Any, event: Any) -> asyncio.Future[None]:
    """Bokeh's ``ServerConnection.send_patch_document``, through the outbox."""
    return outbox(connection).put(patch_message([event]))


def write_events(doc: Any, connections: list[Any], events: list[Any]) -> None:
    """Panel's two writers: one message of ``events`` per connection, through its outbox."""
    for connection in connections:
        outbox(connection).put(patch_message(events))


def install() -> None:
    """Send every page change through its connection's outbox (idempotent)."""
    ServerConnection.send_patch_document = send_patch_document  # type: ignore[assignment]
    for name in PANEL_WRITERS:
        setattr(panel_document, name, write_events)
