"""Serving a class on several processes (``make serve-class``): nginx's configuration, and
two ``panel serve`` workers behind a real nginx on 127.0.0.1 serving ten pages between them.

The nginx tests skip, with a reason, only where nginx is missing *and* ``CI`` is unset; under
CI they fail instead (``make test`` installs it: ``make nginx``).
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import jax
import pytest

from rlx_lab_app.bench import actions
from rlx_lab_app.bench.student import Student
from rlx_lab_app.harness import APP, free_port
from rlx_lab_app.serving.class_server import STATUS, ClassServer, origins, worker_env
from rlx_lab_app.serving.nginx import COOKIE, Upstream, config, find_nginx

ECHO = Path(__file__).parent / "apps" / "echo.py"
ROOM = 10
LAB_WORKER = {COOKIE: "w0"}
"""The worker that serves the tests' lab and idle pages: only that one imports the lab."""
THREE = [Upstream("127.0.0.1", 5101), Upstream("127.0.0.1", 5102), Upstream("127.0.0.12", 5101)]


def require_nginx() -> Path:
    """Skip (locally) or fail (under CI) when nginx is not installed."""
    found = find_nginx()
    if found is not None:
        return found
    reason = "nginx is not installed (install Debian's nginx: `make nginx`)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; the serving tests must run under CI")
    pytest.skip(reason)


# --- the configuration ---------------------------------------------------------------------


def test_config_balances_new_visitors_and_pins_each_to_its_worker(tmp_path: Path) -> None:
    text = config(THREE, Upstream("127.0.0.5", 5006), tmp_path)
    group = re.search(r"upstream rlx_lab_workers \{(.*?)\}", text, re.S)
    assert group is not None
    assert group.group(1).split() == [
        "least_conn;",
        *(w for u in THREE for w in ("server", f"{u.address};")),
    ]
    for i, own in enumerate(THREE):
        pinned = re.search(rf"upstream rlx_lab_w{i} \{{(.*?)\}}", text, re.S)
        assert pinned is not None
        lines = [line.strip() for line in pinned.group(1).strip().splitlines()]
        assert lines[0] == f"server {own.address};"
        assert sorted(lines[1:]) == sorted(f"server {o.address} backup;" for o in THREE if o != own)
        assert f"    w{i} rlx_lab_w{i};" in text  # the cookie's value picks the upstream
        assert f'"{COOKIE}=w{i}; Path=/; SameSite=Lax"' in text  # and is set from the answer
    assert "listen 127.0.0.5:5006;" in text
    assert f"map $cookie_{COOKIE} $rlx_lab_backend" in text
    assert "proxy_pass http://$rlx_lab_backend;" in text
    assert "proxy_set_header Upgrade $http_upgrade;" in text
    assert "proxy_set_header Connection $connection_upgrade;" in text
    assert "proxy_http_version 1.1;" in text
    assert "proxy_read_timeout 1d;" in text and "daemon off;" in text


def test_config_writes_only_in_its_folder(tmp_path: Path) -> None:
    text = config(THREE[:2], Upstream("127.0.0.1", 5006), tmp_path)
    paths = re.findall(r"\s(/[^\s;]+)", text)
    assert len(paths) >= 8  # pid, two logs, five temporary folders
    assert all(Path(p).is_relative_to(tmp_path) for p in paths), paths


