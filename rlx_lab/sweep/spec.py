"""What a headless sweep is asked to do: a small TOML or JSON file, parsed and checked.

An example (every table but ``axes`` is optional)::

    world = "surface"          # or "net"
    steps = 1000
    seeds = 8                  # noise draws on a surface, run seeds on a net
    chunk_lanes = 65536        # lanes (settings × seeds) per chunk

    [surface]                  # the surface world: any RunSettings field
    name = "rosenbrock"
    start = [-1.5, 2.0]
    noise = 0.1

    [optimizers]               # name = the overrides every setting starts from
    adamw = {}
    soap = {precond_freq = 10}

    [axes]                     # crossed: every value of each with every value of the others
    lr = {log = [1e-4, 1.0, 32]}
    beta2 = [0.9, 0.99, 0.999]
    weight_decay = {linear = [0.0, 0.1, 5]}

    [random]                   # optional: ``count`` random draws, crossed with the axes
    count = 16
    seed = 0
    beta1 = {log1m = [0.5, 0.999]}

    [keep]
    tol = 1e-3                 # steps to reach it (none: no tol)
    thin = 20                  # the loss at 20 evenly spaced steps (0: none)

The net world takes ``[net]``: ``dataset`` (a :func:`rlx_lab.nets.datasets.names` name) and
any :class:`~rlx_lab.nets.TrainSettings` field. Every check raises ``ValueError`` naming the
field, before anything runs.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import optim

WORLDS = ("surface", "net")
RANGES = ("log", "linear")
"""Axis ranges: ``{log = [low, high, count]}`` (geometric) or ``{linear = …}``."""
DRAWS = ("log", "linear", "log1m")
"""Random draws: log-uniform, uniform, or uniform in log(1 − value) (β's)."""
TOP = ("world", "steps", "seeds", "chunk_lanes", "surface", "net", "optimizers", "axes")
TOP_MORE = ("random", "keep")


@dataclass(frozen=True)
class SweepSpec:
    """A checked spec; ``raw`` is the file's content as given (it goes into the results)."""

    world: str
    steps: int
    seeds: int
    chunk_lanes: int
    world_options: dict[str, Any]
    optimizers: dict[str, dict[str, Any]]
    axes: dict[str, np.ndarray]
    random: dict[str, np.ndarray]
    """Field → its ``count`` drawn values (empty: no random draws)."""
    tol: float | None
    thin: int
    raw: dict[str, Any]

    @property
    def draws(self) -> int:
        """Random draws per grid point (1 without a ``[random]`` table)."""
        return len(next(iter(self.random.values()))) if self.random else 1

    def dims(self) -> list[str]:
        """The results' axes: optimizer, each grid axis, draw (with ``[random]``), seed."""
        return ["optimizer", *self.axes, *(["draw"] if self.random else []), "seed"]

    def shape(self) -> tuple[int, ...]:
        """The results' shape, along :meth:`dims`."""
        draw = (self.draws,) if self.random else ()
        return (len(self.optimizers), *(len(v) for v in self.axes.values()), *draw, self.seeds)

    def count(self) -> int:
        """Settings each optimizer runs: the axes' grid times the random draws."""
        return math.prod(len(v) for v in self.axes.values()) * self.draws

    def columns(self) -> dict[str, np.ndarray]:
        """Every setting each optimizer runs as columns (hyperparameter → one value per
        setting): the axes crossed, then the draws, in results order."""
        mesh = np.meshgrid(*self.axes.values(), indexing="ij") if self.axes else []
        columns = {
            name: np.repeat(g.reshape(-1), self.draws)
            for name, g in zip(self.axes, mesh, strict=True)
        }
        points = self.count() // self.draws
        columns.update({name: np.tile(v, points) for name, v in self.random.items()})
        return columns

    def rows(self, first: int = 0, last: int | None = None) -> list[dict[str, float]]:
        """Settings ``first`` … ``last`` (default: all) as dicts."""
        columns = self.columns()
        stop = self.count() if last is None else last
        return [{k: float(v[i]) for k, v in columns.items()} for i in range(first, stop)]

    def canonical(self) -> str:
        """The spec as sorted JSON: what a resumed run must match."""
        return json.dumps(self.raw, sort_keys=True, allow_nan=False)


def read(path: str | Path) -> dict[str, Any]:
    """The content of a ``.toml`` or ``.json`` spec file."""
    path = Path(path)
    text = path.read_text()
    if path.suffix == ".json":
        return json.loads(text)
    if path.suffix == ".toml":
        return tomllib.loads(text)
    raise ValueError(f"spec: expected a .toml or .json file, got {path.name!r}")


def parse(raw: Mapping[str, Any]) -> SweepSpec:
    """Check ``raw`` (see the module's docstring) and expand its axes and draws."""
    raw = dict(raw)
    unknown = sorted(set(raw) - set(TOP) - set(TOP_MORE))
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown table or key; known: {', '.join(TOP + TOP_MORE)}")
    world = raw.get("world", "surface")
    if world not in WORLDS:
        raise ValueError(f"world: expected one of {WORLDS}, got {world!r}")
    steps = _count(raw.get("steps", 200), "steps")
    seeds = _count(raw.get("seeds", 1), "seeds")
    chunk = _count(raw.get("chunk_lanes", 65_536 if world == "surface" else 64), "chunk_lanes")
    other = "net" if world == "surface" else "surface"
    if other in raw:
        raise ValueError(f"{other}: a [{other}] table in a {world} sweep")
    options = dict(raw.get(world, {}))
    optimizers = _optimizers(raw.get("optimizers"))
    axes = {name: _axis(name, value) for name, value in dict(raw.get("axes", {})).items()}
    random = _random(dict(raw.get("random", {})))
    clash = sorted(set(axes) & set(random))
    if clash:
        raise ValueError(f"random.{clash[0]}: already an axis")
    keep = dict(raw.get("keep", {}))
    extra = sorted(set(keep) - {"tol", "thin"})
    if extra:
        raise ValueError(f"keep.{extra[0]}: unknown; keep takes tol and thin")
    tol = keep.get("tol")
    if tol is not None and not (_number(tol) and math.isfinite(tol)):
        raise ValueError(f"keep.tol: expected a finite number, got {tol!r}")
    thin = keep.get("thin", 0)
    if not (isinstance(thin, int) and 0 <= thin <= steps + 1):
        raise ValueError(f"keep.thin: expected an integer in [0, steps + 1], got {thin!r}")
    spec = SweepSpec(world, steps, seeds, chunk, options, optimizers, axes, random, tol, thin, raw)
    if not axes and not random:
        raise ValueError("axes: name at least one axis (or draw in a [random] table)")
    ends = [*spec.rows(0, 1), *spec.rows(spec.count() - 1)]
    for name, base in optimizers.items():  # the first and last settings (plan_grid: all)
        opt = optim.get(name)
        for row in ends:
            try:
                opt.hparams(**{**base, **row})
            except ValueError as error:
                raise ValueError(f"optimizers.{name}: {error}") from None
    return spec


def _count(value: Any, name: str) -> int:
    if not (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
        raise ValueError(f"{name}: expected an integer ≥ 1, got {value!r}")
    return value


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _optimizers(value: Any) -> dict[str, dict[str, Any]]:
    if value is None:
        raise ValueError("optimizers: name at least one optimizer")
    if isinstance(value, list):
        value = {name: {} for name in value}
    if not isinstance(value, Mapping) or not value:
        raise ValueError(f"optimizers: expected a list of names or a table, got {value!r}")
    for name in value:
        if name not in optim.names():
            raise ValueError(f"optimizers: no optimizer {name!r}; known: {optim.names()}")
    return {name: dict(base) for name, base in value.items()}


def _axis(name: str, value: Any) -> np.ndarray:
    where = f"axes.{name}"
    if isinstance(value, list):
        if not value or not all(_number(v) for v in value):
            raise ValueError(f"{where}: expected a non-empty list of numbers, got {value!r}")
        return np.asarray(value, np.float64)
    if isinstance(value, Mapping) and len(value) == 1:
        ((kind, args),) = value.items()
        ok = isinstance(args, list) and len(args) == 3 and all(_number(a) for a in args)
        if kind in RANGES and ok and isinstance(args[2], int) and args[2] >= 1:
            low, high, count = args
            if kind == "log" and not (low > 0 and high > 0):
                raise ValueError(f"{where}: a log range needs low and high > 0")
            space = np.geomspace if kind == "log" else np.linspace
            return space(float(low), float(high), count)
    raise ValueError(
        f"{where}: expected a list of numbers, {{log = [low, high, count]}} or "
        f"{{linear = [low, high, count]}}, got {value!r}"
    )


def _random(table: dict[str, Any]) -> dict[str, np.ndarray]:
    if not table:
        return {}
    count = _count(table.pop("count", None), "random.count")
    seed = table.pop("seed", 0)
    if not (isinstance(seed, int) and seed >= 0):
        raise ValueError(f"random.seed: expected an integer ≥ 0, got {seed!r}")
    if not table:
        raise ValueError("random: name at least one field to draw")
    rng = np.random.default_rng(seed)
    drawn = {}
    for name, value in table.items():  # in the file's order: a seed draws the same values
        where = f"random.{name}"
        ok = isinstance(value, Mapping) and len(value) == 1
        ((kind, args),) = value.items() if ok else ((None, None),)
        if kind not in DRAWS or not (
            isinstance(args, list) and len(args) == 2 and all(_number(a) for a in args)
        ):
            raise ValueError(f"{where}: expected {{log|linear|log1m = [low, high]}}, got {value!r}")
        low, high = (float(a) for a in args)
        u = rng.uniform(0.0, 1.0, count)
        if kind == "log":
            if not (low > 0 and high > 0):
                raise ValueError(f"{where}: log draws need low and high > 0")
            drawn[name] = np.exp(np.log(low) + u * (np.log(high) - np.log(low)))
        elif kind == "log1m":
            if not (low < 1 and high < 1):
                raise ValueError(f"{where}: log1m draws need low and high < 1")
            a, b = np.log1p(-low), np.log1p(-high)
            drawn[name] = 1.0 - np.exp(a + u * (b - a))
        else:
            drawn[name] = low + u * (high - low)
    return drawn
