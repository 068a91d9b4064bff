"""nginx in front of ``panel serve`` workers: its configuration and its process.

The configuration (:func:`config`) is plain text from plain values. What it does:

* **Balancing:** a visitor without a pin goes to the worker with the fewest open connections
  (``least_conn``). A page's websocket stays open as long as the page, so connections count
  open pages: new students go to the emptiest worker.
* **Sticky sessions by cookie:** the response names the worker that served it in a cookie
  (:data:`COOKIE` = ``w0``, ``w1``, …, mapped from ``$upstream_addr``), and a request carrying
  the cookie goes to that worker, whose own upstream lists the others as ``backup`` (if it is
  down, the page reconnects to another). A Bokeh session lives in the process that built it at
  the page's GET, so the page's websocket must reach that same process. ``ip_hash`` would send
  a whole room behind one NAT address — or every test client on 127.0.0.1 — to one worker.
* **Websockets:** HTTP/1.1 upstream with the ``Upgrade``/``Connection`` headers passed on,
  the browser's ``Host`` kept (Bokeh checks the page's origin against it), and day-long read
  and send timeouts (an idle page's websocket may be quiet for a lesson).
* **Unprivileged:** every path nginx writes (pid, logs, temporary files) is under the run's
  own folder, ``daemon off`` (the caller owns the process), no port below 1024 is needed.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

COOKIE = "rlx_lab_worker"
"""The cookie that pins a browser to the worker that served its first request."""

TIMEOUT = "1d"
"""nginx's read and send timeouts on the workers' connections (a quiet websocket stays)."""


class Upstream(NamedTuple):
    """One ``panel serve`` worker, on this machine or another."""

    host: str
    port: int

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @classmethod
    def parse(cls, text: str) -> Upstream:
        """``"10.0.0.12:5101"`` → ``Upstream("10.0.0.12", 5101)``."""
        host, colon, port = text.rpartition(":")
        if not colon or not host or not port.isdigit():
            raise ValueError(f"upstream: expected HOST:PORT, got {text!r}")
        return cls(host, int(port))


def config(upstreams: Sequence[Upstream], listen: Upstream, folder: Path) -> str:
    """nginx's configuration: ``listen`` in front of ``upstreams``, writing only in ``folder``."""
    if not upstreams:
        raise ValueError("config: no upstream worker")
    if len(set(upstreams)) != len(upstreams):
        raise ValueError(f"config: an upstream is listed twice: {list(upstreams)}")
    names = [f"w{i}" for i in range(len(upstreams))]
    pairs = list(zip(names, upstreams, strict=True))
    group = "".join(f"        server {u.address};\n" for u in upstreams)
    pinned = "".join(
        f"    upstream rlx_lab_{name} {{\n        server {u.address};\n"
        + "".join(f"        server {o.address} backup;\n" for o in upstreams if o != u)
        + "    }\n"
        for name, u in pairs
    )
    by_cookie = "".join(f"        {name} rlx_lab_{name};\n" for name in names)
    # $upstream_addr lists every worker tried ("a:1, b:2"): the last one answered
    set_pin = "".join(
        f'        "~(^|\\s){re.escape(u.address)}$" "{COOKIE}={name}; Path=/; SameSite=Lax";\n'
        for name, u in pairs
    )
    temp = "".join(
        f"    {kind}_temp_path {folder}/temp/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""\
# Written by rlx_lab_app.serving (make serve-class): {len(upstreams)} panel serve workers
# behind one front; nginx writes only in the folder of this file.
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{
    worker_connections 1024;
}}
http {{
    log_format rlx_lab '$remote_addr [$time_local] "$request" $status -> $upstream_addr';
    access_log {folder}/access.log rlx_lab;
{temp}
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        "" close;
    }}
    # sticky sessions: a request that names its worker goes there, any other to the emptiest
    map $cookie_{COOKIE} $rlx_lab_backend {{
{by_cookie}        default rlx_lab_workers;
    }}
    map $upstream_addr $rlx_lab_pin {{
{set_pin}        default "";
    }}
    upstream rlx_lab_workers {{
        least_conn;
{group}    }}
{pinned}
    server {{
        listen {listen.address};
        location / {{
            proxy_pass http://$rlx_lab_backend;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout {TIMEOUT};
            proxy_send_timeout {TIMEOUT};
            proxy_buffering off;
            add_header Set-Cookie $rlx_lab_pin;
        }}
    }}
}}
"""


def find_nginx() -> Path | None:
    """Debian's nginx (``/usr/sbin`` is not on every user's ``PATH``), or None."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    return Path(found) if found else None


class Nginx:
    """nginx with :func:`config` running in the foreground, as a context manager."""

    def __init__(self, upstreams: Sequence[Upstream], listen: Upstream, folder: Path) -> None:
        self.binary = find_nginx()
        if self.binary is None:
            raise FileNotFoundError("nginx is not installed (Debian: `make nginx`)")
        self.upstreams, self.listen, self.folder = list(upstreams), listen, folder
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def conf(self) -> Path:
        return self.folder / "nginx.conf"

    def __enter__(self) -> Nginx:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, timeout_s: float = 10.0) -> Nginx:
        """Write the configuration, check it, start nginx and wait until it listens."""
        (self.folder / "temp").mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:  # nginx's workers then run as nobody: let them reach temp/
            for path in (self.folder, self.folder / "temp"):
                path.chmod(0o755)
        self.conf.write_text(config(self.upstreams, self.listen, self.folder))
        command = [str(self.binary), "-p", str(self.folder), "-c", str(self.conf)]
        command += ["-e", str(self.folder / "error.log")]  # not the built-in path, before config
        checked = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True)
        if checked.returncode != 0:
            raise RuntimeError(f"nginx refused {self.conf}:\n{checked.stderr}{self.errors()}")
        log = (self.folder / "nginx.out").open("wb")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout_s
        while not _listening(self.listen):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"nginx did not start:\n{self.errors()}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        """Stop nginx (its master ends its workers); remove its pid file.

        A fast stop (SIGTERM): a graceful one would wait for every open websocket."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        (self.folder / "nginx.pid").unlink(missing_ok=True)

    def errors(self) -> str:
        """nginx's error log and console so far."""
        parts = [self.folder / name for name in ("error.log", "nginx.out")]
        return "\n".join(p.read_text(errors="replace") for p in parts if p.exists())

    def served(self) -> list[str]:
        """The worker (``host:port``) that answered each request so far (the access log)."""
        log = self.folder / "access.log"
        lines = log.read_text(errors="replace").splitlines() if log.exists() else []
        return [line.rsplit("-> ", 1)[-1].split(", ")[-1] for line in lines]


def _listening(where: Upstream) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((where.host, where.port)) == 0
