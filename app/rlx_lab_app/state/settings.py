"""Per-optimizer settings as ``param.Parameterized`` objects generated from the registry.

Each optimizer's ``spec`` (a tuple of :class:`rlx_lab.optim.HParam`) becomes a subclass of
:class:`OptimizerSettings` with one parameter per field: a bounded ``param.Number`` (valid
bounds from ``low``/``high``, slider bounds from ``ui_low``/``ui_high`` as soft bounds), a
``param.Boolean``, a ``param.Integer`` or a ``param.NumericTuple``. An ``optional_float``
(Adafactor's ``lr=None``) becomes its number plus the boolean named by ``none_flag``
(``relative_step``). A new optimizer in the registry therefore needs no app code.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
import param

from rlx_lab import optim
from rlx_lab.optim import HParam
from rlx_lab_app.state.scales import format_value


class OptimizerSettings(param.Parameterized):
    """The hyperparameters of one optimizer, as the user set them."""

    optimizer: str = ""
    """The registry name (a class attribute of each generated subclass)."""

    @classmethod
    def spec(cls) -> tuple[HParam, ...]:
        """The registry metadata this class was generated from."""
        return optim.get(cls.optimizer).spec

    def overrides(self) -> dict[str, Any]:
        """Every field as ``Optimizer.hparams`` expects it (``lr=None`` for a relative step)."""
        values: dict[str, Any] = {}
        for hp in self.spec():
            value = getattr(self, hp.name)
            if hp.kind == "optional_float" and getattr(self, hp.none_flag):
                value = None
            elif hp.kind == "tuple":
                value = tuple(float(v) for v in value)
            values[hp.name] = value
        return values

    def changed(self, world: str = "surfaces") -> dict[str, Any]:
        """Only the fields that differ from the defaults (``world="nets"``: the nets lab's)."""
        defaults = optim.get(self.optimizer).defaults(world)
        return {k: v for k, v in self.overrides().items() if not _same(v, defaults[k])}

    def key(self) -> tuple[tuple[str, Any], ...]:
        """A hashable identity of the current values (for caching trajectories)."""
        return tuple(sorted(self.overrides().items()))

    def reset(self) -> None:
        """Every field back to its RLX (or lab) default, in one batch of events."""
        self.param.update(**self.default_values())

    @classmethod
    def default_values(cls) -> dict[str, Any]:
        """Parameter values that encode the registry defaults."""
        values: dict[str, Any] = {}
        for hp in cls.spec():
            if hp.kind == "optional_float":
                values[hp.name] = hp.none_fallback if hp.default is None else hp.default
                values[hp.none_flag] = hp.default is None
            else:
                values[hp.name] = hp.default
        return values

    def lr_label(self) -> str:
        """How the learning rate was chosen, for fair-comparison notes (``η=0.01``)."""
        value = self.overrides().get("lr")
        if value is None:
            return "η=relative step"
        return f"η={format_value(value)}"

    def apply(self, values: dict[str, Any]) -> list[str]:
        """Set several fields at once from plain values; return one problem per bad field.

        Valid fields are applied even when others are rejected; nothing raises.
        """
        problems: list[str] = []
        accepted: dict[str, Any] = {}
        specs = {hp.name: hp for hp in self.spec()}
        for name, value in values.items():
            hp = specs.get(name)
            if hp is None and name not in self._flags():
                problems.append(f"{self.optimizer}: unknown hyperparameter {name!r}")
                continue
            try:
                if hp is None:
                    accepted[name] = _flag(name, value)
                    continue
                normal = hp.validate(value)
                if hp.kind == "optional_float":
                    accepted[hp.none_flag] = normal is None
                    if normal is not None:
                        accepted[name] = normal
                else:
                    accepted[name] = normal
            except ValueError as error:
                problems.append(f"{self.optimizer}.{error}")
        try:
            self.param.update(**accepted)
        except ValueError as error:  # a value valid for RLX but outside the param's bounds
            problems.append(f"{self.optimizer}: {error}")
        return problems

    @classmethod
    def _flags(cls) -> set[str]:
        return {hp.none_flag for hp in cls.spec() if hp.kind == "optional_float"}


def _flag(name: str, value: Any) -> bool:
    """``value`` for the flag ``name`` (a bool, nothing else: ``"false"`` is not ``False``)."""
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{name}: expected a bool, got {value!r}")
    return bool(value)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def _parameter(hp: HParam) -> dict[str, param.Parameter]:
    """The ``param`` declaration(s) for one hyperparameter."""
    label = hp.name
    doc = hp.meaning
    if hp.kind == "bool":
        return {hp.name: param.Boolean(default=hp.default, doc=doc, label=label)}
    if hp.kind == "tuple":
        return {
            hp.name: param.NumericTuple(
                default=tuple(hp.default), length=hp.length, doc=doc, label=label
            )
        }
    soft = (hp.ui_low, hp.ui_high)
    if hp.kind == "int":
        return {
            hp.name: param.Integer(
                default=hp.default, bounds=(hp.low, hp.high), softbounds=soft, doc=doc, label=label
            )
        }
    default = hp.none_fallback if hp.default is None else hp.default
    number = param.Number(
        default=default,
        bounds=(hp.low, hp.high),
        inclusive_bounds=(not hp.low_open, not hp.high_open),
        softbounds=soft,
        doc=doc,
        label=label,
    )
    if hp.kind != "optional_float":
        return {hp.name: number}
    flag_doc = f"{hp.none_flag.replace('_', ' ')}: {hp.name}=None (the optimizer picks the step)"
    return {hp.name: number, hp.none_flag: param.Boolean(default=hp.default is None, doc=flag_doc)}


@functools.cache
def settings_class(name: str) -> type[OptimizerSettings]:
    """The generated :class:`OptimizerSettings` subclass for optimizer ``name`` (memoised)."""
    opt = optim.get(name)
    declarations: dict[str, Any] = {"optimizer": opt.name, "__doc__": f"{opt.title}: {opt.summary}"}
    for hp in opt.spec:
        declarations.update(_parameter(hp))
    class_name = "".join(part.title() for part in opt.name.split("_")) + "Settings"
    return type(class_name, (OptimizerSettings,), declarations)


def make_settings(name: str) -> OptimizerSettings:
    """Fresh settings for optimizer ``name`` at its defaults."""
    return settings_class(name)()
