"""A small-nets race as files: CSV rows and strict JSON that match the runs (no browser)."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from rlx_lab.nets.export import CSV_COLUMNS, runs_to_csv, runs_to_json
from rlx_lab_app.state.nets.model import NetsModel


@pytest.fixture(scope="module")
def trained() -> NetsModel:
    model = NetsModel(optimizers=["adam", "sgd"], steps=40, n_seeds=2)
    model.settings["sgd"].lr = 50.0  # diverges: NaN curves must stay valid JSON
    model.train()
    return model


def test_csv_has_a_row_per_optimizer_seed_and_frame_with_the_runs_values(
    trained: NetsModel,
) -> None:
    rows = list(csv.DictReader(io.StringIO(trained.export_csv())))
    runs = trained.shown_runs()
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == sum(len(r.frame_steps) for r in runs)
    adam = trained.runs["adam"][1]  # second seed
    mine = [r for r in rows if r["optimizer"] == "adam" and r["seed"] == str(adam.seed)]
    assert [int(r["step"]) for r in mine] == adam.frame_steps.tolist()
    assert np.allclose([float(r["test_acc"]) for r in mine], adam.test_acc)
    sgd = trained.runs["sgd"][0]
    assert sgd.diverged
    flags = [r["diverged"] == "True" for r in rows if r["optimizer"] == "sgd" and r["seed"] == "0"]
    assert flags == [0 <= sgd.diverged_at <= s for s in sgd.frame_steps.tolist()]


def test_json_is_strict_and_holds_context_hparams_and_curves(trained: NetsModel) -> None:
    text = trained.export_json()
    payload = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-strict JSON: {c}"))
    assert payload["context"]["layers"] == [2, 32, 32, 2]
    assert payload["context"]["seeds"] == [0, 1]
    runs = payload["runs"]
    assert [(r["optimizer"], r["seed"]) for r in runs] == [
        ("adam", 0),
        ("adam", 1),
        ("sgd", 0),
        ("sgd", 1),
    ]
    assert runs[2]["hparams"]["lr"] == 50.0 and runs[2]["diverged_at"] >= 0
    assert None in runs[2]["minibatch_loss"], "NaN after the divergence became null"
    adam = trained.runs["adam"][0]
    assert np.allclose(runs[0]["train_loss"], adam.train_loss)
    assert len(runs[0]["minibatch_loss"]) == adam.steps


def test_nothing_trained_exports_headers_only() -> None:
    assert runs_to_csv([]).strip() == ",".join(CSV_COLUMNS)
    assert json.loads(runs_to_json([])) == {"context": {}, "runs": []}
    assert json.loads(NetsModel().export_json()) == {"context": {}, "runs": []}
