"""The small-nets tab without a browser: set parameters, train a few steps, read the state.

Small on purpose (128 points, 50 steps, an 8-8 MLP): the few programs compiled here are shared
by every test through the process-wide caches.
"""

from __future__ import annotations

import numpy as np
import pytest

from rlx_lab import nets, optim
from rlx_lab_app.state.nets.model import (
    DEFAULT_OPTIMIZERS,
    USER_DATA,
    NetsModel,
    net_default_values,
)
from rlx_lab_app.state.palette import SHADES, class_codes
from rlx_lab_app.views.nets.sources import curve_columns

SMALL = {"samples": 128, "steps": 50, "width": 8, "batch_size": 32}


def small(**params: object) -> NetsModel:
    return NetsModel(**{**SMALL, "optimizers": ["adam", "lion"], **params})


@pytest.fixture
def trained() -> NetsModel:
    model = small()
    model.train()
    return model


# --- settings -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", optim.names())
def test_settings_start_at_the_nets_lab_defaults(name: str) -> None:
    model = NetsModel()
    assert model.settings[name].overrides() == optim.get(name).defaults("nets")
    assert model.is_lab_default(name)


def test_reset_returns_to_the_nets_lab_defaults_not_rlx() -> None:
    model = NetsModel()
    adafactor = model.settings["adafactor"]
    assert not adafactor.relative_step and adafactor.lr == 0.01, "RLX's default is lr=None"
    model.settings["sophia"].param.update(lr=0.5, rho=0.5)
    assert not model.is_lab_default("sophia")
    assert "lab default" not in model.lr_label("sophia")
    model.reset("sophia")
    assert model.settings["sophia"].lr == 0.03 and model.settings["sophia"].rho == 0.1
    assert model.lr_label("sophia") == "η=0.03 (lab default)"
    assert net_default_values("muon")["lr"] == 0.01 != optim.get("muon").defaults()["lr"]


def test_defaults_are_small_and_quick() -> None:
    model = NetsModel()
    assert list(model.optimizers) == list(DEFAULT_OPTIMIZERS) == ["adam", "lion", "muon", "soap"]
    assert model.steps == 300 and model.auto
    assert model.architecture() == "2 → 32 → 32 → 2 · 1,218 weights"


def test_dataset_sets_its_noise_and_classes() -> None:
    model = NetsModel()
    model.dataset = "blobs"
    assert model.noise == nets.datasets.DATASETS["blobs"].noise
    assert model.architecture().startswith("2 → 32 → 32 → 4 ")
    model.depth = 0
    assert model.architecture() == "2 → 4 · 12 weights"


# --- your points ---------------------------------------------------------------------------------

FOUR = "x,y,label\n0,0,a\n1,1,b\n0,1,a\n1,0,b"


def test_oversized_points_are_refused_with_the_limit_and_the_old_points_stay() -> None:
    model = small()
    assert model.load_points(FOUR) == ""
    loaded = model.user_points
    flood = "\n" * 15_728_640 + FOUR
    error = model.load_points(flood)
    assert error == "the points are 15.7 MB; the limit is 1 MB (20,000 points)"
    assert model.data_error == error and model.user_points is loaded
    assert "15 MB; the limit is 1 MB" in model.load_points(b"#" * 15_000_000 + b"\n")
    assert "30,001 lines; the limit is 21,000" in model.load_points(b"\n" * 30_000 + b"1,1,a")
    assert model.user_points is loaded


def test_parse_is_pure_and_apply_points_uses_its_result() -> None:
    model = small()
    read = model.parse(FOUR.encode())
    assert read.error == "" and read.points is not None and len(read.points.labels) == 4
    assert model.user_points is None and model.dataset == "two_moons", "parsing changes nothing"
    bad = model.parse("1,2")
    assert bad.points is None and bad.error == "line 1: expected x, y, label; got 2 fields"
    assert model.apply_points(bad) == bad.error == model.data_error
    assert model.apply_points(read) == "" and model.data_error == ""
    assert model.user_points is read.points and model.dataset == USER_DATA
    assert model.batch_size == 2, "the batch shrinks to the training half"


