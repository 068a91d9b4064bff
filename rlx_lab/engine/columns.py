"""A grid's settings as columns: each hyperparameter that varies as one array of values, one
per setting — how a sweep of 10⁶ settings is held without 10⁶ dicts.

Each *distinct* value of a column is validated and encoded once (the fields are checked one
by one, so a column's values do not depend on the others'), then gathered for every setting:
the encoding costs microseconds per distinct value instead of per setting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .. import optim


def as_columns(rows: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> dict[str, np.ndarray]:
    """``rows`` (a list of settings, or already columns) as columns of equal length."""
    if isinstance(rows, Mapping):
        columns = {name: np.asarray(values) for name, values in rows.items()}
        lengths = {len(v) for v in columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"rows: the columns differ in length ({sorted(lengths)})")
        return columns
    raise TypeError("as_columns: expected a mapping of columns")


def count(columns: Mapping[str, np.ndarray]) -> int:
    """How many settings the columns hold."""
    return len(next(iter(columns.values()))) if columns else 0


def _plain(spec: optim.HParam, value: Any) -> Any:
    """A column's numpy scalar as the Python value its field's check expects."""
    if spec.kind == "bool":
        return bool(value) if value in (0, 1) else value
    if spec.kind == "int" and float(value).is_integer():
        return int(value)
    return float(value)


def encode_columns(
    optimizer: str, base: Mapping[str, Any], columns: Mapping[str, np.ndarray]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(the shared leaves, from ``base``; each varying leaf stacked over the settings) —
    every distinct value checked (``ValueError`` naming the field)."""
    opt = optim.get(optimizer)
    shared = dict(opt.hparams(**base))
    by_name = {p.name: p for p in opt.spec}
    unknown = sorted(set(columns) - set(by_name))
    if unknown:
        raise ValueError(
            f"{unknown[0]}: unknown hyperparameter; valid names are {', '.join(by_name)}"
        )
    batched: dict[str, np.ndarray] = {}
    for name, values in columns.items():
        spec = by_name[name]
        distinct, where = np.unique(values, return_inverse=True)
        encoded = [spec.encode(spec.validate(_plain(spec, v))) for v in distinct]
        for leaf in encoded[0]:
            table = np.stack([e[leaf] for e in encoded])
            if len(distinct) > 1:
                batched[leaf] = table[where.reshape(-1)]
            else:
                shared[leaf] = table[0]
    for leaf in batched:
        shared.pop(leaf, None)
    return shared, batched
