"""The few private hooks of Panel and param that the app leans on, pinned: an upgrade that
drops one fails here, by name, instead of quietly in a browser."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import panel as pn
import panel.reactive
import param
import pytest

from rlx_lab_app.views import js, widgets


def bokehjs_bundle() -> str:
    """The text of the BokehJS bundle the server sends."""
    import bokeh

    return (Path(bokeh.__file__).parent / "server" / "static" / "js" / "bokeh.min.js").read_text()


def test_panel_player_views_still_have_update_title_and_value() -> None:
    """``on_player.js`` relabels Panel's player after a value set from outside."""
    bundle = Path(pn.__file__).parent / "dist" / "panel.min.js"
    assert "update_title_and_value" in bundle.read_text(encoding="utf-8")
    users = sorted(
        p.name for p in js.FOLDER.glob("*.js") if "update_title_and_value" in p.read_text()
    )
    assert users == ["on_player.js"], "a new use of a private Panel method: pin it here"


def test_panel_still_applies_priority_changes_without_batching() -> None:
    """``widgets.FloatSlider`` / ``IntSlider`` list ``_priority_changes`` so a release skips
    Panel's 50 ms batching; Panel must still read that attribute."""
    assert "_priority_changes" in inspect.getsource(panel.reactive)
    assert isinstance(pn.widgets.FloatSlider._priority_changes, list)
    for slider in (widgets.FloatSlider, widgets.IntSlider):
        assert slider._priority_changes == ["value", "value_throttled"]


def test_param_parameters_still_validate_a_value_alone() -> None:
    """``state.query_fields`` checks a link's value with ``Parameter._validate`` before setting."""
    bounded = param.Number(default=0.5, bounds=(0, 1))
    bounded._validate(0.25)
    with pytest.raises(ValueError):
        bounded._validate(2.0)


def test_every_browser_file_is_used_and_every_use_has_a_file() -> None:
    used = {
        name
        for path in Path(js.__file__).parent.rglob("*.py")
        for name in re.findall(r'read\("([a-z0-9_]+\.js)"\)', path.read_text())
    }
    assert used == {p.name for p in js.FOLDER.glob("*.js")}


def test_bokeh_sessions_still_hold_their_connections_and_sockets() -> None:
    """``views.idle.close_session`` closes an idle page's websockets the way Panel itself
    reaches them: ``ServerSession._subscribed_connections`` and ``ServerConnection._socket``."""
    from bokeh.server.connection import ServerConnection
    from bokeh.server.contexts import BokehSessionContext
    from bokeh.server.session import ServerSession

    assert "self._subscribed_connections = set()" in inspect.getsource(ServerSession.__init__)
    assert "self._socket = socket" in inspect.getsource(ServerConnection.__init__)
    assert callable(ServerSession.request_expiration)
    assert isinstance(BokehSessionContext.session, property)


def test_panel_still_cleans_up_a_document_with_cleanup_doc() -> None:
    """``views.page.rehearse`` lets go of its document as Panel's server lets go of a closed
    session's: ``panel.io.document._cleanup_doc(doc, destroy=True)``."""
    from panel.io import document

    source = inspect.getsource(document._cleanup_doc)
    assert list(inspect.signature(document._cleanup_doc).parameters) == ["doc", "destroy"]
    assert "session_destroyed_callbacks" in source and "state._views" in source


def test_bokehjs_properties_still_have_their_own_change_signal() -> None:
    """``scrub_grab.js`` listens to one property of a slider
    (``model.properties.value_throttled.change``): each BokehJS property still makes its own
    ``change`` signal, with the model and the attribute it belongs to."""

    signal = re.compile(r"this\.obj=\w+,this\.attr=\w+,.{0,80}this\.change=new \w+\.Signal0\(")
    assert signal.search(bokehjs_bundle()), "BokehJS changed how a property signals a change"
    users = sorted(p.name for p in js.FOLDER.glob("*.js") if ".properties." in p.read_text())
    assert users == ["scrub_grab.js"], "a new use of a BokehJS property's signal: pin it here"


