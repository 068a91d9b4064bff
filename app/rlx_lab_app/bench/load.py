"""``python -m rlx_lab_app.bench load``: a room of students on one served app.

``--sessions`` simulated students (:mod:`.student`: Bokeh's websocket protocol, no browser)
open the page of a ``panel serve`` on 127.0.0.1 (started as ``make serve`` starts it, start-up
work included) — or, with ``--workers N`` (N ≥ 2), of N such servers behind nginx as ``make
serve-class`` starts them (:mod:`rlx_lab_app.serving`) — and for ``--seconds`` do what
students do (:mod:`.actions`): move Adam's β₁ slider, tap new start points, open the Small nets
tab once and run one sweep (``--mix full``), or only move sliders (``--mix sliders``), one
action about every ``--interval`` seconds each, each waiting for the previous one's answer.

Reported: per action kind the p50 / p95 / max round trip (sent → the new data received),
errors and timeouts; the server's CPU (its processes, their workers and nginx) per action
while the students act, apart from this load generator's own CPU; the server's RSS over time
and after every session has closed (``--settle`` outlasts the time a closed session is kept,
:data:`~rlx_lab_app.harness.UNUSED_SESSION_S`). Timings are reports, never assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import resource
import statistics
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from rlx_lab.bench import _report
from rlx_lab.bench._options import positive_int
from rlx_lab_app import harness
from rlx_lab_app.bench.actions import ACTIONS, choose
from rlx_lab_app.bench.processes import Sampler, tree
from rlx_lab_app.bench.student import Student
from rlx_lab_app.harness import APP, START_UP, PanelServer, free_port
from rlx_lab_app.serving.class_server import ClassServer
from rlx_lab_app.serving.nginx import Upstream
from rlx_lab_app.state.warm_up import READY

NAME = "load"
HELP = "round trips, server CPU and RSS with N students acting at once over websockets"


async def student(
    k: int, url: str, args: argparse.Namespace, start: asyncio.Event, out: dict[str, Any]
) -> None:
    """One student's life: open the page, wait for the others, act until the time is up."""
    rng = random.Random(1000 + k)
    person = Student(url + args.query, args.timeout)
    try:
        await asyncio.sleep(0.05 * k)  # a room opens its pages within a second or two
        opened = await act(person, "open", rng, out)
        out["tried"] += 1
        if out["tried"] == args.sessions:
            start.set()  # every page has opened (or failed to)
        if not opened:
            return
        await asyncio.wait_for(start.wait(), args.timeout * 3)
        began = time.perf_counter()
        end, done, count = began + args.seconds, set(), 0
        while (now := time.perf_counter()) < end:
            kind = choose(k, count, done, (now - began) / args.seconds, args.mix)
            done.add(kind)
            count += 1
            if not await act(person, kind, rng, out) and person.closed_by_server:
                return
            pause = args.interval * rng.uniform(0.7, 1.3) - (time.perf_counter() - now)
            await asyncio.sleep(max(0.0, min(pause, end - time.perf_counter())))
    except TimeoutError:
        out["errors"].append(f"student {k}: the others did not open their pages")
    finally:
        await person.close()


async def act(person: Student, kind: str, rng: random.Random, out: dict[str, Any]) -> bool:
    """Time one action; count a timeout or an error against its kind."""
    began = time.perf_counter()
    try:
        await asyncio.wait_for(ACTIONS[kind](person, rng), person.timeout_s * 2)
    except TimeoutError:
        out["timeouts"][kind] = out["timeouts"].get(kind, 0) + 1
        return False
    except Exception as error:  # reported, not raised: one student's failure is a result
        out["errors"].append(f"{kind}: {error!r}"[:300])
        return False
    out["times"].setdefault(kind, []).append(time.perf_counter() - began)
    return True


def simulate(url: str, pids: list[int], args: argparse.Namespace) -> dict[str, Any]:
    """All students on one event loop (on a thread of its own: a caller may run another)."""
    out: dict[str, Any] = {"times": {}, "timeouts": {}, "errors": [], "tried": 0}

    async def room() -> None:
        start = asyncio.Event()
        lives = [student(k, url, args, start, out) for k in range(args.sessions)]
        tasks = [asyncio.create_task(life) for life in lives]
        await start.wait() if args.sessions else None
        out["cpu_before"] = tree(*pids), resource.getrusage(resource.RUSAGE_SELF)
        out["act_began"] = time.perf_counter()
        await asyncio.gather(*tasks)
        out["cpu_after"] = tree(*pids), resource.getrusage(resource.RUSAGE_SELF)
        out["act_s"] = time.perf_counter() - out["act_began"]

    bound = args.timeout * 6 + args.seconds + 0.1 * args.sessions + 30
    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: asyncio.run(asyncio.wait_for(room(), bound))).result(bound + 10)
    return out


def rows(out: dict[str, Any], args: argparse.Namespace) -> list[dict[str, Any]]:
    """One row per action kind."""
    table = []
    for kind in ACTIONS:
        times = [1000 * t for t in out["times"].get(kind, [])]
        errors = sum(e.startswith(f"{kind}:") for e in out["errors"])
        if not times and not errors and not out["timeouts"].get(kind):
            continue
        p95 = max(times, default=0)
        if len(times) > 1:
            p95 = statistics.quantiles(times, n=20, method="inclusive")[18]
        table.append(
            {
                "sessions": args.sessions,
                "action": kind,
                "count": len(times),
                "p50_ms": statistics.median(times) if times else None,
                "p95_ms": p95 if times else None,
                "max_ms": max(times, default=None),
                "timeouts": out["timeouts"].get(kind, 0),
                "errors": errors,
            }
        )
    return table


