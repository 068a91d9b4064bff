"""What a server does once, when it starts: ``panel serve app/app.py --setup app/server_start.py``
(``make serve`` does). It computes the default race, rehearses the page, starts the worker
process and has it train the Small nets tab's default race, in the background
(:mod:`rlx_lab_app.state.warm_up`), so the first visitor waits for none of it.

Served pages skip Bokeh's document validation (``BOKEH_VALIDATE_DOC``): it walks every model
of every new page (about a sixth of a page's build on this machine) to report mistakes of the
page's code, which ``tests/test_page.py`` checks once for the same page instead.
"""

from bokeh.settings import settings

from rlx_lab_app.state import warm_up

settings.perform_document_validation.set_value(False)


def rehearse() -> float:
    """:func:`rlx_lab_app.views.page.rehearse`, imported on the warm-up thread (the server
    listens meanwhile)."""
    from rlx_lab_app.views import page

    return page.rehearse()


warm_up.start(rehearse)
