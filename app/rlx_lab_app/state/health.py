"""The server's health at a glance, for the teacher: pages, jobs, memory, CPU, recent problems.

Read by the status page (``/status``, :mod:`app.status`); plain Python, no Panel.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

from rlx_lab.cost import MB, size
from rlx_lab_app.state.jobs import Server


def resident_bytes() -> int:
    """This process's resident memory (Linux ``/proc``; 0 where it cannot be read)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


@dataclass
class CpuMeter:
    """CPU use of this process since the previous reading, in % of one core."""

    last: tuple[float, float] = field(
        default_factory=lambda: (time.monotonic(), time.process_time())
    )

    def read(self) -> float:
        now = (time.monotonic(), time.process_time())
        wall, cpu = now[0] - self.last[0], now[1] - self.last[1]
        self.last = now
        return 100.0 * cpu / wall if wall > 0 else 0.0


def health(server: Server, cpu: CpuMeter) -> dict[str, Any]:
    """The figures the status page shows."""
    budgets = server.budgets
    return {
        "pages": server.sessions(),
        "max_pages": budgets.max_sessions,
        "jobs": server.jobs_in_flight(),
        "job_memory": size(server.admitted_bytes()),
        "job_memory_limit": size(budgets.server_mb * MB),
        "resident": size(resident_bytes()),
        "cpu_percent": round(cpu.read()),
        "worker_process": server.process is not None,
        "problems": [
            (time.strftime("%H:%M:%S", time.localtime(at)), words)
            for at, words in reversed(server.problems)
        ],
    }


def describe(figures: dict[str, Any]) -> str:
    """The figures as a short Markdown page."""
    lines = [
        f"**Pages open:** {figures['pages']} of at most {figures['max_pages']}  ",
        f"**Jobs queued or running:** {figures['jobs']} "
        f"(≈{figures['job_memory']} of {figures['job_memory_limit']} for jobs)  ",
        f"**Server memory:** {figures['resident']} · **CPU:** {figures['cpu_percent']} % of a core"
        f"{' (training runs in a worker process)' if figures['worker_process'] else ''}",
        "",
        "**Recent problems** (failed or refused jobs, newest first):"
        if figures["problems"]
        else "No failed or refused jobs so far.",
    ]
    lines += [f"- {at} — {words}" for at, words in figures["problems"]]
    return "\n".join(lines)
