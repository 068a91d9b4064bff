"""What a simulated student does on the page, each action timed until its answer arrives.

Every action returns once the server's answer is in (a data source replaced); waits are
bounded by the student's timeout. ``open`` is GET + websocket + document + the first race's
Adam trajectory; ``slider`` moves Adam's β₁ (released); ``tap`` moves the start point;
``nets`` opens the Small nets tab and waits for its first training's results; ``sweep`` opens
the Sweep tab and runs its default sweep.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from typing import Any

from rlx_lab_app.bench.student import Student
from rlx_lab_app.state.scales import from_position

ADAM = "full-adam"
"""Adam's trajectory source (Adam races on the default page)."""


def _filled(data: Any) -> bool:
    """Whether a serialised ``data`` attribute holds at least one row."""
    entries = data.get("entries", []) if isinstance(data, dict) else []
    for _, column in entries:
        if isinstance(column, list) and column:
            return True
        if isinstance(column, dict) and all(column.get("shape") or [0]):
            return True
    return False


def _tabs_with(student: Student, title: str) -> tuple[str, int]:
    """The Tabs model holding a tab called ``title``, and that tab's index."""
    panel = student.find(lambda t, a: t == "TabPanel" and a.get("title") == title)
    for model, entry in student.models.items():
        ids = [t.get("id") for t in entry["attrs"].get("tabs") or [] if isinstance(t, dict)]
        if panel in ids:
            return model, ids.index(panel)
    raise LookupError(f"no tab {title!r} on the page")


async def open_page(student: Student, rng: random.Random) -> None:
    del rng
    await student.open()
    adam = student.named(ADAM)
    if adam is None:
        raise LookupError(f"no {ADAM} source on the page")

    def drawn() -> bool:  # in the document already, or sent since
        return _filled(student.models[adam]["attrs"].get("data")) or student.data_changed_since(
            0, adam
        )

    await student.until(drawn, "first race")


def new_beta1_position(now: float, rng: random.Random) -> float:
    """A position of Adam's β₁ slider (on its 0.01 lattice, as a drag stops) whose β₁ is not
    the one at ``now``. The slider holds β₁'s exact position (0.70996…, off the lattice), and
    0.71 is another position of the same rounded β₁: the server then, rightly, computes and
    sends nothing — every timeout this benchmark reported until it asked for a new β₁."""
    value = now
    while value == now or from_position(value, "log1m") == from_position(now, "log1m"):
        value = round(rng.uniform(0.5, 3.0), 2)
    return value


async def slider(student: Student, rng: random.Random) -> None:
    """Adam's β₁ slider (position −log₁₀(1 − β₁)) to a new position, released."""
    beta1 = student.with_class("hp-adam-beta1")
    if beta1 is None:
        raise LookupError("no Adam β₁ slider on the page")
    value = new_beta1_position(student.models[beta1]["attrs"]["value"], rng)
    mark = len(student.changes)
    await student.set(beta1, value=value, value_throttled=value)
    adam = student.named(ADAM)
    await student.until(lambda: student.data_changed_since(mark, adam), "new Adam trajectory")


async def tap(student: Student, rng: random.Random) -> None:
    """A tap on the surface plot (a new start point for every optimizer)."""
    plot = student.named("surface-plot")
    if plot is None:
        raise LookupError("no surface plot on the page")
    x = rng.uniform(-1.5, 1.5)
    y = rng.uniform(-0.5, 2.5)
    mark = len(student.changes)
    modifiers = {"shift": False, "ctrl": False, "alt": False}
    values = {"model": {"id": plot}, "sx": 0, "sy": 0, "x": x, "y": y, "modifiers": modifiers}
    await student.event("tap", values)
    adam = student.named(ADAM)
    await student.until(lambda: student.data_changed_since(mark, adam), "paths from the tap")


async def nets(student: Student, rng: random.Random) -> None:
    """Open the Small nets tab, wait for its first results, go back to the surfaces."""
    del rng
    tabs, index = _tabs_with(student, "Small nets")
    mark = len(student.changes)
    await student.set(tabs, active=index)

    def trained() -> bool:
        sources = (student.named("nets-meta"), student.named("nets-paths"))
        return student.data_changed_since(mark, *sources)

    await student.until(trained, "small-nets results")
    await student.set(tabs, active=0)


async def sweep(student: Student, rng: random.Random) -> None:
    """Open the Sweep tab, run its sweep, wait for the sweep's cells, go back to the race."""
    del rng
    tabs, index = _tabs_with(student, "Sweep")
    await student.set(tabs, active=index)
    await student.until(lambda: student.with_class("run-sweep") is not None, "the sweep tab")
    button = student.with_class("run-sweep")
    mark = len(student.changes)
    await student.event("button_click", {"model": {"id": button}})
    await student.until(
        lambda: student.data_changed_since(mark, student.source_with("reach", "div")),
        "the sweep's cells",
    )
    await student.set(tabs, active=0)


ACTIONS: dict[str, Callable[[Student, random.Random], Awaitable[None]]] = {
    "open": open_page,
    "slider": slider,
    "tap": tap,
    "nets": nets,
    "sweep": sweep,
}


def choose(k: int, count: int, done: set[str], progress: float, mix: str) -> str:
    """Student ``k``'s next action after ``count`` actions. In the ``full`` mix: one sweep and
    one visit to the Small nets tab (even students sweep first, odd ones train first; the first
    at 15–35 % of the time, the second after 55 %), every fifth action (the second, the
    seventh, …) a tap, else a slider move."""
    if mix == "sliders":
        return "slider"
    heavy = ("sweep", "nets") if k % 2 == 0 else ("nets", "sweep")
    for kind, at in zip(heavy, (0.15 + 0.02 * (k % 11), 0.55), strict=True):
        if kind not in done and progress >= at:
            return kind
    return "tap" if count % 5 == 1 else "slider"
