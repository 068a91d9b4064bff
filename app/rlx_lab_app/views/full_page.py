"""The page a visitor gets when the server already has as many pages open as it may serve."""

from __future__ import annotations

import panel as pn

from .templates import without_busy_spinner

without_busy_spinner()  # app.py imports this module before it builds its first page

FULL = (
    "## The lab is full\n\n"
    "{open} pages are open on this server, its limit. Please try again in a minute (pages "
    "that were closed are let go within half a minute).\n\n"
    "*For the teacher:* the limit is `RLX_LAB_MAX_SESSIONS` (or `--args --max-sessions N`); "
    "a larger class can be spread over several server processes (see the README)."
)


def full_page(open_pages: int) -> pn.template.BaseTemplate:
    """A light page that builds nothing of the lab: no models, no computation."""
    template = pn.template.BootstrapTemplate(
        title="rlx_lab — the lab is full", header_background="#2f4f6f"
    )
    template.main.append(pn.pane.Markdown(FULL.format(open=open_pages), css_classes=["lab-full"]))
    return template
