"""The lab's state without a browser: set parameters, recompute, check the model's results."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from rlx_lab import engine, optim
from rlx_lab_app.state import (
    CACHE,
    CUSTOM,
    RaceModel,
    SweepModel,
    assign_colors,
    make_settings,
    settings_class,
)
from rlx_lab_app.state.scales import from_position, sweep_values, to_position, unicode_symbol
from rlx_lab_app.views.surfaces.frame_sources import drawn
from rlx_lab_app.views.surfaces.sources import ARROW, Style, clip_segments, full

FAST = ["adam", "lion"]


@pytest.fixture
def race() -> RaceModel:
    """Adam and Lion on Rosenbrock, 100 steps, computed."""
    model = RaceModel(optimizers=list(FAST), steps=100)
    model.recompute()
    return model


# --- settings generated from the registry ------------------------------------------------------


@pytest.mark.parametrize("name", optim.names())
def test_settings_mirror_the_registry(name: str) -> None:
    settings = make_settings(name)
    opt = optim.get(name)
    assert settings.overrides() == opt.defaults()
    assert settings.changed() == {}
    opt.hparams(**settings.overrides())  # every default is valid
    for hp in opt.spec:
        parameter = settings.param[hp.name]
        assert parameter.doc == hp.meaning
        if hp.kind in ("float", "optional_float", "int"):
            assert parameter.get_soft_bounds() == (hp.ui_low, hp.ui_high)


def test_adafactor_relative_step_is_a_switch() -> None:
    settings = make_settings("adafactor")
    assert settings.relative_step and settings.overrides()["lr"] is None
    settings.relative_step = False
    settings.lr = 0.05
    assert settings.overrides()["lr"] == 0.05
    assert settings.lr_label() == "η=0.05"


def test_settings_reject_bad_values_by_name() -> None:
    settings = make_settings("adam")
    problems = settings.apply({"lr": math.nan, "beta1": 1.0, "eps": 1e-6, "nope": 1})
    assert any(p.startswith("adam.lr") for p in problems)
    assert any("beta1" in p for p in problems)
    assert any("nope" in p for p in problems)
    assert settings.eps == 1e-6, "valid fields still apply"
    settings.reset()
    assert settings.changed() == {}


def test_settings_classes_are_generated_once() -> None:
    assert settings_class("soap") is settings_class("soap")
    assert {"skip_first_update", "reproject_moments"} <= set(settings_class("soap").param)
    assert "random_probe" in settings_class("kron_psgd").param


# --- the race ----------------------------------------------------------------------------------


def test_race_computes_every_selected_optimizer(race: RaceModel) -> None:
    assert list(race.results) == FAST
    for trajectory in race.results.values():
        assert trajectory.positions.shape == (1, 101, 2)
        np.testing.assert_allclose(trajectory.positions[0, 0], race.current_surface.start)
    assert race.frame == 100, "the first result shows the whole race"
    assert [row["name"] for row in race.summary()] == FAST


def test_a_slider_recomputes_only_that_optimizer_and_leaves_a_ghost(race: RaceModel) -> None:
    before = dict(race.results)
    race.settings["adam"].lr = 0.05
    outcome = race.recompute()
    assert (outcome.computed, outcome.cached) == (1, 1)
    assert race.results["lion"] is before["lion"]
    assert not np.allclose(race.results["adam"].positions, before["adam"].positions)
    assert race.ghosts == {"adam": before["adam"]}
    race.settings["lion"].beta1 = 0.5
    race.recompute()
    assert set(race.ghosts) == {"lion"}, "ghosts show only the latest change"


def test_moving_a_setting_back_hits_the_cache(race: RaceModel) -> None:
    first = race.results["adam"]
    race.settings["adam"].lr = 0.02
    race.recompute()
    race.settings["adam"].lr = 0.01
    outcome = race.recompute()
    assert outcome.computed == 0 and race.results["adam"] is first


def test_settings_of_an_unselected_optimizer_do_not_trigger(race: RaceModel) -> None:
    revision = race.revision
    race.settings["muon"].lr = 0.001
    assert race.revision == revision
    race.settings["adam"].lr = 0.001
    assert race.revision == revision + 1


def test_start_point_and_many_starts(race: RaceModel) -> None:
    race.set_start(0.5, 2.5)
    race.recompute()
    np.testing.assert_allclose(race.results["adam"].positions[0, 0], [0.5, 2.5])
    race.set_start(math.nan, 1.0)
    assert "not a finite point" in race.message and race.start == (0.5, 2.5)
    race.param.update(many_starts=True, grid_size=2)
    race.recompute()
    assert race.results["adam"].positions.shape[0] == 5
    np.testing.assert_allclose(race.results["adam"].positions[0, 0], [0.5, 2.5])


def test_changing_steps_moves_the_frame_to_the_end(race: RaceModel) -> None:
    race.steps = 150
    race.recompute()
    assert race.frame == 150 and race.results["adam"].steps == 150
    race.frame = 40
    race.steps = 200
    race.recompute()
    assert race.frame == 40, "a frame inside the race stays where the user left it"


def test_divergence_is_reported_in_words() -> None:
    race = RaceModel(optimizers=["sgd"], steps=50)
    race.settings["sgd"].lr = 10.0  # the slider's top end
    race.recompute()
    assert race.results["sgd"].diverged_at[0] > 0
    assert "SGD diverged" in race.message and "smaller η" in race.message
    assert race.summary()[0]["diverged_at"] == race.results["sgd"].diverged_at[0]


@pytest.mark.parametrize("name", ["adam", "sophia", "adafactor"])
def test_sliders_at_their_extremes_never_raise(name: str) -> None:
    race = RaceModel(optimizers=[name], steps=20, surface="beale")
    settings = race.settings[name]
    for hp in settings.spec():
        if hp.kind in ("float", "optional_float", "int") and hp.ui_high is not None:
            for value in (hp.ui_low, hp.ui_high):
                if hp.kind == "int":
                    value = int(value)
                elif hp.kind == "float" and hp.high_open and value >= hp.high:
                    continue
                setattr(settings, hp.name, value)
    outcome = race.recompute()
    assert name in outcome.results or name in outcome.errors
    assert isinstance(race.message, str)


def test_colours_are_sticky() -> None:
    slots = assign_colors(["adam", "lion", "sgd"], {})
    assert slots == {"adam": 0, "lion": 1, "sgd": 2}
    later = assign_colors(["lion", "sgd", "muon"], slots)
    assert later["lion"] == 1 and later["sgd"] == 2 and later["muon"] == 0


# --- surfaces and formulas ---------------------------------------------------------------------


def test_an_invalid_formula_is_reported_and_the_last_surface_kept() -> None:
    race = RaceModel(optimizers=["adam"], steps=20)
    race.surface = "custom"
    race.formula = "(x - 1)**2 + y**2"
    surface = race.current_surface
    assert surface.name == "custom" and race.formula_error == ""
    race.formula = "x +* y"
    assert "position 3" in race.formula_error and "^" in race.formula_error
    assert race.current_surface is surface
    race.recompute()
    assert race.results["adam"].surface == "custom"
    race.formula = "x**2 + y**2"
    assert race.formula_error == ""
    race.window = (1.0, -1.0, -1.0, 1.0)
    assert "window" in race.formula_error


def test_surface_parameters_are_traced_settings() -> None:
    race = RaceModel(optimizers=["adam"], steps=30, surface="rotated_quadratic")
    race.recompute()
    first = race.results["adam"]
    race.surface_params = {"condition": 100.0}
    race.recompute()
    assert not np.allclose(first.positions, race.results["adam"].positions)
    assert "adam" in race.ghosts, "same landscape family: the ghost stays"
    race.surface = "himmelblau"
    race.recompute()
    assert race.surface_params == {} and race.ghosts == {}


# --- URL query -----------------------------------------------------------------------------------


def test_query_round_trip_reproduces_the_race() -> None:
    race = RaceModel(optimizers=["lion", "adam"], steps=120, view="row", surface="beale")
    race.settings["adam"].lr = 0.0316
    race.settings["lion"].beta2 = 0.9
    race.param.update(start=(1.5, -0.5), noise=0.1, seed=3, clip_on=True, clip_norm=2.0)
    query = race.to_query()
    assert query["opt"] == "lion,adam" and query["adam.lr"] == "0.0316"
    copy = RaceModel()
    assert copy.from_query(query) == []
    assert copy.plan().shared_key() == race.plan().shared_key()
    assert [j.key for j in copy.plan().jobs] == [j.key for j in race.plan().jobs]
    assert copy.to_query() == query


def test_the_lr_schedule_is_a_run_setting_and_rides_in_the_link() -> None:
    race = RaceModel(optimizers=["sgd"], steps=100)
    race.settings["sgd"].lr = 1e-3
    race.recompute()
    constant = race.results["sgd"]
    race.param.update(schedule="cosine", warmup=10, floor=0.0)
    assert race.run_settings().schedule == engine.LrSchedule("cosine", 10, 0.0)
    race.recompute()
    scheduled = race.results["sgd"]
    assert scheduled.settings["schedule"] == {"kind": "cosine", "warmup": 10, "floor": 0.0}
    np.testing.assert_allclose(scheduled.step_norm[0, 0], constant.step_norm[0, 0] / 10, rtol=1e-4)
    assert scheduled.step_norm[0, -1] == 0.0  # the last step runs at 0·η
    query = race.to_query()
    assert (query["schedule"], query["warmup"], query["floor"]) == ("cosine", "10", "0")
    copy = RaceModel()
    assert copy.from_query(query) == []
    assert copy.plan().shared_key() == race.plan().shared_key()
    assert "schedule" not in RaceModel().to_query()
    problems = RaceModel().from_query({"schedule": "exponential", "warmup": "-5", "floor": "2"})
    assert [p.split(":")[0] for p in problems] == ["schedule", "warmup", "floor"]


def test_custom_formula_round_trips() -> None:
    race = RaceModel(optimizers=["adam"])
    race.param.update(surface="custom", formula="x**2 + 3*y**2", window=(-2.0, 2.0, -1.0, 1.0))
    copy = RaceModel()
    assert copy.from_query(race.to_query()) == []
    assert copy.current_surface is race.current_surface


def test_bad_query_values_are_listed_and_the_rest_applies() -> None:
    race = RaceModel()
    problems = race.from_query(
        {
            "surface": "nowhere",
            "opt": "adam,bogus",
            "adam.lr": "nan",
            "adam.beta2": "0.95",
            "lion.wat": "1",
            "start": "1,inf",
            "steps": "-5",
            "view": "cube",
            "clip": "abc",
            "sp.condition": "3",
            "zzz": "1",
            "muon.ns_coeffs": "1,2",
        }
    )
    text = "\n".join(problems)
    for needle in (
        "nowhere",
        "bogus",
        "adam.lr",
        "lion",
        "start",
        "steps",
        "view",
        "clip",
        "sp.condition",
        "zzz",
        "ns_coeffs",
    ):
        assert needle in text, needle
    assert race.optimizers == ["adam"] and race.settings["adam"].beta2 == 0.95
    assert race.steps == 500 and race.view == "vector" and race.start is None
    assert race.message == text
    race.recompute()
    assert "adam" in race.results and "nowhere" in race.message, "problems shown after compute"


def test_hand_edited_bools_and_none() -> None:
    race = RaceModel()
    assert (
        race.from_query(
            {
                "opt": "adafactor,soap",
                "adafactor.lr": "none",
                "soap.skip_first_update": "1",
                "ghosts": "0",
            }
        )
        == []
    )
    assert race.settings["adafactor"].overrides()["lr"] is None
    assert race.settings["soap"].skip_first_update and not race.ghosts_on


# --- sweep ---------------------------------------------------------------------------------------


def test_sweep_grid_and_loading_a_cell() -> None:
    race = RaceModel(optimizers=["adam"], steps=50)
    sweep = SweepModel(race, optimizer="lion", resolution=5)
    assert (sweep.x_param, sweep.y_param) == ("lr", "beta1")
    result = sweep.compute()
    assert result is not None and result.final_loss.shape == (5, 5)
    np.testing.assert_allclose(result.values[0], [1e-4, 1e-3, 1e-2, 1e-1, 1.0], rtol=1e-6)
    assert "Lowest final loss" in sweep.message
    sweep.load(2, 1)
    assert race.settings["lion"].lr == pytest.approx(result.values[0][2])
    assert race.settings["lion"].beta1 == pytest.approx(result.values[1][1])
    assert "lion" in race.optimizers


def test_sweep_axes_follow_the_optimizer() -> None:
    sweep = SweepModel(RaceModel(), optimizer="sophia")
    assert (sweep.x_param, sweep.y_param) == ("lr", "rho")
    sweep.optimizer = "qhadamw"
    assert sweep.y_param == "beta1" and "nu1" in sweep.param.y_param.objects
    sweep.y_param = "lr"
    result, message, _ = sweep.run()
    assert result is None and "two different" in message


def test_the_sweep_follows_the_race_until_it_has_run() -> None:
    race = RaceModel(optimizers=["sgd", "lion"], steps=30)
    sweep = SweepModel(race, resolution=3)
    assert sweep.optimizer == "adam"
    sweep.follow_race()
    assert sweep.optimizer == "sgd" and (sweep.x_param, sweep.y_param) == ("lr", "momentum")
    sweep.optimizer = "lion"  # a racing choice stays
    sweep.follow_race()
    assert sweep.optimizer == "lion"
    sweep.compute()
    race.optimizers = ["mars"]
    sweep.follow_race()
    assert sweep.optimizer == "lion", "a sweep was run: it stays on screen"


# --- scales, plot data, export -----------------------------------------------------------------


@pytest.mark.parametrize(("value", "scale"), [(0.01, "log"), (0.999, "log1m"), (0.3, "linear")])
def test_slider_scales_round_trip(value: float, scale: str) -> None:
    assert from_position(to_position(value, scale), scale) == pytest.approx(value)


def test_sweep_values_are_even_on_the_slider() -> None:
    betas = sweep_values(0.0, 0.999, 4, "log1m")
    np.testing.assert_allclose(np.diff([to_position(b, "log1m") for b in betas]), 1.0)
    assert unicode_symbol(r"\beta_1") == "β₁" and unicode_symbol(r"\epsilon") == "ε"


def test_drawn_data_is_cut_at_the_frame(race: RaceModel) -> None:
    trajectory = race.results["adam"]
    style = Style(1, "adam", "Adam", "#000000", "circle")
    columns = full(trajectory)
    out = drawn([(style, columns, full(None))], 10)
    assert len(out["paths"]["xs"][0]) == 11 and out["heads"]["step"] == [10]
    assert len(out["pts"]["x"]) == 11 and out["crosses"]["x"] == []
    np.testing.assert_allclose(out["heads"]["x"][0], trajectory.positions[0, 10, 0])


def _direction(dx: float, dy: float, spans: np.ndarray) -> np.ndarray:
    """A vector as a unit vector in window units (how the plot shows it)."""
    v = np.array([dx, dy]) / spans
    return v / np.linalg.norm(v)


def test_the_playheads_arrows_show_minus_g_and_the_step(race: RaceModel) -> None:
    trajectory = race.results["adam"]
    window = race.current_surface.window
    spans = np.array([b - a for a, b in window])
    style = Style(1, "adam", "Adam", "#000000", "circle")
    assert drawn([(style, full(trajectory, 0.0, window), full(None))], 10)["grads"]["x0"] == []
    columns = full(trajectory, 0.0, window, arrows=True)
    for frame in (0, 10, 60):
        out = drawn([(style, columns, full(None))], frame)
        grads, moves = out["grads"], out["moves"]
        assert grads["x0"] == out["heads"]["x"] and moves["y0"] == out["heads"]["y"]
        for arrows in (grads, moves):  # one length on screen: ARROW of the window
            length = np.hypot(
                (arrows["x1"][0] - arrows["x0"][0]) / spans[0],
                (arrows["y1"][0] - arrows["y0"][0]) / spans[1],
            )
            np.testing.assert_allclose(length, ARROW, rtol=1e-4)
        shown = _direction(grads["x1"][0] - grads["x0"][0], grads["y1"][0] - grads["y0"][0], spans)
        minus_g = _direction(*-trajectory.grad[0, frame], spans)
        np.testing.assert_allclose(shown, minus_g, atol=1e-4)
        shown = _direction(moves["x1"][0] - moves["x0"][0], moves["y1"][0] - moves["y0"][0], spans)
        step = _direction(*np.diff(trajectory.positions[0, frame : frame + 2], axis=0)[0], spans)
        np.testing.assert_allclose(shown, step, atol=1e-4)
        np.testing.assert_allclose(
            out["pts"]["angle"][frame], trajectory.step_angle()[0, frame], rtol=1e-4
        )
    end = drawn([(style, columns, full(None))], trajectory.steps)
    assert end["moves"]["x0"] == [] and len(end["grads"]["x0"]) == 1, "no step after the last"
    np.testing.assert_allclose(
        _direction(
            end["grads"]["x1"][0] - end["grads"]["x0"][0],
            end["grads"]["y1"][0] - end["grads"]["y0"][0],
            spans,
        ),
        _direction(*-trajectory.final_grad[0], spans),
        atol=1e-4,
    )


def test_a_diverged_run_keeps_its_last_gradient_arrow() -> None:
    model = RaceModel(optimizers=["sgd"], steps=100)
    model.settings["sgd"].lr = 0.05
    model.recompute()
    trajectory = model.results["sgd"]
    last = int(trajectory.diverged_at[0]) - 1
    assert last >= 0
    style = Style(0, "sgd", "SGD", "#000000", "circle")
    columns = full(trajectory, 0.0, model.current_surface.window, arrows=True)
    out = drawn([(style, columns, full(None))], 100)
    assert out["moves"]["x0"] == []
    assert len(out["grads"]["x0"]) == int(np.isfinite(out["heads"]["x"][0]))


def test_switching_the_arrows_resends_every_racing_optimizer(race: RaceModel) -> None:
    from rlx_lab_app.views.surfaces.race_sources import RaceSources

    sources = RaceSources(frame=20)
    styles = [Style(sources.slot[n], n, n, "#000000", "circle") for n in FAST]
    window = race.current_surface.window
    assert sources.show(styles, race.results, {}, 20, 0.0, window) == FAST
    assert sources.show(styles, race.results, {}, 20, 0.0, window) == []
    assert sources.show(styles, race.results, {}, 20, 0.0, window, arrows=True) == FAST
    assert "gx" in sources.fulls[sources.slot["adam"]].data
    assert len(sources.drawn["moves"].data["x0"]) == 2  # the server draws (no browser yet)
    assert sources.show(styles, race.results, {}, 20, 0.0, window, arrows=False) == FAST
    assert "gx" not in sources.fulls[sources.slot["adam"]].data


def test_a_ghost_source_is_made_with_the_first_ghost_and_handed_to_the_browser(
    race: RaceModel,
) -> None:
    """No ghost sources on a new page; an optimizer's first ghost makes its source, in the
    document and in the frame callback's arguments (a change the browser is sent)."""
    from bokeh.document import Document
    from bokeh.plotting import figure

    from rlx_lab_app.views.surfaces.race_sources import RaceSources

    sources = RaceSources(frame=20)
    assert sources.gfulls == [None] * len(sources.names)
    doc = Document()
    fig = figure()
    fig.multi_line("xs", "ys", source=sources.drawn["gpaths"])
    fig.js_on_event("tap", sources.frame_cb)
    doc.add_root(fig)
    changes: list[str] = []
    doc.on_change(lambda event: changes.append(getattr(event, "attr", "")))
    k, adam = sources.slot["adam"], race.results["adam"]
    style = Style(k, "adam", "Adam", "#000000", "circle", ghost=True)
    sources.show([style], {"adam": adam}, {"adam": adam}, 20, 0.0)
    ghost = sources.gfulls[k]
    assert ghost is not None and ghost.document is doc
    assert len(ghost.data["xs"]) == len(adam.starts) > 0
    assert sources.frame_cb.args["gfulls"][k] is ghost and "args" in changes
    assert [g for g in sources.gfulls if g is not None] == [ghost]
    sources.show([style], {"adam": adam}, {}, 20, 0.0)  # the ghost goes: emptied, kept
    assert sources.gfulls[k] is ghost and len(ghost.data["xs"]) == 0


