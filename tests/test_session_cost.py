"""What a page costs the other pages: nothing that every session's events update."""

from __future__ import annotations

import panel as pn


def test_pages_do_not_follow_panels_process_wide_busy_state() -> None:
    """Panel's busy state flips on every event of any session and sets the busy indicator of
    every template in the process: with one per page, a slider move cost the server CPU in
    proportion to the pages open. The app's templates have none (its jobs show progress)."""
    import rlx_lab_app.views.full_page  # noqa: F401  (app.py imports it before its first page)

    before = list(pn.state._indicators)  # what Panel sets whenever pn.state.busy flips
    pages = [pn.template.BootstrapTemplate(title="rlx_lab", sidebar_width=380) for _ in range(5)]
    assert [page.busy_indicator for page in pages] == [None] * 5
    assert pn.state._indicators == before, "a page registered an indicator of the busy state"
