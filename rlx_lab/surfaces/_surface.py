"""The :class:`Surface` record: a 2-D loss with its parameters, minima and display metadata."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

Point = tuple[float, float]
Window = tuple[tuple[float, float], tuple[float, float]]
Params = Mapping[str, jax.Array]
LossFn = Callable[[jax.Array, Params], jax.Array]


class SurfaceParam(NamedTuple):
    """Metadata for one surface parameter, enough to build a slider from.

    ``low`` and ``high`` are inclusive hard bounds: :meth:`Surface.surface_params` rejects values
    outside them.
    """

    low: float
    high: float
    doc: str
    latex: str = ""
    log_scale: bool = False


@dataclass(frozen=True, eq=False)
class Surface:
    """A 2-D loss surface.

    ``loss(xy, params)`` takes a point of shape (2,) and a dict of traced scalar surface
    parameters (see :meth:`surface_params`) and returns a scalar; it is pure ``jax.numpy`` so it
    can be jitted, differentiated and vmapped. Because parameters are traced, changing one (a
    slider) never recompiles.

    ``minima`` lists every known global minimiser at the default parameters (empty when there is
    none); ``stationary`` lists other instructive stationary points (saddles). Equality and
    hashing are by identity (a surface holds functions).
    """

    name: str
    title: str
    loss: LossFn = field(repr=False)
    minima: tuple[Point, ...]
    min_value: float | None
    window: Window
    start: Point
    latex: str
    description: str
    params: Mapping[str, float] = field(default_factory=dict)
    param_info: Mapping[str, SurfaceParam] = field(default_factory=dict, repr=False)
    stationary: tuple[Point, ...] = ()
    smooth_minima: bool = True
    """False where the loss has a kink at its minima, so no quadratic model describes them."""
    _value_and_grad: Callable[..., tuple[jax.Array, jax.Array]] = field(
        init=False, repr=False, compare=False
    )
    _grid: Callable[..., jax.Array] = field(init=False, repr=False, compare=False)
    _hessian: Callable[..., jax.Array] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "params", MappingProxyType({k: float(v) for k, v in self.params.items()}))
        set_(self, "param_info", MappingProxyType(dict(self.param_info)))
        if set(self.params) != set(self.param_info):
            raise ValueError(f"{self.name}: params and param_info must have the same names")
        for key, value in self.params.items():
            self._check_value(key, value)
        (x0, x1), (y0, y1) = self.window
        if not (x0 < x1 and y0 < y1):
            raise ValueError(f"{self.name}: empty window {self.window}")
        if not (x0 <= self.start[0] <= x1 and y0 <= self.start[1] <= y1):
            raise ValueError(f"{self.name}: start {self.start} lies outside window {self.window}")
        loss = self.loss
        set_(self, "_value_and_grad", jax.jit(jax.value_and_grad(loss)))
        set_(self, "_hessian", jax.jit(jax.hessian(loss)))  # compiled on first use

        def grid_values(xs: jax.Array, ys: jax.Array, params: Params) -> jax.Array:
            over_x = jax.vmap(lambda x, y: loss(jnp.stack([x, y]), params), in_axes=(0, None))
            return jax.vmap(over_x, in_axes=(None, 0))(xs, ys)

        set_(self, "_grid", jax.jit(grid_values))

    def _check_value(self, key: str, value: float) -> None:
        info = self.param_info[key]
        if not math.isfinite(value):
            raise ValueError(f"{self.name}: parameter {key!r} must be finite, got {value}")
        if not info.low <= value <= info.high:
            raise ValueError(
                f"{self.name}: parameter {key!r} must be in [{info.low}, {info.high}], got {value}"
            )

    def surface_params(self, **overrides: float) -> dict[str, jax.Array]:
        """Default parameters with ``overrides`` applied, validated, as float32 scalars."""
        unknown = sorted(set(overrides) - set(self.params))
        if unknown:
            valid = ", ".join(self.params) or "none"
            raise ValueError(
                f"{self.name}: unknown surface parameter {unknown[0]!r} (valid: {valid})"
            )
        values = {**self.params}
        for key, raw in overrides.items():
            try:
                value = float(raw)
            except (TypeError, ValueError):
                raise ValueError(
                    f"{self.name}: parameter {key!r} must be a real number, got {raw!r}"
                ) from None
            self._check_value(key, value)
            values[key] = value
        return {key: jnp.asarray(value, dtype=jnp.float32) for key, value in values.items()}

    def _resolve(self, params: Mapping[str, jax.typing.ArrayLike] | None) -> dict[str, jax.Array]:
        if params is None:
            return self.surface_params()
        if set(params) != set(self.params):
            raise ValueError(
                f"{self.name}: expected parameters {sorted(self.params)}, got {sorted(params)}"
            )
        return {key: jnp.asarray(params[key], dtype=jnp.float32) for key in self.params}

    def value_and_grad(
        self, xy: jax.typing.ArrayLike, params: Mapping[str, jax.typing.ArrayLike] | None = None
    ) -> tuple[jax.Array, jax.Array]:
        """Loss and its gradient at ``xy`` (jitted once per surface; parameters are traced)."""
        return self._value_and_grad(jnp.asarray(xy, dtype=jnp.float32), self._resolve(params))

    def hessian(
        self, xy: jax.typing.ArrayLike, params: Mapping[str, jax.typing.ArrayLike] | None = None
    ) -> np.ndarray:
        """The 2×2 Hessian ∇²f at ``xy`` by automatic differentiation (float32, jitted once per
        surface on first use; parameters are traced)."""
        return np.asarray(self._hessian(jnp.asarray(xy, dtype=jnp.float32), self._resolve(params)))

    def grid(
        self,
        nx: int,
        ny: int,
        params: Mapping[str, jax.typing.ArrayLike] | None = None,
        window: Window | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Evaluate the loss on an ``nx`` × ``ny`` grid in one jitted, vmapped call.

        Returns float32 numpy arrays ``xs`` (nx,), ``ys`` (ny,) and ``Z`` (ny, nx) with
        ``Z[j, i] = loss((xs[i], ys[j]))``, the layout image and contour plots expect.
        """
        if not (isinstance(nx, int) and isinstance(ny, int) and nx >= 2 and ny >= 2):
            raise ValueError(f"grid needs integer nx, ny >= 2, got {nx!r}, {ny!r}")
        (x0, x1), (y0, y1) = self.window if window is None else window
        xs = np.linspace(x0, x1, nx, dtype=np.float32)
        ys = np.linspace(y0, y1, ny, dtype=np.float32)
        z = self._grid(jnp.asarray(xs), jnp.asarray(ys), self._resolve(params))
        return xs, ys, np.asarray(z)
