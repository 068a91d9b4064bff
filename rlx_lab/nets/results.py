"""What a race returns: one :class:`NetRun` of numpy arrays per (optimizer, setting, seed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .mlp import MLP

Snapshots = dict[str, np.ndarray]
"""Param name → (F, *shape): the params at every frame."""


@dataclass(frozen=True, eq=False)
class NetRun:
    """One optimizer's training run at one hyperparameter setting and one seed.

    Per-step arrays have length S (step 1…S); per-frame arrays have length F and describe
    the params after ``frame_steps[k]`` steps (frame 0: the initial params). After a
    divergence (``diverged_at`` = the failing step, −1 = never) the params stay frozen.
    """

    optimizer: str
    hparams: dict[str, Any]
    """Every hyperparameter value the run used (plain Python values)."""
    seed: int
    loss: np.ndarray
    """(S,) minibatch loss at the params each step started from; NaN once diverged."""
    grad_norm: np.ndarray
    update_norm: np.ndarray
    """(S, T) ‖Δθ‖ per tensor, columns in ``tensor_names`` order."""
    clip: np.ndarray
    global_clip: np.ndarray
    frame_steps: np.ndarray
    train_loss: np.ndarray
    train_acc: np.ndarray
    test_loss: np.ndarray
    test_acc: np.ndarray
    snapshots: Snapshots
    diverged_at: int
    tensor_names: tuple[str, ...]

    @property
    def steps(self) -> int:
        """Number of optimizer steps S."""
        return int(self.loss.shape[0])

    @property
    def diverged(self) -> bool:
        return self.diverged_at >= 0

    def final_params(self) -> Snapshots:
        """The params after the last step (or where the run froze)."""
        return {k: v[-1] for k, v in self.snapshots.items()}

    def params_at(self, frame: int) -> Snapshots:
        """The params at frame ``frame``."""
        return {k: v[frame] for k, v in self.snapshots.items()}

    def loss_reduction(self) -> float:
        """1 − final/initial full training loss (0.5 = halved; −inf… when it grew)."""
        return float(1.0 - self.train_loss[-1] / self.train_loss[0])

    def update_norms(self) -> dict[str, np.ndarray]:
        """Tensor name → (S,) update norms."""
        return {n: self.update_norm[:, i] for i, n in enumerate(self.tensor_names)}


@dataclass(frozen=True, eq=False)
class RaceResult:
    """Every run of a race plus what they all shared: data, architecture, init and batches.

    Fair by construction: run seed r sets ``init_params[r]`` and ``batches[r]`` for every
    optimizer; tests check it through each run's frame 0 and its first minibatch loss.
    """

    dataset: str
    model: MLP
    settings: dict[str, Any]
    seeds: tuple[int, ...]
    batches: np.ndarray
    """(R, S, B) training-set indices of every minibatch, per seed."""
    init_params: tuple[Snapshots, ...]
    """The initial params, per seed."""
    runs: tuple[NetRun, ...]

    def optimizers(self) -> tuple[str, ...]:
        """Optimizer names in race order (each once)."""
        return tuple(dict.fromkeys(r.optimizer for r in self.runs))

    def runs_of(self, optimizer: str) -> tuple[NetRun, ...]:
        """Every run of ``optimizer`` (settings × seeds, setting-major)."""
        return tuple(r for r in self.runs if r.optimizer == optimizer)

    def runs_of_seed(self, seed: int) -> tuple[NetRun, ...]:
        """Every run with seed ``seed`` (they share init and batches)."""
        return tuple(r for r in self.runs if r.seed == seed)

    def __getitem__(self, optimizer: str) -> NetRun:
        """The first run of ``optimizer``."""
        runs = self.runs_of(optimizer)
        if not runs:
            raise KeyError(f"{optimizer!r} did not race; raced: {self.optimizers()}")
        return runs[0]
