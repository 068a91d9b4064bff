"""A class on several processes: ``panel serve`` workers on loopback ports behind nginx.

``make serve-class WORKERS=4 [ADDRESS=…]`` (``python -m rlx_lab_app.serving``) starts
``WORKERS`` servers of the lab (each as ``make serve`` runs one, start-up work included) on
free ports of 127.0.0.1, then nginx (:mod:`.nginx`) on ``ADDRESS:PORT`` in front of them and of
any workers already running on other machines (``UPSTREAMS``). The workers share one compile
cache on disk (``RLX_LAB_CACHE_DIR``, or the user's default), and split the server's job memory
between them (``RLX_LAB_SERVER_MB``, when it is not given) so the machine's total stays the
one-process figure. Ctrl-C (or SIGTERM) stops nginx and every worker.
"""

from __future__ import annotations

import argparse
import os
import signal
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import FrameType

from rlx_lab_app.harness import APP, ROOT, SESSION_OPTIONS, START_UP, PanelServer
from rlx_lab_app.serving.nginx import Nginx, Upstream
from rlx_lab_app.state.warm_up import READY

STATUS = ROOT / "app" / "status.py"
LOOPBACK = "127.0.0.1"
FRONT = Upstream(LOOPBACK, 5006)
"""Where the front listens unless told: ``make serve``'s address, on loopback."""


def origins(front: Upstream) -> list[str]:
    """The addresses a page behind ``front`` is opened from (Bokeh checks a websocket's
    ``Origin`` against them): the front's own, and ``localhost`` for a loopback front."""
    names = [front.host, "localhost"] if front.host in (LOOPBACK, "localhost") else [front.host]
    return [f"{name}:{front.port}" for name in dict.fromkeys(names)]


def worker_env(workers: int, env: Mapping[str, str]) -> dict[str, str]:
    """``env`` for each of ``workers`` processes: the server's job memory split between them
    unless ``RLX_LAB_SERVER_MB`` is given (then each process has that much)."""
    out = dict(env)
    if "RLX_LAB_SERVER_MB" not in out:
        from rlx_lab_app.state.budget import Budgets  # imports JAX: only when needed

        out["RLX_LAB_SERVER_MB"] = str(max(1, Budgets().server_mb // max(1, workers)))
    return out


class ClassServer:
    """``workers`` local ``panel serve`` processes and ``remote`` ones behind nginx on
    ``listen``, as a context manager (``extra``: more ``panel serve`` options)."""

    def __init__(
        self,
        workers: int = 2,
        *,
        listen: Upstream = FRONT,
        remote: Sequence[Upstream] = (),
        apps: Sequence[Path] = (APP, STATUS),
        setup: bool = True,
        env: Mapping[str, str] | None = None,
        folder: Path | None = None,
        timeout_s: float = 120.0,
        extra: Sequence[str] = (),
    ) -> None:
        if workers < 0 or workers + len(remote) < 1:
            raise ValueError("ClassServer: at least one worker, local or remote")
        self.listen, self.remote = listen, list(remote)
        self.folder = folder or Path(tempfile.mkdtemp(prefix="rlx_lab-class-"))
        options = [f"--allow-websocket-origin={o}" for o in origins(listen)]
        options += ["--use-xheaders", *SESSION_OPTIONS, *(START_UP if setup else ()), *extra]
        shared = worker_env(workers + len(remote), {**os.environ, **(env or {})})
        self.workers = [
            PanelServer(apps[0], more_apps=apps[1:], env=shared, extra=options, timeout_s=timeout_s)
            for _ in range(workers)
        ]
        self.nginx: Nginx | None = None

    @property
    def url(self) -> str:
        """The lab's address behind the front."""
        return f"http://{self.listen.address}/{self.workers[0].app.stem if self.workers else 'app'}"

    @property
    def upstreams(self) -> list[Upstream]:
        return [Upstream(LOOPBACK, w.port) for w in self.workers] + self.remote

    def __enter__(self) -> ClassServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> ClassServer:
        """Start the workers side by side, wait until each answers, then start nginx.

        (From this thread: a worker stops when the thread that started it ends.)"""
        try:
            for worker in self.workers:
                worker.launch()
            for worker in self.workers:
                worker.wait_ready()
            self.nginx = Nginx(self.upstreams, self.listen, self.folder).start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop nginx, then every worker (all asked at once, then each waited for)."""
        if self.nginx is not None:
            self.nginx.stop()
        for worker in self.workers:
            if worker.process is not None and worker.process.poll() is None:
                worker.process.terminate()
        for worker in self.workers:
            worker.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rlx_lab_app.serving", description=__doc__)
    parser.add_argument("--workers", type=int, default=2, help="local panel serve processes")
    parser.add_argument("--address", default=LOOPBACK, help="where students reach the front")
    parser.add_argument("--port", type=int, default=5006, help="the front's port")
    parser.add_argument(
        "--upstream", action="append", default=[], help="HOST:PORT of a worker on another machine"
    )
    parser.add_argument("--no-setup", dest="setup", action="store_false", help="no start-up work")
    parser.add_argument("--folder", type=Path, help="nginx's configuration, logs and pid")
    args = parser.parse_args(argv)
    remote = [Upstream.parse(u) for u in args.upstream]
    listen = Upstream(args.address, args.port)
    folder = (args.folder or Path(".serve")).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    server = ClassServer(
        args.workers, listen=listen, remote=remote, setup=args.setup, folder=folder
    )
    stopping: list[int] = []

    def stop(signum: int, frame: FrameType | None) -> None:
        del frame
        stopping.append(signum)

    signal.signal(signal.SIGTERM, stop)
    print(f"rlx_lab: starting {args.workers} workers and nginx …", flush=True)
    with server:
        for worker, up in zip(server.workers, server.upstreams, strict=False):
            print(f"  worker http://{up.address}/app  (console: {worker.log_path})")
        for up in remote:
            print(f"  worker http://{up.address}/app  (on another machine)")
        print(f"  nginx: {server.folder / 'nginx.conf'}  (logs beside it)")
        print(f"rlx_lab: the class is served at {server.url} — Ctrl-C stops it", flush=True)
        warming = set(server.workers) if args.setup else set()
        try:
            while not stopping:
                for worker in server.workers:
                    if worker in warming and READY in worker.log():
                        print(f"rlx_lab: worker :{worker.port}: the default race is ready")
                        warming.discard(worker)
                    if worker.process is not None and worker.process.poll() is not None:
                        print(f"rlx_lab: worker :{worker.port} stopped; see {worker.log_path}")
                        worker.process = None
                time.sleep(1.0)
        except KeyboardInterrupt:
            pass
    print("rlx_lab: the class server has stopped", flush=True)
    return 0
