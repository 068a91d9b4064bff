"""One JAX compilation cache for a whole test run, shared by xdist's workers.

Many tests compile a program another test compiled already: each builds its own closures,
worlds and models, and JAX's in-memory cache is keyed by those Python objects, while its disk
cache is keyed by the compiled program. Sharing the disk cache cut the CPU time of the engine,
vmap, nets and app-state files from 370 s to 313 s on 2 cores. The cache starts empty every
run and is deleted after it, so no test depends on an earlier run. Subprocesses (served apps,
notebook kernels) keep their own caches: some tests time a cold start. JAX writes entries
without a lock; a worker that reads one while the other writes it gets a warning and compiles
the program itself.
"""

from __future__ import annotations

import shutil
import tempfile
from typing import Any

import pytest

from rlx_lab import engine

FOLDER = pytest.StashKey[str]()
"""The run's cache folder, kept on the controller's (or the single process's) config."""

WORKER_INPUT = "rlx_lab_compile_cache"
"""Where the controller passes the folder to each xdist worker."""


def is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def configure(config: pytest.Config) -> None:
    """Create the run's folder (controller or single process) and compile into it."""
    if is_worker(config):
        folder = config.workerinput[WORKER_INPUT]  # type: ignore[attr-defined]
    else:
        folder = config.stash[FOLDER] = tempfile.mkdtemp(prefix="rlx_lab-test-jax-")
    engine.enable_compilation_cache(folder)


def configure_node(node: Any) -> None:
    """Hand the controller's folder to a worker (an xdist ``WorkerController``) before it starts."""
    node.workerinput[WORKER_INPUT] = node.config.stash[FOLDER]


def unconfigure(config: pytest.Config) -> None:
    """Delete the folder once the run is over (its creator only)."""
    if not is_worker(config) and FOLDER in config.stash:
        shutil.rmtree(config.stash[FOLDER], ignore_errors=True)