def summary(out: dict[str, Any], sampler: Sampler, after_close: int) -> dict[str, Any]:
    """CPU (the server's and this generator's) while acting, and the server's RSS."""
    (own0, all0), me0 = out["cpu_before"][0][:2], out["cpu_before"][1]
    (own1, all1), me1 = out["cpu_after"][0][:2], out["cpu_after"][1]
    acts = sum(len(t) for k, t in out["times"].items() if k != "open")
    seconds = out["act_s"]
    mine = me1.ru_utime + me1.ru_stime - me0.ru_utime - me0.ru_stime
    rss = [r for _, r in sampler.samples] or [0]
    mb = 2**20
    return {
        "actions": acts,
        "actions_per_s": acts / seconds,
        "server_cpu_per_action_ms": 1000 * (all1 - all0) / max(acts, 1),
        "server_cpu_pct": 100 * (all1 - all0) / seconds,
        "server_main_cpu_pct": 100 * (own1 - own0) / seconds,
        "generator_cpu_pct": 100 * mine / seconds,
        "rss_first_mb": rss[0] / mb,
        "rss_peak_mb": max(rss) / mb,
        "rss_after_close_mb": after_close / mb,
        "errors": len(out["errors"]),
    }


def measure(args: argparse.Namespace) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Start a server (or ``--workers`` behind nginx), let the room act, close every session;
    the tables of :func:`run`."""
    extra = list(harness.SESSION_OPTIONS)  # as make serve (closed sessions kept: --settle)
    env = {"RLX_LAB_MAX_SESSIONS": str(max(40, args.sessions + 1))}
    if args.cache_dir:
        env["RLX_LAB_CACHE_DIR"] = args.cache_dir
    with served(args, env, extra) as servers:
        pids = [s.process.pid for s in servers.workers if s.process is not None]
        front = getattr(servers, "nginx", None)
        counted = pids + ([front.process.pid] if front and front.process else [])
        if args.setup:
            for server in servers.workers:
                server.wait_for(READY, timeout_s=args.timeout * 5)
        sampler = Sampler(counted)
        sampler.start()
        closed, errors = [], []  # RSS after each round's sessions closed; every round's errors
        try:
            for _ in range(args.rounds):
                out = simulate(servers.url, counted, args)
                errors += out["errors"]
                if "cpu_after" not in out:
                    raise RuntimeError(f"the room did not finish: {out['errors'][:5]}")
                time.sleep(args.settle)  # past the time a closed session is kept
                closed.append(tree(*counted)[2])
        finally:
            sampler.halt.set()
            sampler.join(5)
        total = {**summary(out, sampler, closed[-1]), "errors": len(errors), "log": errors}
        if args.rounds > 1:  # churn: rounds × sessions opened and closed on one server
            total["rss_after_first_close_mb"] = closed[0] / 2**20
        return rows(out, args), total


class _One:
    """One ``panel serve``, shaped like a :class:`ClassServer` (``workers``, ``url``)."""

    def __init__(self, server: PanelServer) -> None:
        self.workers, self.url = [server], server.url


@contextlib.contextmanager
def served(args: argparse.Namespace, env: dict[str, str], extra: list[str]) -> Iterator[Any]:
    """One server on 127.0.0.1 (``--workers 1``), or that many behind nginx (``make
    serve-class``'s setup, :class:`ClassServer`)."""
    if args.workers <= 1:
        start_up = list(START_UP) if args.setup else []
        with PanelServer(
            APP, env=env, extra=[*extra, *start_up], timeout_s=args.timeout * 3
        ) as server:
            yield _One(server)
        return
    front = Upstream("127.0.0.1", free_port())
    with ClassServer(
        args.workers,
        listen=front,
        apps=(APP,),
        setup=args.setup,
        env=env,
        extra=extra,
        timeout_s=args.timeout * 3,
    ) as servers:
        yield servers


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sessions", type=int, default=10, help="students (one page each)")
    parser.add_argument(
        "--workers", type=int, default=1, help="server processes (2 or more: behind nginx)"
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="how long they act")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between actions")
    parser.add_argument("--mix", choices=("full", "sliders"), default="full")
    parser.add_argument("--timeout", type=float, default=60.0, help="per wait, in seconds")
    settle = f"seconds after closing (a closed session is kept {harness.UNUSED_SESSION_S} s)"
    parser.add_argument("--settle", type=float, default=harness.UNUSED_SESSION_S + 10, help=settle)
    parser.add_argument(
        "--rounds",
        type=positive_int,
        default=1,
        help="rooms one after another on the same server (churn: the RSS after each closes; "
        "the tables are the last room's)",
    )
    parser.add_argument("--query", default="", help="the page's link, e.g. '?opt=adam'")
    parser.add_argument("--no-setup", dest="setup", action="store_false", help="no start-up")
    parser.add_argument("--cache-dir", help="the server's compile cache (default: the user's)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")


def run(args: argparse.Namespace) -> int:
    table, total = measure(args)
    where = "one server" if args.workers <= 1 else f"{args.workers} servers behind nginx"
    print(
        f"load: {where}, {args.sessions} students × {args.seconds:g} s, mix {args.mix}, one action "
        f"per ≈{args.interval:g} s each (after the previous one's answer)"
    )
    print(_report.format_table(table, list(table[0]) if table else ["action"]))
    columns = [c for c in total if c != "log"]
    print(_report.format_table([total], columns))
    for line in total["log"][:10]:
        print(f"  error: {line}")
    if args.json:
        _report.write_json(args.json, [*table, total])
    return 1 if total["errors"] else 0
