"""Gradient clipping, the η schedule and Sophia's Hessian-estimate period, shared by both
labs' models.

:class:`GradientOptions` declares the run settings that
:class:`~rlx_lab_app.state.surfaces.race.RaceModel` and
:class:`~rlx_lab_app.state.nets.model.NetsModel` have in common. Which Hessian estimators exist (and
the default one) differs between the surfaces engine and the nets trainer, so each model declares
its own ``hessian`` selector.
"""

from __future__ import annotations

import param

from rlx_lab.schedule import KINDS, MAX_WARMUP, LrSchedule
from rlx_lab_app.state.roles import RUN


class GradientOptions(param.Parameterized):
    """Global gradient-norm clip, the η schedule, and how often (with how many probes) Sophia
    estimates."""

    clip_on = param.Boolean(
        default=False, doc="Global gradient-norm clip before the optimizer", metadata={"role": RUN}
    )
    clip_norm = param.Number(
        default=1.0,
        bounds=(0.0, None),
        inclusive_bounds=(False, True),
        softbounds=(0.01, 100.0),
        doc="Max gradient norm",
        metadata={"role": RUN},
    )
    hessian_every = param.Integer(
        default=10,
        bounds=(1, 1000),
        softbounds=(1, 100),
        doc="Sophia: a fresh estimate every k steps",
        metadata={"role": RUN, "query": "hessian_every"},
    )
    probes = param.Integer(
        default=1,
        bounds=(1, 64),
        softbounds=(1, 16),
        doc="Hutchinson probes per estimate",
        metadata={"role": RUN, "query": "probes"},
    )

    schedule = param.Selector(
        default="constant",
        objects=list(KINDS),
        doc="How η moves over the run: constant, or a cosine or linear decay to the final "
        "fraction (after the warm-up)",
        metadata={"role": RUN, "query": "schedule"},
    )
    warmup = param.Integer(
        default=0,
        bounds=(0, MAX_WARMUP),
        softbounds=(0, 500),
        doc="Steps of linear warm-up from η/W to η (0: none)",
        metadata={"role": RUN, "query": "warmup"},
    )
    floor = param.Number(
        default=0.1,
        bounds=(0.0, 1.0),
        doc="Final fraction of η for the cosine and linear decays",
        metadata={"role": RUN, "query": "floor"},
    )

    def lr_schedule(self) -> LrSchedule:
        """The η schedule the engine runs."""
        return LrSchedule(self.schedule, int(self.warmup), float(self.floor))

    def clip_threshold(self) -> float | None:
        """The max gradient norm when the clip is on, else ``None`` (no clip)."""
        return float(self.clip_norm) if self.clip_on else None
