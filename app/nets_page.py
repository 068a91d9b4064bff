"""The "Small nets" tab on its own page: ``panel serve app/nets_page.py`` (browser tests)."""

from __future__ import annotations

import panel as pn

from rlx_lab import engine
from rlx_lab_app.state.jobs import warm_workers
from rlx_lab_app.views import ordered_sends
from rlx_lab_app.views.history import BrowserHistory
from rlx_lab_app.views.nets.tab import NetsTab
from rlx_lab_app.views.runner import served
from rlx_lab_app.views.templates import page_template

engine.one_core_per_computation()  # before the first computation: a core per job (docs/serving.md)
ordered_sends.install()  # a page's changes reach its browser in the order made

TITLE = "rlx_lab — small nets"


def build() -> pn.template.BaseTemplate:
    """The page for one session: the tab's controls in the sidebar, its plots in main."""
    pn.extension("katex", notifications=False)
    engine.enable_compilation_cache()
    warm_workers()
    history = BrowserHistory(pn.state.curdoc)
    tab = NetsTab(history=history)
    template = page_template(TITLE, sidebar_width=380)
    template.sidebar.append(tab.sidebar)
    template.main.append(tab.main)
    template.header.append(history.pane)
    return template


if served(__name__):
    build().servable()
