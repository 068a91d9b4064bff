"""Scrub tables: one optimizer's race along a hyperparameter slider's whole track, computed
when the slider is grabbed, so the page can swap the drawn path while it is dragged.

A grab plans a :class:`ScrubPlan` (the race as it stands, the slider's field and about
:data:`ROWS` positions evenly spread over the slider's track on its own scale, each where a drag
can stop); :func:`compute_table` runs every row in one vmapped engine call
(:func:`rlx_lab.engine.run_grid` from every start of the race). Every float hyperparameter of
the optimizer is batched whichever slider is grabbed, so a second slider (or a second grab)
reuses the compiled program. Tables are kept in a small shared cache keyed by the plan, like
races.

:class:`ScrubModel` is the slot that does this through the job layer: costed, admitted (or
refused: then there is no table and the slider works as without one), computed off the page's
thread. Plain ``param``: no Panel.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import param

from rlx_lab import engine, optim
from rlx_lab.cost import MB, Cost, Term, size
from rlx_lab.engine import Trajectory
from rlx_lab_app.state.budget import configured
from rlx_lab_app.state.jobs import HEAVY, JobState, Report, SessionJobs
from rlx_lab_app.state.plan import TrajectoryCache
from rlx_lab_app.state.scales import from_position, slider_track, track_positions
from rlx_lab_app.state.surfaces.plan import RacePlan

ROWS = 64
"""Positions of a full table along the slider's track."""
MIN_ROWS = 8
"""Fewer rows than this would not scrub smoothly: no table instead."""
TABLE_MB = 16
"""The most a table sent to the page may weigh (fewer rows for long races or many starts)."""
BYTES_PER_POINT = 56
"""What the page receives per row, start and point: 13 float32 columns and the clipped path's
extra points (:func:`rlx_lab_app.views.surfaces.sources.full`, arrows included)."""
NO_TABLE = "No scrub table"
"""How the words of a grab left without a table (too big, or refused) begin."""

