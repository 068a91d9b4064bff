"""Scrub tables without a browser: a grabbed slider's race along its whole track, one vmapped
call, each row the exact race at its value, one compiled program for every slider."""

from __future__ import annotations

import numpy as np
import pytest

from rlx_lab import engine
from rlx_lab.engine import programs
from rlx_lab.engine.settings import bucket
from rlx_lab_app.state import RaceModel
from rlx_lab_app.state.budget import Budgets
from rlx_lab_app.state.jobs import Server, SessionJobs
from rlx_lab_app.state.scales import from_position, slider_track, track_positions
from rlx_lab_app.state.surfaces.scrub import ROWS, ScrubModel, plan_scrub, scrub_fields
from rlx_lab_app.views.surfaces.race_sources import RaceSources
from rlx_lab_app.views.surfaces.scrub_link import ScrubLink, table_columns
from rlx_lab_app.views.surfaces.sources import full

STEPS = 100
"""As in test_app_state: the exact run's program is compiled there already (one run's cache)."""


@pytest.fixture(scope="module")
def race() -> RaceModel:
    """Adam on Rosenbrock with gradient noise (the table's lanes draw the race's noise)."""
    return RaceModel(optimizers=["adam"], steps=STEPS, noise=0.3)


def test_track_positions_lie_on_the_slider_and_span_it() -> None:
    low, high, step = slider_track(1e-4, 1.0, "log")
    positions = track_positions(low, high, step, ROWS)
    assert positions[0] == low and positions[-1] == high and len(positions) == ROWS
    assert np.all(np.diff(positions) > 0)
    assert np.allclose(np.round((positions - low) / step), (positions - low) / step)
    assert len(track_positions(0.0, 0.05, 0.01, ROWS)) == 6  # a short track: each stop once


def test_a_row_at_a_grid_value_is_the_exact_race_there(race: RaceModel) -> None:
    scrub = ScrubModel(race)
    scrub.grab("adam", "beta1")
    table = scrub.table
    assert table is not None and scrub.error == "" and len(table.values) == ROWS
    assert table.values[-1] == from_position(table.positions[-1], "log1m")
    k = 37
    race.settings["adam"].beta1 = float(table.values[k])  # as a release at that position sets it
    race.recompute()
    exact, row = race.results["adam"], table.trajectories[k]
    assert row.positions.shape == exact.positions.shape == (1, STEPS + 1, 2)
    np.testing.assert_allclose(row.positions, exact.positions, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(row.loss, exact.loss, rtol=1e-5, atol=1e-6)
    assert table.nearest(table.positions[k] + 1e-3) == k
    assert scrub.current(), "moving its own slider leaves the table current"
    # ...and the page receives it row-major by (position, start), drawn as the race is
    columns = table_columns(table, "hp-adam-beta1", 1, (0.0, None, False))
    assert len(columns["position"]) == len(columns["xs"]) == len(table.values)
    assert columns["position"][k] == table.positions[k] and columns["starts"][0] == 1
    np.testing.assert_array_equal(columns["loss"][k], full(row)["loss"][0])


def test_a_second_slider_or_grab_reuses_the_compiled_program(race: RaceModel) -> None:
    scrub = ScrubModel(race)
    scrub.grab("adam", "eps")
    before = engine.compiled_programs()
    settings = race.run_settings()
    program = programs.program(
        "adam",
        race.current_surface,
        settings.view,
        bucket(STEPS),
        settings.probes,
        1,
        over_hparams=tuple(sorted(scrub_fields("adam"))),
    )
    traces = program._cache_size()
    scrub.grab("adam", "lr")  # a second slider
    assert scrub.table.field == "lr" and scrub.current()
    race.settings["adam"].beta2 = 0.99
    assert not scrub.current()  # another setting: stale
    scrub.grab("adam", "lr")  # a second grab after it: a new table, the same program
    assert scrub.current()
    assert engine.compiled_programs() == before
    assert program._cache_size() == traces == 1


def test_no_table_when_too_big_or_refused_and_a_slider_without_one_says_why() -> None:
    huge = RaceModel(optimizers=["adam"], steps=10_000, many_starts=True, grid_size=5)
    assert "fewer steps or starts" in plan_scrub(huge, "adam", "lr")
    scrub = ScrubModel(huge)
    scrub.grab("adam", "lr")
    assert scrub.table is None and "MB" in scrub.error and scrub.notice == scrub.error
    race = RaceModel(optimizers=["adam", "adafactor"], steps=2000)
    assert "is off" in plan_scrub(race, "adafactor", "lr")  # relative step: no slider
    assert "not racing" in plan_scrub(race, "sgd", "lr")
    off = ScrubModel(race)
    off.grab("adafactor", "lr")
    assert "is off" in off.error and off.notice == ""  # nothing to tell: no slider to scrub
    tight = ScrubModel(race, SessionJobs(server=Server(Budgets(job_mb=1, heavy_processes=0))))
    tight.grab("adam", "lr")  # refused by the job layer before anything runs
    assert tight.table is None and "limit" in tight.error and "limit" in tight.notice


def test_the_page_says_when_a_grabbed_slider_has_no_table() -> None:
    huge = RaceModel(optimizers=["adam"], steps=10_000, many_starts=True, grid_size=5)
    scrub = ScrubModel(huge)
    link = ScrubLink(huge, scrub, RaceSources(), lambda: (0.0, None, False), print)
    assert not link.note.visible
    scrub.grab("adam", "lr")
    assert link.note.visible and "fewer steps or starts" in link.note.object
    assert "on release" in link.note.object
    scrub.param.update(error="")
    assert not link.note.visible


def test_the_link_sends_the_table_resends_an_unchanged_release_and_drops_a_stale_table(
    race: RaceModel,
) -> None:
    import param

    from rlx_lab import optim
    from rlx_lab_app.views.surfaces.race_sources import RaceSources
    from rlx_lab_app.views.surfaces.scrub_link import ScrubLink
    from rlx_lab_app.views.widgets import param_slider

    race.recompute()
    scrub, resent = ScrubModel(race), []
    link = ScrubLink(race, scrub, RaceSources(), lambda: (0.0, None, False), resent.append)
    beta1 = next(hp for hp in optim.get("adam").spec if hp.name == "beta1")
    slider = param_slider(race.settings["adam"], "beta1", "log1m", "β₁", css_classes=["hp-b1"])
    link.attach("adam", slider, beta1)
    assert "scrub" in slider.css_classes
    link.grab("hp-b1")
    assert list(link.table.data["css"][:1]) == ["hp-b1"] and len(link.table.data["xs"]) == ROWS
    assert scrub.prepared[0][0] == scrub.table.key, "the columns were made beside the table"
    with param.edit_constant(slider):
        slider.value_throttled = slider.value + 1e-7  # released at the same value, rounded
        assert resent == ["adam"], "the exact path again, over the scrubbed row"
        slider.value = slider.value - 0.3
        slider.value = slider.value_throttled  # dragged back: no release comes
        assert resent == ["adam", "adam"]
        slider.value_throttled = slider.value - 0.5  # a new value: its recompute sends it
    assert len(resent) == 2
    assert race.settings["adam"].beta1 != race.results["adam"].hparams["beta1"]
    race.steps = STEPS + 1
    link.refresh()  # the race moved on: no table on the page
    assert scrub.table is None and len(link.table.data["css"]) == 0
