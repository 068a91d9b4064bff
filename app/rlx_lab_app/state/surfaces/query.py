"""The race's state as URL query parameters, and back.

Only values that differ from the defaults are written, so links stay short::

    ?surface=himmelblau&opt=adam,lion&adam.lr=0.05&start=1.5,-2&steps=300&view=row

:func:`from_query` never raises: each bad entry (NaN, an unknown optimizer or field, a value
out of range) is skipped and described in the returned list, and the rest is applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rlx_lab_app.state.gradient_options import SCHEDULE_FIELDS
from rlx_lab_app.state.query_fields import (
    apply_fields,
    apply_hyperparameters,
    apply_race_fields,
    bool_problem,
    float32_problem,
    last_value,
    parse_numbers,
    race_fields,
    short_number,
    to_bool,
    to_float,
)
from rlx_lab_app.state.surfaces.inputs import LINKED, RaceInputs

SCALARS = (
    "steps",
    "view",
    "noise",
    "seed",
    "repeats",
    "hessian",
    "hessian_every",
    "probes",
    "grid_size",
    "speed",
)
"""Model parameters written under their own name."""
SET_FIRST = ("surface", "formula", "window")
"""Set first when a link is restored (:func:`restore`): a new surface resets its parameters
and start."""
FLAGS = {
    "many": "many_starts",
    "log": "log_color",
    "ghosts": "ghosts_on",
    "arrows": "arrows",
    "lecture": "lecture",
}


LINK_FIELDS = LINKED  # what each parameter declares (state/roles.py)
"""The model's parameters a link records (the address follows their changes)."""


def to_query(model: RaceInputs) -> dict[str, str]:
    """``model``'s state as query parameters (defaults omitted, numbers in short form)."""
    out: dict[str, str] = {"surface": model.surface}
    if model.surface == "custom":
        out["formula"] = model.formula
        if tuple(model.window) != model.param.window.default:
            out["window"] = ",".join(short_number(v) for v in model.window)
    for key, value in sorted(model.surface_params.items()):
        out[f"sp.{key}"] = short_number(value)
    out.update(race_fields(model, SCALARS))
    if model.start is not None:
        out["start"] = ",".join(short_number(v) for v in model.start)
    for key, name in FLAGS.items():
        if getattr(model, name) != model.param[name].default:
            out[key] = "1" if getattr(model, name) else "0"
    return out


def from_query(model: RaceInputs, params: Mapping[str, Any]) -> list[str]:
    """Apply ``params`` (values may be strings or lists of strings) to ``model``."""
    query = {str(k): last_value(v) for k, v in params.items()}
    problems: list[str] = []
    surface_fields: dict[str, Any] = {}
    if "surface" in query:
        if query["surface"] in model.param.surface.objects:
            surface_fields["surface"] = query["surface"]
        else:
            problems.append(
                f"surface: unknown surface {query['surface']!r}; kept {model.surface!r}"
            )
    if "formula" in query:
        surface_fields["formula"] = query["formula"]
    if "window" in query:
        window = parse_numbers(query["window"], 4, "window", problems)
        if window is not None:
            surface_fields["window"] = window
    apply_fields(model, surface_fields, problems)
    if model.formula_error:
        problems.append(f"formula: {model.formula_error.splitlines()[0]}")
    fields: dict[str, Any] = {}
    _surface_params(model, query, fields, problems)
    apply_race_fields(model, query, SCALARS, fields, problems)
    if "start" in query:
        start = parse_numbers(query["start"], 2, "start", problems)
        if start is not None:
            fields["start"] = start
    for key, name in FLAGS.items():
        if key in query:
            flag = to_bool(query[key])
            if flag is None:
                problems.append(f"{bool_problem(key, query[key])}; kept {getattr(model, name)}")
            else:
                fields[name] = flag
    apply_fields(model, fields, problems)
    apply_hyperparameters(model, query, problems, skip=("sp.",))
    known = {
        "surface",
        "formula",
        "window",
        "opt",
        "start",
        "clip",
        *SCALARS,
        *FLAGS,
        *SCHEDULE_FIELDS,
    }
    for key in query:
        if key not in known and "." not in key:
            problems.append(f"{key}: unknown URL parameter, ignored")
    return problems


def _surface_params(
    model: RaceInputs, query: dict[str, str], fields: dict[str, Any], problems: list[str]
) -> None:
    info = model.current_surface.param_info
    values: dict[str, float] = {}
    for key, text in query.items():
        if not key.startswith("sp."):
            continue
        name = key[3:]
        number = to_float(text)
        if name not in info:
            problems.append(f"{key}: {model.current_surface.name} has no parameter {name!r}")
        elif number is not None and float32_problem(number):
            problems.append(f"{key}: {float32_problem(number)}")
        elif number is None or not info[name].low <= number <= info[name].high:
            problems.append(
                f"{key}: expected a number in [{info[name].low:g}, "
                f"{info[name].high:g}], got {text!r}"
            )
        else:
            values[name] = number
    if values:
        fields["surface_params"] = values
