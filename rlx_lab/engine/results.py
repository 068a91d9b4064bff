"""What a run returns: trajectories as numpy arrays plus the settings that produced them."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..jsonable import finite_lists, plain

RECORD_FIELDS = (
    "step",
    "x",
    "y",
    "loss",
    "grad_x",
    "grad_y",
    "grad_norm",
    "step_norm",
    "clip",
    "global_clip",
)


@dataclass(frozen=True, eq=False)
class Trajectory:
    """One optimizer's run from N start points.

    ``positions`` (N, S+1, 2) and ``loss`` (N, S+1) include the start; the per-step arrays
    (N, S) describe step 1…S, ``grad`` (N, S, 2) being the gradient each step was given (at
    the point before it, after noise and the global clip) and ``final_grad`` (N, 2) the one at
    the last good point (which a next step would be given; a diverged run's failing step was).
    After a divergence
    (``diverged_at[n]`` = the failing step, −1 = never) the position and loss stay at the
    last good point and the per-step diagnostics are 0.
    """

    optimizer: str
    hparams: dict[str, Any]
    surface: str
    view: str
    positions: np.ndarray
    loss: np.ndarray
    grad: np.ndarray
    grad_norm: np.ndarray
    step_norm: np.ndarray
    clip: np.ndarray
    global_clip: np.ndarray
    diverged_at: np.ndarray
    final_grad: np.ndarray
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def steps(self) -> int:
        """Number of optimizer steps S."""
        return int(self.grad_norm.shape[1])

    @property
    def starts(self) -> np.ndarray:
        """(N, 2) start points."""
        return self.positions[:, 0, :]

    def final_loss(self) -> np.ndarray:
        """(N,) loss at the last good point."""
        return self.loss[:, -1]

    def grad_at_points(self) -> np.ndarray:
        """(N, S+1, 2) the gradient at every recorded point: ``grad`` (the one each step was
        given), then ``final_grad`` at the last good point."""
        return np.concatenate([self.grad, self.final_grad[:, None]], 1)

    def step_angle(self) -> np.ndarray:
        """(N, S) angle in degrees between each step Δθ and −g, the direction of steepest
        descent for the gradient it was given: 0° for plain gradient descent, larger where
        momentum or a preconditioner turns the step (NaN where Δθ or g is 0 or not finite).
        """
        move = np.diff(self.positions.astype(np.float64), axis=1)
        grad = self.grad.astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            norms = np.linalg.norm(move, axis=-1) * np.linalg.norm(grad, axis=-1)
            cosine = -np.sum(move * grad, axis=-1) / norms
            ok = np.isfinite(cosine) & (norms > 0)
        return np.where(ok, np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0))), np.nan)

    def metadata(self) -> dict[str, Any]:
        """Everything but the arrays: enough to reproduce the run."""
        return {
            "optimizer": self.optimizer,
            "hparams": plain(self.hparams),
            "surface": self.surface,
            "view": self.view,
            "steps": self.steps,
            "settings": plain(self.settings),
        }

    def records(self) -> list[dict[str, Any]]:
        """One row per (start, step), step 0 being the start point."""
        rows = []
        for n in range(self.positions.shape[0]):
            for s in range(self.steps + 1):
                k = s - 1
                rows.append(
                    {
                        "optimizer": self.optimizer,
                        "start": n,
                        "step": s,
                        "x": float(self.positions[n, s, 0]),
                        "y": float(self.positions[n, s, 1]),
                        "loss": float(self.loss[n, s]),
                        "grad_x": float(self.grad[n, k, 0]) if s else None,
                        "grad_y": float(self.grad[n, k, 1]) if s else None,
                        "grad_norm": float(self.grad_norm[n, k]) if s else None,
                        "step_norm": float(self.step_norm[n, k]) if s else None,
                        "clip": float(self.clip[n, k]) if s else None,
                        "global_clip": bool(self.global_clip[n, k]) if s else None,
                        "diverged": 0 <= self.diverged_at[n] <= s,
                    }
                )
        return rows


def to_csv(trajectories: Sequence[Trajectory]) -> str:
    """Long-format CSV: one row per optimizer, start and step."""
    buffer = io.StringIO()
    columns = ["optimizer", "start", *RECORD_FIELDS, "diverged"]
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for trajectory in trajectories:
        for row in trajectory.records():
            writer.writerow({k: "" if row[k] is None else row[k] for k in columns})
    return buffer.getvalue()


def to_json(trajectories: Sequence[Trajectory]) -> str:
    """Strict JSON (non-finite numbers become null): metadata plus arrays per optimizer."""
    payload = [
        {
            **t.metadata(),
            "diverged_at": t.diverged_at.tolist(),
            "positions": finite_lists(t.positions),
            "loss": finite_lists(t.loss),
            "grad": finite_lists(t.grad),
            "grad_norm": finite_lists(t.grad_norm),
            "step_norm": finite_lists(t.step_norm),
            "clip": finite_lists(t.clip),
            "global_clip": t.global_clip.astype(bool).tolist(),
        }
        for t in trajectories
    ]
    return json.dumps(payload, allow_nan=False)


def _kept_loss(final_loss: np.ndarray, diverged_at: np.ndarray) -> np.ndarray:
    """Final losses with diverged or non-finite runs at +inf, for picking the lowest."""
    loss = np.where(diverged_at >= 0, np.inf, final_loss)
    return np.where(np.isfinite(loss), loss, np.inf)


@dataclass(frozen=True, eq=False)
class LrScan:
    """Final loss at each of a row of learning rates: same start, steps and settings."""

    optimizer: str
    lrs: np.ndarray
    final_loss: np.ndarray
    """One per learning rate; the last good loss for a diverged run."""
    diverged_at: np.ndarray
    """Step where the run diverged (−1: it did not)."""
    base: dict[str, Any]
    settings: dict[str, Any]
    best_run: Trajectory | None = None
    """The whole run at :meth:`best`, taken from the same vmapped call (None: no best)."""

    def best_index(self) -> int | None:
        """Index of :meth:`best` in ``lrs``."""
        loss = _kept_loss(self.final_loss, self.diverged_at)
        if not np.isfinite(loss).any():
            return None
        return int(np.argmin(loss))

    def best(self) -> float | None:
        """The learning rate with the lowest final loss among runs that did not diverge
        (None when every run diverged or none ended finite)."""
        k = self.best_index()
        return None if k is None else float(self.lrs[k])


SEARCH_GROUPS = ("as given", "η alone", "random")
"""What each lane of a :class:`SearchResult` is (``group`` indexes this)."""
AS_GIVEN, LR_ALONE, RANDOM = range(len(SEARCH_GROUPS))
"""The group indices: the settings as given, the η scan, the random draws."""


@dataclass(frozen=True, eq=False)
class SearchResult:
    """Final loss of every setting a random search tried, its two baselines included."""

    optimizer: str
    fields: tuple[str, ...]
    """The fields the random lanes drew."""
    tried: tuple[dict[str, Any], ...]
    """Each lane's setting as changes to ``base`` (lane 0: none)."""
    group: np.ndarray
    """Per lane, an index into :data:`SEARCH_GROUPS`."""
    final_loss: np.ndarray
    """One per lane; the last good loss for a diverged run."""
    diverged_at: np.ndarray
    base: dict[str, Any]
    seed: int
    settings: dict[str, Any]
    best_run: Trajectory | None = None
    """The whole run at :meth:`best`, from the same vmapped call (None: no best)."""

    def best_index(self, group: int | None = None) -> int | None:
        """The lane with the lowest final loss among runs that did not diverge, within one
        group if given (None: every such run diverged)."""
        loss = _kept_loss(self.final_loss, self.diverged_at)
        if group is not None:
            loss = np.where(self.group == group, loss, np.inf)
        if not np.isfinite(loss).any():
            return None
        return int(np.argmin(loss))

    def best(self, group: int | None = None) -> dict[str, Any] | None:
        """The whole setting (``base`` with the lane's changes) of :meth:`best_index`."""
        k = self.best_index(group)
        return None if k is None else {**self.base, **self.tried[k]}

    def best_loss(self, group: int | None = None) -> float | None:
        """The final loss of :meth:`best_index` (None: none)."""
        k = self.best_index(group)
        return None if k is None else float(self.final_loss[k])


@dataclass(frozen=True, eq=False)
class SweepResult:
    """Final loss (and steps to reach ``tol``) over a grid of two hyperparameters."""

    optimizer: str
    axes: tuple[str, str]
    values: tuple[np.ndarray, np.ndarray]
    final_loss: np.ndarray
    """(len(values[0]), len(values[1])); the last good loss for a diverged run."""
    steps_to_tol: np.ndarray
    """First step whose loss ≤ tol (−1: never, or no tol given)."""
    diverged_at: np.ndarray
    base: dict[str, Any]
    settings: dict[str, Any]

    def best(self) -> dict[str, Any]:
        """The setting with the lowest final loss among runs that did not diverge."""
        loss = _kept_loss(self.final_loss, self.diverged_at)
        i, j = np.unravel_index(int(np.argmin(loss)), loss.shape)
        return {self.axes[0]: float(self.values[0][i]), self.axes[1]: float(self.values[1][j])}
