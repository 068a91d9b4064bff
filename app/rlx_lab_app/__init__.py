"""The rlx_lab web app: the surfaces lab (state in :mod:`rlx_lab_app.state`, views in
:mod:`rlx_lab_app.views`).

>>> from rlx_lab_app import RaceModel
>>> model = RaceModel(surface="himmelblau", optimizers=["adam", "lion"])
>>> outcome = model.recompute()

``SurfacesLab`` and ``NetsTab`` (the Panel views of the two tabs; either displays inline in a
notebook) are imported lazily so that using the state needs no Panel.
"""

from __future__ import annotations

from typing import Any

from rlx_lab_app.state import RaceModel, SweepModel, TheoryModel, TuningModel

__all__ = ["NetsTab", "RaceModel", "SurfacesLab", "SweepModel", "TheoryModel", "TuningModel"]


def __getattr__(name: str) -> Any:
    if name in ("SurfacesLab", "NetsTab"):
        from rlx_lab_app import views

        return getattr(views, name)
    raise AttributeError(f"module 'rlx_lab_app' has no attribute {name!r}")
