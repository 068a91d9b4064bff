r"""2-D slices of a network's training loss, with every optimizer's path on the same plane.

A plane through a centre :math:`\theta^*` is spanned by two directions :math:`d_1, d_2` and
evaluated as :math:`L(\theta^* + \alpha d_1 + \beta d_2)` on a grid (one jitted, vmapped call).

* :func:`random_plane` — *filter-normalised* Gaussian directions (Li et al., 2018, "Visualizing
  the Loss Landscape of Neural Nets"): for a weight matrix W (in, out) each output unit's column
  of d is rescaled to that column's norm in W, :math:`d_{:,j} \leftarrow
  \frac{d_{:,j}}{\lVert d_{:,j}\rVert}\lVert W_{:,j}\rVert`, so the slice is comparable across
  layers and nets of different scale. Biases get d = 0 (the paper's ``ignore='biasbn'``, used
  for its figures) or, with ``bias="copy"``, d = b (its code's treatment of 1-D params).
* :func:`pca_plane` — the top two principal directions of the trajectories: every snapshot's
  offset :math:`\theta_k - \theta^*`, of every optimizer, as the rows of one matrix M; the
  two leading right-singular vectors of M (uncentred, so the plane passes through the centre).
  They are orthonormal, and :func:`project` reduces to dot products.

:func:`project` gives the least-squares coordinates :math:`(\alpha, \beta) = \arg\min
\lVert \alpha d_1 + \beta d_2 - (\theta - \theta^*)\rVert` of any params in the plane.

A projected path drops whatever part of :math:`\theta - \theta^*` lies off the plane, so the
slice under it need not show the loss the path met. :func:`loss_at` evaluates the slice at the
projected points and :func:`path_fit` holds it against the run's own loss, frame by frame.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Literal, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .. import mlp as mlp_
from ..mlp import MLP

Arrays = Mapping[str, np.ndarray]
"""Params by name (numpy or JAX arrays); with a leading frame axis for a trajectory."""


class Plane(NamedTuple):
    """The centre and the two directions, as params-shaped float32 numpy dicts."""

    center: dict[str, np.ndarray]
    d1: dict[str, np.ndarray]
    d2: dict[str, np.ndarray]
    kind: str
    """``"random"`` or ``"pca"``."""
    explained: np.ndarray
    """(2,) share of the trajectories' squared offset each PCA direction explains (NaN: random)."""


class Slice(NamedTuple):
    """The loss on the grid ``alphas`` × ``betas``, and the plane it was cut along."""

    alphas: np.ndarray
    betas: np.ndarray
    loss: np.ndarray
    """(len(betas), len(alphas)): row j is β = betas[j], column i is α = alphas[i] (β grows
    downwards: flip the rows for a top-down image)."""
    plane: Plane


def _flat(params: Arrays, like: Arrays) -> np.ndarray:
    """The tensors of ``params`` flattened in sorted-name order into one float64 vector each;
    leading axes that ``like`` (one set of params) lacks, e.g. frames, are kept."""
    names = sorted(like)
    lead = np.ndim(params[names[0]]) - np.ndim(like[names[0]])
    parts = [np.asarray(params[n], np.float64) for n in names]
    return np.concatenate([p.reshape(*p.shape[:lead], -1) for p in parts], axis=-1)


def _unflat(vector: np.ndarray, like: Arrays) -> dict[str, np.ndarray]:
    out, offset = {}, 0
    for name in sorted(like):
        shape = np.shape(like[name])
        size = int(np.prod(shape))
        out[name] = vector[offset : offset + size].reshape(shape).astype(np.float32)
        offset += size
    return out


