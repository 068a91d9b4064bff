"""The lab's page as a visitor gets it (``views.page``), built without a server: its document
passes Bokeh's integrity checks (which served pages skip, ``app/server_start.py``), and the
start-up rehearsal builds one and lets it go, and a closed page leaves nothing behind."""

from __future__ import annotations

import gc
import weakref

import panel as pn
import pytest
from bokeh.core.validation.check import check_integrity
from bokeh.document import Document
from bokeh.models import ColumnDataSource, GlyphRenderer
from panel.io.document import _cleanup_doc
from panel.io.state import set_curdoc

from rlx_lab import optim
from rlx_lab_app.state import DEFAULT_OPTIMIZERS
from rlx_lab_app.state.warm_up import warm_default_race
from rlx_lab_app.views import page


@pytest.fixture(scope="module", autouse=True)
def default_race() -> None:
    """The default page's paths in the trajectory cache, as at a server's start-up."""
    warm_default_race(list(DEFAULT_OPTIMIZERS))


@pytest.fixture(scope="module")
def page_doc() -> Document:
    """A document holding the default page, as a visit builds it (once for these tests)."""
    doc = Document()
    with set_curdoc(doc), doc.models.freeze():
        page.lab_page(idle_s=0).server_doc(doc)
    return doc


def test_the_page_s_document_has_no_integrity_errors(page_doc: Document) -> None:
    doc = page_doc
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


def test_a_closed_page_is_freed_whole() -> None:
    """Nothing of the server's (caches, registries, callbacks) keeps a closed page alive: once
    Panel has let go of its document as it does for a closed session, the document and the
    page are garbage. (``bench load --rounds`` shows what the allocator keeps.)"""
    doc = Document()
    with set_curdoc(doc), doc.models.freeze():
        template = page.lab_page(idle_s=60)
        template.server_doc(doc)
    alive = [weakref.ref(doc), weakref.ref(template)]
    alive += [weakref.ref(root) for root in doc.roots]
    _cleanup_doc(doc, destroy=True)
    del doc, template
    gc.collect()
    assert [ref() for ref in alive] == [None] * len(alive)


def test_the_race_plots_carry_no_glyphs_they_never_draw(page_doc: Document) -> None:
    """No selection tool and no muting legend: no non-selection or muted glyph models
    (``views.lean_glyphs``)."""
    doc = page_doc
    renderers = [m for m in doc.models if isinstance(m, GlyphRenderer)]
    assert len(renderers) > 10
    assert [r for r in renderers if r.nonselection_glyph is not None] == []
    assert [r for r in renderers if r.muted_glyph is not None] == []
    # and their views share one all-points filter per plot group (surface, linked, theory)
    assert len({id(r.view.filter) for r in renderers}) <= 3


def test_the_race_s_sources_share_one_selection_policy_and_selection(
    page_doc: Document,
) -> None:
    """Nothing selects in them: one policy model and one empty selection for the race's
    sources (a full one per optimizer of the registry, the drawn ones, style, curves, clips,
    cursor), not one each."""
    doc = page_doc
    race = [m for m in doc.models if isinstance(m, ColumnDataSource) and m.name == "style"]
    assert len(race) == 1
    sources = [m for m in doc.models if isinstance(m, ColumnDataSource)]
    shared = [m for m in sources if m.selection_policy is race[0].selection_policy]
    assert len(shared) >= len(optim.names()) + 10
    assert all(m.selected is race[0].selected for m in shared)


def test_the_first_paint_has_the_paths_and_leaves_the_hover_points_to_the_browser(
    page_doc: Document,
) -> None:
    """The hover points (invisible until hovered, ≈2000 of them as JSON lists) were half the
    page's document; the browser makes them at its first draw (``js.FRAME``, on ready)."""
    sources = {m.name: m for m in page_doc.models if isinstance(m, ColumnDataSource)}
    assert len(sources["paths"].data["xs"]) == len(DEFAULT_OPTIMIZERS)
    assert len(sources["heads"].data["x"]) == len(DEFAULT_OPTIMIZERS)
    assert len(sources["pts"].data["x"]) == 0
