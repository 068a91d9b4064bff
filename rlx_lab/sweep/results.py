"""The results file of a headless sweep: one ``.npz`` (numpy's zip of ``.npy`` arrays).

Why ``.npz``: numpy alone reads it (``np.load(path)``, no pickle, no other library), every
array keeps its dtype and shape, and strings go in as unicode arrays — so the spec and the
versions travel inside the file. (Parquet/Arrow would want pyarrow, and their tables are
long-format: a heat map would first have to be pivoted back into its grid.)

Keys:

* ``format`` (``"rlx_lab.sweep/1"``), ``spec`` (the spec as JSON), ``versions`` (JSON: rlx_lab,
  jax, jaxlib, numpy, python, the platform, devices and processes that ran it);
* ``dims`` — the names of the results' axes: ``optimizer``, each grid axis, ``draw`` (with
  random draws), ``seed``; the coordinates ``optimizer`` (names), ``axis.<name>``,
  ``random.<name>`` (one value per draw), ``seed``;
* ``final_loss``, ``best_loss``, ``steps_to_tol``, ``diverged_at`` (shape along ``dims``),
  ``curve`` (one more axis: the loss at ``curve_steps``) and, on a net, ``test_loss``.

While a sweep runs, each finished chunk is its own file in a sidecar folder ``<out>.parts``
(written to a temporary name, then renamed: a killed run never leaves half a chunk), with the
spec beside them; a rerun of the same spec skips the chunks there.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import jax
import numpy as np

from ..engine.stream import curve_steps
from .spec import SweepSpec

FORMAT = "rlx_lab.sweep/1"
METRICS = ("final_loss", "best_loss", "steps_to_tol", "diverged_at", "test_loss")


def versions(devices: int) -> dict[str, Any]:
    """What ran the sweep."""

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    return {
        "rlx_lab": version("rlx_lab"),
        "jax": jax.__version__,
        "jaxlib": version("jaxlib"),
        "numpy": np.__version__,
        "python": platform.python_version(),
        "platform": jax.default_backend(),
        "devices": devices,
        "processes": jax.process_count(),
    }


def write_atomically(path: Path, arrays: Mapping[str, Any]) -> None:
    """``np.savez`` to a temporary file beside ``path``, then rename it (atomic on POSIX)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, **arrays)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def assemble(
    spec: SweepSpec, per_optimizer: list[list[dict[str, np.ndarray]]], devices: int
) -> dict[str, np.ndarray]:
    """The results file's arrays from each optimizer's chunks (in order)."""
    shape = spec.shape()
    arrays: dict[str, np.ndarray] = {
        "format": np.asarray(FORMAT),
        "spec": np.asarray(spec.canonical()),
        "versions": np.asarray(json.dumps(versions(devices))),
        "dims": np.asarray(spec.dims()),
        "optimizer": np.asarray(list(spec.optimizers)),
        "seed": np.arange(spec.seeds),
        "curve_steps": curve_steps(spec.steps, spec.thin) if spec.thin else np.zeros(0, int),
    }
    arrays.update({f"axis.{name}": values for name, values in spec.axes.items()})
    arrays.update({f"random.{name}": values for name, values in spec.random.items()})
    for key in per_optimizer[0][0]:
        stacked = [np.concatenate([chunk[key] for chunk in chunks]) for chunks in per_optimizer]
        arrays[key] = np.stack([s.reshape(*shape[1:], *s.shape[2:]) for s in stacked])
    return arrays


@dataclass(frozen=True, eq=False)
class SweepFile:
    """A results file, read back: its arrays by key, plus the spec and versions decoded."""

    arrays: dict[str, np.ndarray]
    spec: dict[str, Any]
    versions: dict[str, Any]

    @property
    def dims(self) -> list[str]:
        return [str(d) for d in self.arrays["dims"]]

    @property
    def optimizers(self) -> list[str]:
        return [str(n) for n in self.arrays["optimizer"]]

    def axes(self) -> dict[str, np.ndarray]:
        """Each grid axis's values, in order."""
        return {d: self.arrays[f"axis.{d}"] for d in self.dims if f"axis.{d}" in self.arrays}

    def base(self, optimizer: str) -> dict[str, Any]:
        """The overrides ``optimizer``'s settings started from."""
        table = self.spec["optimizers"]
        return {} if isinstance(table, list) else dict(table[optimizer])


def load(source: str | Path | Any) -> SweepFile:
    """Read a results file (a path or an open binary file); ValueError if it is not one."""
    try:
        with np.load(source, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except (OSError, ValueError, EOFError) as error:
        raise ValueError(f"results: not a readable .npz file ({error})") from None
    if str(arrays.get("format", "")) != FORMAT:
        raise ValueError(f"results: not an rlx_lab sweep file (format {FORMAT!r} expected)")
    return SweepFile(arrays, json.loads(str(arrays["spec"])), json.loads(str(arrays["versions"])))
