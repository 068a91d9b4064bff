"""Small nets: the 14 optimizers racing to train MLPs on toy data.

>>> from rlx_lab import nets
>>> data = nets.datasets.make("two_moons")
>>> result = nets.race(data, ["adamw", "muon", "sophia"])
>>> result["muon"].train_loss[-1]
>>> plane = nets.landscape.pca_plane(result["adamw"].final_params(),
...                                  [run.snapshots for run in result.runs])

Modules: :mod:`datasets` (numpy toy data), :mod:`mlp` (the model), :mod:`loop` (one traced
training run), :mod:`train` (the race), :mod:`hessian` (Sophia's estimates),
:mod:`landscape` (loss slices and projected paths), :mod:`tuning` (candidate settings
trained at once and judged on held-out data), :mod:`folds` (k-fold cross-validation, when the
data is too small to hold out), :mod:`boundary` (decision boundaries),
:mod:`cost` (what a race will allocate), :mod:`defaults` (lab-default hyperparameters for
nets), :mod:`user_data` (your own points from CSV), :mod:`export` (runs as CSV and JSON).
"""

from ..schedule import LrSchedule
from . import (
    boundary,
    cost,
    datasets,
    export,
    folds,
    hessian,
    landscape,
    loop,
    mlp,
    tuning,
    user_data,
)
from .boundary import Boundary, decision_boundary, decision_frames
from .datasets import Dataset
from .defaults import NET_DEFAULTS
from .landscape import Plane, Slice
from .mlp import MLP
from .results import NetRun, RaceResult
from .settings import (
    STEP_BUCKETS,
    TrainSettings,
    batch_indices,
    bucket,
    hparam_values,
)
from .train import RacePlan, compiled_programs, prepare, race

__all__ = [
    "MLP",
    "NET_DEFAULTS",
    "STEP_BUCKETS",
    "Boundary",
    "Dataset",
    "LrSchedule",
    "NetRun",
    "Plane",
    "RacePlan",
    "RaceResult",
    "Slice",
    "TrainSettings",
    "batch_indices",
    "boundary",
    "bucket",
    "compiled_programs",
    "cost",
    "datasets",
    "decision_boundary",
    "decision_frames",
    "export",
    "folds",
    "hessian",
    "hparam_values",
    "landscape",
    "loop",
    "mlp",
    "prepare",
    "race",
    "tuning",
    "user_data",
]
