"""How ``pytest -n 2 --dist loadfile`` shares the test files between its two workers.

xdist hands out whole files (a file's served app, browser and trained nets are set up once),
by default the files with the most tests first. Our longest files hold few tests (a browser
test takes 10-60 s), so they started last and one worker idled for minutes while the other
finished them. Here the longest files start first, and the notebooks, which share no fixture,
run one per worker.
"""

from __future__ import annotations

from typing import Any

import pytest

LONGEST_FIRST = (
    "test_app_browser.py",
    "test_nets_app_browser.py",
    "test_engine.py",
    "test_notebooks.py",
    "test_vmap.py",
    "test_nets.py",
    "test_nets_tuning.py",
    "test_app_state.py",
)
"""Test files by their time on 2 cores, longest first; the other files follow in their order."""

PER_TEST = frozenset({"test_notebooks.py"})
"""Files whose tests may each go to a different worker (no module fixture to share)."""


def longest_first(items: list[pytest.Item]) -> None:
    """Sort ``items`` in place so the files of :data:`LONGEST_FIRST` come first, in its order.

    Every worker sorts its collection the same way, so they still agree on it.
    """
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
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
