r"""Learning-rate schedules: one multiplier per step on every optimizer's effective η.

A schedule is not part of an optimizer's rule (RLX's optimizers take a fixed ``lr``); the lab
applies it through RLX's per-tensor ``lr_scale``, so each step ``t`` = 1…T runs with

.. math::
    \eta_t = \eta\,w_t\,d_t,\qquad
    w_t = \min\!\left(1, \tfrac{t}{W}\right)\ (W > 0),\qquad
    p_t = \operatorname{clip}\!\left(\tfrac{t - 1 - W}{\max(T - 1 - W,\,1)}, 0, 1\right),

    d_t = \begin{cases}
      1 & \text{constant}\\
      f + (1 - f)\,\tfrac{1}{2}\,(1 + \cos \pi p_t) & \text{cosine}\\
      f + (1 - f)\,(1 - p_t) & \text{linear}
    \end{cases}

with ``W`` warm-up steps and the final fraction ``f``: a linear warm-up from η/W, then the
decay from η (at step W + 1) to f·η (at the last step T). ``lr_scale`` multiplies the whole
step, decoupled weight decay included (as a scheduled ``lr`` does in PyTorch and optax), and
Adafactor's relative step as well.

The values are traced (:class:`ScheduleArrays`): changing the kind, the warm-up, the final
fraction or the run's length reuses the compiled program.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

KINDS: tuple[str, ...] = ("constant", "cosine", "linear")
"""Decay shapes, in the order of their traced index."""
MAX_WARMUP = 20_000


class ScheduleArrays(NamedTuple):
    """A schedule as traced values (what a jitted loop receives)."""

    kind: jax.Array
    """Index into :data:`KINDS` (int32)."""
    warmup: jax.Array
    floor: jax.Array
    total: jax.Array
    """Steps of the run, T (int32)."""


@dataclass(frozen=True)
class LrSchedule:
    """How η moves over a run: ``kind`` of decay after ``warmup`` linear warm-up steps,
    down to ``floor`` · η at the last step (see the module docstring for the formula)."""

    kind: str = "constant"
    warmup: int = 0
    """Steps of linear warm-up (0: none)."""
    floor: float = 0.1
    """Final fraction of η for the cosine and linear decays."""

    def validate(self) -> LrSchedule:
        """Raise ``ValueError`` naming the first bad field; return self."""
        if self.kind not in KINDS:
            raise ValueError(f"schedule.kind: expected one of {KINDS}, got {self.kind!r}")
        ok = isinstance(self.warmup, int | np.integer) and not isinstance(self.warmup, bool)
        if not (ok and 0 <= self.warmup <= MAX_WARMUP):
            raise ValueError(
                f"schedule.warmup: expected an integer in [0, {MAX_WARMUP}], got {self.warmup!r}"
            )
        number = isinstance(self.floor, int | float) and not isinstance(self.floor, bool)
        if not (number and math.isfinite(self.floor) and 0.0 <= self.floor <= 1.0):
            raise ValueError(f"schedule.floor: expected a number in [0, 1], got {self.floor!r}")
        return self

    @property
    def is_constant(self) -> bool:
        """True when every step runs at η."""
        return self.kind == "constant" and self.warmup == 0

    def arrays(self, total: int) -> ScheduleArrays:
        """The traced form for a run of ``total`` steps."""
        return ScheduleArrays(
            kind=np.int32(KINDS.index(self.kind)),
            warmup=np.int32(self.warmup),
            floor=np.float32(self.floor),
            total=np.int32(total),
        )

    def factors(self, total: int) -> np.ndarray:
        """(total,) multipliers of steps 1…total (for plots and reports)."""
        return np.asarray(multiplier(self.arrays(total), jnp.arange(total)), np.float64)

    def describe(self) -> str:
        """A short phrase for captions: empty for a constant η."""
        if self.is_constant:
            return ""
        parts = [f"{self.warmup} warm-up steps"] if self.warmup else []
        if self.kind != "constant":
            parts.append(f"{self.kind} decay to {self.floor:g}·η")
        return "η schedule: " + ", ".join(parts)


def multiplier(schedule: ScheduleArrays, index: Any) -> jax.Array:
    """η_t / η for the step of 0-based ``index`` (t = index + 1); traced, elementwise."""
    i = jnp.asarray(index, jnp.float32)
    warmup = jnp.asarray(schedule.warmup, jnp.float32)
    warm = jnp.where(warmup > 0, jnp.minimum(1.0, (i + 1.0) / jnp.maximum(warmup, 1.0)), 1.0)
    span = jnp.maximum(jnp.asarray(schedule.total, jnp.float32) - 1.0 - warmup, 1.0)
    p = jnp.clip((i - warmup) / span, 0.0, 1.0)
    floor = jnp.asarray(schedule.floor, jnp.float32)
    cosine = floor + (1.0 - floor) * 0.5 * (1.0 + jnp.cos(jnp.pi * p))
    linear = floor + (1.0 - floor) * (1.0 - p)
    kind = jnp.asarray(schedule.kind)
    decay = jnp.where(kind == 1, cosine, jnp.where(kind == 2, linear, 1.0))
    return (warm * decay).astype(jnp.float32)
