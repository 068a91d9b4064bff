"""``run`` and ``race``: trajectories of optimizers on a surface, compiled once and reused.

A compiled program is keyed by (optimizer, surface, view, step bucket, start count, probes);
everything else — hyperparameters, start points, noise σ and seed, global clip, Sophia's
estimator and period, surface parameters, the η schedule — is traced, so changing it never
recompiles.
Step counts are rounded up to a bucket (the extra steps are computed and dropped) so that a
steps slider does not recompile at every value either.

The settings and their checks live in :mod:`.settings`, the compiled programs in
:mod:`.programs`, and grids of settings of one optimizer (``sweep``, ``tune_lr``) in
:mod:`.grid`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

import jax

from .. import optim
from ..surfaces import Surface
from .programs import dynamics, program, trajectory
from .results import Trajectory
from .settings import RunSettings, bucket, parse_starts


def run(
    optimizer: str,
    hparams: Mapping[str, Any] | None,
    surface: Surface,
    starts: Any,
    settings: RunSettings | None = None,
) -> Trajectory:
    """Trajectories of ``optimizer`` from each start point (shape (2,) or (N, 2))."""
    return race([(optimizer, hparams)], surface, starts, settings)[0]


def race(
    entries: Sequence[tuple[str, Mapping[str, Any] | None]],
    surface: Surface,
    starts: Any,
    settings: RunSettings | None = None,
) -> list[Trajectory]:
    """One trajectory per (optimizer, hyperparameter overrides), same starts and settings.

    Every input is validated first (a bad entry raises before anything runs); then all runs
    are dispatched before any result is awaited, so they overlap on the device.
    """
    settings = (settings or RunSettings()).validate()
    points = parse_starts(starts)
    dyn = dynamics(surface, settings)
    checked = []
    for name, overrides in entries:
        opt = optim.get(name)
        checked.append((opt, dict(overrides or {}), opt.hparams(**dict(overrides or {}))))
    pending = [
        program(
            opt.name,
            surface,
            settings.view,
            bucket(settings.steps),
            settings.probes,
            len(points),
            over_hparams=None,
        )(hp, points, dyn)
        for opt, _, hp in checked
    ]
    recorded = asdict(settings)
    return [
        trajectory(opt.name, overrides, surface, settings, recorded, points, jax.device_get(trace))
        for (opt, overrides, _), trace in zip(checked, pending, strict=True)
    ]