def random_plane(center: Arrays, *, seed: int = 0, bias: Literal["zero", "copy"] = "zero") -> Plane:
    """Two filter-normalised Gaussian directions around ``center`` (Li et al., 2018)."""
    if bias not in ("zero", "copy"):
        raise ValueError(f"bias: expected 'zero' or 'copy', got {bias!r}")
    rng = np.random.default_rng(seed)
    directions = []
    for _ in range(2):
        d = {}
        for name in sorted(center):
            w = np.asarray(center[name], np.float64)
            if w.ndim == 2:
                g = rng.standard_normal(w.shape)
                norms = np.linalg.norm(g, axis=0, keepdims=True)
                d[name] = (
                    g / np.where(norms > 0, norms, 1.0) * np.linalg.norm(w, axis=0, keepdims=True)
                )
            else:
                d[name] = np.zeros_like(w) if bias == "zero" else w.copy()
        directions.append({k: v.astype(np.float32) for k, v in d.items()})
    center32 = {k: np.asarray(v, np.float32) for k, v in center.items()}
    return Plane(center32, directions[0], directions[1], "random", np.full(2, np.nan))


def pca_plane(center: Arrays, paths: Sequence[Arrays]) -> Plane:
    """The two leading principal directions of every path's offsets from ``center``.

    ``paths``: snapshots shaped (F, *param shape) per name (e.g. ``NetRun.snapshots``).
    Non-finite snapshots are skipped. Each direction's largest-magnitude entry is positive.
    """
    c = _flat(center, center)
    rows = np.concatenate([_flat(p, center) - c for p in paths], axis=0)
    rows = rows[np.all(np.isfinite(rows), axis=1)]
    if rows.shape[0] < 2:
        raise ValueError("paths: need at least two finite snapshots for a PCA plane")
    top, sing = _leading_two(rows)
    lead = np.argmax(np.abs(top), axis=1)
    top = top * np.sign(top[np.arange(2), lead])[:, None]
    energy = float(np.sum(np.square(rows, dtype=np.float64)))
    explained = sing**2 / energy if energy > 0 else np.zeros(2)
    center32 = {k: np.asarray(v, np.float32) for k, v in center.items()}
    return Plane(
        center32,
        _unflat(top[0], center),
        _unflat(top[1], center),
        "pca",
        np.asarray(explained, np.float64),
    )


DEGENERATE = 1e-4
"""Below this ratio of the second singular value to the first, :func:`_leading_two` takes the
full SVD: through the Gram matrix (its square) the second direction would be inaccurate."""


