"""The trajectory engine: optimizers from :mod:`rlx_lab.optim` on :mod:`rlx_lab.surfaces`.

>>> from rlx_lab import engine, surfaces
>>> t = engine.run("adam", {"lr": 0.05}, surfaces.get("rosenbrock"), [[-1.5, 2.0]],
...                engine.RunSettings(steps=500))
>>> t.positions.shape
(1, 501, 2)
"""

from ..schedule import LrSchedule
from . import devices, stream
from .cache import CACHE_ENV, default_cache_dir, enable_compilation_cache
from .cost import grid_cost, race_cost
from .grid import TUNE_LRS, GridRun, run_grid, sweep, tune_lr
from .hessian import ESTIMATORS
from .programs import compiled_programs
from .results import (
    AS_GIVEN,
    LR_ALONE,
    RANDOM,
    SEARCH_GROUPS,
    LrScan,
    SearchResult,
    SweepResult,
    Trajectory,
    to_csv,
    to_json,
)
from .run import race, run
from .search import KEPT_FIXED, SEARCH_SAMPLES, sample_settings, search, searchable
from .settings import MAX_STEPS, VIEWS, RunSettings
from .stream import CHUNK_LANES, StreamPlan, Summary, plan_grid, stream_grid
from .threads import one_core_per_computation

__all__ = [
    "AS_GIVEN",
    "CACHE_ENV",
    "CHUNK_LANES",
    "ESTIMATORS",
    "KEPT_FIXED",
    "LR_ALONE",
    "MAX_STEPS",
    "RANDOM",
    "SEARCH_GROUPS",
    "SEARCH_SAMPLES",
    "TUNE_LRS",
    "VIEWS",
    "GridRun",
    "LrScan",
    "LrSchedule",
    "RunSettings",
    "SearchResult",
    "StreamPlan",
    "Summary",
    "SweepResult",
    "Trajectory",
    "compiled_programs",
    "default_cache_dir",
    "devices",
    "enable_compilation_cache",
    "grid_cost",
    "one_core_per_computation",
    "plan_grid",
    "race",
    "race_cost",
    "run",
    "run_grid",
    "sample_settings",
    "search",
    "searchable",
    "stream",
    "stream_grid",
    "sweep",
    "to_csv",
    "to_json",
    "tune_lr",
]
