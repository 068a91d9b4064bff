"""The page templates of this server, set up once per process.

Panel's templates show a busy spinner that follows ``pn.state.busy``, and that state is
process-wide: every event of *any* session (a slider move sends several) flips it, and Panel
then sets the spinner of *every* open page — one Bokeh change per page, each making Bokeh walk
that page's whole model graph and send it a message. A slider move therefore cost the server
CPU in proportion to the pages open (≈46 ms with one page, ≈130 ms with twelve, in
``python -m rlx_lab_app.bench load``), and told every student that someone else was busy. The
app shows each job's own progress instead, so its templates have no busy indicator.
"""

from __future__ import annotations

import panel as pn


def without_busy_spinner() -> None:
    """Templates built from now on in this process have no busy indicator.

    A class default, since the lab's template is built by ``app.py``; a template made with
    ``busy_indicator=None`` says the same per page.
    """
    pn.template.BootstrapTemplate.busy_indicator = None
