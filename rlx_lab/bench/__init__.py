"""Benchmarks of the lab, run as ``python -m rlx_lab.bench SUBCOMMAND``.

* ``core`` — point-steps per second of each optimizer on batched Rosenbrock runs, with its
  compile time and its speed relative to optax (:mod:`rlx_lab.bench.core`).

Timings are reports, never test assertions.
"""

from __future__ import annotations

from .core import CoreResult, run_core

__all__ = ["CoreResult", "run_core"]
