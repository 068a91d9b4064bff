"""How ``pytest -n 2 --dist loadfile`` shares the test files between its two workers.

xdist hands out whole files (a file's served app, browser and trained nets are set up once),
by default the files with the most tests first. Our longest files hold few tests (a browser
test takes 10-60 s), so they started last and one worker idled for minutes while the other
finished them. Here the longest files start first, and the notebooks, which share no fixture,
may run on different workers.

Full suite, CI=true, this 2-core machine, one run each: xdist's order without the shared
compile cache (``compile_cache.py``) 12 min 08 s; this order with it 10 min 49 s; with it and
the two browser files apart (each beside compile-bound files) 11 min 50 s, as the served app
and Chromium keep the second core busy too. Runs vary by about a minute.
"""

from __future__ import annotations

from typing import Any

import pytest

START_ORDER = (
    "test_app_browser.py",
    "test_nets_app_browser.py",
    "test_engine.py",
    "test_notebooks.py",
    "test_vmap.py",
    "test_nets.py",
    "test_nets_tuning.py",
    "test_app_state.py",
    "test_served_budgets.py",
    "test_serving.py",
    "test_scrub_browser.py",
    "test_headless_sweep.py",
    "test_sharded.py",
    "test_sweep_hosts.py",
)
"""Test files by their time on 2 cores (4 min down to 35 s), longest first; the other files
follow in their order."""

PER_TEST = frozenset({"test_notebooks.py"})
"""Files whose tests may each go to a different worker (no module fixture to share)."""


def in_start_order(items: list[pytest.Item]) -> None:
    """Sort ``items`` in place so the files of :data:`START_ORDER` come first, in that order.

    Every worker sorts its collection the same way, so they still agree on it.
    """
    rank = {name: i for i, name in enumerate(START_ORDER)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


def make_scheduler(config: pytest.Config, log: Any) -> Any:
    """xdist's file scheduler in collection order, splitting the files of :data:`PER_TEST`."""
    from xdist.scheduler import LoadFileScheduling

    class LongestFileFirst(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            file = super()._split_scope(nodeid)
            return nodeid if file.rsplit("/", 1)[-1] in PER_TEST else file

    config.option.loadscopereorder = False
    return LongestFileFirst(config, log)