def test_the_server_draws_until_the_browser_is_ready(race: RaceModel) -> None:
    """Paths computed while the page loads travel in the document itself (first paint);
    once the browser reports ready it draws every frame and the server only sends data."""
    from bokeh.document import Document
    from bokeh.events import DocumentReady

    from rlx_lab_app.views.surfaces.race_sources import RaceSources

    doc = Document()
    sources = RaceSources(frame=100)
    sources.draw_on_load(doc)
    style = Style(sources.slot["adam"], "adam", "Adam", "#000000", "circle")
    sources.show([style], {"adam": race.results["adam"]}, {}, 100, 0.0)
    assert sources.drawn["paths"].data["name"] == ["Adam"]

    doc.callbacks.trigger_event(DocumentReady())
    assert sources.browser_draws
    lion = Style(sources.slot["lion"], "lion", "Lion", "#111111", "square")
    sources.show([style, lion], dict(race.results), {}, 100, 0.0)
    assert sources.drawn["paths"].data["name"] == ["Adam"], "the browser draws Lion's path"


def test_clip_strip_run_length_encodes() -> None:
    race = RaceModel(optimizers=["sophia"], steps=60)
    race.recompute()
    quads = clip_segments(
        [(Style(12, "sophia", "Sophia-H", "#000", "circle"), race.results["sophia"])]
    )
    assert 1 <= len(quads["left"]) <= 10
    assert set(quads["kind"]) <= {"own clip", "global clip"}