# --- training -----------------------------------------------------------------------------------


def test_training_fills_runs_boundaries_and_landscape(trained: NetsModel) -> None:
    assert list(trained.runs) == ["adam", "lion"] and not trained.stale
    assert trained.message == ""
    assert "2 optimizers, 50 steps" in trained.status
    adam, lion = trained.runs["adam"][0], trained.runs["lion"][0]
    assert adam.hparams["lr"] == 0.01 and lion.hparams["lr"] == 0.003, "nets lab defaults"
    assert adam.steps == lion.steps == 50
    assert adam.train_loss[-1] < adam.train_loss[0]
    frames = len(adam.frame_steps)
    probs = trained.boundaries["adam"].probs
    assert probs.shape[0] == frames and probs.shape[-1] == 2
    np.testing.assert_allclose(probs.sum(-1), 1.0, atol=1e-5)
    land = trained.landscape_result
    assert land.slice.loss.shape == (41, 41) and np.all(np.isfinite(land.slice.loss))
    assert land.paths["lion"].shape == (frames, 2) and land.left_out == ()
    np.testing.assert_allclose(land.paths["adam"][0], 0.0, atol=1e-5)  # the plane's centre


def test_the_landscape_measures_how_well_its_slice_shows_each_path(trained: NetsModel) -> None:
    from rlx_lab.nets.landscape import fit_note

    land = trained.landscape_result
    steps = trained.runs["adam"][0].frame_steps
    assert set(land.fits()) == {"adam", "lion"}
    for name, fit in land.fits().items():
        run = trained.runs[name][0]
        on_plane = nets.landscape.loss_at(
            trained.shown.model,
            land.slice.plane,
            trained.data.x_train,
            trained.data.y_train,
            land.paths[name],
        )
        assert on_plane[0] == pytest.approx(run.train_loss[0], rel=1e-4)  # the start: exact
        np.testing.assert_allclose(land.on_plane[name], on_plane, rtol=1e-6)
        np.testing.assert_array_equal(land.met[name], run.train_loss)
        assert fit == nets.landscape.path_fit(on_plane, run.train_loss)
    worst = max(land.fits(), key=lambda n: land.fits()[n].worst)
    note = fit_note(land, steps)
    assert f"worst ×{land.fits()[worst].worst:.2f}" in note
    assert f"at step {int(steps[land.fits()[worst].worst_frame])}" in note


def test_the_race_is_fair(trained: NetsModel) -> None:
    adam, lion = trained.runs["adam"][0], trained.runs["lion"][0]
    for key in adam.snapshots:
        np.testing.assert_array_equal(adam.snapshots[key][0], lion.snapshots[key][0])
    assert adam.loss[0] == lion.loss[0], "the same first minibatch"
    np.testing.assert_array_equal(adam.frame_steps, lion.frame_steps)


def test_a_slider_retrains_without_recompiling(trained: NetsModel) -> None:
    lion, programs = trained.runs["lion"], nets.compiled_programs()
    trained.settings["adam"].lr = 0.03
    assert trained.stale and trained.revision > 0
    outcome = trained.train()
    assert (outcome.computed, outcome.cached, outcome.compiled) == (1, 1, False)
    assert trained.runs["adam"][0].hparams["lr"] == 0.03
    assert trained.runs["lion"] is lion, "an unchanged optimizer is reused"
    assert nets.compiled_programs() == programs
    assert "η=0.03" in trained.lr_label("adam") and "lab default" not in trained.lr_label("adam")


