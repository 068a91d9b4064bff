"""Smoke test of ``python -m rlx_lab.bench nets``: it runs and writes well-formed JSON.

Timings are never asserted: only that they are finite and positive.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from rlx_lab.bench.__main__ import main


def test_nets_bench_writes_its_three_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "nets.json"
    argv = [
        "nets",
        "--only",
        "adamw,lion",
        "--steps",
        "50",
        "--repeats",
        "1",
        "--resolution",
        "5",
        "--quiet",
        "--json",
        str(out),
    ]
    assert main(argv) == 0
    numbers = json.loads(out.read_text())
    assert set(numbers) == {"race_s", "optax_ratio", "landscape_s"}
    assert all(isinstance(v, float) and math.isfinite(v) and v > 0 for v in numbers.values())
    assert "optax_ratio" in capsys.readouterr().out


def test_nets_bench_rejects_an_unknown_optimizer(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["nets", "--only", "adamx"])
    assert "unknown optimizer" in capsys.readouterr().err