def test_config_refuses_no_worker_or_one_twice(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no upstream"):
        config([], Upstream("127.0.0.1", 5006), tmp_path)
    with pytest.raises(ValueError, match="twice"):
        config([THREE[0], THREE[0]], Upstream("127.0.0.1", 5006), tmp_path)


def test_upstreams_parse_and_origins_cover_the_front() -> None:
    assert Upstream.parse("127.0.0.12:5101") == Upstream("127.0.0.12", 5101)
    for bad in ("127.0.0.12", ":5101", "host:port"):
        with pytest.raises(ValueError, match="HOST:PORT"):
            Upstream.parse(bad)
    assert origins(Upstream("127.0.0.1", 5006)) == ["127.0.0.1:5006", "localhost:5006"]
    assert origins(Upstream("127.0.0.5", 80)) == ["127.0.0.5:80"]


def test_workers_split_the_job_memory_unless_it_is_given() -> None:
    assert worker_env(4, {})["RLX_LAB_SERVER_MB"] == str(12_288 // 4)
    assert worker_env(4, {"RLX_LAB_SERVER_MB": "9000"})["RLX_LAB_SERVER_MB"] == "9000"


def test_each_worker_serves_the_lab_for_the_front_as_make_serve_does(tmp_path: Path) -> None:
    front = Upstream("127.0.0.5", 5006)
    served = ClassServer(3, listen=front, folder=tmp_path, extra=["--num-threads", "2"])
    assert len(served.workers) == 3 and len({w.port for w in served.workers}) == 3
    for worker in served.workers:
        assert worker.more_apps == (STATUS,)
        options = list(worker.extra)
        assert "--allow-websocket-origin=127.0.0.5:5006" in options
        assert "--setup" in options and options[-2:] == ["--num-threads", "2"]
        assert worker.env["RLX_LAB_SERVER_MB"] == str(12_288 // 3)
    assert served.url == "http://127.0.0.5:5006/app"


def test_nginx_accepts_the_config(tmp_path: Path) -> None:
    nginx = require_nginx()
    (tmp_path / "temp").mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(config(THREE, Upstream("127.0.0.1", free_port()), tmp_path))
    checked = subprocess.run(
        [str(nginx), "-t", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "e.log")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr


# --- two workers behind nginx ----------------------------------------------------------------


@pytest.fixture(scope="module")
def room() -> Iterator[ClassServer]:
    """Two workers serving the echo app and the lab behind nginx on 127.0.0.1."""
    require_nginx()
    cache = jax.config.jax_compilation_cache_dir  # the run's (tests/compile_cache.py)
    env = {"RLX_LAB_HEAVY_PROCESSES": "0", **({"RLX_LAB_CACHE_DIR": cache} if cache else {})}
    listen = Upstream("127.0.0.1", free_port())
    quick = ["--check-unused-sessions", "500", "--unused-session-lifetime", "500"]
    with ClassServer(
        2, listen=listen, apps=(ECHO, APP), setup=False, env=env, extra=quick
    ) as served:
        yield served


def _answer(student: Student, model: str) -> tuple[int, float]:
    """(worker pid, value) the echo app wrote."""
    found = re.search(r"(\d+) ([\d.]+)", str(student.models[model]["attrs"]["text"]))
    assert found is not None, student.models[model]["attrs"]["text"]
    return int(found.group(1)), float(found.group(2))


async def _echo(k: int, url: str) -> tuple[str, int, int]:
    """One page of the echo app: (its worker's cookie, the pid it was built by, the pid that
    answered its slider)."""
    student = Student(url, timeout_s=60)
    try:
        await asyncio.sleep(0.05 * k)
        await student.open()
        answer, slider = student.with_class("echo-answer"), student.with_class("echo-slider")
        assert answer is not None and slider is not None
        built, _ = _answer(student, answer)
        mark = len(student.changes)
        await student.set(slider, value=k + 0.5, value_throttled=k + 0.5)
        await student.until(
            lambda: (answer, "text") in student.changes[mark:], "the echo of the slider"
        )
        answered, value = _answer(student, answer)
        assert value == k + 0.5
        return student.cookies[COOKIE], built, answered
    finally:
        await student.close()


@pytest.mark.slow
def test_ten_pages_through_nginx_are_shared_and_each_stays_on_its_worker(
    room: ClassServer,
) -> None:
    url = f"http://{room.listen.address}/echo"

    async def pages() -> list[tuple[str, int, int]]:
        return await asyncio.gather(*(_echo(k, url) for k in range(ROOM)))

    answers = asyncio.run(pages())
    pids = [w.process.pid for w in room.workers if w.process is not None]
    assert len(pids) == 2
    for cookie, built, answered in answers:
        assert built == answered == pids[int(cookie.removeprefix("w"))]  # pinned: one worker
    per_worker = [sum(built == pid for _, built, _ in answers) for pid in pids]
    assert min(per_worker) >= 1 and sum(per_worker) == ROOM, per_worker


@pytest.mark.slow
def test_the_lab_works_through_nginx(room: ClassServer) -> None:
    """The lab's own page (large documents, many patches) opens and answers a slider."""

    async def page() -> None:
        student = Student(f"{room.url.rsplit('/', 1)[0]}/app?opt=adam&steps=200", 90)
        student.cookies.update(LAB_WORKER)
        try:
            await actions.open_page(student, random.Random(0))
            await actions.slider(student, random.Random(1))
        finally:
            await student.close()

    asyncio.run(page())


@pytest.mark.slow
def test_an_idle_page_is_closed_and_let_go(room: ClassServer) -> None:
    """A page unused for its idle limit says so, loses its websocket and its session ends."""

    async def page() -> tuple[str, str, str]:
        student = Student(f"http://{room.listen.address}/echo?idle=1", timeout_s=60)
        student.cookies.update(LAB_WORKER)  # the idle clock imports the lab's package
        try:
            await student.open()
            answer, session = student.with_class("echo-answer"), student.with_class("echo-session")
            assert answer is not None and session is not None
            text = str(student.models[session]["attrs"]["text"])
            for _ in range(300):  # 30 s at most
                if student.closed_by_server:
                    break
                await asyncio.sleep(0.1)
            assert student.closed_by_server, "the idle page was not closed"
            last_words = str(student.models[answer]["attrs"]["text"])
            return student.cookies[COOKIE], last_words, re.sub(r"<[^>]*>|&lt;.*?&gt;", "", text)
        finally:
            await student.close()

    cookie, last_words, session_id = asyncio.run(page())
    assert "closed" in last_words
    worker = room.workers[int(cookie.removeprefix("w"))]
    worker.wait_for(f"echo: let {session_id.strip()} go", timeout_s=20)


def test_make_serve_and_the_harness_give_sessions_the_same_lifetime() -> None:
    """One lifetime for a page's session, whether ``make serve`` or a test or benchmark
    (``harness.SESSION_OPTIONS``, which ``ClassServer`` and ``bench load`` use) starts it."""
    from rlx_lab_app.harness import ROOT, SESSION_OPTIONS

    makefile = (ROOT / "Makefile").read_text()
    assert f"SESSIONS := {' '.join(SESSION_OPTIONS)}\n" in makefile
    serving = [line for line in makefile.splitlines() if "panel serve app/app.py" in line]
    assert len(serving) == 3 and all("$(SESSIONS)" in line for line in serving)
