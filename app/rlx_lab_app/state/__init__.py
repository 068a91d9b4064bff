"""The lab's state: plain ``param`` models with no Panel import, testable without a browser."""

from .palette import PALETTE, assign_colors, color, marker
from .plan import CACHE, Job, Outcome, RacePlan, compute
from .race import DEFAULT_OPTIMIZERS, INPUTS, RaceModel
from .settings import OptimizerSettings, make_settings, settings_class
from .surface_source import CUSTOM, surface_grid, surface_names
from .sweep import SweepModel
from .theory import TheoryModel
from .tuning import TuningModel

__all__ = [
    "CACHE",
    "CUSTOM",
    "DEFAULT_OPTIMIZERS",
    "INPUTS",
    "PALETTE",
    "Job",
    "OptimizerSettings",
    "Outcome",
    "RaceModel",
    "RacePlan",
    "SweepModel",
    "TheoryModel",
    "TuningModel",
    "assign_colors",
    "color",
    "compute",
    "make_settings",
    "marker",
    "settings_class",
    "surface_grid",
    "surface_names",
]
