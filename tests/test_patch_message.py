"""A page change's message (``views.patch_message``) is Bokeh's own, made without a reference
for every model of the page."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from bokeh.document import Document
from bokeh.models import ColumnDataSource, Div, Row
from bokeh.protocol import Protocol

from rlx_lab_app.views.patch_message import patch_message

MAKERS: dict[str, Callable[[list[Any]], Any]] = {
    "bokeh": lambda events: Protocol().create("PATCH-DOC", events),
    "patch_message": patch_message,
}


def _changed_page() -> tuple[Document, list[Any], Div, ColumnDataSource]:
    """A page the browser has (every model synced, as after its first pull), then changed:
    a new Div (referring to the known source) added and the source's data replaced. Returns
    the document, its change events, the new Div and the source."""
    doc = Document()
    source = ColumnDataSource({"x": np.arange(4.0)})
    row = Row(children=[Div(text="a"), Div(text="b")], tags=[source])
    doc.add_root(row)
    doc.models.flush_synced()
    events: list[Any] = []
    doc.on_change(events.append)
    new = Div(text="new", tags=[source])
    row.children = [*row.children, new]
    source.data = {"x": np.arange(3.0)}
    return doc, events, new, source


def _text(message: Any, alike: bool = False) -> str:
    """The message's content as JSON (``alike``: Bokeh's generated ids, p123, made alike)."""
    text = json.dumps(message.content, default=lambda o: type(o).__name__, sort_keys=True)
    return re.sub(r"\bp\d+\b", "p#", text) if alike else text


@pytest.mark.parametrize("maker", list(MAKERS))
def test_known_models_are_references_and_a_new_one_is_defined_once(maker: str) -> None:
    """Both makers: the known source is a reference, the new Div is defined once, and after
    the message the document counts the new Div as sent."""
    doc, events, new, source = _changed_page()
    text = _text(MAKERS[maker](events))
    assert f'"id": "{source.id}"' in text and '"name": "ColumnDataSource"' not in text
    assert text.count('"name": "Div"') == 1 and f'"id": "{new.id}"' in text
    assert new not in doc.models._new_models


def test_the_same_message_as_bokeh_s() -> None:
    """Content and buffers equal to ``PatchDocMessage.create`` for the same changes."""
    made = [MAKERS[maker](_changed_page()[1]) for maker in ("bokeh", "patch_message")]
    assert _text(made[1], alike=True) == _text(made[0], alike=True)
    buffers = [[bytes(b.data) for b in message.buffers] for message in made]
    assert buffers[1] == buffers[0] and buffers[0]


def test_bokeh_s_errors_for_no_events_or_two_documents() -> None:
    with pytest.raises(ValueError, match="at least one event"):
        patch_message([])
    events = _changed_page()[1] + _changed_page()[1]
    with pytest.raises(ValueError, match="more than one document"):
        patch_message(events)