def _leading_two(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""The two leading right-singular vectors of ``rows`` (n, P), as rows (2, P), and their
    singular values (2,).

    Through the smaller Gram matrix in float64 — :math:`M M^\top` (n × n: snapshots, far
    fewer than weights) or :math:`M^\top M` — whose eigenvectors give them: :math:`v_i =
    M^\top u_i / \sigma_i`, :math:`\sigma_i^2 = \lambda_i`. A few milliseconds where the
    SVD of M took 30-500 ms on a busy server (its BLAS threads contending with the page's).
    A (near-)degenerate second direction falls back to the SVD.
    """
    m = np.asarray(rows, np.float64)
    wide = m.shape[0] <= m.shape[1]
    values, vectors = np.linalg.eigh(m @ m.T if wide else m.T @ m)  # ascending
    sing = np.sqrt(np.maximum(values[::-1][:2], 0.0))
    if sing.shape[0] < 2 or sing[1] <= DEGENERATE * sing[0]:
        _, full, vt = np.linalg.svd(m, full_matrices=False)
        return vt[:2], full[:2]
    leading = vectors[:, ::-1][:, :2]  # (n, 2) left vectors, or (P, 2) right ones
    top = (m.T @ leading / sing).T if wide else leading.T
    return top, sing


def project(plane: Plane, params: Arrays) -> np.ndarray:
    """Least-squares plane coordinates: (2,) for params, (F, 2) for snapshots (F, …)."""
    like = plane.center
    basis = np.stack([_flat(plane.d1, like), _flat(plane.d2, like)], axis=1)  # (P, 2)
    offsets = _flat(params, like) - _flat(like, like)
    coords, *_ = np.linalg.lstsq(basis, offsets.reshape(-1, basis.shape[0]).T, rcond=None)
    return coords.T.reshape(*offsets.shape[:-1], 2)


def loss_slice(
    model: MLP,
    plane: Plane,
    x: np.ndarray,
    y: np.ndarray,
    alphas: np.ndarray,
    betas: np.ndarray,
) -> Slice:
    """The loss on (x, y) at centre + α·d1 + β·d2 for every α, β (one jitted call)."""
    alphas = np.asarray(alphas, np.float32)
    betas = np.asarray(betas, np.float32)
    aa, bb = np.meshgrid(alphas, betas)
    loss = loss_at(model, plane, x, y, np.stack([aa.ravel(), bb.ravel()], axis=1))
    return Slice(alphas, betas, loss.reshape(aa.shape), plane)


def loss_at(
    model: MLP, plane: Plane, x: np.ndarray, y: np.ndarray, coords: np.ndarray
) -> np.ndarray:
    """The loss on (x, y) at centre + α·d1 + β·d2 for each row (α, β) of ``coords`` (n, 2) —
    e.g. what the slice shows under a projected path, to hold against the loss the path met."""
    coords = np.asarray(coords, np.float32).reshape(-1, 2)
    program = _points_program(model)
    loss = program(
        plane.center, plane.d1, plane.d2, jnp.asarray(x), jnp.asarray(y), jnp.asarray(coords)
    )
    return np.asarray(loss)


class PathFit(NamedTuple):
    """How closely the slice under a projected path shows the loss the path met, frame by
    frame, as the ratio max(a/b, b/a) ≥ 1 of the two losses."""

    median: float
    worst: float
    worst_frame: int
    """The frame of ``worst`` (−1: no frame with both losses finite and positive)."""


def path_fit(on_plane: np.ndarray, met: np.ndarray) -> PathFit:
    """Compare the slice's loss under each frame (:func:`loss_at` of the projected path) with
    the loss the run met there; frames where either is not finite and positive are skipped."""
    a, b = np.asarray(on_plane, np.float64), np.asarray(met, np.float64)
    ok = np.isfinite(a) & np.isfinite(b) & (a > 0) & (b > 0)
    if not ok.any():
        return PathFit(math.nan, math.nan, -1)
    ratio = np.zeros(a.shape)
    ratio[ok] = np.maximum(a[ok] / b[ok], b[ok] / a[ok])
    worst = int(np.argmax(ratio))
    return PathFit(float(np.median(ratio[ok])), float(ratio[worst]), worst)


def grid_around(
    coords: Sequence[np.ndarray] = (),
    *,
    resolution: int = 41,
    span: float = 1.0,
    margin: float = 0.2,
) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric α, β grids (an odd ``resolution`` contains 0) covering ±``span`` and every
    finite projected point in ``coords``, plus ``margin`` of the extent."""
    points = [np.asarray(c).reshape(-1, 2) for c in coords]
    points = [p[np.all(np.isfinite(p), axis=1)] for p in points]
    finite = np.concatenate(points) if points else np.zeros((0, 2))
    extent = np.full(2, float(span))
    if finite.size:
        extent = np.maximum(extent, np.max(np.abs(finite), axis=0))
    extent = extent * (1.0 + margin)
    unit = np.linspace(-1.0, 1.0, resolution)
    if resolution % 2:
        unit[resolution // 2] = 0.0  # exactly the centre, not linspace's rounding of it
    return unit * extent[0], unit * extent[1]


@functools.lru_cache(maxsize=16)
def _points_program(model: MLP) -> Callable[..., jax.Array]:
    """jit: (centre, d1, d2, x, y, points (n, 2)) → (n,) losses, mapped in batches of 64."""

    def at(
        center: dict, d1: dict, d2: dict, x: jax.Array, y: jax.Array, a: jax.Array, b: jax.Array
    ) -> jax.Array:
        params = jax.tree.map(lambda c, u, v: c + a * u + b * v, center, d1, d2)
        return mlp_.loss(model, params, x, y)

    def points(
        center: dict, d1: dict, d2: dict, x: jax.Array, y: jax.Array, coords: jax.Array
    ) -> jax.Array:
        return jax.lax.map(lambda ab: at(center, d1, d2, x, y, ab[0], ab[1]), coords, batch_size=64)

    return jax.jit(points)
