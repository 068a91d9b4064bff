"""Tuning η in the small-nets tab (app.state.nets_tuning), without a browser."""

from __future__ import annotations

import numpy as np

from app.state.nets import NetsModel
from app.state.nets_plan import make_data
from app.state.nets_tuning import NET_TUNE_LRS, NetsTuningModel
from app.views.tuning_view import TuneButton
from rlx_lab import nets


def test_each_racing_optimizer_gets_the_lr_with_the_lowest_final_training_loss() -> None:
    model = NetsModel(optimizers=["adam", "sgd"], steps=60)
    model.settings["sgd"].momentum = 0.9  # kept while η is tuned
    tuning = NetsTuningModel(model)
    button = TuneButton(tuning, label="Tune η on this data")
    button.run()  # no served page: at once
    assert NET_TUNE_LRS[0] == 1e-4 and NET_TUNE_LRS[-1] == 1.0 and len(NET_TUNE_LRS) == 9
    plan = model.plan()
    data = make_data(plan.data)
    for name in ("adam", "sgd"):
        overrides = {**model.settings[name].overrides()}
        grid = {name: [{**overrides, "lr": lr} for lr in NET_TUNE_LRS]}
        runs = nets.race(data, grid, model=plan.model, settings=plan.settings,
                         seeds=plan.seeds[:1]).runs_of(name)  # fmt: skip
        finals = [r.train_loss[-1] if r.diverged_at < 0 else np.inf for r in runs]
        assert model.settings[name].lr == NET_TUNE_LRS[int(np.argmin(finals))]
    assert model.settings["sgd"].momentum == 0.9
    assert "lowest final training loss of 9 values" in tuning.note
    assert "Adam" in button.note.object and not tuning.stale
    model.dataset = "spirals"
    assert tuning.stale and "before the last change" in button.note.object