def test_panel_and_bokeh_still_write_page_changes_where_ordered_sends_takes_them() -> None:
    """``views.ordered_sends`` replaces the two functions Panel's ``unlocked`` hands its events
    to (looked up as module globals) and ``ServerConnection.send_patch_document``, whose
    awaitable Bokeh's locked callbacks await before they release the document."""
    from bokeh.server.connection import ServerConnection
    from bokeh.server.session import ServerSession, _needs_document_lock
    from panel.io import document

    source = inspect.getsource(document.unlocked)
    assert "write_events(curdoc, connections, writeable_events)" in source
    assert "schedule_write_events(curdoc, connections, serializable_events)" in source
    for name in ("write_events", "schedule_write_events"):
        writer = getattr(document, name)
        assert list(inspect.signature(writer).parameters) == ["doc", "connections", "events"]
    assert list(inspect.signature(ServerConnection.send_patch_document).parameters) == [
        "self",
        "event",
    ]
    assert "self._pending_writes.append(connection.send_patch_document(event))" in (
        inspect.getsource(ServerSession._document_patched)
    )
    locking = inspect.getsource(_needs_document_lock)
    assert "self._pending_writes = []" in locking and "await p" in locking


def test_bokehjs_still_throttles_plot_paints_and_sets_stylesheets_by_their_text() -> None:
    """``paint_per_frame.js`` replaces ``PlotView.schedule_paint`` (a 60 Hz timer throttle of
    ``repaint``, readiness tracked by ``_await_ready``), ``glyph_positions.js`` wraps a
    renderer's ``update_position`` (its element's stylesheet, rewritten on each paint) and
    ``quiet_styles.js`` wraps ``InlineStyleSheet._update``; the browser test of the first page
    checks all three are found."""
    bundle = bokehjs_bundle()
    assert "schedule_paint(){this.is_paused||this._await_ready(this.throttled_paint())}" in bundle
    assert "_update(t){this.el.textContent=t}" in bundle
    assert (
        "paint(e){this.update_geometry(),this.compute_geometry(),this.update_position()," in bundle
    )
    users = sorted(p.name for p in js.FOLDER.glob("*.js") if "Bokeh?.require?.(" in p.read_text())
    patches = ["glyph_positions.js", "paint_per_frame.js", "quiet_styles.js"]
    assert users == patches, "a new BokehJS patch: pin it here"


def test_bokeh_still_makes_a_patch_message_as_patch_message_does() -> None:
    """``views.patch_message`` repeats ``PatchDocMessage.create`` with a serializer that
    looks a model up when met (``get_ref``/``has_ref`` over ``_references``; the document's
    ``get_by_id`` and ``_new_models``) instead of Bokeh's reference for every synced model."""
    from bokeh.core.serialization import Serializer
    from bokeh.document.models import DocumentModelManager
    from bokeh.protocol.messages.patch_doc import patch_doc

    create = inspect.getsource(patch_doc.create)
    assert "serializer = Serializer(references=doc.models.synced_references)" in create
    assert "PatchJson(events=serializer.encode(events))" in create
    assert "doc.models.flush_synced(lambda model: not serializer.has_ref(model))" in create
    assert "msg.add_buffers(*serializer.buffers)" in create
    init = inspect.getsource(Serializer.__init__)
    assert "self._references = {id(obj): obj.ref for obj in references}" in init
    assert "ref = self.get_ref(obj)" in inspect.getsource(Serializer.encode)
    synced = inspect.getsource(DocumentModelManager.synced_references.fget)  # type: ignore[attr-defined]
    assert "if model not in self._new_models" in synced
    assert callable(DocumentModelManager.get_by_id)


def test_panel_s_server_page_still_lists_its_scripts_through_bundle_resources() -> None:
    """``views.page_scripts`` wraps ``panel.io.server.bundle_resources`` (the name the server
    page calls) and uses Bokeh's private tests for WebGL and MathJax."""
    import panel.io.server as server_page
    from bokeh.embed import bundle

    assert "bundle_resources(doc.roots, resources)" in inspect.getsource(
        server_page.server_html_page_for_session
    )
    assert callable(bundle._use_gl) and callable(bundle._use_mathjax)
