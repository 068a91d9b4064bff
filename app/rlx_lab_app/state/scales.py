"""Slider scales and number formatting, shared by the state (sweeps, queries) and the widgets.

Numbers are written by :func:`rlx_lab.formatting.format_value` (re-exported here), so the
library's sentences and the app's read alike.

A hyperparameter declares how a slider should move through it (``HParam.scale``):

* ``linear`` — the slider position is the value;
* ``log`` — the position is ``log10(value)`` (learning rates, ε, clip thresholds);
* ``log1m`` — the position is ``-log10(1 - value)`` (β close to 1: 0.9, 0.99, 0.999 are
  evenly spaced).
"""

from __future__ import annotations

import math
import re

import numpy as np

from rlx_lab.formatting import format_value as format_value

SCALES = ("linear", "log", "log1m")
SLIDER_DIGITS = 4
"""Significant digits a slider's value keeps (of 1 − β on a ``log1m`` scale)."""
TINY = 1e-300


def to_position(value: float, scale: str) -> float:
    """The slider position of ``value`` on ``scale`` (clamped where the scale is undefined)."""
    if scale == "log":
        return math.log10(max(value, TINY))
    if scale == "log1m":
        return -math.log10(max(1.0 - value, TINY))
    return float(value)


def from_position(position: float, scale: str, digits: int = SLIDER_DIGITS) -> float:
    """The value at slider ``position``, rounded to ``digits`` significant digits (of 1 − β on a
    ``log1m`` scale).

    Rounding keeps slider values short (they end up in the URL) without moving them visibly.
    """
    if scale == "log":
        return round_sig(10.0**position, digits)
    if scale == "log1m":
        gap = round_sig(10.0 ** (-position), digits)
        if gap == 0:
            return 1.0
        # to the gap's last digit: 0.9045, not 1 − 0.0955 = 0.9045000000000001 (in the link)
        return round(1.0 - gap, max(digits - 1 - math.floor(math.log10(gap)), 0))
    return round_sig(position, digits)


def round_sig(value: float, digits: int = 4) -> float:
    """``value`` rounded to ``digits`` significant digits (0 and non-finite pass through)."""
    if value == 0 or not math.isfinite(value):
        return float(value)
    return float(f"{value:.{digits}g}")


def slider_track(start: float, end: float, scale: str) -> tuple[float, float, float]:
    """(first position, last position, step) of a slider over values ``start`` … ``end`` on
    ``scale``: a hundredth of a decade on the log scales, 200 steps on a linear one."""
    low, high = to_position(start, scale), to_position(end, scale)
    return low, high, 0.01 if scale != "linear" else (high - low) / 200


def track_positions(low: float, high: float, step: float, count: int) -> np.ndarray:
    """About ``count`` positions evenly spread over a slider's track, each on its ``step``
    lattice (where a drag can stop): the ends and every position between, no repeats."""
    if count < 2:
        raise ValueError(f"count: need at least 2, got {count}")
    steps = max(round((high - low) / step), 1)
    ticks = np.unique(np.round(np.linspace(0, steps, count)).astype(np.int64))
    return np.minimum(low + ticks * step, high)


def sweep_values(low: float, high: float, count: int, scale: str) -> np.ndarray:
    """``count`` values from ``low`` to ``high``, evenly spaced in slider positions."""
    if count < 1:
        raise ValueError(f"count: need at least 1, got {count}")
    a, b = to_position(low, scale), to_position(high, scale)
    positions = np.linspace(a, b, count)
    return np.array([from_position(float(p), scale, 6) for p in positions], dtype=np.float64)


_GREEK = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "eta": "η",
    "theta": "θ",
    "lambda": "λ",
    "mu": "μ",
    "nu": "ν",
    "rho": "ρ",
    "sigma": "σ",
    "tau": "τ",
    "sim": "∼",
}
_SUBSCRIPT_CHARS = "0123456789aeiosx"
_SUBSCRIPTS = str.maketrans(_SUBSCRIPT_CHARS, "₀₁₂₃₄₅₆₇₈₉ₐₑᵢₒₛₓ")


def unicode_symbol(latex: str) -> str:
    """A plain-text rendering of a short LaTeX symbol (``\\beta_1`` → ``β₁``) for labels."""
    text = re.sub(r"\\text\{([^}]*)\}", r"\1", latex)
    text = re.sub(r"\\([a-zA-Z]+)", lambda m: _GREEK.get(m.group(1), m.group(1)), text)

    def subscript(match: re.Match[str]) -> str:
        body = match.group(1) or match.group(2)
        if all(c in _SUBSCRIPT_CHARS for c in body):
            return body.translate(_SUBSCRIPTS)
        return f"_{body}"

    text = re.sub(r"_\{([^}]*)\}|_(\w)", subscript, text)
    return text.replace("{", "").replace("}", "").replace("\\", "")
