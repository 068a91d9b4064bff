"""A link applied as the *whole* state: what the address omits is a default (Back and Forward).

A model's ``from_query`` applies only the entries a link holds. That is right for a new session,
which starts from the defaults, but not for a page going Back: a link omits every value left at
its default (``log=1`` is never written), so the entries alone cannot switch a changed value
back. :func:`restore` therefore builds a fresh model of the same class, applies the link to it —
exactly what a new session opened with that link would hold — and copies the difference into
the live model. Only the link's fields are copied (the results, palette and playback position
stay), so the live model recomputes what changed, like after any other edit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rlx_lab_app.state.query_fields import Model


def restore(
    model: Model,
    params: Mapping[str, Any],
    fields: Sequence[str],
    *,
    first: Sequence[str] = (),
    kept: Sequence[str] = (),
) -> list[str]:
    """Make ``model``'s ``fields`` and its racing optimizers' settings what ``params`` says.

    ``first`` are fields set before the others because setting them resets some of the rest
    (the surface resets its parameters and start; a data set its noise); ``kept`` are fields a
    link does not carry, which keep the live model's values (your own points). Returns the
    link's problems, which also become the model's ``message``.
    """
    fresh = type(model)(**{name: getattr(model, name) for name in kept})
    problems = fresh.from_query(params)
    copied = [name for name in fields if name not in kept and model.param[name].precedence != -1]
    _copy(model, fresh, [name for name in first if name in copied])
    _copy(model, fresh, copied)
    for name in fresh.optimizers:
        _copy(model.settings[name], fresh.settings[name], list(fresh.settings[name].param))
    if problems:
        model.message = "\n".join(problems)
    return problems


def _copy(target: Any, source: Any, names: list[str]) -> None:
    """``source``'s values of ``names`` that ``target`` lacks, set in one batch of events."""
    changed = {
        name: getattr(source, name)
        for name in names
        if name != "name" and not _equal(getattr(target, name), getattr(source, name))
    }
    if changed:
        target.param.update(**changed)


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # arrays compare elementwise
        return a is b