def test_exports(race: RaceModel) -> None:
    csv = race.export_csv()
    assert csv.splitlines()[0].startswith("optimizer,start,step,x,y,loss")
    assert len(csv.splitlines()) == 1 + 2 * 101
    payload = json.loads(race.export_json())
    assert [p["optimizer"] for p in payload] == FAST


def test_sessions_share_trajectories_not_state() -> None:
    one, two = RaceModel(optimizers=["adam"], steps=40), RaceModel(optimizers=["adam"], steps=40)
    one.recompute()
    outcome = two.recompute()
    assert outcome.cached == 1 and two.results["adam"] is one.results["adam"]
    one.settings["adam"].lr = 0.2
    assert two.settings["adam"].lr == 0.01
    CACHE.clear()


def test_a_surface_that_is_nowhere_finite_is_a_formula_error() -> None:
    race = RaceModel(optimizers=["adam"], steps=20, surface="custom", formula="log(-1 - x**2)")
    assert "infinite or NaN everywhere on the window" in race.formula_error


def test_a_start_where_the_surface_is_not_finite_is_reported() -> None:
    race = RaceModel(optimizers=["adam"], steps=20, surface="custom", formula="log(x) + y**2")
    assert race.formula_error == "" and race.start_point()[0] < 0  # log(x) is NaN there
    race.recompute()
    assert race.results["adam"].diverged_at[0] >= 0
    assert "Adam diverged" in race.message


