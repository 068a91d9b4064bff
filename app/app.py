"""rlx_lab web app entry point: ``panel serve app/app.py``.

One session = one :class:`rlx_lab_app.views.SurfacesLab` (its own state, so browser sessions are
independent); compiled programs and computed trajectories are shared between sessions.
"""

from __future__ import annotations

import panel as pn

from rlx_lab import engine
from rlx_lab_app.state.jobs import default_server, warm_workers
from rlx_lab_app.views import SurfacesLab
from rlx_lab_app.views.full_page import full_page
from rlx_lab_app.views.history import BrowserHistory
from rlx_lab_app.views.idle import close_when_idle, closed_words
from rlx_lab_app.views.nets.tab import NetsTab
from rlx_lab_app.views.player import install_keys
from rlx_lab_app.views.templates import page_template
from rlx_lab_app.views.url import query_lecture, query_tab

engine.one_core_per_computation()  # before the first computation: a core per job (docs/serving.md)

TITLE = "rlx_lab — optimizer races on loss surfaces and small nets"


def build() -> pn.template.BaseTemplate:
    """The page for one session: a Surfaces tab (race and sweep) and a Small nets tab, each
    with its own sidebar (shown while its tab is active)."""
    pn.extension("katex", notifications=False)
    server = default_server()
    if server.full():
        return full_page(server.sessions())
    engine.enable_compilation_cache()
    warm_workers()
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

    idle_s = server.budgets.idle_minutes * 60
    close_when_idle(idle_s, goodbye)
    install_keys(pn.state.curdoc)
    if query_tab() == "nets":  # a link to the small-nets tab
        tabs.active = 1
    return template


if pn.state.served:
    # Frozen: Bokeh recomputes the document's model graph once, not once per JS link attached
    # while the page is assembled (about a quarter of a second on the first page).
    # While it builds, the server's warm-up steps aside (state/warm_up.py).
    with default_server().building_page(), pn.state.curdoc.models.freeze():
        build().servable()
