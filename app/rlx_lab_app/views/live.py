"""The two live recomputes — the surfaces race and the small-nets training — as configurations of
the one :class:`~rlx_lab_app.views.jobs.LiveRecompute`.

* The race recomputes on every input change in the *interactive* lane (a slider never waits
  behind another session's heavy job), says "computing…" only after :data:`BUSY_AFTER_S`, and
  shows an optimizer's paths as soon as it is ready when computing it took a while (a first
  compile).
* Training runs in the *heavy* lane, debounced by :data:`DEBOUNCE_S` (a dataset change also
  resets the noise; quick clicks merge), only while ``auto`` is on (else on "Train").
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from rlx_lab.engine import Trajectory
from rlx_lab_app.state import INPUTS, Outcome, RaceModel, RacePlan, compute
from rlx_lab_app.state.jobs import HEAVY, INTERACTIVE, Report, SessionJobs
from rlx_lab_app.state.nets.model import INPUTS as NETS_INPUTS
from rlx_lab_app.state.nets.model import NetsModel
from rlx_lab_app.state.nets.plan import NetsOutcome, NetsPlan, remember
from rlx_lab_app.state.nets.plan import compute as train
from rlx_lab_app.state.surfaces.plan import cached
from rlx_lab_app.views.jobs import LiveRecompute
from rlx_lab_app.views.runner import held

PARTIAL_AFTER_S = 0.25
"""Show an optimizer's paths before the others once computing it took longer than this (and
on an empty plot, the first ready at once when others remain to be computed)."""
BUSY_AFTER_S = 0.3
"""Say "computing…" only when a recompute takes longer than this (most take milliseconds)."""
DEBOUNCE_S = 0.05
"""Training waits this long for a next change: the changes of one event (a dataset sets its
noise too) and a key held on a slider (a change every ~33 ms) merge into one run; a slider's
release is final, and an η release's retrain should be drawn within 0.3 s."""


def race_recompute(model: RaceModel, jobs: SessionJobs) -> LiveRecompute:
    """Keeps :attr:`RaceModel.results` in step with the model's inputs."""

    def run(plan: RacePlan, report: Report) -> Outcome:
        seen: dict[str, Trajectory] = {}
        first_draw = not model.results

        def on_result(name: str, trajectory: Trajectory, seconds: float) -> None:
            seen[name] = trajectory
            report.progress(
                len(seen) / len(plan.jobs), f"computed {len(seen)} of {len(plan.jobs)} optimizers"
            )
            if len(seen) < len(plan.jobs) and (
                seconds > PARTIAL_AFTER_S or (first_draw and len(seen) == 1 and more_to_run())
            ):
                report.on_page(
                    partial(model.apply, plan, Outcome(results=dict(seen)), partial=True)
                )

        def more_to_run() -> bool:
            return any(job.optimizer not in seen and not cached(plan, job) for job in plan.jobs)

        return compute(plan, on_result, check=report.check)

    def apply(plan: RacePlan, outcome: Outcome) -> None:
        with held(getattr(jobs.page, "doc", None)):  # one message to the browser for it all
            model.apply(plan, outcome)

    return LiveRecompute(
        jobs,
        model,
        INPUTS,
        plan=model.plan,
        cost=lambda plan: plan.cost(),
        compute=run,
        apply=apply,
        refuse=model.refuse,
        lane=INTERACTIVE,
        quiet_s=BUSY_AFTER_S,
    )


def nets_recompute(model: NetsModel, jobs: SessionJobs) -> LiveRecompute:
    """Keeps the nets model's results in step with its inputs (when ``auto``) or on request."""

    def run(plan: NetsPlan, report: Report) -> NetsOutcome:
        del report  # one program: nothing to check between pieces
        return train(plan)

    def refuse(plan: NetsPlan, words: str) -> None:
        model.apply(plan, NetsOutcome(errors={"training": words}))

    def apply(plan: NetsPlan, outcome: NetsOutcome) -> None:
        remember(plan, outcome)  # trained in a worker process: keep it here too
        with held(getattr(jobs.page, "doc", None)):  # one message, not ~60: one browser layout
            model.apply(plan, outcome)

    def remote(plan: NetsPlan) -> Callable[[], NetsOutcome] | None:
        """Training goes to a worker process; drawing only a new landscape stays here."""
        return partial(train, plan) if plan.jobs and plan.needs_training() else None

    return LiveRecompute(
        jobs,
        model,
        NETS_INPUTS,
        plan=model.plan,
        cost=lambda plan: plan.cost(),
        compute=run,
        apply=apply,
        refuse=refuse,
        remote=remote,
        phase=phase,
        lane=HEAVY,
        debounce_s=DEBOUNCE_S,
        when=lambda: bool(model.auto),
    )


def phase(plan: NetsPlan) -> str:
    """What the computation about to start does, in words."""
    if not plan.jobs:
        return "checking the settings…"
    if plan.compiles():
        n = len(plan.jobs)
        return (
            f"compiling {n} optimizer{'s' * (n != 1)} for this network — the first run "
            "compiles (10–30 s for many optimizers), later runs reuse it…"
        )
    return "training…"
