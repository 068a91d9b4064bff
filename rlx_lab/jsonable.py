"""Values made fit for strict JSON: nested lists without NaN or ±inf, plain Python scalars.

Shared by the exports of the trajectory engine and of the small nets.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def finite_lists(values: np.ndarray) -> Any:
    """``values`` as nested float lists with every non-finite number replaced by None."""
    return _replace_nonfinite(np.asarray(values, dtype=np.float64).tolist())


def _replace_nonfinite(value: Any) -> Any:
    if isinstance(value, list):
        return [_replace_nonfinite(v) for v in value]
    return value if math.isfinite(value) else None


def plain(value: Any) -> Any:
    """A JSON-friendly copy of hyperparameters and settings (numpy scalars → Python)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
