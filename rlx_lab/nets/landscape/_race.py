r"""A whole race on one plane: every optimizer's path and the training loss under it.

:func:`race_landscape` picks one plane for all the optimizers, projects each run's frames onto
it and evaluates the loss on a grid covering the paths:

* ``"pca"`` — the plane through the shared start :math:`\theta_0` (every run of one seed begins
  there) spanned by the two leading principal directions of all runs' offsets
  :math:`\theta_k - \theta_0` (:func:`~._plane.pca_plane`); the grid spans at least ±0.5;
* ``"random"`` — two filter-normalised random directions (Li et al., 2018;
  :func:`~._plane.random_plane`) around the end point of the run with the lowest final training
  loss; the grid spans at least ±1.

Runs that diverged (or hold a non-finite frame) are projected but steer neither the plane nor
the grid's extent. Under each healthy path the slice's loss (:func:`~._plane.loss_at`) is kept
beside the loss the run met, so :meth:`Landscape.fits` measures what the picture is worth.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal, NamedTuple

import numpy as np

from ... import optim
from ...formatting import format_value
from ..mlp import MLP
from ..results import NetRun
from ._plane import (
    PathFit,
    Slice,
    grid_around,
    loss_at,
    loss_slice,
    path_fit,
    pca_plane,
    project,
    random_plane,
)

SPAN = {"pca": 0.5, "random": 1.0}
"""The least half-width of the grid, in plane units, for each kind of plane."""


class Landscape(NamedTuple):
    """The loss on a plane through parameter space and each optimizer's projected path."""

    slice: Slice
    paths: dict[str, np.ndarray]
    """Optimizer → (F, 2) plane coordinates of its frames."""
    center: str
    """Where the plane is centred, in words."""
    left_out: tuple[str, ...]
    """Optimizers that diverged: projected, but not used to place the plane or the grid."""
    met: dict[str, np.ndarray]
    """Optimizer → (F,) the training loss its run met at each frame (runs that did not
    diverge)."""
    on_plane: dict[str, np.ndarray]
    """Optimizer → (F,) the slice's loss under each projected frame of that run."""

    def fits(self) -> dict[str, PathFit]:
        """Optimizer → how closely the slice under its path shows the loss it met."""
        return {n: path_fit(self.on_plane[n], self.met[n]) for n in self.met}


def race_landscape(
    model: MLP,
    runs: Mapping[str, NetRun],
    x: np.ndarray,
    y: np.ndarray,
    *,
    kind: Literal["pca", "random"] = "pca",
    seed: int = 0,
    resolution: int = 41,
) -> Landscape:
    """The training loss on (``x``, ``y``) on one plane shared by every run of ``runs``
    (optimizer → one run, all from the same initial params), with their projected paths.

    ``seed`` draws the random directions (``kind="random"``); an odd ``resolution`` puts the
    plane's centre on the grid. Raises ``ValueError`` for an unknown ``kind``, no runs, or when
    every run diverged.
    """
    if kind not in SPAN:
        raise ValueError(f"kind: expected 'pca' or 'random', got {kind!r}")
    if not runs:
        raise ValueError("runs: no run to draw the landscape of")
    healthy = {n: r for n, r in runs.items() if not r.diverged and _finite(r)}
    left_out = tuple(n for n in runs if n not in healthy)
    if not healthy:
        raise ValueError("every run diverged: no plane to draw the landscape on")
    if kind == "pca":
        start = next(iter(healthy.values())).params_at(0)
        plane = pca_plane(start, [r.snapshots for r in healthy.values()])
        share = float(np.sum(plane.explained)) * 100
        center = f"PCA plane through the shared start: {share:.0f}% of the movement"
    else:
        best = min(healthy, key=lambda n: float(healthy[n].train_loss[-1]))
        plane = random_plane(healthy[best].final_params(), seed=seed)
        center = f"Random directions around {optim.get(best).title}'s end point"
    paths = {n: project(plane, r.snapshots) for n, r in runs.items()}
    alphas, betas = grid_around([paths[n] for n in healthy], resolution=resolution, span=SPAN[kind])
    cut = loss_slice(model, plane, x, y, alphas, betas)
    on_plane = {n: loss_at(model, plane, x, y, paths[n]) for n in healthy}
    met = {n: np.asarray(healthy[n].train_loss) for n in healthy}
    return Landscape(cut, paths, center, left_out, met, on_plane)


def fit_note(result: Landscape, frame_steps: np.ndarray) -> str:
    """What the slice under the paths is worth, measured: the median and worst ratio between
    the loss drawn under a path and the loss the run met there (1 = the picture is exact);
    empty when no frame can be compared."""
    fits = {n: f for n, f in result.fits().items() if f.worst_frame >= 0}
    if not fits:
        return ""
    median = float(np.median([f.median for f in fits.values()]))
    name = max(fits, key=lambda n: fits[n].worst)
    worst = fits[name]
    step = int(frame_steps[worst.worst_frame])
    return (
        f"Measured along the paths: the slice under them shows the loss they met within "
        f"×{format_value(median)} at the median frame; worst ×{format_value(worst.worst)} "
        f"({optim.get(name).title} "
        f"at step {step})."
    )


def _finite(run: NetRun) -> bool:
    """Every frame's params and the final training loss are finite."""
    return all(np.all(np.isfinite(v)) for v in run.snapshots.values()) and math.isfinite(
        float(run.train_loss[-1])
    )
