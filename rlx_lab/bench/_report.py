"""Plain-text tables and JSON files for benchmark results (rows are flat dicts)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

Row = Mapping[str, Any]


def format_cell(value: Any) -> str:
    """A number in 4 significant digits (thousands separated when large); None as ``—``;
    a bool as yes/no."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return f"{value:,.0f}" if abs(value) >= 1e4 else f"{value:.4g}"
    return str(value)


def format_table(rows: Sequence[Row], columns: Sequence[str]) -> str:
    """``rows`` as an aligned table: text columns to the left, numbers to the right."""
    cells = [[format_cell(row[c]) for c in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    numeric = [
        all(isinstance(row[c], int | float) or row[c] is None for row in rows) for c in columns
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(columns), rule, *(line(r) for r in cells)])


def write_json(path: str | Path, rows: Sequence[Row]) -> None:
    """Write ``rows`` as a JSON list of objects (None becomes null)."""
    Path(path).write_text(json.dumps([dict(r) for r in rows], indent=2) + "\n")
