r"""Streaming reductions: a grid of settings that keeps only what was asked of each run.

:func:`~rlx_lab.engine.run_grid` keeps every step of every lane (≈ 29 B per lane-step: 10⁶
lanes × 1000 steps ≈ 29 GB). Here the scan carries the reductions instead, so a lane costs a
few numbers whatever its length:

* ``final_loss`` — the loss at step ``steps`` (the last good point of a diverged run);
* ``best_loss`` — the lowest loss over steps 0 … ``steps``;
* ``steps_to_tol`` — the first step whose loss is ≤ ``tol`` (0: the start; −1: never, or no
  ``tol``);
* ``diverged_at`` — the 1-based step that failed (−1: none);
* ``curve`` (optional) — the loss at ``thin`` evenly spaced steps
  :math:`\mathrm{round}(j\,S/(T-1))`, :math:`j = 0 … T-1` (the start and step ``steps``
  included).

Lanes are (setting, draw) pairs and every draw is kept (no mean over draws). They run in
*chunks* of settings one after another — the same compiled program for every chunk, the last
padded — each chunk split over every device (:mod:`.devices`), so memory is bounded by a
chunk and a caller can write each chunk's results as it finishes (:meth:`StreamPlan.chunk`).
The step count and ``tol`` are traced: changing them within a step bucket never recompiles.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh

from .. import optim
from ..surfaces import Surface
from .columns import as_columns, encode_columns
from .columns import count as columns_count
from .devices import device_count, lane_mesh, over_lanes, pad_lanes, padded, place, to_host
from .programs import dynamics
from .settings import MAX_DRAWS, VIEWS, RunSettings, bucket, parse_starts
from .simulate import Dynamics, step_inputs, stepper

CHUNK_LANES = 65_536
"""Lanes (settings × draws) per chunk by default: a few MB of state on any device."""


class Limits(NamedTuple):
    """Traced: the steps that count, the tolerance, the steps the curve keeps."""

    steps: jax.Array
    tol: jax.Array
    """NaN: no tolerance (``steps_to_tol`` stays −1)."""
    at: jax.Array
    """(thin,) steps whose loss the curve keeps."""


class Summary(NamedTuple):
    """What one lane keeps (see the module's docstring); numpy after a chunk."""

    final_loss: Any
    best_loss: Any
    steps_to_tol: Any
    diverged_at: Any
    curve: Any


def curve_steps(steps: int, thin: int) -> np.ndarray:
    """The steps the curve keeps: ``thin`` evenly spaced from 0 to ``steps``, rounded."""
    if thin == 1:
        return np.asarray([steps], np.int32)
    return np.round(np.linspace(0, steps, thin)).astype(np.int32)


def summarize(
    opt: optim.Optimizer,
    loss: Any,
    shape: tuple[int, ...],
    length: int,
    probes: int,
    hp: optim.HParamsDict,
    start: jax.Array,
    lane: jax.Array,
    dyn: Dynamics,
    limits: Limits,
) -> Summary:
    """One run of :func:`~rlx_lab.engine.simulate.simulate`, reduced as it goes."""
    init, body = stepper(opt, loss, shape, probes, hp, start, lane, dyn)
    start_loss = init[2]

    def reduce(carry: tuple, xs: tuple[jax.Array, jax.Array]) -> tuple[tuple, None]:
        inner, final, best, first, curve = carry
        inner, record = body(inner, xs)
        step, value = xs[0] + 1, record.loss
        counted = step <= limits.steps
        final = jnp.where(step == limits.steps, value, final)
        best = jnp.where(counted, jnp.minimum(best, value), best)
        first = jnp.where(counted & (first < 0) & (value <= limits.tol), step, first)
        curve = jnp.where(limits.at == step, value, curve)
        return (inner, final, best, first, curve), None

    first = jnp.where(start_loss <= limits.tol, 0, -1).astype(jnp.int32)
    curve = jnp.where(limits.at == 0, start_loss, jnp.zeros(limits.at.shape, start_loss.dtype))
    carry = (init, start_loss, start_loss, first, curve)
    (inner, final, best, first, curve), _ = jax.lax.scan(reduce, carry, step_inputs(dyn, length))
    diverged_at = inner[5]
    diverged_at = jnp.where(diverged_at > limits.steps, -1, diverged_at)
    return Summary(final, best, first, diverged_at, curve)


@functools.lru_cache(maxsize=64)
def _program(
    name: str,
    surface: Surface,
    view: str,
    length: int,
    probes: int,
    draws: int,
    varying: tuple[str, ...],
    mesh: Mesh | None,
) -> Callable[..., Summary]:
    """The jitted reduction over (chunk of settings) × draws, split over ``mesh``."""
    del draws, varying  # part of the key only
    opt = optim.get(name)
    shape = VIEWS[view]

    def one(hp: Any, start: jax.Array, lane: jax.Array, dyn: Dynamics, limits: Limits) -> Any:
        return summarize(opt, surface.loss, shape, length, probes, hp, start, lane, dyn, limits)

    def over_draws(hp: Any, starts: jax.Array, dyn: Dynamics, limits: Limits) -> Summary:
        lanes = jnp.arange(starts.shape[0])  # a draw's noise is its own, as in a race
        return jax.vmap(one, in_axes=(None, 0, 0, None, None))(hp, starts, lanes, dyn, limits)

    def over_settings(
        shared: Any, batched: Any, rows: jax.Array, starts: jax.Array, dyn: Any, limits: Any
    ) -> Summary:
        def setting(b: Any, row: jax.Array) -> Summary:
            del row  # batched even when no hyperparameter varies
            return over_draws({**shared, **b}, starts, dyn, limits)

        return jax.vmap(setting)(batched, rows)

    split = (False, True, True, False, False, False)
    return jax.jit(over_lanes(over_settings, mesh, split))


@dataclass(frozen=True, eq=False)
class StreamPlan:
    """A grid ready to run chunk by chunk: every setting validated, the program chosen."""

    optimizer: str
    base: dict[str, Any]
    count: int
    """How many settings."""
    settings: RunSettings
    tol: float | None
    thin: int
    draws: int
    chunk_rows: int
    """Settings per chunk (a multiple of the devices)."""
    devices: int
    program: Callable[..., Summary]
    args: tuple[Any, ...]
    """(shared, batched — every row —, starts, dynamics, limits), host-side."""
    mesh: Mesh | None

    @property
    def chunks(self) -> int:
        """How many chunks the grid runs in."""
        return -(-self.count // self.chunk_rows)

    def span(self, k: int) -> tuple[int, int]:
        """The settings (first, past-last) of chunk ``k``."""
        return k * self.chunk_rows, min((k + 1) * self.chunk_rows, self.count)

    def chunk(self, k: int) -> Summary:
        """Run chunk ``k``: numpy arrays with axes (settings of the chunk, draws[, thin])."""
        first, last = self.span(k)
        shared, batched, starts, dyn, limits = self.args
        block = {n: v[first:last] for n, v in batched.items()}
        rows = np.arange(first, last, dtype=np.int32)
        block, rows = pad_lanes((block, rows), self.chunk_rows)
        out = self.program(
            place(shared, self.mesh, split=False),
            place(block, self.mesh, split=True),
            place(rows, self.mesh, split=True),
            *(place(a, self.mesh, split=False) for a in (starts, dyn, limits)),
        )
        return jax.tree.map(lambda a: np.asarray(a)[: last - first], to_host(out))

    def lane_steps(self) -> int:
        """Optimizer steps the whole grid computes (padding excluded)."""
        return self.count * self.draws * self.settings.steps


def plan_grid(
    optimizer: str,
    base: Mapping[str, Any] | None,
    rows: Sequence[Mapping[str, Any]] | Mapping[str, Any],
    surface: Surface,
    start: Any,
    settings: RunSettings | None = None,
    *,
    draws: int = 1,
    tol: float | None = None,
    thin: int = 0,
    chunk_lanes: int = CHUNK_LANES,
    devices: Sequence[jax.Device] | None = None,
) -> StreamPlan:
    """Validate a streaming grid (the arguments of :func:`~rlx_lab.engine.run_grid`, and what
    to keep) and choose its program; run it with :meth:`StreamPlan.chunk` or :func:`stream`.

    ``rows`` is a list of settings (each ``base`` updated by it), or — for large grids — the
    same as columns: hyperparameter → one value per setting (:mod:`.columns`)."""
    settings = (settings or RunSettings()).validate()
    if not (isinstance(draws, int) and not isinstance(draws, bool) and 1 <= draws <= MAX_DRAWS):
        raise ValueError(f"draws: expected an integer in [1, {MAX_DRAWS}], got {draws!r}")
    if not (isinstance(thin, int) and 0 <= thin <= settings.steps + 1):
        raise ValueError(f"thin: expected an integer in [0, steps + 1], got {thin!r}")
    if tol is not None and not np.isfinite(tol):
        raise ValueError(f"tol: expected a finite number or None, got {tol!r}")
    if not (isinstance(chunk_lanes, int) and chunk_lanes >= 1):
        raise ValueError(f"chunk_lanes: expected an integer ≥ 1, got {chunk_lanes!r}")
    opt = optim.get(optimizer)
    base = dict(base or {})
    if isinstance(rows, Mapping):
        shared, batched = encode_columns(opt.name, base, as_columns(rows))
        size = columns_count(as_columns(rows)) if rows else 0
    else:
        shared, batched, size = _encode_rows(opt, base, rows)
    if size == 0:
        raise ValueError("need at least one setting")
    # only what varies is batched (see run_grid: a batched switch would run both branches)
    varying = tuple(sorted(batched))
    mesh = lane_mesh(devices)
    count = device_count(mesh)
    per_chunk = padded(min(size, max(1, chunk_lanes // draws)), count)
    points = np.repeat(parse_starts(start)[:1], draws, axis=0)
    key = (opt.name, surface, settings.view, bucket(settings.steps), settings.probes, draws)
    limits = Limits(
        steps=np.int32(settings.steps),
        tol=np.float32(np.nan if tol is None else tol),
        at=curve_steps(settings.steps, thin) if thin else np.zeros(0, np.int32),
    )
    return StreamPlan(
        optimizer=opt.name,
        base=base,
        count=size,
        settings=settings,
        tol=tol,
        thin=thin,
        draws=draws,
        chunk_rows=per_chunk,
        devices=count,
        program=_program(*key, varying, mesh),
        args=(shared, batched, points, dynamics(surface, settings), limits),
        mesh=mesh,
    )


def _encode_rows(
    opt: optim.Optimizer, base: dict[str, Any], rows: Sequence[Mapping[str, Any]]
) -> tuple[dict[str, Any], dict[str, np.ndarray], int]:
    """(shared leaves, the varying ones stacked, count) of a list of settings."""
    encoded = [opt.hparams(**{**base, **dict(row)}) for row in rows]
    if not encoded:
        return {}, {}, 0
    grid = {k: np.stack([np.asarray(e[k]) for e in encoded]) for k in encoded[0]}
    varying = [k for k, v in grid.items() if np.any(v != v[:1])]
    shared = {k: v[0] for k, v in grid.items() if k not in varying}
    return shared, {k: grid[k] for k in varying}, len(encoded)


def stream(plan: StreamPlan, skip: Sequence[int] = ()) -> Iterator[tuple[int, Summary]]:
    """Each chunk's index and :class:`Summary`, one after another (except ``skip``)."""
    for k in range(plan.chunks):
        if k not in skip:
            yield k, plan.chunk(k)


def stream_grid(*args: Any, **kwargs: Any) -> Summary:
    """:func:`plan_grid` run whole: every lane's :class:`Summary`, axes (settings, draws[,
    thin]), concatenated from its chunks."""
    parts = [part for _, part in stream(plan_grid(*args, **kwargs))]
    return Summary(*(np.concatenate(field) for field in zip(*parts, strict=True)))
