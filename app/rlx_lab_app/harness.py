"""Serve the app and drive it in Debian's Chromium: shared by the browser tests and the benchmark.

Nothing here runs on import; Playwright is imported only by :func:`launch_chromium`.
Never downloads a browser: it drives ``/usr/bin/chromium``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app" / "app.py"
START_UP = ("--setup", str(ROOT / "app" / "server_start.py"))
"""``panel serve``'s options for the server's start-up work, as ``make serve`` runs it."""
UNUSED_SESSION_S = 60
"""How long a served page's session waits for its browser (and outlives its closing), as
``make serve`` sets it. A page is built for its GET; its browser's websocket comes after. When
a class opens the lab at once the server builds the pages one after another (about a second
each on this machine), so the last students' sockets arrive half a minute after their GETs:
under Bokeh's default (15 s) their sessions were discarded and built again, doubling the
work of the crowd."""
SESSION_OPTIONS = (
    "--unused-session-lifetime",
    str(UNUSED_SESSION_S * 1000),
    "--check-unused-sessions",
    "5000",
)
"""``panel serve``'s options for :data:`UNUSED_SESSION_S` (checked every 5 s)."""


LAUNCHER = (
    "import ctypes, os, signal, sys\n"
    "try:\n"
    "    ctypes.CDLL('libc.so.6').prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG\n"
    "except (OSError, AttributeError):\n"
    "    pass\n"
    "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])\n"
)
"""Runs the server so that it gets SIGTERM when its parent dies (Linux), leaving nothing
behind; the signal setting survives ``execv``. (No ``preexec_fn``: forking a process that
runs JAX threads is unsafe.)"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PanelServer:
    """``panel serve app/app.py`` on a free localhost port, as a context manager."""

    def __init__(
        self,
        app: Path = APP,
        *,
        env: dict[str, str] | None = None,
        port: int | None = None,
        timeout_s: float = 90.0,
        extra: Sequence[str] = (),
        more_apps: Sequence[Path] = (),
    ) -> None:
        self.app = app
        self.more_apps = tuple(more_apps)  # served beside ``app`` (e.g. app/status.py)
        self.port = port or free_port()
        self.env = {**os.environ, **(env or {})}
        self.timeout_s = timeout_s
        self.extra = tuple(extra)  # more `panel serve` options
        self.process: subprocess.Popen[bytes] | None = None
        # the server writes here for its whole life, so no `with` block
        self._log = tempfile.NamedTemporaryFile(prefix="panel-serve-", suffix=".log", delete=False)  # noqa: SIM115
        self.started_at = 0.0

    def __enter__(self) -> PanelServer:
        if self.process is None or self.process.poll() is not None:
            self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The page's URL (without a query)."""
        return f"http://127.0.0.1:{self.port}/{self.app.stem}"

    def start(self) -> PanelServer:
        """Start the server and wait (bounded) until it answers its liveness endpoint.

        ``with server.start():`` is fine: entering a running server does not start another.
        """
        return self.launch().wait_ready()

    def launch(self) -> PanelServer:
        """Start the server's process without waiting for it (:meth:`wait_ready` waits).

        Call it from a thread that outlives the server: the server is stopped when the thread
        that started it ends (``PR_SET_PDEATHSIG`` follows the thread, not the process).
        """
        if self.process is not None and self.process.poll() is None:
            raise RuntimeError("PanelServer.start: this server is already running")
        command = [
            sys.executable,
            "-c",
            LAUNCHER,
            "-m",
            "panel",
            "serve",
            str(self.app),
            *map(str, self.more_apps),
            "--port",
            str(self.port),
            "--address",
            "127.0.0.1",
            f"--allow-websocket-origin=127.0.0.1:{self.port}",
            "--liveness",
            *self.extra,
        ]
        self.started_at = time.perf_counter()
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        return self

    def wait_ready(self) -> PanelServer:
        """Wait (bounded by ``timeout_s`` from the start) until the server answers."""
        assert self.process is not None, "PanelServer.wait_ready: launch() it first"
        deadline = self.started_at + self.timeout_s
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"panel serve exited with {self.process.returncode}:\n{self.log()[-3000:]}"
                )
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{self.port}/liveness", timeout=1
                ) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"panel serve not ready after {self.timeout_s} s:\n{self.log()[-3000:]}")

    def stop(self) -> None:
        """Terminate the server (kill it if it does not stop within 10 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def wait_for(self, line: str, timeout_s: float) -> None:
        """Wait (bounded) until the server's console has said ``line``."""
        deadline = time.perf_counter() + timeout_s
        while line not in self.log():
            if time.perf_counter() > deadline:
                raise TimeoutError(f"the server never said {line!r}:\n{self.log()[-2000:]}")
            time.sleep(0.1)

    @property
    def log_path(self) -> Path:
        """The file the server's console goes to."""
        return Path(self._log.name)

    def log(self) -> str:
        """Everything the server printed so far."""
        self._log.flush()
        return self.log_path.read_text(errors="replace")