def test_an_empty_race_is_fine() -> None:
    race = RaceModel(optimizers=[], steps=20)
    outcome = race.recompute()
    assert race.results == {} and outcome.computed == 0 and race.summary() == []


def test_tuning_sets_each_lr_to_the_lowest_final_loss_of_its_scan() -> None:
    from rlx_lab_app.state.surfaces.tuning import tune
    from rlx_lab_app.state.tuning import apply_tuning

    race = RaceModel(optimizers=["sgd", "adam"], steps=100)
    race.recompute()
    assert race.results["sgd"].diverged_at[0] > 0  # SGD's lab default is too big here
    tuning = tune(race)
    settings, scans = race.run_settings(), {}
    for name, lr in tuning.values.items():
        scans[name] = engine.tune_lr(
            name,
            race.settings[name].overrides(),
            race.current_surface,
            race.start_point(),
            settings,
        )
        assert lr == scans[name].best()
        assert optim.get(name).title in tuning.note
    assert set(tuning.values) == {"sgd", "adam"}
    assert apply_tuning(race, tuning) == []
    race.recompute()
    for name, scan in scans.items():
        assert race.settings[name].lr == pytest.approx(tuning.values[name])
        trajectory = race.results[name]
        assert trajectory.diverged_at[0] == -1
        lowest = np.min(np.where(scan.diverged_at >= 0, np.inf, scan.final_loss))
        assert trajectory.final_loss()[0] == pytest.approx(lowest, rel=1e-4, abs=1e-6)


