"""Lanes spread over every device: a 1-D mesh, padding to a multiple of its size, placing
arrays on it and reading them back — on one host or, under ``jax.distributed``, several.

A grid's lanes are independent, so each device runs its share with no communication: the
programs are ``shard_map``\\ s over the mesh's one axis (:data:`LANES`), each device vmapping its
own block of lanes exactly as a single device vmaps all of them. Results are therefore the
same as on one device (up to the float rounding of a differently fused program).

With one device there is no mesh (``None``) and the engine takes its single-device path
unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import numpy as np
from jax.experimental import multihost_utils
from jax.sharding import Mesh, NamedSharding, PartitionSpec

LANES = "lanes"
"""The name of the mesh's one axis."""


def lane_mesh(devices: Sequence[jax.Device] | None = None) -> Mesh | None:
    """A 1-D mesh over ``devices`` (default: every device of every process), or None for one
    device (the single-device path)."""
    chosen = list(jax.devices() if devices is None else devices)
    if not chosen:
        raise ValueError("devices: need at least one device")
    return Mesh(np.asarray(chosen), (LANES,)) if len(chosen) > 1 else None


def device_count(mesh: Mesh | None) -> int:
    """How many devices share the lanes (1 without a mesh)."""
    return 1 if mesh is None else int(mesh.size)


def padded(count: int, multiple: int) -> int:
    """``count`` rounded up to a multiple of ``multiple``."""
    return -(-count // multiple) * multiple


def pad_lanes(tree: Any, size: int) -> Any:
    """Every leaf's leading axis extended to ``size`` by repeating its last entry (a real
    setting, so the padded lanes compute nothing unusual; their results are dropped)."""

    def pad(a: Any) -> np.ndarray:
        a = np.asarray(a)
        extra = size - a.shape[0]
        if extra < 0:
            raise ValueError(f"pad_lanes: {a.shape[0]} lanes do not fit in {size}")
        return a if extra == 0 else np.concatenate([a, np.repeat(a[-1:], extra, axis=0)])

    return jax.tree.map(pad, tree)


def over_lanes(
    f: Callable[..., Any], mesh: Mesh | None, lane_args: Sequence[bool]
) -> Callable[..., Any]:
    """``f`` run by every device on its block of the lanes: the arguments marked in
    ``lane_args`` are split along their leading axis, the others copied to every device, and
    every output is split along its leading axis. Without a mesh, ``f`` itself."""
    if mesh is None:
        return f
    specs = tuple(PartitionSpec(LANES) if split else PartitionSpec() for split in lane_args)
    # No replication checking: nothing crosses devices, and the check does not know every
    # primitive an optimizer uses (LAPACK custom calls, custom JVPs).
    return jax.shard_map(
        f, mesh=mesh, in_specs=specs, out_specs=PartitionSpec(LANES), check_vma=False
    )


def place(tree: Any, mesh: Mesh | None, *, split: bool) -> Any:
    """Host arrays as global arrays on ``mesh``: split along the lanes, or copied to every
    device. Each process builds only its own devices' blocks (``make_array_from_callback``),
    so the same call works on one host and under ``jax.distributed`` (where every process
    passes the same host arrays). Without a mesh: the tree unchanged."""
    if mesh is None:
        return tree
    sharding = NamedSharding(mesh, PartitionSpec(LANES) if split else PartitionSpec())

    def one(a: Any) -> jax.Array:
        a = np.asarray(a)
        return jax.make_array_from_callback(a.shape, sharding, lambda index: a[index])

    return jax.tree.map(one, tree)


def to_host(tree: Any) -> Any:
    """numpy copies of every leaf; lanes computed by other processes are gathered first."""
    leaves = jax.tree.leaves(tree)
    if all(getattr(a, "is_fully_addressable", True) for a in leaves):
        return jax.device_get(tree)
    return multihost_utils.process_allgather(tree, tiled=True)
