"""Gradient clipping and Sophia's Hessian-estimate schedule, shared by both labs' models.

:class:`GradientOptions` declares the run settings that :class:`~app.state.race.RaceModel` and
:class:`~app.state.nets.NetsModel` have in common. Which Hessian estimators exist (and the default
one) differs between the surfaces engine and the nets trainer, so each model declares its own
``hessian`` selector.
"""

from __future__ import annotations

import param


class GradientOptions(param.Parameterized):
    """Global gradient-norm clip and how often (with how many probes) Sophia estimates."""

    clip_on = param.Boolean(default=False, doc="Global gradient-norm clip before the optimizer")
    clip_norm = param.Number(
        default=1.0,
        bounds=(0.0, None),
        inclusive_bounds=(False, True),
        softbounds=(0.01, 100.0),
        doc="Max gradient norm",
    )
    hessian_every = param.Integer(
        default=10,
        bounds=(1, 1000),
        softbounds=(1, 100),
        doc="Sophia: a fresh estimate every k steps",
    )
    probes = param.Integer(
        default=1, bounds=(1, 64), softbounds=(1, 16), doc="Hutchinson probes per estimate"
    )

    def clip_threshold(self) -> float | None:
        """The max gradient norm when the clip is on, else ``None`` (no clip)."""
        return float(self.clip_norm) if self.clip_on else None
