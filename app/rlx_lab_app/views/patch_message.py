"""A page change's message to its browser (Bokeh's ``PATCH-DOC``), made without a pass over
every model of the page.

Bokeh's ``PatchDocMessage.create`` hands its serializer the set of models the browser already
has (``doc.models.synced_references``), and the serializer makes a reference (``{"id": …}``) for
each of them before it encodes anything: some 550 models of a lab page, for every message, where
a slider move changes a few. That was a quarter of the server's CPU under a class's load
(``python -m rlx_lab_app.bench load``: ``Model.ref`` and that dict, the top two entries of a
profile). :class:`SyncedRefs` looks a model up when the encoder meets it instead: the same
message, the same models marked as sent. The private parts used are pinned in
``tests/test_private_hooks.py``.
"""

from __future__ import annotations

from typing import Any

from bokeh.core.serialization import Ref, Serializer
from bokeh.document.json import PatchJson
from bokeh.model import Model
from bokeh.protocol.messages.patch_doc import patch_doc


class SyncedRefs(Serializer):
    """Bokeh's serializer, knowing a model as the browser's when the encoder meets it: one of
    the document's models (``models``, its ``DocumentModelManager``) that is not new."""

    def __init__(self, models: Any) -> None:
        super().__init__()
        self._models = models

    def _synced(self, obj: Any) -> bool:
        return (
            isinstance(obj, Model)
            and self._models.get_by_id(obj.id) is obj
            and obj not in self._models._new_models
        )

    def has_ref(self, obj: Any) -> bool:
        return super().has_ref(obj) or self._synced(obj)

    def get_ref(self, obj: Any) -> Ref | None:
        ref = super().get_ref(obj)
        if ref is None and self._synced(obj):
            ref = obj.ref
            self._references[id(obj)] = ref
        return ref


def patch_message(events: list[Any]) -> patch_doc:
    """``PatchDocMessage.create(events)`` with :class:`SyncedRefs` (Bokeh's errors too)."""
    if not events:
        raise ValueError("PATCH-DOC message requires at least one event")
    docs = {event.document for event in events}
    if len(docs) != 1:
        raise ValueError("PATCH-DOC message configured with events for more than one document")
    [doc] = docs
    serializer = SyncedRefs(doc.models)
    content = PatchJson(events=serializer.encode(events))
    doc.models.flush_synced(lambda model: not serializer.has_ref(model))
    message = patch_doc(patch_doc.create_header(), {}, content)
    message.add_buffers(*serializer.buffers)
    return message
