"""The optimizer chips read in the order the optimizers race (a link, Back, both tabs)."""

from __future__ import annotations

from typing import Any

from rlx_lab import optim
from rlx_lab_app.state import RaceModel
from rlx_lab_app.state.nets.model import NetsModel
from rlx_lab_app.views.optimizer_choice import optimizer_choice


def chips(widget: Any) -> list[str]:
    """The chips the browser draws: the chosen labels in the order of the Bokeh options."""
    root = widget.get_root()
    return [label for label in root.options if label in root.value]


def test_a_link_keeps_its_order_of_chips() -> None:
    model = RaceModel()
    widget = optimizer_choice(model, "Optimizers")
    assert model.from_query({"opt": "lion,adam,sgd"}) == []
    assert chips(widget) == ["Lion", "Adam", "SGD"]
    model.optimizers = ["sgd", "lion"]
    assert chips(widget) == ["SGD", "Lion"]


def test_the_nets_chips_read_as_the_plots() -> None:
    """The nets' defaults race Adam, Lion, Muon, SOAP (the registry lists SOAP before Muon)."""
    model = NetsModel()
    assert chips(optimizer_choice(model, "Optimizers")) == [
        optim.get(n).title for n in model.optimizers
    ]
