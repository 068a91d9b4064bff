"""The lab's state: plain ``param`` models with no Panel import, testable without a browser."""

from rlx_lab_app.state.palette import PALETTE, assign_colors, color, marker
from rlx_lab_app.state.plan import Job
from rlx_lab_app.state.settings import OptimizerSettings, make_settings, settings_class
from rlx_lab_app.state.surfaces.plan import CACHE, Outcome, RacePlan, compute
from rlx_lab_app.state.surfaces.race import DEFAULT_OPTIMIZERS, INPUTS, RaceModel
from rlx_lab_app.state.surfaces.surface_source import CUSTOM, surface_grid, surface_names
from rlx_lab_app.state.surfaces.sweep import SweepModel
from rlx_lab_app.state.surfaces.theory import TheoryModel
from rlx_lab_app.state.surfaces.tuning import TuningModel

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
