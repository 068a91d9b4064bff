"""The race: which optimizers run on which surface from where, and what they produced.

:class:`RaceModel` is plain ``param`` (no Panel): set parameters, call :meth:`RaceModel.recompute`
and read :attr:`RaceModel.results`. The app runs the same three steps — :meth:`~RaceModel.plan`,
:func:`~rlx_lab_app.state.surfaces.plan.compute` on a worker thread, :meth:`~RaceModel.apply` back
on the document — so a slow compile never freezes the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import param

from rlx_lab.engine import Trajectory, to_csv, to_json
from rlx_lab.surfaces import Surface
from rlx_lab_app.state import link_restore
from rlx_lab_app.state.plan import Job
from rlx_lab_app.state.surfaces import query
from rlx_lab_app.state.surfaces.inputs import DEFAULT_OPTIMIZERS, INPUTS, RaceInputs
from rlx_lab_app.state.surfaces.plan import Outcome, RacePlan, compute
from rlx_lab_app.state.surfaces.report import messages, summary_rows
from rlx_lab_app.state.surfaces.surface_source import CUSTOM

__all__ = ["DEFAULT_OPTIMIZERS", "INPUTS", "RaceModel"]


class RaceModel(RaceInputs):
    """State of the surfaces lab: inputs, the latest trajectories, and what to tell the user."""

    results = param.Dict(default={}, precedence=-1, doc="optimizer → latest Trajectory")
    ghosts = param.Dict(default={}, precedence=-1, doc="optimizer → previous Trajectory")
    shown_surface = param.ClassSelector(class_=Surface, default=None, precedence=-1)
    shown_params = param.Dict(default={}, precedence=-1)
    status = param.String(default="", precedence=-1)

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self._notes: list[str] = []
        """Problems of the last link applied, to lead the next message."""
        self._plan: RacePlan | None = None

    # --- computing -----------------------------------------------------------------------------

    def plan(self) -> RacePlan:
        """A snapshot of the inputs, safe to compute on another thread."""
        surface = self._surface
        key: Any = surface.name
        if self.surface == CUSTOM and surface.name == "custom":
            key = ("custom", surface.description, surface.window)
        jobs = tuple(
            Job(name, self.settings[name].overrides(), self.settings[name].key())
            for name in self.optimizers
        )
        return RacePlan(
            surface, key, dict(self.surface_params), self.starts(), self.run_settings(), jobs
        )

    def recompute(self) -> Outcome:
        """Plan, compute and apply, synchronously (tests, notebooks)."""
        plan = self.plan()
        outcome = compute(plan)
        self.apply(plan, outcome)
        return outcome

    def apply(self, plan: RacePlan, outcome: Outcome, *, partial: bool = False) -> None:
        """Show ``outcome``: new results, ghosts of what changed, frame, messages.

        ``partial`` results (some optimizers still computing) keep the others' previous paths.
        """
        previous = self.results
        same_surface = self.shown_surface is plan.surface
        results: dict[str, Trajectory] = {}
        for job in plan.jobs:
            if job.optimizer in outcome.results:
                results[job.optimizer] = outcome.results[job.optimizer]
            elif partial and same_surface and job.optimizer in previous:
                results[job.optimizer] = previous[job.optimizer]
        ghosts = dict(self.ghosts) if plan is self._plan and same_surface else {}
        if same_surface:
            for name, trajectory in results.items():
                old = previous.get(name)
                if old is not None and old is not trajectory:
                    ghosts[name] = old
        self._plan = plan
        old_end = max((t.steps for t in previous.values()), default=self.steps)
        new_end = plan.settings.steps
        frame = self.frame
        if frame >= old_end or frame > new_end or not previous:
            frame = new_end
        self.param.update(
            results=results,
            ghosts=ghosts,
            shown_surface=plan.surface,
            shown_params=dict(plan.surface_params),
            frame=frame,
        )
        if not partial:
            self.message = "\n".join([*self._notes, *messages(plan, outcome)])
            self._notes = []
            self.status = (
                f"{outcome.computed} computed, {outcome.cached} cached "
                f"in {outcome.seconds * 1000:.0f} ms"
            )

    def refuse(self, plan: RacePlan, words: str) -> None:
        """No race for ``plan`` (over a budget, or it failed): show nothing stale, say why."""
        self._plan = plan
        self.param.update(
            results={},
            ghosts={},
            shown_surface=plan.surface,
            shown_params=dict(plan.surface_params),
        )
        self.message = "\n".join([*self._notes, words])
        self._notes = []
        self.status = "not computed"

    # --- reading out ---------------------------------------------------------------------------

    def summary(self) -> list[dict[str, Any]]:
        """One row per optimizer shown: colour, learning rate, loss reached, divergence, clips."""
        return summary_rows(self.results, self.colors, self.settings, self.draws())

    def export_csv(self) -> str:
        """The shown trajectories as long-format CSV."""
        return to_csv(list(self.results.values()))

    def export_json(self) -> str:
        """The shown trajectories as strict JSON."""
        return to_json(list(self.results.values()))

    def to_query(self) -> dict[str, str]:
        """The whole state as URL query parameters (defaults omitted)."""
        return query.to_query(self)

    def from_query(self, params: Mapping[str, Any]) -> list[str]:
        """Apply URL query parameters; return (and show) what was wrong with them."""
        problems = query.from_query(self, params)
        self._notes.extend(problems)
        if problems:
            self.message = "\n".join(problems)
        return problems

    def restore(self, params: Mapping[str, Any]) -> list[str]:
        """Make the whole state what a link says, defaults where it is silent (Back, Forward)."""
        return link_restore.restore(self, params, query.LINK_FIELDS, first=query.SET_FIRST)
