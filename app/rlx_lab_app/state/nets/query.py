"""The small-nets lab's state as URL query parameters, and back.

Only values that differ from the defaults are written (an optimizer's settings: from the *nets
lab defaults*), so links stay short::

    ?tab=nets&data=spirals&depth=3&opt=adam,muon&adam.lr=0.03&steps=600

``tab=nets`` tells the full app to open this tab. Your own points are not part of a link (they
may be thousands of lines): a link with ``data=custom`` asks for them again. :func:`from_query`
never raises: each bad entry is skipped and described, and the rest is applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rlx_lab.nets.datasets import DATASETS
from rlx_lab_app.state.gradient_options import SCHEDULE_FIELDS
from rlx_lab_app.state.nets.inputs import LINKED, NetsInputs
from rlx_lab_app.state.query_fields import (
    apply_fields,
    apply_hyperparameters,
    apply_race_fields,
    apply_scalar,
    last_value,
    race_fields,
    short_number,
)

TAB = "nets"
"""The value of ``tab`` that opens the small-nets tab."""
SCALARS = (
    "samples",
    "data_seed",
    "depth",
    "width",
    "activation",
    "batch_size",
    "steps",
    "seed",
    "n_seeds",
    "hessian",
    "hessian_every",
    "probes",
    "landscape",
    "tune_by",
)
"""Model parameters written under their own name."""
LINK_FIELDS = LINKED  # what each parameter declares (state/roles.py)
"""The model's parameters a link records (the address follows their changes)."""
SET_FIRST = ("dataset",)
"""Set first when a link is restored: a data set sets its own noise."""
KEPT = ("user_points",)
"""Not part of a link: a restore keeps them."""


def to_query(model: NetsInputs) -> dict[str, str]:
    """``model``'s state as query parameters (defaults omitted)."""
    out: dict[str, str] = {"tab": TAB, "data": model.dataset}
    if model.dataset in DATASETS and model.noise != DATASETS[model.dataset].noise:
        out["noise"] = short_number(model.noise)
    out.update(race_fields(model, SCALARS, "nets"))
    return out


def from_query(model: NetsInputs, params: Mapping[str, Any]) -> list[str]:
    """Apply ``params`` (values may be strings or lists of strings) to ``model``."""
    query = {str(k): last_value(v) for k, v in params.items()}
    problems: list[str] = []
    if "data" in query:
        name = query["data"]
        if name not in model.param.dataset.objects:
            problems.append(f"data: unknown dataset {name!r}; kept {model.dataset!r}")
        else:
            apply_fields(model, {"dataset": name}, problems)  # first: it sets its noise
            if name not in DATASETS and model.user_points is None:
                problems.append("data: your own points are not part of a link; load them again")
    fields: dict[str, Any] = {}
    if "noise" in query:
        apply_scalar(model, "noise", query["noise"], fields, problems)
    apply_race_fields(model, query, SCALARS, fields, problems)
    apply_fields(model, fields, problems)
    apply_hyperparameters(model, query, problems)
    known = {"tab", "data", "noise", "opt", "clip", *SCALARS, *SCHEDULE_FIELDS}
    problems += [
        f"{k}: unknown URL parameter, ignored" for k in query if k not in known and "." not in k
    ]
    return problems
