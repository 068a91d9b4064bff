"""The lab's page for one session: a Surfaces tab (race and sweep) and a Small nets tab, each
with its own sidebar (shown while its tab is active).

:func:`lab_page` builds it into the current document (``app/app.py`` calls it for each
visitor); :func:`rehearse` builds one into a document no browser sees, at server start, so that
the first visitor's page does not pay for what Python does only once (lazy imports, compiled
templates, the first instances of every class).
"""

from __future__ import annotations

import time

import panel as pn
from bokeh.document import Document
from panel.io.document import _cleanup_doc  # pinned in tests/test_private_hooks.py
from panel.io.state import set_curdoc

from rlx_lab_app.views import SurfacesLab
from rlx_lab_app.views.history import BrowserHistory
from rlx_lab_app.views.idle import close_when_idle, closed_words
from rlx_lab_app.views.nets.tab import NetsTab
from rlx_lab_app.views.player import install_keys
from rlx_lab_app.views.templates import page_template
from rlx_lab_app.views.url import query_lecture, query_tab

TITLE = "rlx_lab — optimizer races on loss surfaces and small nets"


def load_extensions() -> None:
    """The Panel extensions the lab's pages use (KaTeX for the update rules)."""
    pn.extension("katex", notifications=False)


def lab_page(idle_s: float) -> pn.template.BaseTemplate:
    """The page of the current document; a page idle ``idle_s`` seconds is closed (0: never)."""
    history = BrowserHistory(pn.state.curdoc)  # one address bar for both tabs
    lab = SurfacesLab(history=history)
    template = page_template(
        TITLE,
        sidebar_width=380,
        collapsed_sidebar=query_lecture(),  # a lecture link: the race fills the screen
    )
    # The Small nets tab is built when first opened (and trains then): the first page stays
    # light (it would double the models the server and the browser build before the first plot).
    nets: list[NetsTab] = []
    nets_sidebar = pn.Column(visible=False, sizing_mode="stretch_width")
    nets_main = pn.Column(pn.pane.Markdown("Loading the small nets…"), sizing_mode="stretch_width")
    sidebars = [lab.sidebar, nets_sidebar]  # `.sidebar` builds a new Column: take it once
    template.sidebar.extend(sidebars)
    tabs = pn.Tabs(("Surfaces", lab.main), ("Small nets", nets_main), sizing_mode="stretch_width")

    def show(event: object) -> None:
        active = event.new  # type: ignore[attr-defined]
        if active == 1 and not nets:
            nets.append(NetsTab(train_on_load=False, standalone=False, history=history))
            nets_sidebar.objects = [nets[0].sidebar]
            nets_main.objects = [nets[0].main]
        for i, sidebar in enumerate(sidebars):
            sidebar.visible = i == active
        # the visible tab owns the address bar
        for i, url in ((0, getattr(lab, "url", None)), (1, nets[0].url if nets else None)):
            if url is not None:
                url.activate(i == active)
        if active == 1:
            nets[0].activate()

    tabs.param.watch(show, "active")
    # Back or Forward to the other tab's address shows that tab (its lab restores the rest)
    history.listen(lambda search: setattr(tabs, "active", int(query_tab(search) == "nets")))
    template.header.append(history.pane)
    closed = pn.pane.Markdown("", visible=False, css_classes=["idle-closed"])
    template.main.extend([closed, tabs])

    def goodbye() -> None:  # an idle page, about to be closed (docs/serving.md)
        closed.object = closed_words(idle_s)
        closed.visible, tabs.visible = True, False
        for sidebar in sidebars:
            sidebar.visible = False

    close_when_idle(idle_s, goodbye)
    install_keys(pn.state.curdoc)
    if query_tab() == "nets":  # a link to the small-nets tab
        tabs.active = 1
    return template


def rehearse() -> float:
    """Build the default page into a document of its own, as a visit would (the models of
    every part included), then let it go as Panel lets go of a closed session's document (its
    views forgotten, its ``on_session_destroyed`` callbacks run); the seconds it took. The
    document is also serialized, as a browser's first pull does.

    A document without a session draws its race at once (as in a notebook): run it after the
    default race is in the trajectory cache (:mod:`rlx_lab_app.state.warm_up` does), and the
    page finds its paths there and draws them — the drawing code warmed as well.
    """
    began = time.perf_counter()
    doc = Document()
    try:
        with set_curdoc(doc):
            load_extensions()
            with doc.models.freeze():
                lab_page(idle_s=0).server_doc(doc)
            doc.to_json()
    finally:
        _cleanup_doc(doc, destroy=True)
    return time.perf_counter() - began
