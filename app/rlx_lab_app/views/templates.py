"""The page template of every page of this app.

Panel's templates show a busy spinner that follows ``pn.state.busy``, and that state is
process-wide: every event of *any* session (a slider move sends several) flips it, and Panel
then sets the spinner of *every* open page — one Bokeh change per page, each making Bokeh walk
that page's whole model graph and send it a message. A slider move therefore cost the server
CPU in proportion to the pages open (≈46 ms with one page, ≈130 ms with twelve, in
``python -m rlx_lab_app.bench load``), and told every student that someone else was busy. The
app shows each job's own progress instead, so its templates have no busy indicator.
"""

from __future__ import annotations

from typing import Any

import panel as pn

HEADER = "#2f4f6f"
"""The header colour of every page of the lab."""


def page_template(title: str, **params: Any) -> pn.template.BootstrapTemplate:
    """A page of this app: Bootstrap, the lab's header colour, no busy indicator."""
    return pn.template.BootstrapTemplate(
        title=title, header_background=HEADER, busy_indicator=None, **params
    )
