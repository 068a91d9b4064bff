"""rlx_lab web app entry point: ``panel serve app/app.py``.

One session = one :class:`rlx_lab_app.views.SurfacesLab` (its own state, so browser sessions are
independent); compiled programs and computed trajectories are shared between sessions.
"""

from __future__ import annotations

import panel as pn

from rlx_lab import engine
from rlx_lab_app.state.jobs import default_server, warm_workers
from rlx_lab_app.views import ordered_sends, page_scripts
from rlx_lab_app.views.full_page import full_page
from rlx_lab_app.views.page import lab_page, load_extensions
from rlx_lab_app.views.runner import served

engine.one_core_per_computation()  # before the first computation: a core per job (docs/serving.md)
ordered_sends.install()  # a page's changes reach its browser in the order made
page_scripts.install()  # no WebGL or MathJax bundle on a page that draws neither


def build() -> pn.template.BaseTemplate:
    """The page for one session (:func:`rlx_lab_app.views.page.lab_page`), or the "full" page
    when the server has no room for another (docs/serving.md)."""
    load_extensions()
    server = default_server()
    if server.full():
        return full_page(server.sessions())
    engine.enable_compilation_cache()
    warm_workers()
    return lab_page(server.budgets.idle_minutes * 60)


if served(__name__):
    # Frozen: Bokeh recomputes the document's model graph once, not once per JS link attached
    # while the page is assembled (about a quarter of a second on the first page).
    # While it builds, the server's warm-up steps aside (state/warm_up.py).
    with default_server().building_page() as loaded, pn.state.curdoc.models.freeze():
        build().servable()
    pn.state.onload(loaded)
