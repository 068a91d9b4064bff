"""The Sweep tab's state opens a headless sweep's results file: its heat map, a click that
loads the whole setting, uploads as well as paths, and files it cannot show."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from rlx_lab import sweep
from rlx_lab_app.state import RaceModel, SweepModel

SPEC = {
    "world": "surface",
    "steps": 50,
    "surface": {"name": "booth"},
    "optimizers": {"lion": {"beta2": 0.95}},
    "axes": {"lr": {"log": [1e-3, 1.0, 3]}, "weight_decay": [0.0, 0.1], "beta1": [0.5, 0.9]},
    "keep": {"tol": 1e-2},
}


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sweep") / "lion.npz"
    return sweep.run(sweep.parse(SPEC), path, progress=False)


def test_opening_a_file_draws_its_heat_map_and_a_click_loads_the_setting(results) -> None:
    race = RaceModel(optimizers=["adam"], steps=50)
    model = SweepModel(race, optimizer="lion")
    assert model.open_file(results, "lion.npz")
    result = model.result
    assert model.opened == "lion.npz" and model.file_optimizer == "lion"
    assert result.axes == ("lr", "weight_decay") and result.final_loss.shape == (3, 2)
    np.testing.assert_allclose(result.values[0], [1e-3, 10**-1.5, 1.0])
    file = sweep.load(results)  # one seed: axes (optimizer, lr, weight_decay, beta1, seed)
    loss, diverged = file.arrays["final_loss"][0, ..., 0], file.arrays["diverged_at"][0, ..., 0]
    best = np.unravel_index(np.argmin(np.where(diverged >= 0, np.inf, loss)), loss.shape)
    best_beta1 = int(best[2])  # beta1 is held where the lowest final loss is
    held = float(file.arrays["axis.beta1"][best_beta1])
    np.testing.assert_array_equal(
        result.final_loss, file.arrays["final_loss"][0, :, :, best_beta1, 0]
    )
    assert "lion.npz" in model.message and "beta1=" in model.message and "booth" in model.message
    model.load(2, 1)
    lion = race.settings["lion"]
    assert lion.lr == pytest.approx(1.0) and lion.weight_decay == pytest.approx(0.1)
    assert lion.beta1 == pytest.approx(held) and lion.beta2 == pytest.approx(0.95)
    assert "lion" in race.optimizers


def test_an_upload_opens_too_and_bad_files_say_why(results) -> None:
    model = SweepModel(RaceModel(optimizers=["adam"], steps=50))
    assert model.open_file(io.BytesIO(results.read_bytes()), "upload.npz")
    assert model.file_optimizer == "lion" and model.result.optimizer == "lion"
    assert not model.open_file(io.BytesIO(b"not a zip"), "junk.npz")
    assert model.message.startswith("junk.npz: results: not a readable")
    assert model.opened == "upload.npz"  # the shown file stays
