"""What a race or a grid of settings will allocate, from its shape alone.

Per lane (a start point, noise draw or setting) and step, the engine's trace holds 8 float32
(position, loss, gradient, step norm, two clip fractions) for every step of the compiled bucket,
on the device and again on the host after ``device_get``; a :class:`Trajectory` then keeps 9
float32 per real step. :func:`race_cost` and :func:`grid_cost` add these up.
"""

from __future__ import annotations

from ..cost import Cost, Term, count
from .settings import bucket as step_bucket

TRACE_BYTES_PER_LANE_STEP = 2 * 8 * 4
"""The trace, on the device and its host copy."""
KEPT_BYTES_PER_LANE_STEP = 9 * 4
"""What a :class:`~rlx_lab.engine.Trajectory` keeps per step."""
FLOPS_PER_LANE_STEP = 400
"""A coarse figure for one step of a 2-D point (surface gradient + optimizer update)."""
ADVICE = "fewer optimizers, starts, noise draws or steps"


def race_cost(optimizers: int, lanes: int, steps: int, *, what: str = "this race") -> Cost:
    """``optimizers`` runs of ``lanes`` start points (× noise draws) for ``steps`` steps."""
    bucket = step_bucket(steps)
    n = optimizers * lanes
    per_lane = TRACE_BYTES_PER_LANE_STEP * bucket + KEPT_BYTES_PER_LANE_STEP * (steps + 1)
    term = Term(
        "trajectories",
        n * per_lane,
        f"{optimizers} optimizer(s) × {lanes} start(s) × {count(bucket)} steps",
        ADVICE,
    )
    return Cost(what, (term,), n * bucket, float(n * bucket * FLOPS_PER_LANE_STEP), optimizers)


def grid_cost(
    settings: int, draws: int, steps: int, *, optimizers: int = 1, what: str = "this sweep"
) -> Cost:
    """``settings`` rows × ``draws`` noise draws for each of ``optimizers`` in one vmapped
    call each (:func:`~rlx_lab.engine.run_grid`: the whole trace stays on the host)."""
    bucket = step_bucket(steps)
    lanes = optimizers * settings * draws
    term = Term(
        "traces of every setting",
        lanes * (TRACE_BYTES_PER_LANE_STEP + 4) * bucket,
        f"{optimizers} optimizer(s) × {count(settings)} settings × {draws} draw(s) × "
        f"{count(bucket)} steps",
        "fewer cells, noise draws or steps",
    )
    return Cost(
        what, (term,), lanes * bucket, float(lanes * bucket * FLOPS_PER_LANE_STEP), optimizers
    )