def test_with_noise_tuning_search_and_sweep_judge_the_mean_of_the_race_draws() -> None:
    from rlx_lab_app.state.surfaces.search import search_race
    from rlx_lab_app.state.surfaces.tuning import TuningModel, tune

    race = RaceModel(optimizers=["adam"], steps=60, noise=5.0, repeats=3)
    assert race.draws() == 3
    tuning = tune(race)
    scan = engine.tune_lr(
        "adam",
        race.settings["adam"].overrides(),
        race.current_surface,
        race.start_point(),
        race.run_settings(),
        draws=3,
    )
    assert tuning.values["adam"] == scan.best() and "mean of 3 noise draws" in tuning.note
    assert tuning.runs["adam"].positions.shape[0] == 3  # the winner's run, every draw
    assert "mean of 3 noise draws" in search_race(race).note
    sweep = SweepModel(race, optimizer="adam", resolution=3)
    assert sweep.compute() is not None and "mean of 3 noise draws" in sweep.message
    model = TuningModel(race)
    model.compute()
    race.repeats = 4
    assert model.stale  # the draws it judged are not the race's any more


def test_tuning_nothing_or_a_hopeless_race_says_so() -> None:
    from rlx_lab_app.state.surfaces.tuning import tune

    assert "Select an optimizer" in tune(RaceModel(optimizers=[])).note
    hopeless = RaceModel(optimizers=["sgd"], surface=CUSTOM, formula="-exp(x^2 + y^2)")
    tuning = tune(hopeless)
    assert tuning.values == {} and "SGD (diverged at every η)" in tuning.note


