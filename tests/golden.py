"""Load the RLX reference vectors copied from ``shared/golden`` and replay them through the API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jax.numpy as jnp
import numpy as np

from rlx_lab import optim

GOLDEN_DIR = Path(__file__).parent / "data" / "golden"


def load(name: str) -> dict[str, Any]:
    """One reference file (``Infinity``/``NaN`` tokens are read by Python's json)."""
    return json.loads((GOLDEN_DIR / f"{name}.json").read_text())


def cases() -> Iterator[tuple[str, dict[str, Any]]]:
    """(optimizer name, case) for every case of every optimizer."""
    for name in optim.names():
        for case in load(name)["cases"]:
            yield name, case


def _tensors(values: dict[str, list[float]], shapes: dict[str, list[int]]) -> dict[str, Any]:
    return {
        name: jnp.asarray(np.asarray(flat, np.float32).reshape(shapes[name]))
        for name, flat in values.items()
    }


def replay(name: str, case: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any], dict]]:
    """Drive a case through the public API; yield (iteration, ours, expected) per iteration."""
    opt = optim.get(name)
    hparams = {k: tuple(v) if isinstance(v, list) else v for k, v in case["hparams"].items()}
    hp = opt.hparams(**hparams)
    shapes = {t["name"]: t["shape"] for t in case["tensors"]}
    params = {
        t["name"]: jnp.asarray(np.asarray(t["param0"], np.float32).reshape(t["shape"]))
        for t in case["tensors"]
    }
    state = opt.init(params)
    for i, it in enumerate(case["iterations"]):
        if "hessian" in it:
            state = opt.update_hessian(state, _tensors(it["hessian"], shapes), hp)
        params, state = opt.step(params, _tensors(it["grads"], shapes), state, hp)
        yield i, params, _tensors(it["params"], shapes)


def relative_error(ours: np.ndarray, expected: np.ndarray) -> float:
    """max |ours − expected| / max(|expected|, 1e-6) over the entries."""
    ours, expected = np.asarray(ours, np.float64), np.asarray(expected, np.float64)
    return float(np.max(np.abs(ours - expected) / np.maximum(np.abs(expected), 1e-6)))
