"""A small-nets race as files: long-format CSV of the curves, strict JSON of every run.

CSV: one row per (optimizer, seed, frame) with the full training and test loss and accuracy
after ``step`` steps. JSON: per run, its hyperparameters, seed, divergence, the curves and the
minibatch loss of every step (non-finite numbers become null).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from ..jsonable import finite_lists, plain
from .results import NetRun

CURVES = ("train_loss", "test_loss", "train_acc", "test_acc")
CSV_COLUMNS = ("optimizer", "seed", "frame", "step", *CURVES, "diverged")


def runs_to_csv(runs: Sequence[NetRun]) -> str:
    """Every run's curves, one row per frame."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for run in runs:
        for frame, step in enumerate(run.frame_steps.tolist()):
            values = [float(getattr(run, name)[frame]) for name in CURVES]
            diverged = 0 <= run.diverged_at <= step
            writer.writerow([run.optimizer, run.seed, frame, step, *values, diverged])
    return buffer.getvalue()


def runs_to_json(runs: Sequence[NetRun], context: dict[str, Any] | None = None) -> str:
    """Strict JSON: ``{"context": …, "runs": [...]}`` (``context``: data, model, settings)."""
    payload = {
        "context": plain(context or {}),
        "runs": [
            {
                "optimizer": run.optimizer,
                "hparams": plain(run.hparams),
                "seed": run.seed,
                "diverged_at": run.diverged_at,
                "frame_steps": run.frame_steps.tolist(),
                **{name: finite_lists(getattr(run, name)) for name in CURVES},
                "minibatch_loss": finite_lists(run.loss),
            }
            for run in runs
        ],
    }
    return json.dumps(payload, allow_nan=False)
