"""The export button both labs use: a file made on click, as a job (budgeted, off the event
loop, cancellable) when served."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable
from typing import Any

import panel as pn

from rlx_lab.cost import Cost, Term
from rlx_lab_app.state.jobs import JobState
from rlx_lab_app.views.jobs import jobs_for

DOWNLOAD_TIMEOUT_S = 300.0
"""A file not made by then is given up (its job cancelled)."""


def download(
    label: str,
    filename: str,
    make: Callable[[], str | bytes | None],
    *,
    cost: Callable[[], Cost] | None = None,
    failed: Callable[[str], None] | None = None,
    slot: JobState | None = None,
    **params: Any,
) -> pn.widgets.FileDownload:
    """An export button: ``make()`` gives the file's text or bytes when it is clicked.

    Served, making the file is a job (:mod:`rlx_lab_app.state.jobs`): checked against the budgets
    with
    ``cost()`` (default: the bytes ``make`` reads, ×10 as text), made on a worker thread, its
    failure or refusal said by ``failed(words)``; without a page it is made at once. ``slot``
    (shared by a row of buttons, shown by a :class:`~rlx_lab_app.views.jobs.JobProgress`) shows the
    making; its Cancel gives the file up.
    """
    jobs = jobs_for()
    slot = slot or JobState()
    estimate = cost or (lambda: Cost(f"the {label} file", (Term("the file", 0),)))
    say = failed or (lambda words: None)

    def wrap(content: str | bytes | None) -> io.IOBase | None:
        if content is None:
            return None
        return io.StringIO(content) if isinstance(content, str) else io.BytesIO(content)

    def now() -> io.IOBase | None:
        return wrap(make())

    async def later() -> io.IOBase | None:
        result: asyncio.Future[str | bytes | None] = asyncio.get_running_loop().create_future()

        def settle(value: str | bytes | None) -> None:
            if not result.done():
                result.set_result(value)

        def refuse(words: str) -> None:
            say(words)
            settle(None)

        jobs.submit(
            slot,
            estimate(),
            lambda report: make(),
            settle,
            refuse,
            phase=f"making the {label} file…",
        )
        deadline = time.monotonic() + DOWNLOAD_TIMEOUT_S
        while not result.done():  # cancelled (the slot is free, no result): give up
            if not slot.busy or time.monotonic() > deadline:
                jobs.cancel(slot)
                return None
            await asyncio.sleep(0.05)
        return wrap(result.result())

    return pn.widgets.FileDownload(
        callback=now if jobs.page is None else later,
        filename=filename,
        label=label,
        color="light",
        width=90,
        **params,
    )
