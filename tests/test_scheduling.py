"""The test run's start order names real test files (a renamed file would silently drop out)."""

from pathlib import Path

from tests import scheduling

HERE = Path(__file__).resolve().parent


def test_the_start_order_and_the_split_files_exist() -> None:
    named = [*scheduling.START_ORDER, *scheduling.PER_TEST]
    missing = [name for name in named if not (HERE / name).is_file()]
    assert not missing, f"tests/scheduling.py names files that do not exist: {missing}"
    assert len(set(scheduling.START_ORDER)) == len(scheduling.START_ORDER)