def test_tuning_model_reports_and_marks_its_note_stale() -> None:
    from rlx_lab_app.state.surfaces.tuning import TuningModel
    from rlx_lab_app.views.tuning_view import TuneButton

    race = RaceModel(optimizers=["lion"], steps=50)
    race.recompute()
    tuning = TuningModel(race)
    button = TuneButton(tuning)
    button.run()
    assert "Lion" in tuning.note and not tuning.busy and not tuning.stale
    assert "Lion" in button.note.object and not button.button.disabled
    race.settings["lion"].beta1 = 0.8  # a hyperparameter: the note still describes the race
    assert not tuning.stale
    race.steps = 60
    assert tuning.stale and "(before the last change)" in button.note.object


def test_a_tune_click_hides_its_description_which_wraps() -> None:
    """The description of Tune stayed over the plots, one line across the page, while the
    busy button stayed under the mouse: it wraps, and the click hides it in the browser."""
    from bokeh.models import Button

    from rlx_lab_app.state.surfaces.tuning import TuningModel
    from rlx_lab_app.views import js
    from rlx_lab_app.views.tuning_view import TuneButton

    root = TuneButton(TuningModel(RaceModel(optimizers=["lion"]))).button.get_root()
    button = root if isinstance(root, Button) else root.select_one({"type": Button})
    tip = button.tooltip
    assert "max-width: 300px" in "".join(str(s) for s in tip.stylesheets)
    (click,) = button.js_event_callbacks["button_click"]
    assert click.args["tip"] is tip and js.HIDE_TOOLTIP in click.code
    assert "tip.visible = false" in js.HIDE_TOOLTIP


