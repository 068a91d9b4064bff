"""The served app under careless or hostile requests: a plain GET computes nothing, and a link
over budget opens with the refusal shown while the server stays small."""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from rlx_lab import optim
from rlx_lab_app.harness import APP, DRAWN_PATHS, MODEL_WITH_CLASS, PanelServer
from tests.browser import browser, open_page, require_chromium, wait_until
from tests.test_jobs import BIG_NETS_LINK

__all__ = ["browser", "open_page"]  # fixtures used below

MB = 1024**2


def rss(pid: int) -> int:
    """The process's resident memory in bytes (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def cache_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PanelServer, Path]]:
    cache = tmp_path_factory.mktemp("jax-cache")
    served = PanelServer(APP, env={"RLX_LAB_CACHE_DIR": str(cache)})
    served.start()
    try:
        yield served, cache
    finally:
        served.stop()


def settled(cache: Path, quiet_s: float = 4.0, timeout_s: float = 90.0) -> set[Path]:
    """The cache's files once none has appeared for ``quiet_s`` (a loaded machine compiles
    slowly)."""
    files, since, deadline = set(cache_files(cache)), time.monotonic(), time.monotonic() + timeout_s
    while time.monotonic() - since < quiet_s and time.monotonic() < deadline:
        time.sleep(0.5)
        now = set(cache_files(cache))
        if now != files:
            files, since = now, time.monotonic()
    return files


def get(url: str) -> int:
    """A plain GET, as a script would send it: a foreign Origin, no browser, no websocket."""
    request = urllib.request.Request(url, headers={"Origin": "http://elsewhere.example"})
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        return response.status


def test_a_plain_get_compiles_and_computes_nothing(server: tuple[PanelServer, Path]) -> None:
    """The default page's race is one fixed job, computed once per server (it starts with the
    page, for a fast first plot); a link computes nothing until a browser connects."""
    served, cache = server
    assert get(f"{served.url}") == 200  # imports the app, computes the default race once
    default = settled(cache)
    assert get(f"{served.url}") == 200
    time.sleep(2)
    assert set(cache_files(cache)) == default, "the default race is shared, not recomputed"
    before = rss(served.process.pid)
    links = [
        "?tab=nets&opt=sgd,adam&steps=50",
        "?tab=nets&opt=lion,muon&steps=80",
        "?opt=soap,kron_psgd&steps=2000",
        "?surface=himmelblau&opt=mars",
    ]
    for query in links:
        assert get(f"{served.url}{query}") == 200
    time.sleep(5)  # anything started by those requests would be compiling by now
    grown = rss(served.process.pid) - before
    assert set(cache_files(cache)) == default, "a link without a browser compiled programs"
    assert grown < 50 * MB, f"four plain GETs grew the server by {grown / MB:.0f} MB"


@pytest.mark.browser
def test_the_120_gb_nets_link_opens_with_its_refusal_and_the_server_stays_small(
    server: tuple[PanelServer, Path], open_page: Any
) -> None:
    require_chromium()
    served, _ = server
    query = "&".join(f"{k}={v}" for k, v in BIG_NETS_LINK.items())
    page, log = open_page(f"{served.url}?{query}")

    def shown() -> str:  # Playwright pierces the panes' shadow DOM
        return " ".join(page.locator(".nets-message :not(style)").all_inner_texts())

    wait_until(lambda: "needs ≈" in shown(), 90, "the refusal")
    text = shown()
    assert "the limit is 2.0 GB" in text and "weight snapshots" in text
    assert "fewer units, layers, seeds or optimizers" in text
    # the settings are in place, to be lowered
    width = page.evaluate(MODEL_WITH_CLASS, "nets-width")
    assert page.evaluate("(id) => Bokeh.documents[0].get_model_by_id(id).value", width) == 1024
    time.sleep(3)
    assert rss(served.process.pid) < 1.5 * 1024 * MB
    log.assert_clean()


@pytest.mark.browser
def test_a_link_whose_paths_are_computed_arrives_with_them(
    server: tuple[PanelServer, Path], open_page: Any
) -> None:
    """A link computes only once a browser is there; the next visitor of the same link gets the
    paths in the page's first document (started at GET: nothing new to compile or run)."""
    require_chromium()
    served, _ = server
    link = f"{served.url}?surface=himmelblau&opt=adam,lion&steps=60"
    first, _ = open_page(link)
    wait_until(lambda: len(first.evaluate(DRAWN_PATHS)) == 2, 90, "the first visit's race")
    again, log = open_page(link)  # returns once the browser has the document
    assert again.evaluate(DRAWN_PATHS) == sorted(optim.get(name).title for name in ("adam", "lion"))
    log.assert_clean()


def page_text(document: Any) -> str:
    """Every text a document's models hold (markdown panes, titles)."""
    texts = []
    for model in document.models:
        for name in ("text", "title"):
            value = getattr(model, name, None)
            if isinstance(value, str):
                texts.append(value)
    return " ".join(texts)


def know_panel_models() -> None:
    """Import every Panel model type and the lab's own (the page's modules), so a Bokeh
    client can read the lab's document in any test process."""
    import contextlib
    import importlib
    import pkgutil

    import panel.models

    import rlx_lab_app.views.page  # noqa: F401  (the lab's models, e.g. its history's)

    for module in pkgutil.iter_modules(panel.models.__path__):
        with contextlib.suppress(Exception):  # optional extras (e.g. deck.gl) may be missing
            importlib.import_module(f"panel.models.{module.name}")


def open_pages(url: str, count: int) -> list[str]:
    """Open ``count`` sessions of ``url`` over Bokeh's client protocol, one after another and
    all open at once, and return each page's text. Runs on a thread of its own: a module's
    Playwright keeps an event loop running in the test's thread."""

    def pull() -> list[str]:
        import asyncio

        from bokeh.client import pull_session

        asyncio.set_event_loop(asyncio.new_event_loop())
        know_panel_models()
        sessions = []
        try:
            for _ in range(count):
                sessions.append(pull_session(url=url))
            return [page_text(session.document) for session in sessions]
        finally:
            for session in sessions:
                session.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(pull).result(timeout=180)


def test_beyond_the_session_limit_a_visitor_gets_the_full_page(tmp_path: Path) -> None:
    served = PanelServer(APP, env={"RLX_LAB_CACHE_DIR": str(tmp_path), "RLX_LAB_MAX_SESSIONS": "2"})
    served.start()
    try:
        *admitted, extra = open_pages(served.url, 3)
    finally:
        served.stop()
    assert all("The lab is full" not in t and "Rosenbrock" in t for t in admitted)
    assert "The lab is full" in extra and "2 pages are open" in extra
    assert "Rosenbrock" not in extra, "nothing of the lab is built for it"


def test_the_status_page_is_served(tmp_path: Path) -> None:
    served = PanelServer(APP.parent / "status.py", env={"RLX_LAB_CACHE_DIR": str(tmp_path)})
    served.start()
    try:
        (text,) = open_pages(served.url, 1)
    finally:
        served.stop()
    assert "Pages open" in text and "of at most 40" in text, text[:300]