TABLES = TrajectoryCache(configured().cache_mb * MB // 8, size=32)
"""Computed tables, shared by every session (a second grab, another visitor's same race)."""


def scrub_fields(optimizer: str) -> tuple[str, ...]:
    """The fields of ``optimizer`` that have a float slider (each can be scrubbed): all of
    them are batched in every table of the optimizer, so its tables share one program."""
    return tuple(hp.name for hp in optim.get(optimizer).spec if hp.kind in SCRUBBED_KINDS)


SCRUBBED_KINDS = ("float", "optional_float")


@dataclass(frozen=True, eq=False)
class ScrubPlan:
    """One optimizer's race at each of ``values`` of ``field`` (the rest as set): hashable by
    :meth:`key`, safe to hand to another thread."""

    race: RacePlan
    """The race as it stands (surface, starts, shared settings)."""
    optimizer: str
    field: str
    base: Mapping[str, Any]
    """The optimizer's other hyperparameters, as set."""
    positions: np.ndarray
    """(rows,) slider positions (on the field's scale)."""
    values: np.ndarray
    """(rows,) the hyperparameter's value at each position (as a release there sets it)."""

    def key(self) -> tuple[Any, ...]:
        """The cache key: everything the table depends on."""
        return (
            "scrub",
            *self.race.shared_key(),
            self.optimizer,
            self.field,
            tuple(sorted(self.base.items())),
            self.values.tobytes(),
        )

    def table_bytes(self) -> int:
        """What the page receives: every row's full columns."""
        points = len(self.race.starts) * (self.race.settings.steps + 1)
        return len(self.values) * points * BYTES_PER_POINT

    def cost(self) -> Cost:
        """The vmapped call's traces plus the table the page receives."""
        what = f"the scrub table of {optim.get(self.optimizer).title}'s {self.field}"
        grid = engine.grid_cost(
            len(self.values), len(self.race.starts), self.race.settings.steps, what=what
        )
        table = Term(
            "the table sent to the page",
            self.table_bytes(),
            f"{len(self.values)} positions × {len(self.race.starts)} start(s)",
            "fewer steps or starts",
        )
        return grid + Cost(what, (table,))


@dataclass(frozen=True, eq=False)
class ScrubTable:
    """The race of one optimizer at each position of a slider's track."""

    key: tuple[Any, ...]
    optimizer: str
    field: str
    positions: np.ndarray
    values: np.ndarray
    trajectories: tuple[Trajectory, ...]
    """One per position: the race's trajectory of the optimizer at that value."""

    def nearest(self, position: float) -> int:
        """The row whose position is nearest ``position`` (what the page shows there)."""
        return int(np.argmin(np.abs(self.positions - position)))


def plan_scrub(race: Any, optimizer: str, field: str) -> ScrubPlan | str:
    """The scrub plan of ``race``'s (a :class:`~rlx_lab_app.state.RaceModel`) ``optimizer``
    along ``field``'s slider, or why there is none, in words."""
    if optimizer not in race.optimizers:
        return f"{optimizer} is not racing"
    specs = {hp.name: hp for hp in optim.get(optimizer).spec}
    hp = specs.get(field)
    if hp is None or hp.kind not in SCRUBBED_KINDS:
        return f"{optimizer}.{field} has no float slider"
    settings = race.settings[optimizer]
    if hp.kind == "optional_float" and getattr(settings, hp.none_flag):
        return f"{optimizer}.{field} is off ({hp.none_flag})"
    plan = race.plan()
    per_row = len(plan.starts) * (plan.settings.steps + 1) * BYTES_PER_POINT
    rows = min(ROWS, TABLE_MB * MB // per_row)
    if rows < MIN_ROWS:
        return (
            f"{NO_TABLE}: {MIN_ROWS} positions would send ≈{size(MIN_ROWS * per_row)} to "
            f"the page (the limit is {TABLE_MB} MB): fewer steps or starts"
        )
    low, high = settings.param[field].get_soft_bounds()
    positions, values = _track(hp, *slider_track(low, high, hp.scale), rows)
    base = {k: v for k, v in settings.overrides().items() if k != field}
    return ScrubPlan(plan, optimizer, field, base, positions, values)


def _track(
    hp: optim.HParam, low: float, high: float, step: float, rows: int
) -> tuple[np.ndarray, np.ndarray]:
    """Positions on the track and their values (as a release sets them), valid ones only."""
    kept: list[tuple[float, float]] = []
    for position in track_positions(low, high, step, rows):
        value = from_position(float(position), hp.scale)
        try:
            hp.validate(value)
        except ValueError:
            continue
        kept.append((float(position), value))
    return np.array([p for p, _ in kept]), np.array([v for _, v in kept])


def compute_table(plan: ScrubPlan) -> ScrubTable:
    """Every row of ``plan`` in one vmapped engine call (or the cached table)."""
    table, _ = TABLES.get_or_compute(plan.key(), lambda: _run(plan))
    return table


def _run(plan: ScrubPlan) -> ScrubTable:
    race = plan.race
    grid = engine.run_grid(
        plan.optimizer,
        dict(plan.base),
        [{plan.field: float(v)} for v in plan.values],
        race.surface,
        race.starts,
        race.settings,
        every_start=True,
        batch=scrub_fields(plan.optimizer),
    )
    return ScrubTable(
        plan.key(),
        plan.optimizer,
        plan.field,
        plan.positions,
        plan.values,
        tuple(grid.trajectory(k) for k in range(len(plan.values))),
    )


class ScrubModel(JobState):
    """A race's scrub table: the latest grabbed slider's, while the race still matches it.

    :meth:`grab` asks for the table of a slider (through the job layer, in the heavy lane so
    that it never delays the race's own recompute on release); :meth:`current` says whether
    the table still belongs to the race as it stands (another setting, the surface, the steps
    or the start make it stale).
    """

    table = param.Parameter(default=None, precedence=-1, doc="The latest ScrubTable (or None)")
    prepared = param.Parameter(
        default=None, precedence=-1, doc="What the grab's ``prepare`` made of the table"
    )
    error = param.String(default="", precedence=-1, doc="Why the latest grab has no table")

    def __init__(self, race: Any, jobs: SessionJobs | None = None, **params: Any) -> None:
        super().__init__(**params)
        self.race = race
        self.jobs = jobs or SessionJobs()
        self._asked: tuple[Any, ...] | None = None

    @property
    def notice(self) -> str:
        """What the page tells the user of :attr:`error`: a table too big for the page or
        refused by the job layer (not a slider that has none to scrub); empty otherwise."""
        return self.error if self.error.startswith(NO_TABLE) else ""

    def grab(
        self, optimizer: str, field: str, prepare: Callable[[ScrubTable], Any] | None = None
    ) -> None:
        """A slider was grabbed or focused: have its table (unless it is here or coming).

        ``prepare(table)`` runs beside the computation, off the page's thread, and its result
        is kept in :attr:`prepared` (the page's columns: making them takes longer than the
        table itself)."""
        plan = plan_scrub(self.race, optimizer, field)
        if isinstance(plan, str):
            self.jobs.cancel(self)
            self._asked = None
            self.param.update(table=None, prepared=None, error=plan)
            return
        key = plan.key()
        if key in (self._asked, getattr(self.table, "key", None)):
            return
        self._asked = key
        if self.table is not None:  # another slider's, or stale: the page must not scrub with it
            self.param.update(table=None, prepared=None)

        def work(report: Report) -> tuple[ScrubTable, Any]:
            table = compute_table(plan)
            report.check()
            return table, None if prepare is None else prepare(table)

        self.jobs.submit(
            self,
            plan.cost(),
            work,
            self._show,
            self._refuse,
            lane=HEAVY,
            phase="computing the scrub table…",
            quiet_s=60.0,  # nothing shows it: the slider works meanwhile
        )

    def current(self) -> bool:
        """Whether the table is the one a grab of its slider would compute now."""
        table = self.table
        if table is None:
            return False
        plan = plan_scrub(self.race, table.optimizer, table.field)
        return not isinstance(plan, str) and plan.key() == table.key

    def drop(self) -> None:
        """Forget the table (the race moved on)."""
        self.jobs.cancel(self)
        self._asked = None
        self.param.update(table=None, prepared=None)

    def _show(self, result: tuple[ScrubTable, Any]) -> None:
        self._asked = None
        self.param.update(table=result[0], prepared=result[1], error="")

    def _refuse(self, words: str) -> None:
        self._asked = None
        self.param.update(table=None, prepared=None, error=f"{NO_TABLE}: {words}")
