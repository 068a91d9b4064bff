"""A lab's state as URL query parameters, and back: the one codec both labs use.

Only values that differ from the defaults are written, so links stay short::

    ?surface=himmelblau&opt=adam,lion&adam.lr=0.05&start=1.5,-2&steps=300&view=row
    ?tab=nets&data=spirals&depth=3&opt=adam,muon&adam.lr=0.03&steps=600

The fields follow the declarations: a parameter with ``metadata={"query": "steps"}`` is written
under that key when it differs from its default and read back with the checks of
:mod:`~rlx_lab_app.state.query_fields` (:func:`~rlx_lab_app.state.roles.query_keys`). Every
link also holds ``opt``, each racing optimizer's settings that differ from the world's
defaults (``adam.lr``) and the global clip (``clip``). A world adds only the keys it writes its
own way, as a :class:`World`: the surface, its formula and the start; the dataset and its noise.

:func:`from_query` never raises: each bad entry (NaN, an unknown optimizer or field, a value
out of range) is skipped and described in the returned list, and the rest is applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from rlx_lab import optim
from rlx_lab_app.state.query_fields import (
    Model,
    apply_fields,
    apply_scalar,
    last_value,
    parse_value,
    query_value,
    short_number,
)
from rlx_lab_app.state.roles import query_keys


class World(Protocol):
    """What a lab writes in its link its own way, besides the declared fields."""

    name: str
    """Whose defaults an optimizer's settings are compared with (``"surfaces"``, ``"nets"``)."""
    keys: tuple[str, ...]
    """The keys it reads itself."""
    prefixes: tuple[str, ...]
    """Prefixes of dotted keys it reads itself (``"sp."``); other dotted keys are settings."""

    def write(self, model: Model) -> dict[str, str]:
        """Its own keys, written first."""
        ...

    def read_first(self, model: Model, query: dict[str, str], problems: list[str]) -> None:
        """Apply what the rest depends on (a new surface resets the start), before the rest."""
        ...

    def read(
        self, model: Model, query: dict[str, str], fields: dict[str, Any], problems: list[str]
    ) -> None:
        """Its other keys into ``fields``, applied with the declared ones."""
        ...


def to_query(model: Model, world: World) -> dict[str, str]:
    """``model``'s state as query parameters (defaults omitted, numbers in short form)."""
    out = world.write(model)
    out["opt"] = ",".join(model.optimizers)
    for name in model.optimizers:
        for field, value in model.settings[name].changed(world.name).items():
            out[f"{name}.{field}"] = query_value(value)
    for key, name in query_keys(model).items():
        value = getattr(model, name)
        if value != model.param[name].default:
            out[key] = query_value(value)
    if model.clip_on:
        out["clip"] = short_number(model.clip_norm)
    return out


def from_query(model: Model, params: Mapping[str, Any], world: World) -> list[str]:
    """Apply ``params`` (values may be strings or lists of strings) to ``model``; return what
    was wrong with them."""
    query = {str(k): last_value(v) for k, v in params.items()}
    problems: list[str] = []
    world.read_first(model, query, problems)
    fields: dict[str, Any] = {}
    world.read(model, query, fields, problems)
    apply_optimizers(query, fields, problems)
    declared = query_keys(model)
    for key, name in declared.items():
        if key in query:
            apply_scalar(model, name, query[key], fields, problems, key=key)
    if "clip" in query:
        fields["clip_on"] = True
        apply_scalar(model, "clip_norm", query["clip"], fields, problems)
    apply_fields(model, fields, problems)
    apply_hyperparameters(model, query, problems, skip=world.prefixes)
    known = {"opt", "clip", *world.keys, *declared}
    problems += [
        f"{k}: unknown URL parameter, ignored" for k in query if k not in known and "." not in k
    ]
    return problems


def apply_optimizers(query: dict[str, str], fields: dict[str, Any], problems: list[str]) -> None:
    """``opt=adam,lion`` into ``fields["optimizers"]`` (unknown names listed and left out)."""
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


def apply_hyperparameters(
    model: Model, query: dict[str, str], problems: list[str], skip: tuple[str, ...] = ()
) -> None:
    """Apply every ``optimizer.field`` entry (keys starting with a ``skip`` prefix aside)."""
    grouped: dict[str, dict[str, Any]] = {}
    for key, text in query.items():
        if "." not in key or key.startswith(skip):
            continue
        name, field = key.split(".", 1)
        if name not in model.settings:
            problems.append(f"{key}: unknown optimizer {name!r}, ignored")
            continue
        grouped.setdefault(name, {})[field] = parse_value(text, field_kind(model, name, field))
    for name, values in grouped.items():
        problems.extend(model.settings[name].apply(values))


def field_kind(model: Model, name: str, field: str) -> str:
    """The kind of optimizer ``name``'s ``field``: its :class:`~rlx_lab.optim.HParam` kind, or
    ``"bool"`` for the flag an ``optional_float`` switches (Adafactor's ``relative_step``)."""
    for hp in model.settings[name].spec():
        if hp.name == field:
            return hp.kind
        if hp.kind == "optional_float" and hp.none_flag == field:
            return "bool"
    return "float"
