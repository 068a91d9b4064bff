"""Run a Python snippet in a fresh process that sees ``count`` simulated CPU devices
(``--xla_force_host_platform_device_count``): XLA reads the flag when its backend starts, so a
test process that has started JAX already cannot change its own device count."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def environment(count: int, **extra: str) -> dict[str, str]:
    """The environment of a child with ``count`` CPU devices that imports this checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("XLA_FLAGS", "JAX_PLATFORMS")}
    env.update(
        XLA_FLAGS=f"--xla_force_host_platform_device_count={count}",
        JAX_PLATFORMS="cpu",
        PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "app")]),
        **extra,
    )
    return env


def run_json(code: str, count: int, timeout: float = 180) -> Any:
    """Run ``code`` (which prints one JSON document last) with ``count`` devices; its value."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=environment(count),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode:
        raise AssertionError(f"child failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
