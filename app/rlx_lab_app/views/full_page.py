"""The page a visitor gets when the server already has as many pages open as it may serve."""

from __future__ import annotations

import panel as pn

from rlx_lab_app.views.templates import page_template

FULL = (
    "## The lab is full\n\n"
    "{open} pages are open on this server, its limit. Please try again in a minute (pages "
    "that were closed are let go within half a minute).\n\n"
    "*For the teacher:* the limit is `RLX_LAB_MAX_SESSIONS` (or `--args --max-sessions N`); "
    "see docs/serving.md for the budgets and how to raise them."
)


def full_page(open_pages: int) -> pn.template.BaseTemplate:
    """A light page that builds nothing of the lab: no models, no computation."""
    template = page_template("rlx_lab — the lab is full")
    template.main.append(pn.pane.Markdown(FULL.format(open=open_pages), css_classes=["lab-full"]))
    return template
