"""A page's changes reach its browser in the order they were made (``views.ordered_sends``):
a callback that changes a plain Bokeh model, then a Panel object referring to what that change
added, leaves the browser without "reference … isn't known" errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rlx_lab_app.harness import PanelServer
from tests.browser import browser, open_page, require_chromium, wait_until

__all__ = ["browser", "open_page"]  # fixtures used by name
pytestmark = pytest.mark.browser
MIXED = Path(__file__).parent / "apps" / "mixed_sends.py"
CLICKS = 3
RENDERERS = """() => {
  for (const doc of Bokeh.documents) for (const m of doc.all_models)
    if (m.name === "base") return m.renderers.length;
  return -1;
}"""


def clicks_shown(page: Any) -> str:
    """The click count the page shows (Playwright pierces the pane's shadow DOM)."""
    return str(page.locator(".clicks pre").first.inner_text())


@pytest.fixture(scope="module")
def mixed_app() -> Iterator[PanelServer]:
    require_chromium()
    with PanelServer(MIXED) as server:
        yield server


def test_a_plain_bokeh_change_and_a_panel_change_arrive_in_order(
    open_page: Any, mixed_app: PanelServer
) -> None:
    page, log = open_page(mixed_app.url)
    for n in range(1, CLICKS + 1):
        page.locator(".add button").click()
        wait_until(lambda n=n: clicks_shown(page) == str(n), 10, f"click {n}")
    wait_until(lambda: page.evaluate(RENDERERS) == CLICKS + 1, 10, "the added lines")
    log.assert_clean()
