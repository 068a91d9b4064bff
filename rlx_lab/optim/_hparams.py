"""Hyperparameter metadata, validation and the traced representation.

Every optimizer declares its hyperparameters as a tuple of :class:`HParam`. The declaration is
the single source of truth: ``Optimizer.hparams`` validates user values against it and turns them
into a dict of JAX arrays (so a changed value never recompiles a jitted step), and the app builds
its sliders from it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

Kind = Literal["float", "optional_float", "bool", "int", "tuple"]
Scale = Literal["linear", "log", "log1m"]
"""``log1m`` is a log scale on ``1 − value`` (for β close to 1)."""

FLOAT32_MAX = float(np.finfo(np.float32).max)
"""The largest finite float32: traced hyperparameters are stored as float32."""

HParamsDict = dict[str, Any]
"""Traced hyperparameters: field name → JAX array (float32, bool or int32)."""


@dataclass(frozen=True)
class HParam:
    """One hyperparameter: its RLX name, default, valid set and how the UI shows it.

    ``low``/``high`` bound the valid values (``low_open``/``high_open`` exclude the bound);
    ``ui_low``/``ui_high`` bound the slider. ``tag`` groups controls: ``"lr"``, ``"clip"`` (the
    clip behaviour controls), ``"paper"`` (a switch between RLX and the paper), ``"inert"``
    (accepted for RLX compatibility, no effect in the lab). ``none_flag`` names the boolean
    that an ``optional_float`` set to ``None`` turns on (Adafactor's relative step).
    """

    name: str
    default: Any
    kind: Kind
    meaning: str
    symbol: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    ui_low: float | None = None
    ui_high: float | None = None
    scale: Scale = "linear"
    tag: str = ""
    length: int = 0
    none_flag: str = ""
    none_fallback: float = 1e-2

    def validate(self, value: Any) -> Any:
        """Check ``value`` against kind and bounds; return it normalised (Python scalar/tuple)."""
        if self.kind == "bool":
            if not isinstance(value, bool | np.bool_):
                raise ValueError(f"{self.name}: expected a bool, got {value!r}")
            return bool(value)
        if self.kind == "int":
            if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
                raise ValueError(f"{self.name}: expected an integer, got {value!r}")
            self._check_range(float(value))
            self._check_int32(int(value))
            return int(value)
        if self.kind == "tuple":
            if not isinstance(value, tuple | list) or len(value) != self.length:
                raise ValueError(
                    f"{self.name}: expected a tuple of {self.length} numbers, got {value!r}"
                )
            return tuple(self._check_number(v) for v in value)
        if self.kind == "optional_float" and value is None:
            return None
        number = self._check_number(value)
        self._check_range(number)
        return number

    def _check_number(self, value: Any) -> float:
        if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
            raise ValueError(f"{self.name}: expected a number, got {value!r}")
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{self.name}: must be finite, got {number}")
        if not math.isfinite(as_float32(number)):
            raise ValueError(
                f"{self.name}: {number:g} overflows float32 (largest {FLOAT32_MAX:.4g})"
            )
        return number

    def _check_range(self, number: float) -> None:
        """``number`` in the valid set, both as given and as stored (float32, int32)."""
        if not self._inside(number):
            raise ValueError(f"{self.name}: {number} is outside {self.interval()}")
        if self.kind != "int":
            stored = as_float32(number)
            if not self._inside(stored):
                raise ValueError(
                    f"{self.name}: {number!r} rounds to {stored!r} in float32, "
                    f"outside {self.interval()}"
                )

    def _inside(self, number: float) -> bool:
        too_low = self.low is not None and (
            number <= self.low if self.low_open else number < self.low
        )
        too_high = self.high is not None and (
            number >= self.high if self.high_open else number > self.high
        )
        return not (too_low or too_high)

    def _check_int32(self, number: int) -> None:
        info = np.iinfo(np.int32)
        if not info.min <= number <= info.max:
            raise ValueError(
                f"{self.name}: {number} does not fit in int32 [{info.min}, {info.max}]"
            )

    def interval(self) -> str:
        """The valid set in interval notation, e.g. ``[0, 1)``."""
        left = "(" if self.low_open or self.low is None else "["
        right = ")" if self.high_open or self.high is None else "]"
        low = "-inf" if self.low is None else f"{self.low:g}"
        high = "inf" if self.high is None else f"{self.high:g}"
        return f"{left}{low}, {high}{right}"

    def encode(self, value: Any) -> dict[str, Any]:
        """The traced leaves for a validated value."""
        if self.kind == "bool":
            return {self.name: np.asarray(value, dtype=np.bool_)}
        if self.kind == "int":
            return {self.name: np.asarray(value, dtype=np.int32)}
        if self.kind == "tuple":
            return {self.name: np.asarray(value, dtype=np.float32)}
        if self.kind == "optional_float":
            is_none = value is None
            number = self.none_fallback if is_none else value
            return {
                self.name: np.asarray(number, dtype=np.float32),
                self.none_flag: np.asarray(is_none, dtype=np.bool_),
            }
        return {self.name: np.asarray(value, dtype=np.float32)}


def encode_hparams(spec: tuple[HParam, ...], overrides: Mapping[str, Any]) -> HParamsDict:
    """Validate ``overrides`` against ``spec`` and return every field as a traced leaf."""
    known = {p.name: p for p in spec}
    unknown = sorted(set(overrides) - set(known))
    if unknown:
        raise ValueError(
            f"{unknown[0]}: unknown hyperparameter; valid names are {', '.join(known)}"
        )
    encoded: HParamsDict = {}
    for p in spec:
        value = overrides.get(p.name, p.default)
        encoded.update(p.encode(p.validate(value)))
    return encoded


def as_float32(number: float) -> float:
    """``number`` as float32 stores it, back as a Python float (``inf`` where it overflows)."""
    with np.errstate(over="ignore"):
        return float(np.float32(number))


# --- factories for the hyperparameters many optimizers share ---------------------------------


def lr(default: float) -> HParam:
    """The learning rate (lab default; RLX has none except Adafactor's relative step)."""
    return HParam(
        "lr",
        default,
        "float",
        "learning rate: how far each step moves",
        r"\eta",
        low=0.0,
        low_open=True,
        ui_low=1e-5,
        ui_high=10.0,
        scale="log",
        tag="lr",
    )


def beta(name: str, default: float, meaning: str, symbol: str) -> HParam:
    """A decay rate in [0, 1)."""
    return HParam(
        name,
        default,
        "float",
        meaning,
        symbol,
        low=0.0,
        high=1.0,
        high_open=True,
        ui_low=0.0,
        ui_high=0.9999,
        scale="log1m",
    )


def eps(
    default: float, name: str = "eps", symbol: str = r"\epsilon", ui_low: float = 1e-12
) -> HParam:
    """A small positive constant that keeps a division finite."""
    return HParam(
        name,
        default,
        "float",
        "added to the denominator so it never reaches zero",
        symbol,
        low=0.0,
        ui_low=ui_low,
        ui_high=1e-1,
        scale="log",
    )


def weight_decay(default: float, *, decoupled: bool) -> HParam:
    """λ; decoupled (θ ← θ − lr·λθ) or L2 (g ← g + λθ)."""
    how = "decoupled: shrinks θ by lr·λθ" if decoupled else "L2: adds λθ to the gradient"
    return HParam(
        "weight_decay",
        default,
        "float",
        f"weight decay ({how})",
        r"\lambda",
        low=0.0,
        ui_low=0.0,
        ui_high=1.0,
    )


def momentum(default: float) -> HParam:
    """Heavy-ball momentum μ in [0, 1)."""
    return beta("momentum", default, "momentum: fraction of the last velocity kept", r"\mu")


def flag(name: str, default: bool, meaning: str, symbol: str, tag: str = "") -> HParam:
    """A boolean switch (traced, so toggling it does not recompile)."""
    return HParam(name, default, "bool", meaning, symbol, tag=tag)


def adam_betas(beta1: float, beta2: float) -> tuple[HParam, HParam]:
    """β₁ and β₂ of an Adam-style optimizer."""
    return (
        beta("beta1", beta1, "decay of the first moment (gradient average)", r"\beta_1"),
        beta("beta2", beta2, "decay of the second moment (squared-gradient average)", r"\beta_2"),
    )
