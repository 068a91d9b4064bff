r"""Tuning a net's hyperparameters: every candidate setting trained in one race, then judged.

Each optimizer's candidate settings (a grid: optimizer → list of overrides) train together in
one vmapped :func:`~rlx_lab.nets.train.race`, each once per seed. What judges them is ``by``:

* ``"validation"`` (the default): the net trains on the first three quarters of the training
  set and is judged on the last quarter (:func:`~rlx_lab.nets.datasets.hold_out`; a batch larger
  than that part shrinks to fit) — a setting that merely memorises the training points does not
  win. **The rule for small data**: when that quarter would hold fewer than
  :data:`MIN_VALIDATION` points (a training set under about 200), a handful of points would decide
  the pick — on 20 training points, 5 held-out points once chose η = 0.316 for Muon, whose test
  accuracy fell from 100 % to 35 %. Then the candidates are judged by
  :data:`~rlx_lab.nets.folds.FOLDS`-fold cross-validation instead (:mod:`rlx_lab.nets.folds`:
  stratified, seeded folds of equal shape; every training point judged exactly once), their
  scores averaged over the folds as over the seeds; under
  :data:`~rlx_lab.nets.folds.MIN_POINTS` training points (or with a class of one point) the
  tuning is refused (:class:`~rlx_lab.nets.folds.CannotJudge`);
* ``"training"``: the net trains on the whole training set and is judged on it (the
  optimisation view: how low each optimizer drives the loss it is given).

A setting's score is the pair (final judged loss :math:`L_T`, its mean over the frames
:math:`\bar L`), averaged over the seeds (and the folds); a setting that diverges at any seed
(or fold) scores :math:`(\infty, \infty)` and is out. The lowest score wins, compared
lexicographically: ties in :math:`L_T` (a perfect fit reaches 0) go to the faster descent. The
test set plays no part.

>>> from rlx_lab import nets
>>> data = nets.datasets.make("two_moons")
>>> nets.tuning.tune_lr(data, {"adam": {}, "sgd": {"momentum": 0.9}}).lrs
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal, NamedTuple

import numpy as np

from . import datasets, folds
from .datasets import Dataset
from .mlp import MLP
from .results import NetRun, RaceResult
from .settings import TrainSettings
from .train import race

Judge = Literal["validation", "training"]
NET_TUNE_LRS = tuple(float(v) for v in np.logspace(-4, 0, 9))
"""The learning rates :func:`tune_lr` tries by default: 1e-4, 3.16e-4, …, 1."""
HELD_OUT = 0.25
"""Share of the training set a validation-judged tuning holds out of training."""
MIN_VALIDATION = 50
"""Fewest held-out points that judge a tuning; with fewer, k-fold cross-validation judges (see
the module's docstring): 50 points put one point's weight in the mean at 2 %, and the
app's smallest generated set (128 training points, 32 held out) falls under it."""
TUNE_SEEDS = 3
"""Run seeds every candidate trains with, at least: with one seed, a setting that lands well by
luck wins (measured on three datasets: see the README)."""


class Candidates(NamedTuple):
    """Every candidate setting's run, and what judged them."""

    result: RaceResult
    """The race of every candidate (the first fold's, under cross-validation)."""
    data: Dataset
    """The data the candidates trained on (and, for ``"validation"``, were judged on); under
    cross-validation, the whole training set the folds were dealt from."""
    by: Judge
    words: str
    """How they were judged, for a note."""
    folds: tuple[RaceResult, ...] = ()
    """Under cross-validation, every fold's race (test fields: that fold's validation points);
    empty otherwise."""

    @property
    def results(self) -> tuple[RaceResult, ...]:
        """Every race whose scores are averaged: the folds', or the one race."""
        return self.folds or (self.result,)


def tuning_seeds(seeds: Sequence[int], at_least: int = TUNE_SEEDS) -> tuple[int, ...]:
    """``seeds`` as consecutive seeds from the first, extended to at least ``at_least``."""
    first = seeds[0]
    return tuple(range(first, first + max(len(seeds), at_least)))


def cross_validates(data: Dataset, by: str) -> bool:
    """Whether a tuning ``by`` the validation loss judges ``data`` by k-fold cross-validation
    (its held-out part would hold fewer than :data:`MIN_VALIDATION` points)."""
    n = len(data.x_train)
    return by == "validation" and round(HELD_OUT * n) < MIN_VALIDATION


def train_candidates(
    data: Dataset,
    grid: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    model: MLP | None = None,
    settings: TrainSettings | None = None,
    seeds: Sequence[int] = (0, 1, 2),
    by: Judge = "validation",
) -> Candidates:
    """Train every setting of ``grid`` (optimizer → list of overrides) in one race, once per
    seed, on the part of ``data`` that ``by`` trains on (see the module's docstring); under
    cross-validation, one such race per fold (the same shapes: one compiled program).
    Raises :class:`~rlx_lab.nets.folds.CannotJudge` where no split can judge."""
    settings = TrainSettings() if settings is None else settings
    choice = {name: [dict(row) for row in rows] for name, rows in grid.items()}
    if by not in ("validation", "training"):
        raise ValueError(f"tune_by: expected 'validation' or 'training', got {by!r}")
    if cross_validates(data, by):
        return _cross_validate(data, choice, model, settings, tuple(seeds))
    if by == "validation":
        full = len(data.x_train)
        data = datasets.hold_out(data, HELD_OUT)
        kept, held = len(data.x_train), len(data.x_test)
        settings, shrunk = _fit_batch(settings, kept)
        words = (
            f"held-out {HELD_OUT:.0%} ({held} points): the net trains on {kept} of the {full} "
            f"training points{shrunk} and is judged on the other {held}: the lowest final "
            "validation loss"
        )
    else:
        words = "the lowest final training loss"
    result = race(data, choice, model=model, settings=settings, seeds=tuple(seeds))
    return Candidates(result, data, by, words)


def _cross_validate(
    data: Dataset,
    choice: dict[str, list[dict[str, Any]]],
    model: MLP | None,
    settings: TrainSettings,
    seeds: tuple[int, ...],
) -> Candidates:
    """:func:`train_candidates` judged by :func:`~rlx_lab.nets.folds.split`'s folds."""
    dealt = folds.split(data)
    width = max(len(f.validation) for f in dealt)
    trained = len(dealt[0].train)
    settings, shrunk = _fit_batch(settings, trained)
    results = []
    for fold in dealt:
        result = race(
            folds.fold_data(data, fold, width), choice, model=model, settings=settings, seeds=seeds
        )
        if len(fold.validation) < width:  # the race judged a padded set: judge the true one
            runs = tuple(
                run
                for name in result.optimizers()
                for run in folds.exact_validation(result.runs_of(name), result.model, data, fold)
            )
            result = dataclasses.replace(result, runs=runs)
        results.append(result)
    k, n = len(dealt), len(data.x_train)
    judged = str(width) if width * k == n else f"{width - 1}–{width}"
    words = (
        f"{k}-fold cross-validation on {n} points (too few to hold out {MIN_VALIDATION}): each "
        f"fold trains on {trained}{shrunk} and is judged on the other {judged}, every point "
        f"judged once: the lowest final validation loss (averaged over the {k} folds)"
    )
    return Candidates(results[0], data, "validation", words, tuple(results))


def _fit_batch(settings: TrainSettings, points: int) -> tuple[TrainSettings, str]:
    """``settings`` with a batch no larger than ``points``, and words for a shrunk batch."""
    batch = min(settings.batch_size, points)
    shrunk = f", batches of {batch}" if batch != settings.batch_size else ""
    return dataclasses.replace(settings, batch_size=batch), shrunk


def rank_key(run: NetRun, by: Judge) -> tuple[float, float]:
    """(final judged loss, its mean over the frames) — the validation loss (the held-out part
    lies in the test fields) for ``by == "validation"``, else the training loss; (inf, inf) for
    a run that diverged or ended non-finite."""
    curve = run.test_loss if by == "validation" else run.train_loss
    final = float(curve[-1])
    if run.diverged or not math.isfinite(final):
        return (math.inf, math.inf)
    return (final, float(np.mean(curve)))


def setting_keys(tried: Candidates, optimizer: str) -> list[tuple[float, float]]:
    """Each of ``optimizer``'s settings' :func:`rank_key`, averaged over the seeds and folds
    ((inf, inf) if any seed's or fold's run diverged), in the order of its grid."""
    seeds = len(tried.result.seeds)
    keys = np.stack(
        [
            np.array([rank_key(r, tried.by) for r in result.runs_of(optimizer)]).reshape(
                -1, seeds, 2
            )
            for result in tried.results
        ]
    )
    per_setting = keys.mean(axis=(0, 2))
    return [(float(final), float(mean)) for final, mean in per_setting]


def best_index(
    keys: Sequence[tuple[float, float]], group: np.ndarray | None = None, only: int | None = None
) -> int | None:
    """The setting with the lowest key, within group ``only`` of ``group`` (one label per
    setting) if given; None when every candidate diverged."""
    lanes = [i for i in range(len(keys)) if only is None or group is None or group[i] == only]
    lanes = [i for i in lanes if math.isfinite(keys[i][0])]
    return min(lanes, key=lambda i: keys[i]) if lanes else None


def seeds_words(seeds: Sequence[int]) -> str:
    """``seed 0``, or ``seeds 0–2 (scores averaged)``."""
    if len(seeds) == 1:
        return f"seed {seeds[0]}"
    return f"seeds {seeds[0]}–{seeds[-1]} (scores averaged)"


class LrTuning(NamedTuple):
    """What :func:`tune_lr` picked."""

    lrs: dict[str, float]
    """Optimizer → the winning η (optimizers that diverged at every η are missing)."""
    failed: tuple[str, ...]
    """Optimizers that diverged at every η."""
    candidates: Candidates


def tune_lr(
    data: Dataset,
    choice: Mapping[str, Mapping[str, Any]],
    *,
    model: MLP | None = None,
    settings: TrainSettings | None = None,
    seeds: Sequence[int] = (0, 1, 2),
    by: Judge = "validation",
    lrs: Sequence[float] = NET_TUNE_LRS,
) -> LrTuning:
    """Each optimizer's best η among ``lrs``, its other hyperparameters as in ``choice``
    (optimizer → overrides): every η trains at every seed (:func:`train_candidates`) and the
    lowest :func:`setting_keys` wins (:func:`best_index`)."""
    grid = {name: [{**over, "lr": float(lr)} for lr in lrs] for name, over in choice.items()}
    tried = train_candidates(data, grid, model=model, settings=settings, seeds=seeds, by=by)
    picked: dict[str, float] = {}
    failed: list[str] = []
    for name in choice:
        best = best_index(setting_keys(tried, name))
        if best is None:
            failed.append(name)
        else:
            picked[name] = float(lrs[best])
    return LrTuning(picked, tuple(failed), tried)
