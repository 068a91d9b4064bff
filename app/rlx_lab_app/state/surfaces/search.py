"""Tuning beyond η for the race: every racing optimizer's tunable hyperparameters at once.

For each selected optimizer, :func:`search_race` runs :func:`rlx_lab.engine.search` — the
optimizer as set, its η scan, and 128 random settings of every tunable field, in one vmapped
call from the race's start with the race's steps, view and settings — and keeps the setting
whose run ends lowest without diverging. The note states both baselines beside the winner, so
it shows what tuning beyond η bought (often nothing: then the η scan's setting wins), and the
seed, so the search reproduces. :class:`SearchModel` (the shared tuning job with
:data:`SEARCH`) moves the sliders there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rlx_lab import engine, optim
from rlx_lab.engine import AS_GIVEN, LR_ALONE, SearchResult, Trajectory
from rlx_lab_app.state.scales import format_value
from rlx_lab_app.state.surfaces.race import RaceModel
from rlx_lab_app.state.surfaces.tuning import RaceTuner, draws_words
from rlx_lab_app.state.tuning import Tuning, TuningJob, compare_line, search_note


def search_race(race: RaceModel, names: Sequence[str] | None = None, *, seed: int = 0) -> Tuning:
    """Search every tunable field of ``names`` (default: every selected optimizer), from the
    race's start with its budget (reads the model only: safe on a worker thread)."""
    names = race.optimizers if names is None else names
    if not names:
        return Tuning({}, (), "Select an optimizer first: there is nothing to tune.")
    surface, start, settings = race.current_surface, race.start_point(), race.run_settings()
    values: dict[str, float] = {}
    others: dict[str, dict[str, Any]] = {}
    runs: dict[str, Trajectory] = {}
    failed: list[str] = []
    lines: list[str] = []
    for name in names:
        title = optim.get(name).title
        try:
            result = engine.search(
                name,
                race.settings[name].overrides(),
                surface,
                start,
                settings,
                seed=seed,
                draws=race.draws(),
            )
        except ValueError as error:
            failed.append(f"{title} ({error})")
            continue
        best = result.best()
        if best is None or result.best_run is None:
            failed.append(f"{title} (diverged at every setting tried)")
            continue
        values[name] = best["lr"]
        others[name] = {k: best[k] for k in result.fields if k != "lr" and k in best}
        runs[name] = result.best_run
        lines.append(f"{title}: {search_line(result)}")
    head = (
        f"Every tunable hyperparameter searched on {surface.title}, {settings.steps} steps from "
        f"({format_value(start[0])}, {format_value(start[1])}){draws_words(race.draws())}, "
        f"seed {seed}: for each optimizer, "
        f"its settings as given, its η scan ({len(engine.TUNE_LRS)} values) and "
        f"{engine.SEARCH_SAMPLES} random settings in one call; the lowest final loss wins. "
        "Weight decay, integer counts and paper switches stay as set."
    )
    return Tuning(values, tuple(failed), search_note(head, lines, failed), runs, others)


def search_line(result: SearchResult) -> str:
    """``as given 4.2 → η alone 1.7e-4 (η 0.0316) → searched 7.8e-5 (η 0.141, β₁ 0.93, …)``."""
    alone = result.best(LR_ALONE) or {}
    return compare_line(
        result.optimizer,
        (result.best_loss(AS_GIVEN), result.best_loss(LR_ALONE), result.best_loss(None)),
        alone.get("lr"),
        result.best() or {},
        result.fields,
    )


SEARCH = RaceTuner("the search", 1 + len(engine.TUNE_LRS) + engine.SEARCH_SAMPLES, search_race)
"""The search beyond η on the surfaces: as given, the η scan, and
:data:`rlx_lab.engine.SEARCH_SAMPLES` random settings per optimizer."""


class SearchModel(TuningJob):
    """The race's search beyond η: whether it runs, what it last did, whether that still
    holds."""

    tuner = SEARCH
