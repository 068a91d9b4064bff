"""The small-nets lab's state as URL query parameters, and back: what the small nets write their
own way.

The codec is the one both labs share (:mod:`rlx_lab_app.state.query`: ``opt``, the optimizers'
settings — compared with the *nets lab defaults* —, ``clip`` and every parameter that declares a
link key, such as ``depth`` or ``steps``). The small nets add ``tab=nets``, which tells the full
app to open this tab, the dataset and its noise (written when it differs from the dataset's
own)::

    ?tab=nets&data=spirals&depth=3&opt=adam,muon&adam.lr=0.03&steps=600

Your own points are not part of a link (they may be thousands of lines): a link with
``data=custom`` asks for them again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rlx_lab.nets.datasets import DATASETS
from rlx_lab_app.state import query as codec
from rlx_lab_app.state.nets.inputs import LINKED, NetsInputs
from rlx_lab_app.state.query_fields import apply_fields, apply_scalar, short_number

TAB = "nets"
"""The value of ``tab`` that opens the small-nets tab."""
LINK_FIELDS = LINKED  # what each parameter declares (state/roles.py)
"""The model's parameters a link records (the address follows their changes)."""
SET_FIRST = ("dataset",)
"""Set first when a link is restored: a data set sets its own noise."""
KEPT = ("user_points",)
"""Not part of a link: a restore keeps them."""


class Nets:
    """The small-nets lab's own link keys (a :class:`~rlx_lab_app.state.query.World`)."""

    name = "nets"
    keys = ("tab", "data", "noise")
    prefixes: tuple[str, ...] = ()

    def write(self, model: NetsInputs) -> dict[str, str]:
        out: dict[str, str] = {"tab": TAB, "data": model.dataset}
        if model.dataset in DATASETS and model.noise != DATASETS[model.dataset].noise:
            out["noise"] = short_number(model.noise)
        return out

    def read_first(self, model: NetsInputs, query: dict[str, str], problems: list[str]) -> None:
        """The dataset (it sets its noise)."""
        if "data" not in query:
            return
        name = query["data"]
        if name not in model.param.dataset.objects:
            problems.append(f"data: unknown dataset {name!r}; kept {model.dataset!r}")
            return
        apply_fields(model, {"dataset": name}, problems)
        if name not in DATASETS and model.user_points is None:
            problems.append("data: your own points are not part of a link; load them again")

    def read(
        self, model: NetsInputs, query: dict[str, str], fields: dict[str, Any], problems: list[str]
    ) -> None:
        """The noise, when the link sets it apart from the dataset's."""
        if "noise" in query:
            apply_scalar(model, "noise", query["noise"], fields, problems)


NETS = Nets()


def to_query(model: NetsInputs) -> dict[str, str]:
    """``model``'s state as query parameters (defaults omitted)."""
    return codec.to_query(model, NETS)


def from_query(model: NetsInputs, params: Mapping[str, Any]) -> list[str]:
    """Apply ``params`` (values may be strings or lists of strings) to ``model``."""
    return codec.from_query(model, params, NETS)
