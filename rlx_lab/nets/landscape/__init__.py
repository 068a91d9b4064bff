"""2-D slices of a network's training loss, with every optimizer's path on the same plane.

The building blocks (:mod:`._plane`): :func:`random_plane` and :func:`pca_plane` choose a plane,
:func:`project` puts params on it, :func:`grid_around`, :func:`loss_slice` and :func:`loss_at`
evaluate the loss there, :func:`path_fit` holds the slice against the loss a run met. A whole
race on one plane (:mod:`._race`): :func:`race_landscape`, as the web app draws it.

>>> from rlx_lab import nets
>>> data = nets.datasets.make("two_moons")
>>> result = nets.race(data, ["adamw", "muon"])
>>> runs = {run.optimizer: run for run in result.runs}
>>> view = nets.landscape.race_landscape(result.model, runs, data.x_train, data.y_train)
>>> view.slice.loss.shape, view.paths["muon"].shape
"""

from ._plane import (
    Arrays,
    PathFit,
    Plane,
    Slice,
    grid_around,
    loss_at,
    loss_slice,
    path_fit,
    pca_plane,
    project,
    random_plane,
)
from ._race import Landscape, fit_note, race_landscape

__all__ = [
    "Arrays",
    "Landscape",
    "PathFit",
    "Plane",
    "Slice",
    "fit_note",
    "grid_around",
    "loss_at",
    "loss_slice",
    "path_fit",
    "pca_plane",
    "project",
    "race_landscape",
    "random_plane",
]
