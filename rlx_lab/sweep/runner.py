"""Run a :class:`~rlx_lab.sweep.spec.SweepSpec` chunk by chunk, with a progress bar, writing
each finished chunk (so an interrupted run resumes) and then the results file.

Under ``jax.distributed`` every process runs the same chunks — each computes the lanes of its
own devices, and the chunk's results are gathered — and process 0 alone reads and writes
files: which chunks are done is its word, broadcast to the others.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from pathlib import Path

import jax
import numpy as np
from jax.experimental import multihost_utils
from tqdm import tqdm

from .results import assemble, write_atomically
from .spec import SweepSpec
from .worlds import Chunked, plans

SPEC_FILE = "spec.json"


def parts_folder(out: Path) -> Path:
    """Where the chunks of a run writing ``out`` wait: ``<out>.parts``."""
    return out.with_name(out.name + ".parts")


def chunk_file(parts: Path, optimizer: int, k: int) -> Path:
    return parts / f"chunk-{optimizer:03d}-{k:06d}.npz"


def finished_chunks(parts: Path, spec: SweepSpec) -> set[tuple[int, int]]:
    """The (optimizer, chunk) pairs already written for ``spec`` (creating the folder and its
    spec if new); ValueError if the folder holds another spec's chunks."""
    mark = parts / SPEC_FILE
    if mark.exists():
        if mark.read_text() != spec.canonical():
            raise ValueError(
                f"{parts}: holds the chunks of a different spec; delete it or write elsewhere"
            )
    else:
        parts.mkdir(parents=True, exist_ok=True)
        mark.write_text(spec.canonical())
    done = set()
    for path in parts.glob("chunk-*.npz"):
        _, optimizer, k = path.stem.split("-")
        done.add((int(optimizer), int(k)))
    return done


def _read(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def _agreed(done: set[tuple[int, int]], worlds: Sequence[Chunked]) -> set[tuple[int, int]]:
    """Process 0's set of finished chunks, on every process."""
    if jax.process_count() == 1:
        return done
    every = [(o, k) for o, w in enumerate(worlds) for k in range(w.chunks)]
    mask = np.asarray([pair in done for pair in every], np.int32)
    mask = np.asarray(multihost_utils.broadcast_one_to_all(mask))
    return {pair for pair, m in zip(every, mask, strict=True) if m}


def run(
    spec: SweepSpec,
    out: str | Path,
    *,
    progress: bool = True,
    devices: Sequence[jax.Device] | None = None,
    overwrite: bool = False,
) -> Path:
    """Run ``spec`` over ``devices`` (default: every device of every process) and write the
    results to ``out``; the chunks of an interrupted run of the same spec are reused."""
    out = Path(out)
    lead = jax.process_index() == 0
    if lead and out.exists() and not overwrite:
        raise FileExistsError(f"{out}: exists; choose another path or overwrite it")
    if spec.world == "net" and jax.process_count() > 1:
        raise ValueError("world: a net sweep runs on one host (all its devices), not several")
    worlds = plans(spec, devices)
    parts = parts_folder(out)
    done = _agreed(finished_chunks(parts, spec) if lead else set(), worlds)
    count = len(jax.devices() if devices is None else devices)
    lanes = [spec.count() * spec.seeds] * len(worlds)
    rows_done = sum(
        w.span(k)[1] - w.span(k)[0]
        for o, w in enumerate(worlds)
        for k in range(w.chunks)
        if (o, k) in done
    )
    bar = tqdm(
        total=sum(lanes),
        initial=rows_done * spec.seeds,
        unit="lane",
        unit_scale=True,
        disable=not (progress and lead),
        desc=f"{spec.world} sweep on {count} device{'s' * (count > 1)}",
    )
    began = time.perf_counter()
    computed = 0
    with bar:
        for o, world in enumerate(worlds):
            bar.set_postfix_str(list(spec.optimizers)[o])
            for k in range(world.chunks):
                if (o, k) in done:
                    continue
                arrays = world.run(k)
                if lead:
                    write_atomically(chunk_file(parts, o, k), arrays)
                first, last = world.span(k)
                computed += (last - first) * spec.seeds * spec.steps
                rate = computed / max(time.perf_counter() - began, 1e-9)
                bar.set_postfix_str(f"{list(spec.optimizers)[o]}, {rate:.3g} lane-steps/s")
                bar.update((last - first) * spec.seeds)
    if lead:
        chunks = [
            [_read(chunk_file(parts, o, k)) for k in range(w.chunks)] for o, w in enumerate(worlds)
        ]
        write_atomically(out, assemble(spec, chunks, count))
        shutil.rmtree(parts)
    return out