def test_a_retrain_draws_the_decision_frames_of_the_changed_optimizer_only(
    trained: NetsModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race reruns the whole selection (one program), but the unchanged optimizers'
    frames of the input grid are cached: only Adam's are drawn again."""
    drawn: list[int] = []
    frames = nets.decision_frames
    monkeypatch.setattr(nets, "decision_frames", lambda *a, **k: drawn.append(1) or frames(*a, **k))
    adam, lion = trained.boundaries["adam"], trained.boundaries["lion"]
    trained.settings["adam"].lr = 0.02
    trained.train()
    assert len(drawn) == 1
    assert trained.boundaries["lion"] is lion
    assert trained.boundaries["adam"].probs.shape == adam.probs.shape
    assert not np.array_equal(trained.boundaries["adam"].probs, adam.probs)


def test_divergence_is_reported_and_kept_out_of_the_plane() -> None:
    model = small(optimizers=["sgd", "adam"])
    model.settings["sgd"].lr = 1e8  # the loss overflows float32 within two steps
    model.train()
    assert model.runs["sgd"][0].diverged
    assert "SGD diverged" in model.message and "η=1.00e8" in model.message
    row = next(r for r in model.summary() if r["name"] == "sgd")
    assert row["diverged_at"] == model.runs["sgd"][0].diverged_at >= 0
    assert model.landscape_result.left_out == ("sgd",)
    assert not model.runs["adam"][0].diverged


def test_bad_input_is_a_message_and_keeps_the_last_results(trained: NetsModel) -> None:
    runs = trained.runs
    trained.width = 0
    trained.train()
    assert "width" in trained.message and trained.message.startswith("Not trained")
    assert trained.runs is runs
    trained.width = 8
    trained.batch_size = 1000
    trained.train()
    assert "batch size" in trained.message and trained.runs is runs
    trained.batch_size = 32
    trained.optimizers = []
    trained.train()
    assert "choose at least one" in trained.message
    trained.optimizers = ["adam", "lion"]
    trained.train()
    assert trained.message == "" and trained.runs["adam"] is runs["adam"], "cached"


def test_seeds_and_random_plane() -> None:
    model = small(n_seeds=2, landscape="random", seed=5)
    model.train()
    runs = model.runs["adam"]
    assert [r.seed for r in runs] == [5, 6]
    assert model.summary()[0]["seeds"] == 2
    assert "Random directions around" in model.landscape_result.center


# --- view helpers (numpy only) -------------------------------------------------------------------


def test_boundary_encoding_keeps_class_and_confidence() -> None:
    probs = np.array([[0.5, 0.5], [1.0, 0.0], [0.0, 1.0], [0.25, 0.75]], np.float32)
    codes = class_codes(probs)
    assert codes.dtype == np.uint8
    assert list(codes) == [0, SHADES - 1, 2 * SHADES - 1, SHADES + SHADES // 2]
    blobs = np.eye(8, dtype=np.float32)
    assert class_codes(blobs).max() == 8 * SHADES - 1 <= 255


def test_curves_average_seeds_with_a_band() -> None:
    model = small(n_seeds=2)
    model.train()
    lines, bands = curve_columns(model.runs, {"adam": "#000", "lion": "#111"}, "train_loss")
    both = np.stack([r.train_loss for r in model.runs["adam"]])
    np.testing.assert_allclose(lines["ys"][0], both.mean(0), rtol=1e-6)
    assert len(bands["xs"]) == 2 and len(bands["xs"][0]) == 2 * both.shape[1]


def test_a_loss_of_zero_stays_on_the_log_axis() -> None:
    """A log axis drops a loss of exactly 0, and the curve vanished there: it runs along the
    axis's bottom edge instead (accuracy and a diverged NaN are left alone)."""
    from types import SimpleNamespace

    from rlx_lab_app.views.nets.plots import Curves
    from rlx_lab_app.views.nets.sources import NetsSources

    steps = np.arange(4.0)
    perfect = np.array([0.5, 0.01, 0.0, 0.0])
    slow = np.array([0.7, 0.3, 0.2, np.nan])
    runs = {
        name: [
            SimpleNamespace(
                frame_steps=steps,
                train_loss=loss,
                test_loss=loss,
                train_acc=np.ones(4),
                test_acc=np.zeros(4),
                diverged=False,
                diverged_at=-1,
            )
        ]
        for name, loss in (("adam", perfect), ("lion", slow))
    }
    curves = Curves(NetsSources())
    curves.set_data(runs, {"adam": "#000", "lion": "#111"})  # type: ignore[arg-type]
    bottom = curves.loss.y_range.start
    for field in ("train_loss", "test_loss"):
        adam, lion = curves.sources.loss[field].data["ys"]
        assert list(adam) == [0.5, 0.01, bottom, bottom] and 0 < bottom < 0.01
        assert np.isnan(lion[-1]) and list(lion[:3]) == [0.7, 0.3, 0.2]
    assert list(curves.sources.loss["test_acc"].data["ys"][0]) == [0.0] * 4


def test_the_tab_renders_without_a_browser() -> None:
    from rlx_lab_app.views.nets.tab import NetsTab

    tab = NetsTab(small())
    s = tab.sources
    frames = len(tab.model.runs["adam"][0].frame_steps)
    assert len(s.frames[s.slot["adam"]].data["image"]) == frames
    assert s.frames[s.slot["muon"]].data["image"] == []
    assert len(tab.boxes.objects) == 2 and tab.player.end == frames - 1
    assert len(s.loss["test_acc"].data["xs"]) == 2 and len(s.paths.data["xs"]) == 2
    assert "Adam" in tab.scoreboard.object and "lab default" in tab.scoreboard.object
    assert tab.status.object.startswith("<span>✓")
    assert len(s.path_heads.data["x"]) == 2 and len(s.trail.data["xs"][0]) == frames
    assert s.label.data["text"] == ["step 50"] and s.cursor.data["x"] == [50.0]
    tab.player.value = 0
    s.draw(0)
    assert s.label.data["text"] == ["step 0"] and len(s.trail.data["xs"][0]) == 1


def test_a_retrain_keeps_the_grid_of_boundaries() -> None:
    """The boundary plots are laid out again only when the selection changes: a new grid
    makes Bokeh walk the whole document (a fifth of a second on the nets page)."""
    from rlx_lab_app.views.nets.tab import NetsTab

    tab = NetsTab(small())
    relaid: list[object] = []
    tab.boxes.param.watch(relaid.append, "objects")
    tab.model.settings["adam"].lr = 0.02
    tab.model.train()
    assert relaid == [] and len(tab.boxes.objects) == 2
    tab.model.optimizers = ["adam", "lion", "sgd"]
    tab.model.train()
    assert len(relaid) == 1 and len(tab.boxes.objects) == 3


def test_runner_trains_on_change_only_when_auto() -> None:
    from rlx_lab_app.state.jobs import SessionJobs
    from rlx_lab_app.views.live import nets_recompute, phase

    model = small(auto=False)
    runner = nets_recompute(model, SessionJobs())  # no page: synchronous
    model.steps = 40
    assert model.runs == {} and model.stale, "auto off: nothing trains before Train"
    plan = model.plan()
    expected = "first run compiles" if plan.compiles() else "training…"
    assert expected in phase(plan)
    runner.request()
    assert model.runs["adam"][0].steps == 40 and not model.stale
    model.auto = True
    model.steps = 30
    assert model.runs["adam"][0].steps == 30, "auto: a change trains again"


def test_run_settings_reach_the_race() -> None:
    model = NetsModel(hessian="gauss_newton", hessian_every=5, clip_on=True, clip_norm=0.5)
    settings = model.train_settings()
    assert (settings.hessian, settings.hessian_every, settings.clip_norm) == (
        "gauss_newton",
        5,
        0.5,
    )
    model.clip_on = False
    assert model.train_settings().clip_norm is None
