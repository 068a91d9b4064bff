"""Numbers in words: one compact format for every number the lab writes into a sentence."""

from __future__ import annotations

import math


def format_value(value: float | None, digits: int = 3) -> str:
    """A compact human-readable number: ``digits`` significant digits, scientific notation
    below 1e-3 and from 1e4 (``1.00e-5``, ``2.51e4``); ``None`` → ``auto``, booleans →
    ``on``/``off``, integers as they are."""
    if value is None:
        return "auto"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e4):
        return f"{value:.{digits - 1}e}".replace("e-0", "e-").replace("e+0", "e")
    return f"{value:.{digits}g}"
