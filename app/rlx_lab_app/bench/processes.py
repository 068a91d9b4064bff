"""What the load benchmark reads of the server's processes: CPU seconds and RSS from ``/proc``,
for a process and its descendants (its worker processes), once or sampled over time."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _stat(pid: int) -> tuple[int, float, int]:
    """(parent pid, CPU seconds, RSS bytes) of a live process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK, int(fields[21]) * PAGE


def tree(*pids: int) -> tuple[float, float, int]:
    """(CPU seconds of ``pids``, CPU seconds of them and their descendants, their RSS in
    bytes)."""
    stats = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stats[int(entry.name)] = _stat(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
    family, grew = set(pids), True
    while grew:
        more = {p for p, (parent, _, _) in stats.items() if parent in family} - family
        family |= more
        grew = bool(more)
    own = sum(stats.get(pid, (0, 0.0, 0))[1] for pid in pids)
    return (
        own,
        sum(stats[p][1] for p in family if p in stats),
        sum(stats[p][2] for p in family if p in stats),
    )


class Sampler(threading.Thread):
    """The servers' RSS (with their workers) every ``every`` seconds, until stopped."""

    def __init__(self, pids: list[int], every: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.pids, self.every = pids, every
        self.samples: list[tuple[float, int]] = []
        self.halt = threading.Event()

    def run(self) -> None:
        began = time.perf_counter()
        while not self.halt.is_set():
            self.samples.append((time.perf_counter() - began, tree(*self.pids)[2]))
            self.halt.wait(self.every)
