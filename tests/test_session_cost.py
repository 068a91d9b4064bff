"""What a page costs the other pages: nothing that every session's events update."""

from __future__ import annotations

import panel as pn

from rlx_lab_app.views.templates import page_template


def test_pages_do_not_follow_panels_process_wide_busy_state() -> None:
    """Panel's busy state flips on every event of any session and sets the busy indicator of
    every template in the process: with one per page, a slider move cost the server CPU in
    proportion to the pages open. The app's pages have none (its jobs show progress)."""
    pages = [page_template("rlx_lab", sidebar_width=380) for _ in range(5)]
    assert [page.busy_indicator for page in pages] == [None] * 5
    plain = pn.template.BootstrapTemplate(title="not the app's")
    assert plain.busy_indicator is not None, "Panel's default: the check above can fail"
