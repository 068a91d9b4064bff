"""Getting back onto a served session's thread from a worker: the session's document, Panel's
context for it, and Bokeh's next tick (which holds the document lock).

The work itself goes through the job layer (:mod:`rlx_lab_app.state.jobs`,
:mod:`rlx_lab_app.views.jobs`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import panel as pn
from panel.io.state import set_curdoc
from tornado.ioloop import IOLoop

LOG = logging.getLogger(__name__)


def served(module_name: str) -> bool:
    """Whether the script named ``module_name`` (its ``__name__``) runs under ``panel serve``:
    what ``pn.state.served`` tells, without its ``inspect.stack()`` (which reads the source of
    every frame: ≈0.4 s on a server's first page)."""
    return module_name.startswith("bokeh_app_")


def session_document() -> Any:
    """The Bokeh document of the current server session, or None (notebook, tests)."""
    doc = pn.state.curdoc
    if doc is None or getattr(doc, "session_context", None) is None:
        return None
    return doc


def in_document(doc: Any, callback: Callable[[], None]) -> Callable[[], None]:
    """``callback`` run as Panel's code for ``doc`` (a raw Bokeh callback is not: panes
    updated outside that context resolve their stylesheets to the CDN)."""

    def run() -> None:
        with set_curdoc(doc):
            callback()

    return run


def schedule_on(doc: Any, loop: IOLoop | None, callback: Callable[[], None]) -> None:
    """Have ``doc`` run ``callback`` on its next tick; safe to call from a worker thread.

    Bokeh's ``add_next_tick_callback`` touches the document's callback bookkeeping, which the
    loop thread also changes; so the worker only hands a closure to the loop (``add_callback``
    is Tornado's thread-safe entry point) and the loop registers the document callback.
    """

    def register() -> None:
        try:
            doc.add_next_tick_callback(in_document(doc, callback))
        except Exception:  # the session is gone: nothing left to update
            LOG.warning("could not schedule an update of the page", exc_info=True)

    if loop is None:
        callback()
    else:
        loop.add_callback(register)


@contextmanager
def held(doc: Any) -> Iterator[None]:
    """Collect a document's changes and send them together at the end (Bokeh's ``hold``)."""
    if doc is None:
        yield
        return
    doc.hold("combine")
    try:
        yield
    finally:
        doc.unhold()
