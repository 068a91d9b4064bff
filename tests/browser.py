"""Shared fixtures for real-browser tests: headless Debian Chromium driving ``panel serve``.

Import the fixtures into a test module (``from tests.browser import browser, ...``). Tests
that use them must be marked ``@pytest.mark.browser``. They skip, with a reason, only where
``/usr/bin/chromium`` is missing *and* ``CI`` is unset; under CI they fail instead.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from rlx_lab_app.harness import APP, CHROMIUM, PanelServer, launch_chromium

LOCAL_HOSTS = ("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:", "about:")


def require_chromium() -> None:
    """Skip (locally) or fail (under CI) when Debian's Chromium is not installed."""
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing (install Debian's chromium: `make chromium`)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; browser tests must run under CI")
    pytest.skip(reason)


@dataclass
class PageLog:
    """Console errors, uncaught exceptions and requests that left localhost."""

    errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        """Start recording ``page``'s events."""
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        page.on("requestfailed", lambda r: self.errors.append(f"failed request: {r.url}"))
        page.on(
            "request",
            lambda r: None if r.url.startswith(LOCAL_HOSTS) else self.external.append(r.url),
        )

    def assert_clean(self) -> None:
        """No console errors and no request to anything but the local server."""
        assert not self.errors, f"browser console errors: {self.errors}"
        assert not self.external, f"requests outside localhost (CDN?): {self.external}"


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A compilation-cache folder private to this test module's server."""
    return tmp_path_factory.mktemp("jax-cache")


@pytest.fixture(scope="module")
def served_app(cache_dir: Path) -> Iterator[PanelServer]:
    """``panel serve app/app.py`` on a free port; always stopped at teardown."""
    require_chromium()
    server = PanelServer(APP, env={"RLX_LAB_CACHE_DIR": str(cache_dir)})
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[[str], tuple[Any, PageLog]]]:
    """``open_page(url)`` → (page, log); pages are closed after the test."""
    pages = []

    def open_(url: str) -> tuple[Any, PageLog]:
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        log = PageLog()
        log.attach(page)
        page.goto(url)
        page.wait_for_function("() => window.Bokeh && Bokeh.documents.length > 0", timeout=60_000)
        pages.append(page)
        return page, log

    yield open_
    for page in pages:
        page.close()


def wait_until(predicate: Callable[[], Any], timeout_s: float = 60.0, what: str = "") -> Any:
    """Poll ``predicate`` until it returns something truthy (bounded)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what or predicate}")
        time.sleep(0.1)
