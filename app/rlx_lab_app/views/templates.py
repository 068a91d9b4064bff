"""The page template of every page of this app.

Panel's templates show a busy spinner that follows ``pn.state.busy``, and that state is
process-wide: every event of *any* session (a slider move sends several) flips it, and Panel
then sets the spinner of *every* open page — one Bokeh change per page, each making Bokeh walk
that page's whole model graph and send it a message. A slider move therefore cost the server
CPU in proportion to the pages open (≈46 ms with one page, ≈130 ms with twelve, in
``python -m rlx_lab_app.bench load``), and told every student that someone else was busy. The
app shows each job's own progress instead, so its templates have no busy indicator.

Every page also has BokehJS paint each plot once per display frame (:data:`js.PAINT_PER_FRAME`,
instead of a timer beating against the frames), position a glyph's empty element once
(:data:`js.GLYPH_POSITIONS`) and rewrite a stylesheet only when its text changes
(:data:`js.QUIET_STYLES`): a paint then restyles nothing, and playback draws every frame the
display shows.
"""

from __future__ import annotations

from typing import Any

import panel as pn
from bokeh.models import CustomJS

from rlx_lab_app.views import js

HEADER = "#2f4f6f"
"""The header colour of every page of the lab."""


def page_template(title: str, **params: Any) -> pn.template.BootstrapTemplate:
    """A page of this app: Bootstrap, the lab's header colour, no busy indicator."""
    doc = pn.state.curdoc
    if doc is not None and doc.session_context is not None:
        for code in (js.PAINT_PER_FRAME, js.GLYPH_POSITIONS, js.QUIET_STYLES):
            doc.js_on_event("document_ready", CustomJS(code=code))
    return pn.template.BootstrapTemplate(
        title=title, header_background=HEADER, busy_indicator=None, **params
    )
