"""What theory predicts for SGD with momentum near a point: the local quadratic model.

* :mod:`._quadratic` — the numbers: the curvature at a point (:func:`local_model`,
  :func:`curvature_at`, :func:`newton_minimum`), SGD's iteration matrix, its factor per step and
  regime along each curvature, the stability limit and the best settings (Goh, "Why Momentum
  Really Works", Distill 2017; the math is in its docstring);
* :mod:`._statement` — those numbers in words (:func:`statement`), as the lab's theory card
  shows them;
* :mod:`._curves` — the theory held against runs: distances per step along each curvature
  (:func:`component_curves`) and the limits over an η × μ sweep (:func:`sweep_overlay`).

>>> from rlx_lab import surfaces, theory
>>> found = theory.curvatures(surfaces.get("rosenbrock"))
>>> theory.best_heavy_ball(*found.local.curvatures)
>>> print(theory.statement(*found, title="Rosenbrock", sgd={"lr": 1e-3, "momentum": 0.9,
...                                                          "nesterov": False}).text)
"""

from ._curves import (
    ANCHOR,
    BLOW_UP,
    OVERLAY_POINTS,
    ROUNDING,
    Curvatures,
    SweepOverlay,
    component_curves,
    curvatures,
    sweep_overlay,
)
from ._quadratic import (
    FLAT,
    NEWTON_STEPS,
    NEWTON_TOL,
    LocalModel,
    Regime,
    TheoryError,
    Tuned,
    Where,
    best_gd,
    best_heavy_ball,
    components,
    curvature_at,
    factor,
    is_flat,
    iteration_matrix,
    local_model,
    newton_minimum,
    regime,
    stable_lr,
    steps_per_decade,
)
from ._statement import ERROR, Statement, statement

__all__ = [
    "ANCHOR",
    "BLOW_UP",
    "ERROR",
    "FLAT",
    "NEWTON_STEPS",
    "NEWTON_TOL",
    "OVERLAY_POINTS",
    "ROUNDING",
    "Curvatures",
    "LocalModel",
    "Regime",
    "Statement",
    "SweepOverlay",
    "TheoryError",
    "Tuned",
    "Where",
    "best_gd",
    "best_heavy_ball",
    "component_curves",
    "components",
    "curvature_at",
    "curvatures",
    "factor",
    "is_flat",
    "iteration_matrix",
    "local_model",
    "newton_minimum",
    "regime",
    "stable_lr",
    "statement",
    "steps_per_decade",
    "sweep_overlay",
]
