"""What a page costs the other pages: nothing that every session's events update."""

from __future__ import annotations

import ast
from pathlib import Path

import panel as pn

from rlx_lab_app.views.templates import page_template

ROOT = Path(__file__).resolve().parents[1]


def test_pages_do_not_follow_panels_process_wide_busy_state() -> None:
    """Panel's busy state flips on every event of any session and sets the busy indicator of
    every template in the process: with one per page, a slider move cost the server CPU in
    proportion to the pages open. The app's pages have none (its jobs show progress)."""
    pages = [page_template("rlx_lab", sidebar_width=380) for _ in range(5)]
    assert [page.busy_indicator for page in pages] == [None] * 5
    plain = pn.template.BootstrapTemplate(title="not the app's")
    assert plain.busy_indicator is not None, "Panel's default: the check above can fail"


def test_every_page_of_the_app_is_made_by_page_template() -> None:
    made_elsewhere = []
    for path in (ROOT / "app").rglob("*.py"):
        if path.name == "templates.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr.endswith("Template")
            ):
                made_elsewhere.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not made_elsewhere, f"pages not made by page_template: {made_elsewhere}"
