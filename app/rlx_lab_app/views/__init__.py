"""Thin Panel views over the state in :mod:`rlx_lab_app.state`; they render and forward input only.

``SurfacesLab`` and ``NetsTab`` are imported lazily, so the numpy-only helpers
(:mod:`rlx_lab_app.views.surfaces.sources`) can be used without importing Panel.
"""

from __future__ import annotations

from typing import Any

__all__ = ["NetsTab", "SurfacesLab"]


def __getattr__(name: str) -> Any:
    if name == "SurfacesLab":
        from rlx_lab_app.views.surfaces.lab import SurfacesLab

        return SurfacesLab
    if name == "NetsTab":
        from rlx_lab_app.views.nets.tab import NetsTab

        return NetsTab
    raise AttributeError(f"module 'rlx_lab_app.views' has no attribute {name!r}")
