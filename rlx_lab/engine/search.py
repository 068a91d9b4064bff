r"""Tuning beyond η: a seeded random search over every tunable hyperparameter at once, run
beside two baselines in the same vmapped call.

The lanes of one call of the engine are

* lane 0: the settings as given (``base``) — the first baseline;
* :data:`~rlx_lab.engine.grid.TUNE_LRS`: η alone, the other fields as given — the rule of
  :func:`~rlx_lab.engine.tune_lr`, the second baseline;
* ``samples`` random settings of every field in :func:`searchable`, drawn independently:
  η log-uniform on [1e-4, 1] (the η scan's range), a field on a ``log`` scale log-uniform on
  its slider range, on ``log1m`` (β) :math:`\log(1-\beta)` uniform, on ``linear`` uniform, a
  boolean a fair coin. Numbers are rounded to three significant figures (of 1 − β on the
  ``log1m`` scale), so the setting shown, linked and run is the same.

The winner is the lowest final loss without diverging, as for :func:`tune_lr`. Because both
baselines are lanes, the search never reports worse than either, and the result says by how
much it beats them. The same ``seed`` draws the same settings (numpy's PCG64, a stream per
optimizer), so a search reproduces.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .. import optim
from ..surfaces import Surface
from .grid import TUNE_LRS, run_grid
from .results import AS_GIVEN, LR_ALONE, RANDOM, SearchResult
from .settings import RunSettings

SEARCH_SAMPLES = 128
"""Random settings :func:`search` tries by default (beside the 1 + 25 baseline lanes)."""
KEPT_FIXED = ("weight_decay",)
"""Fields the search leaves as given: weight decay changes the objective (it pulls towards the
origin), and the surface's loss is what the search judges."""


def searchable(optimizer: str) -> tuple[str, ...]:
    """The fields :func:`search` draws by default: every number (float) and switch (bool)
    that tunes the method — not the integer counts (Newton–Schulz steps, SOAP's period…),
    the tuples, the paper switches, the inert fields or :data:`KEPT_FIXED`."""
    return tuple(
        p.name
        for p in optim.get(optimizer).spec
        if p.kind in ("float", "optional_float", "bool")
        and p.tag not in ("paper", "inert")
        and p.name not in KEPT_FIXED
    )


def sample_settings(
    optimizer: str, samples: int, seed: int, fields: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """``samples`` random settings of ``fields`` (default :func:`searchable`), reproducible
    from ``seed``."""
    opt = optim.get(optimizer)
    names = searchable(optimizer) if fields is None else tuple(fields)
    by_name = {p.name: p for p in opt.spec}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise ValueError(f"fields: {opt.title} has no hyperparameter {unknown[0]!r}")
    if samples < 0:
        raise ValueError(f"samples: expected a count ≥ 0, got {samples!r}")
    # one stream per optimizer: two optimizers searched with one seed do not share their η's
    rng = np.random.default_rng([seed, optim.names().index(opt.name)])
    columns = {name: _draw(by_name[name], rng, samples) for name in names}
    return [{name: column[i] for name, column in columns.items()} for i in range(samples)]


def _draw(spec: optim.HParam, rng: np.random.Generator, n: int) -> list[Any]:
    if spec.kind == "bool":
        return [bool(b) for b in rng.integers(0, 2, n)]
    if spec.kind not in ("float", "optional_float"):
        raise ValueError(f"fields: {spec.name} is {spec.kind}; only numbers and switches are drawn")
    if spec.tag == "lr":
        low, high = float(TUNE_LRS[0]), float(TUNE_LRS[-1])
    else:
        low, high = spec.ui_low, spec.ui_high
    if low is None or high is None:
        raise ValueError(f"fields: {spec.name} has no slider range to draw from")
    u = rng.uniform(0.0, 1.0, n)
    if spec.scale == "log":
        values = _significant(np.exp(np.log(low) + u * (np.log(high) - np.log(low))))
    elif spec.scale == "log1m":  # uniform in log(1 − β) between the slider's ends
        a, b = np.log1p(-low), np.log1p(-high)
        values = 1.0 - _significant(np.exp(a + u * (b - a)))
    else:
        values = _significant(low + u * (high - low))
    return [float(v) for v in np.clip(values, low, high)]


def _significant(values: np.ndarray, digits: int = 3) -> np.ndarray:
    """``values`` rounded to ``digits`` significant figures (0 stays 0)."""
    safe = np.where(values == 0, 1.0, np.abs(values))
    scale = 10.0 ** (digits - 1 - np.floor(np.log10(safe)))
    return np.round(values * scale) / scale


def search(
    optimizer: str,
    base: Mapping[str, Any] | None,
    surface: Surface,
    start: Any,
    settings: RunSettings | None = None,
    *,
    samples: int = SEARCH_SAMPLES,
    seed: int = 0,
    fields: Sequence[str] | None = None,
    draws: int = 1,
) -> SearchResult:
    """Final loss of the given settings, of η alone over ``TUNE_LRS`` and of ``samples``
    random settings of ``fields``, from the first start point, in one vmapped call (with
    ``draws`` > 1, each the mean of that many noise draws: :func:`~rlx_lab.engine.run_grid`);
    :meth:`SearchResult.best` is the tuned setting and ``best_run`` its whole run."""
    names = searchable(optimizer) if fields is None else tuple(fields)
    drawn = sample_settings(optimizer, samples, seed, names)
    tried = [{}, *({"lr": float(lr)} for lr in TUNE_LRS), *drawn]
    grid = run_grid(optimizer, base, tried, surface, start, settings, draws=draws)
    result = SearchResult(
        optimizer=grid.optimizer,
        fields=names,
        tried=grid.rows,
        group=np.repeat([AS_GIVEN, LR_ALONE, RANDOM], [1, len(TUNE_LRS), len(drawn)]),
        final_loss=grid.losses[:, -1],
        diverged_at=grid.diverged,
        base=grid.base,
        seed=seed,
        settings=grid.recorded(),
    )
    k = result.best_index()
    return result if k is None else dataclasses.replace(result, best_run=grid.trajectory(k))
