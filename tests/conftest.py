"""Test-run set-up: JAX is strict (silent broadcasting and dtype promotion raise), compiles into
one cache shared by the run (``tests/compile_cache.py``), and xdist's workers take the longest
test files first (``tests/scheduling.py``)."""

from typing import Any

import jax
import pytest

from tests import compile_cache, scheduling

jax.config.update("jax_numpy_rank_promotion", "raise")
jax.config.update("jax_numpy_dtype_promotion", "strict")


def pytest_configure(config: pytest.Config) -> None:
    compile_cache.configure(config)


def pytest_unconfigure(config: pytest.Config) -> None:
    compile_cache.unconfigure(config)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    compile_cache.configure_node(node)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    scheduling.in_start_order(items)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """The file scheduler (``--dist loadfile``) starts the longest files first."""
    return scheduling.make_scheduler(config, log) if config.getvalue("dist") == "loadfile" else None
