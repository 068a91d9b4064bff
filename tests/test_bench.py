"""Smoke test of ``python -m rlx_lab.bench core``: it runs and writes well-formed JSON.

Timings are never asserted: only that they are finite and positive.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import jax
import jax.numpy as jnp
import pytest

from rlx_lab.bench.__main__ import main
from rlx_lab.bench._hlo import operations, same_operations

KEYS = {
    "optimizer",
    "view",
    "compile_s",
    "point_steps_per_s",
    "optax_ratio",
    "traced_optax_ratio",
    "same_ops",
}


def test_core_writes_one_row_per_optimizer_and_view(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "core.json"
    argv = [
        "core",
        "--only",
        "adam,lion,sophia",
        "--steps",
        "5",
        "--points",
        "4",
        "--repeats",
        "1",
        "--budget",
        "0",
        "--quiet",
        "--json",
        str(out),
    ]
    assert main(argv) == 0
    rows = json.loads(out.read_text())
    assert [(r["optimizer"], r["view"]) for r in rows] == [
        (name, view) for name in ("adam", "lion", "sophia") for view in ("vector", "matrix")
    ]
    for row in rows:
        assert set(row) == KEYS
        numbers = [row["compile_s"], row["point_steps_per_s"]]
        if row["optimizer"] != "sophia":
            numbers.append(row["optax_ratio"])
        assert all(isinstance(x, float) and math.isfinite(x) and x > 0 for x in numbers), row
    assert all(r["optax_ratio"] is None for r in rows if r["optimizer"] == "sophia")
    assert all(r["same_ops"] is None for r in rows if r["optimizer"] == "sophia")
    assert all(isinstance(r["same_ops"], bool) for r in rows if r["optimizer"] != "sophia")
    table = capsys.readouterr().out
    assert "optax_ratio" in table
    assert "sophia" in table


def test_core_rejects_an_unknown_optimizer(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["core", "--only", "adamx"])
    assert "unknown optimizer" in capsys.readouterr().err


def _compiled(fn: object, shape: tuple[int, ...] = (8, 2)) -> object:
    return jax.jit(fn).lower(jnp.zeros(shape, jnp.float32)).compile()  # type: ignore[arg-type]


def test_same_operations_ignores_names_constants_and_operand_order() -> None:
    def scaled(x: jax.Array) -> jax.Array:
        return x * 2.0 + jnp.float32(1.0)

    def shifted(x: jax.Array) -> jax.Array:
        return jnp.float32(3.0) + x * 0.5

    assert same_operations(_compiled(scaled), _compiled(shifted))
    assert operations(_compiled(scaled).as_text())[("multiply", "f32[8,2]{1,0}")] >= 1


def test_same_operations_tells_other_work_or_shapes_apart() -> None:
    def scaled(x: jax.Array) -> jax.Array:
        return x * 2.0 + 1.0

    def rooted(x: jax.Array) -> jax.Array:
        return jnp.sqrt(x) * 2.0 + 1.0

    assert not same_operations(_compiled(scaled), _compiled(rooted))
    assert not same_operations(_compiled(scaled), _compiled(scaled, (4, 2)))
