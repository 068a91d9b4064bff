"""The race's state as URL query parameters, and back.

Only values that differ from the defaults are written, so links stay short::

    ?surface=himmelblau&opt=adam,lion&adam.lr=0.05&start=1.5,-2&steps=300&view=row

:func:`from_query` never raises: each bad entry (NaN, an unknown optimizer or field, a value
out of range) is skipped and described in the returned list, and the rest is applied.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import param

from rlx_lab import optim

if TYPE_CHECKING:
    from .race import RaceModel

SCALARS = (
    "steps",
    "view",
    "noise",
    "seed",
    "hessian",
    "hessian_every",
    "probes",
    "grid_size",
    "speed",
)
"""Model parameters written under their own name."""
FLAGS = {"many": "many_starts", "log": "log_color", "ghosts": "ghosts_on"}


def to_query(model: RaceModel) -> dict[str, str]:
    """``model``'s state as query parameters (defaults omitted, numbers in short form)."""
    out: dict[str, str] = {"surface": model.surface}
    if model.surface == "custom":
        out["formula"] = model.formula
        if tuple(model.window) != model.param.window.default:
            out["window"] = ",".join(_number(v) for v in model.window)
    for key, value in sorted(model.surface_params.items()):
        out[f"sp.{key}"] = _number(value)
    out["opt"] = ",".join(model.optimizers)
    for name in model.optimizers:
        for field, value in model.settings[name].changed().items():
            out[f"{name}.{field}"] = _value(value)
    if model.start is not None:
        out["start"] = ",".join(_number(v) for v in model.start)
    for name in SCALARS:
        value = getattr(model, name)
        if value != model.param[name].default:
            out[name] = _value(value)
    if model.clip_on:
        out["clip"] = _number(model.clip_norm)
    for key, name in FLAGS.items():
        if getattr(model, name) != model.param[name].default:
            out[key] = "1" if getattr(model, name) else "0"
    return out


def from_query(model: RaceModel, params: Mapping[str, Any]) -> list[str]:
    """Apply ``params`` (values may be strings or lists of strings) to ``model``."""
    query = {str(k): _last(v) for k, v in params.items()}
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
        window = _numbers(query["window"], 4, "window", problems)
        if window is not None:
            surface_fields["window"] = window
    _update(model, surface_fields, problems)
    if model.formula_error:
        problems.append(f"formula: {model.formula_error.splitlines()[0]}")
    fields: dict[str, Any] = {}
    _surface_params(model, query, fields, problems)
    _optimizers(model, query, fields, problems)
    if "start" in query:
        start = _numbers(query["start"], 2, "start", problems)
        if start is not None:
            fields["start"] = start
    for name in SCALARS:
        if name in query:
            _scalar(model, name, query[name], fields, problems)
    if "clip" in query:
        fields["clip_on"] = True
        _scalar(model, "clip_norm", query["clip"], fields, problems)
    for key, name in FLAGS.items():
        if key in query:
            fields[name] = query[key].strip().lower() in ("1", "true", "on", "yes")
    _update(model, fields, problems)
    _hyperparameters(model, query, problems)
    known = {"surface", "formula", "window", "opt", "start", "clip", *SCALARS, *FLAGS}
    for key in query:
        if key not in known and "." not in key:
            problems.append(f"{key}: unknown URL parameter, ignored")
    return problems


def _surface_params(
    model: RaceModel, query: dict[str, str], fields: dict[str, Any], problems: list[str]
) -> None:
    info = model.current_surface.param_info
    values: dict[str, float] = {}
    for key, text in query.items():
        if not key.startswith("sp."):
            continue
        name = key[3:]
        number = _float(text)
        if name not in info:
            problems.append(f"{key}: {model.current_surface.name} has no parameter {name!r}")
        elif number is None or not info[name].low <= number <= info[name].high:
            problems.append(
                f"{key}: expected a number in [{info[name].low:g}, "
                f"{info[name].high:g}], got {text!r}"
            )
        else:
            values[name] = number
    if values:
        fields["surface_params"] = values


def _optimizers(
    model: RaceModel, query: dict[str, str], fields: dict[str, Any], problems: list[str]
) -> None:
    if "opt" not in query:
        return
    chosen: list[str] = []
    for name in (n.strip() for n in query["opt"].split(",")):
        if not name:
            continue
        if name not in optim.names():
            problems.append(
                f"opt: unknown optimizer {name!r} ignored; valid names are "
                f"{', '.join(optim.names())}"
            )
        elif name not in chosen:
            chosen.append(name)
    if chosen or not query["opt"].strip():
        fields["optimizers"] = chosen


def _hyperparameters(model: RaceModel, query: dict[str, str], problems: list[str]) -> None:
    grouped: dict[str, dict[str, Any]] = {}
    for key, text in query.items():
        if "." not in key or key.startswith("sp."):
            continue
        name, field = key.split(".", 1)
        if name not in model.settings:
            problems.append(f"{key}: unknown optimizer {name!r}, ignored")
            continue
        spec = {hp.name: hp for hp in model.settings[name].spec()}
        hp = spec.get(field)
        grouped.setdefault(name, {})[field] = _parse(text, hp.kind if hp else "float")
    for name, values in grouped.items():
        problems.extend(model.settings[name].apply(values))


def _scalar(
    model: RaceModel, name: str, text: str, fields: dict[str, Any], problems: list[str]
) -> None:
    parameter = model.param[name]
    value: Any = text
    if isinstance(parameter, param.Integer):
        value = _int(text)
    elif isinstance(parameter, param.Number):
        value = _float(text)
    if value is None:
        problems.append(
            f"{name}: expected a finite number, got {text!r}; kept {getattr(model, name)!r}"
        )
        return
    try:
        parameter._validate(value)
    except ValueError as error:
        problems.append(f"{name}: {error}; kept {getattr(model, name)!r}")
        return
    fields[name] = value


def _update(model: RaceModel, fields: dict[str, Any], problems: list[str]) -> None:
    for name, value in list(fields.items()):
        try:
            model.param[name]._validate(value)
        except ValueError as error:
            problems.append(f"{name}: {error}")
            del fields[name]
    if fields:
        model.param.update(**fields)


def _parse(text: str, kind: str) -> Any:
    text = text.strip()
    if kind == "bool":
        lowered = text.lower()
        if lowered in ("1", "true", "on", "yes"):
            return True
        if lowered in ("0", "false", "off", "no"):
            return False
        return text
    if kind == "int":
        number = _int(text)
        return text if number is None else number
    if kind == "tuple":
        return tuple(_float(t) if _float(t) is not None else t for t in text.split(","))
    if kind == "optional_float" and text.lower() in ("none", "auto", "null"):
        return None
    try:
        return float(text)
    except ValueError:
        return text


def _numbers(text: str, count: int, name: str, problems: list[str]) -> tuple[float, ...] | None:
    parts = [_float(t) for t in text.split(",")]
    if len(parts) != count or any(p is None for p in parts):
        problems.append(
            f"{name}: expected {count} finite numbers separated by commas, got {text!r}"
        )
        return None
    return tuple(float(p) for p in parts if p is not None)


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _int(text: str) -> int | None:
    try:
        return int(text.strip())
    except (TypeError, ValueError):
        return None


def _last(value: Any) -> str:
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _number(value: float) -> str:
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


def _value(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, tuple | list):
        return ",".join(_number(v) for v in value)
    if isinstance(value, float):
        return _number(value)
    return str(value)
