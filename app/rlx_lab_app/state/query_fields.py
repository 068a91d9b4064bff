"""URL query values, read and written the same way for every lab's state (the whole link:
:mod:`rlx_lab_app.state.query`).

Numbers are written short (``0.05``, ``300``), flags as ``1``/``0``, tuples comma-separated.
Readers never raise: a bad value becomes one line in ``problems`` and the model keeps its value.
A *model* here is a ``param.Parameterized`` lab state whose ``settings`` map optimizer names to
:class:`~rlx_lab_app.state.settings.OptimizerSettings`.
"""

from __future__ import annotations

import math
from typing import Any

import param

from rlx_lab.optim import FLOAT32_MAX, as_float32

Model = Any
"""A ``param.Parameterized`` lab state with ``settings: dict[str, OptimizerSettings]``."""


def apply_scalar(
    model: Model,
    name: str,
    text: str,
    fields: dict[str, Any],
    problems: list[str],
    *,
    key: str = "",
) -> None:
    """Parameter ``name`` from ``text`` into ``fields`` if valid for it; a problem is named by
    its link ``key`` (default: ``name``)."""
    parameter = model.param[name]
    value, problem = scalar_value(parameter, text)
    if not problem:
        try:
            parameter._validate(value)
        except ValueError as error:
            problem = str(error)
    if problem:
        problems.append(f"{key or name}: {problem}; kept {getattr(model, name)!r}")
        return
    fields[name] = value


def scalar_value(parameter: param.Parameter, text: str) -> tuple[Any, str]:
    """``text`` read for ``parameter``: ``(value, "")``, or ``(None, what is wrong)``.

    A number must be finite and fit float32 (what JAX is handed); an integer may be written
    ``1e4`` but not ``1.5``; a selector's choice is matched by its link text (``1024``); a flag
    reads the words of :func:`to_bool`.
    """
    if isinstance(parameter, param.Boolean):
        flag = to_bool(text)
        return (flag, "") if flag is not None else (None, bool_expected(text))
    if not isinstance(parameter, param.Number):
        if isinstance(parameter, param.Selector):
            return selector_choice(parameter, text), ""
        return text, ""
    number = to_float(text)
    if number is None:
        return None, f"expected a finite number, got {text!r}"
    if isinstance(parameter, param.Integer):
        integer = to_int(text)
        if integer is None:
            return None, f"expected an integer, got {text!r}"
        return integer, ""
    overflow = float32_problem(number)
    return (None, overflow) if overflow else (number, "")


def apply_fields(model: Model, fields: dict[str, Any], problems: list[str]) -> None:
    """Set every valid field at once (one batch of events); list the others."""
    for name, value in list(fields.items()):
        try:
            model.param[name]._validate(value)
        except ValueError as error:
            problems.append(f"{name}: {error}")
            del fields[name]
    if fields:
        model.param.update(**fields)


def parse_value(text: str, kind: str) -> Any:
    """``text`` as a hyperparameter of ``kind`` (left as text when it is not one: the
    settings' own validation then names the problem)."""
    text = text.strip()
    if kind == "bool":
        flag = to_bool(text)
        return text if flag is None else flag
    if kind == "int":
        number = to_int(text)
        return text if number is None else number
    if kind == "tuple":
        return tuple(to_float(t) if to_float(t) is not None else t for t in text.split(","))
    if kind == "optional_float" and text.lower() in ("none", "auto", "null"):
        return None
    try:
        return float(text)
    except ValueError:
        return text


def parse_numbers(
    text: str, count: int, name: str, problems: list[str]
) -> tuple[float, ...] | None:
    """``count`` comma-separated finite numbers, or None with the problem listed."""
    parts = [to_float(t) for t in text.split(",")]
    if len(parts) != count or any(p is None for p in parts):
        problems.append(
            f"{name}: expected {count} finite numbers separated by commas, got {text!r}"
        )
        return None
    numbers = tuple(float(p) for p in parts if p is not None)
    for number in numbers:
        overflow = float32_problem(number)
        if overflow:
            problems.append(f"{name}: {overflow}")
            return None
    return numbers


TRUE_WORDS = ("1", "true", "on", "yes")
FALSE_WORDS = ("0", "false", "off", "no")


def to_bool(text: str) -> bool | None:
    """``True`` for 1/true/on/yes, ``False`` for 0/false/off/no (any case), else None."""
    lowered = str(text).strip().lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    return None


def bool_expected(text: str) -> str:
    """What is wrong with ``text`` for a flag."""
    words = "/".join(TRUE_WORDS + FALSE_WORDS)
    return f"expected a boolean ({words}), got {text!r}"


def to_float(text: str) -> float | None:
    """A finite float, or None."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def float32_problem(value: float) -> str:
    """Why ``value`` cannot be stored as float32 (it overflows to ±inf), or ``""``."""
    if math.isfinite(as_float32(value)):
        return ""
    return f"{value:g} overflows float32 (largest {FLOAT32_MAX:.4g})"


def to_int(text: str) -> int | None:
    """An integral number (``300``, ``1e4``, ``300.0``) as an int, or None (``1.5``, ``x``)."""
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        pass
    number = to_float(text)
    if number is None or not number.is_integer():
        return None
    return int(number)


def selector_choice(parameter: param.Selector, text: str) -> Any:
    """The object of ``parameter`` that ``text`` names (``"1024"`` → ``1024``), else ``text``."""
    text = text.strip()
    for choice in parameter.objects:
        if query_value(choice) == text:
            return choice
    number = to_float(text)
    for choice in parameter.objects:
        if isinstance(choice, int | float) and not isinstance(choice, bool) and number == choice:
            return choice
    return text


def last_value(value: Any) -> str:
    """The last of repeated query values, as text."""
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def short_number(value: float) -> str:
    """``300`` for integral values, else the shortest repr."""
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


def query_value(value: Any) -> str:
    """A setting's value as query text."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, tuple | list):
        return ",".join(short_number(v) for v in value)
    if isinstance(value, float):
        return short_number(value)
    return str(value)
