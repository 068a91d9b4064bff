"""The persistent JAX compilation cache that makes the app's second start fast."""

from __future__ import annotations

import os
from pathlib import Path

import jax

CACHE_ENV = "RLX_LAB_CACHE_DIR"
"""Environment variable that overrides where compiled programs are kept."""


def default_cache_dir() -> Path:
    """``$RLX_LAB_CACHE_DIR``, else ``$XDG_CACHE_HOME/rlx_lab/jax`` (``~/.cache/rlx_lab/jax``)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rlx_lab" / "jax"


def enable_compilation_cache(path: str | Path | None = None) -> Path:
    """Keep every compiled program on disk so a fresh process reuses it. Returns the folder."""
    folder = Path(path) if path is not None else default_cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    jax.config.update("jax_compilation_cache_dir", str(folder))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    return folder
