"""The race's state as URL query parameters, and back: what the surfaces write their own way.

The codec is the one both labs share (:mod:`rlx_lab_app.state.query`: ``opt``, the optimizers'
settings, ``clip`` and every parameter that declares a link key, such as ``steps`` or
``many``). The surfaces add the surface and its parameters, the custom formula and window, and
the start::

    ?surface=custom&formula=x^2+3*y^2&window=-2,2,-1,1&sp.a=2&start=1.5,-2

A new surface resets the start and the surface's parameters, so it is applied first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rlx_lab_app.state import query as codec
from rlx_lab_app.state.query_fields import (
    apply_fields,
    float32_problem,
    parse_numbers,
    short_number,
    to_float,
)
from rlx_lab_app.state.surfaces.inputs import LINKED, RaceInputs

SET_FIRST = ("surface", "formula", "window")
"""Set first when a link is restored (:func:`restore`): a new surface resets its parameters
and start."""


class Surfaces:
    """The surfaces lab's own link keys (a :class:`~rlx_lab_app.state.query.World`)."""

    name = "surfaces"
    keys = ("surface", "formula", "window", "start")
    prefixes = ("sp.",)

    def write(self, model: RaceInputs) -> dict[str, str]:
        out: dict[str, str] = {"surface": model.surface}
        if model.surface == "custom":
            out["formula"] = model.formula
            if tuple(model.window) != model.param.window.default:
                out["window"] = ",".join(short_number(v) for v in model.window)
        for key, value in sorted(model.surface_params.items()):
            out[f"sp.{key}"] = short_number(value)
        if model.start is not None:
            out["start"] = ",".join(short_number(v) for v in model.start)
        return out

    def read_first(self, model: RaceInputs, query: dict[str, str], problems: list[str]) -> None:
        """The surface, its formula and window (a new one resets the start)."""
        fields: dict[str, Any] = {}
        if "surface" in query:
            if query["surface"] in model.param.surface.objects:
                fields["surface"] = query["surface"]
            else:
                problems.append(
                    f"surface: unknown surface {query['surface']!r}; kept {model.surface!r}"
                )
        if "formula" in query:
            fields["formula"] = query["formula"]
        if "window" in query:
            window = parse_numbers(query["window"], 4, "window", problems)
            if window is not None:
                fields["window"] = window
        apply_fields(model, fields, problems)
        if model.formula_error:
            problems.append(f"formula: {model.formula_error.splitlines()[0]}")

    def read(
        self, model: RaceInputs, query: dict[str, str], fields: dict[str, Any], problems: list[str]
    ) -> None:
        """The surface's parameters (``sp.a``) and the start."""
        _surface_params(model, query, fields, problems)
        if "start" in query:
            start = parse_numbers(query["start"], 2, "start", problems)
            if start is not None:
                fields["start"] = start


SURFACES = Surfaces()


LINK_FIELDS = LINKED  # what each parameter declares (state/roles.py)
"""The model's parameters a link records (the address follows their changes)."""


def to_query(model: RaceInputs) -> dict[str, str]:
    """``model``'s state as query parameters (defaults omitted, numbers in short form)."""
    return codec.to_query(model, SURFACES)


def from_query(model: RaceInputs, params: Mapping[str, Any]) -> list[str]:
    """Apply ``params`` (values may be strings or lists of strings) to ``model``."""
    return codec.from_query(model, params, SURFACES)


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