def test_schedule_controls_show_the_final_fraction_only_for_a_decay() -> None:
    from rlx_lab_app.views.widgets import ScheduleControls

    race = RaceModel(optimizers=["sgd"])
    controls = ScheduleControls(race)
    assert not controls.floor.visible and controls.summary.object.startswith("η is the same")
    controls.kind.value = "linear"  # as a click would
    assert race.schedule == "linear" and controls.floor.visible
    race.param.update(warmup=25, floor=0.3)
    assert controls.summary.object == "η schedule: 25 warm-up steps, linear decay to 0.3·η"


def test_noise_draws_run_each_optimizer_several_times_and_the_table_gives_medians() -> None:
    race = RaceModel(surface="himmelblau", optimizers=["sgd", "adam"], steps=200, repeats=6)
    race.settings["sgd"].lr = 0.01
    assert race.draws() == 1 and len(race.starts()) == 1, "without noise the draws would agree"
    race.noise = 2.0
    race.recompute()
    sgd = race.results["sgd"]
    assert sgd.positions.shape[0] == 6 and np.all(sgd.starts == sgd.starts[0])
    assert len({round(float(v), 6) for v in sgd.final_loss()}) == 6, "one noise draw each"
    row = next(r for r in race.summary() if r["name"] == "sgd")
    assert row["final_loss"] == pytest.approx(float(np.median(sgd.final_loss())))
    assert row["final_range"] == (
        pytest.approx(sgd.final_loss().min()),
        pytest.approx(sgd.final_loss().max()),
    )
    assert row["draws"] == 6 and row["diverged_runs"] == int(np.sum(sgd.diverged_at >= 0))
    query = race.to_query()
    assert query["repeats"] == "6"
    copy = RaceModel()
    assert copy.from_query(query) == [] and copy.plan().shared_key() == race.plan().shared_key()
    race.many_starts = True
    assert len(race.starts()) == 6 + race.grid_size**2


def test_a_tuned_lr_at_an_end_of_the_range_is_flagged() -> None:
    from rlx_lab_app.state.tuning import tuning_note

    lrs = (1e-4, 1e-2, 1.0)
    note = tuning_note("Tuned:", {"adam": 1.0, "sgd": 1e-4, "lion": 1e-2}, ["MARS (x)"], lrs)
    assert note.startswith("Tuned: 3 values from 1.00e-4 to 1 — Adam 1 (the top of the range")
    assert "SGD 1.00e-4 (the bottom of the range: a smaller η may do better)" in note
    assert note.endswith("Lion 0.01. Not tuned: MARS (x)."), "inside the range: no flag"