def launch_chromium(playwright: Any) -> Any:
    """Headless Debian Chromium through Playwright (never a downloaded build)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


SOURCE_DATA = """(name) => {
  for (const doc of Bokeh.documents) {
    const model = doc.get_model_by_name(name);
    if (model) {
      const out = {};
      for (const [k, v] of Object.entries(model.data)) {
        out[k] = Array.from(v, (x) => (x && typeof x !== "string" && x.length !== undefined
                                       ? Array.from(x) : x));
      }
      return out;
    }
  }
  return null;
}"""
"""JS: the data of the Bokeh source called ``name`` as plain arrays (null when absent)."""

DRAWN_PATHS = """() => {
  for (const doc of Bokeh.documents) {
    const paths = doc.get_model_by_name("paths");
    if (paths) return [...new Set(Array.from(paths.data.name || []))].sort();
  }
  return [];
}"""
"""JS: titles of the optimizers whose paths are drawn."""

PLOT_FRAME = """(name) => {
  const v = Bokeh.index.query_one((view) => view.model && view.model.name === name);
  if (!v) return null;
  const r = v.canvas_view.el.getBoundingClientRect();
  const b = v.frame.bbox;
  return {left: r.left + b.left, top: r.top + b.top, width: b.width, height: b.height,
          x0: v.frame.x_range.start, x1: v.frame.x_range.end,
          y0: v.frame.y_range.start, y1: v.frame.y_range.end};
}"""
"""JS: page position and data ranges of the plot area of the figure called ``name``."""

MODEL_WITH_CLASS = """(css) => {
  for (const doc of Bokeh.documents) {
    for (const m of doc.all_models) {
      if (m.css_classes && m.css_classes.includes(css) && "value" in m) return m.id;
    }
  }
  return null;
}"""
"""JS: the id of the widget model carrying CSS class ``css``."""

SET_WIDGET = """([id, value]) => {
  for (const doc of Bokeh.documents) {
    const m = doc.get_model_by_id(id);
    if (m) {
      m.value = value;
      if ("value_throttled" in m) m.value_throttled = value;
      return true;
    }
  }
  return false;
}"""
"""JS: move a widget as a user would (value, then value_throttled as on release)."""


IMAGE_SUM = """(name) => {
  for (const doc of Bokeh.documents) {
    const m = doc.get_model_by_name(name);
    if (m && m.data.image && m.data.image.length) {
      const im = m.data.image[0];
      let s = 0;
      for (let i = 0; i < im.length; i++) s += Number(im[i]) * ((i % 97) + 1);
      return s;
    }
  }
  return null;
}"""
"""JS: a checksum of the first image of the source called ``name`` (null when empty)."""


def data_to_page(frame: dict[str, float], x: float, y: float) -> tuple[float, float]:
    """Page pixel of data point (x, y) inside a :data:`PLOT_FRAME` result."""
    px = frame["left"] + (x - frame["x0"]) / (frame["x1"] - frame["x0"]) * frame["width"]
    py = frame["top"] + (1 - (y - frame["y0"]) / (frame["y1"] - frame["y0"])) * frame["height"]
    return px, py
