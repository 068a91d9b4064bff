"""The lab's page as a visitor gets it (``views.page``), built without a server: its document
passes Bokeh's integrity checks (which served pages skip, ``app/server_start.py``), and the
start-up rehearsal builds one and lets it go."""

from __future__ import annotations

import panel as pn
import pytest
from bokeh.core.validation.check import check_integrity
from bokeh.document import Document
from panel.io.state import set_curdoc

from rlx_lab_app.state import DEFAULT_OPTIMIZERS
from rlx_lab_app.state.warm_up import warm_default_race
from rlx_lab_app.views import page


@pytest.fixture(scope="module", autouse=True)
def default_race() -> None:
    """The default page's paths in the trajectory cache, as at a server's start-up."""
    warm_default_race(list(DEFAULT_OPTIMIZERS))


def test_the_page_s_document_has_no_integrity_errors() -> None:
    doc = Document()
    with set_curdoc(doc), doc.models.freeze():
        page.lab_page(idle_s=0).server_doc(doc)
    models = [model for root in doc.roots for model in root.references()]
    assert len(models) > 100  # the whole page, not an empty one
    issues = check_integrity(models)
    assert issues.error == []
    # only the two placeholders the Small nets tab fills when first opened
    assert [issue.name for issue in issues.warning] == ["EMPTY_LAYOUT", "EMPTY_LAYOUT"]


def test_a_rehearsal_builds_a_page_and_lets_it_go() -> None:
    views = len(pn.state._views)  # Panel's record of rendered views, by document
    seconds = page.rehearse()
    assert seconds > 0
    assert len(pn.state._views) == views  # none left behind from the rehearsal's document
