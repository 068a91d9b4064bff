"""The persistent JAX compilation cache that makes the app's second start fast."""

from __future__ import annotations

import os
from pathlib import Path

import jax

CACHE_ENV = "RLX_LAB_CACHE_DIR"
"""Environment variable that overrides where compiled programs are kept."""
CACHE_MAX_ENV = "RLX_LAB_CACHE_MAX_MB"
"""Environment variable that overrides the cache's size limit (MB)."""
DEFAULT_MAX_MB = 2048
"""The cache's size limit: JAX evicts the least recently used programs beyond it (the app's
programs for every optimizer, view and step bucket take a few hundred MB)."""


def default_cache_dir() -> Path:
    """``$RLX_LAB_CACHE_DIR``, else ``$XDG_CACHE_HOME/rlx_lab/jax`` (``~/.cache/rlx_lab/jax``)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rlx_lab" / "jax"


def max_cache_bytes() -> int:
    """``$RLX_LAB_CACHE_MAX_MB`` (default :data:`DEFAULT_MAX_MB`) in bytes."""
    text = os.environ.get(CACHE_MAX_ENV, "") or str(DEFAULT_MAX_MB)
    try:
        megabytes = float(text)
    except ValueError:
        raise ValueError(f"{CACHE_MAX_ENV}: expected a number of MB, got {text!r}") from None
    if not megabytes > 0:
        raise ValueError(f"{CACHE_MAX_ENV}: expected a number of MB > 0, got {text!r}")
    return int(megabytes * 1024**2)


def stamp_access_times(folder: Path) -> int:
    """Give every cached program that lacks one the access-time file JAX's size-limited cache
    keeps beside it (``<key>-atime``: 8 bytes, nanoseconds, little-endian), from the file's
    modification time. A folder filled without a size limit has none, and JAX's eviction then
    fails on every write. Returns how many were added."""
    added = 0
    for entry in folder.glob("*-cache"):
        stamp = entry.with_name(entry.name.removesuffix("-cache") + "-atime")
        if not stamp.exists():
            stamp.write_bytes(entry.stat().st_mtime_ns.to_bytes(8, "little"))
            added += 1
    return added


def enable_compilation_cache(path: str | Path | None = None, max_bytes: int | None = None) -> Path:
    """Keep compiled programs on disk so a fresh process reuses them, up to ``max_bytes``
    (default :func:`max_cache_bytes`; the least recently used go first). Returns the folder."""
    folder = Path(path) if path is not None else default_cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    jax.config.update("jax_compilation_cache_dir", str(folder))
    limit = max_cache_bytes() if max_bytes is None else int(max_bytes)
    stamp_access_times(folder)
    jax.config.update("jax_compilation_cache_max_size", limit)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    return folder
