"""Headless sweeps at research scale: ``python -m rlx_lab.sweep SPEC`` (or ``rlx-lab-sweep``).

A spec file (:mod:`.spec`) names a world (a surface or a net), optimizers, axes, random draws,
seeds, steps and what to keep; :func:`run` runs it chunk by chunk over every device — of every
host under ``jax.distributed`` — with a progress bar, and writes one ``.npz`` results file
(:mod:`.results`) that the app's Sweep tab opens. An interrupted run resumes from its finished
chunks.
"""

from . import results, spec
from .results import SweepFile, load
from .runner import run
from .spec import SweepSpec, parse, read

__all__ = ["SweepFile", "SweepSpec", "load", "parse", "read", "results", "run", "spec"]
