"""The surface plot's legend follows the race without new Bokeh models (no browser)."""

from __future__ import annotations

from typing import Any

from rlx_lab import optim
from rlx_lab_app.state import RaceModel
from rlx_lab_app.views import SurfacesLab


def _shown(lab: Any) -> list[str]:
    labels = []
    for item in lab.surface_plot.legend.items:
        if item.visible:
            label = item.label
            labels.append(label if isinstance(label, str) else label.value)
    return labels


def test_the_legend_names_the_race_in_its_order_and_keeps_its_entries() -> None:
    model = RaceModel(surface="himmelblau", optimizers=["adam", "lion"], steps=20)
    lab = SurfacesLab(model)
    entries = list(lab.surface_plot.legend.items)
    assert _shown(lab)[-2:] == [optim.get("adam").title, optim.get("lion").title]

    model.optimizers = ["muon", "sophia", "adam"]
    model.recompute()
    titles = [optim.get(n).title for n in ("muon", "sophia", "adam")]
    assert _shown(lab)[-3:] == titles and len(_shown(lab)) in (4, 5)  # start (and minima)
    # the same entries, relabelled: Bokeh's document graph did not change
    assert [id(e) for e in lab.surface_plot.legend.items] == [id(e) for e in entries]
    key = lab.surface_plot.race_legend.key.data
    assert len(key["color"]) == 3  # entry j draws row j of the key source
