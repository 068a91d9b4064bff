"""``python -m rlx_lab.bench core``: raw speed of every optimizer, against optax where it can.

For each optimizer and each view of a 2-D point — ``vector`` (shape (2,)) and ``matrix`` (shape
(1, 2), which sends Adafactor, SOAP, Kron-PSGD and Muon down their matrix path) — one jitted
program runs ``steps`` iterations (``lax.scan``) on each of ``points`` Rosenbrock starts
(``vmap``), every iteration taking ``jax.grad`` of the loss and one ``Optimizer.step``. The
hyperparameters are a traced argument, as in the lab, so a slider move never recompiles.

The optax baseline runs the same program with the closest optax transformation
(:mod:`rlx_lab.bench._baselines`); the programs are timed interleaved and each keeps its best
run. Two ratios, our time / optax's time (below 1 we are faster):

* ``optax_ratio`` — like for like: our ``opt.as_optax(**hp)`` against optax's transformation,
  both with hyperparameters fixed when built (dead terms such as a zero weight decay drop out);
* ``traced_optax_ratio`` — the lab's own path, hyperparameters traced so a slider never
  recompiles, against the same optax program. ``point_steps_per_s`` and ``compile_s`` are the
  lab path's.

``same_ops`` says whether the two like-for-like programs compile to the same XLA operations on
the same shapes (:mod:`rlx_lab.bench._hlo`); where they do, ``optax_ratio`` is 1 by construction
and its departure from 1 is timing noise.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from rlx_lab import optim

from . import _hlo, _report
from ._baselines import NOTES, optax_baseline
from ._options import optimizer_names, positive_int
from ._timing import Program, compile_program, interleaved_best

NAME = "core"
HELP = "steps per second of every optimizer on batched Rosenbrock runs, vs optax"

VIEWS: dict[str, tuple[int, ...]] = {"vector": (2,), "matrix": (1, 2)}
START = (-1.5, 2.0)
JITTER = 0.1
LR = 1e-4
"""Small enough that nothing diverges on Rosenbrock (Muon's vector path, Nesterov momentum 0.95
on the raw gradient, does from about 7e-4); Adafactor keeps its relative step."""
COLUMNS = (
    "optimizer",
    "view",
    "compile_s",
    "point_steps_per_s",
    "optax_ratio",
    "traced_optax_ratio",
    "same_ops",
)

Params = dict[str, jax.Array]


@dataclass(frozen=True)
class CoreResult:
    """One row of the table (and one object of the JSON file)."""

    optimizer: str
    view: str
    compile_s: float
    point_steps_per_s: float
    optax_ratio: float | None
    traced_optax_ratio: float | None
    same_ops: bool | None
    """Ours and optax's like-for-like programs are the same XLA operations (None: no optax)."""


def rosenbrock(params: Params) -> jax.Array:
    """(1 − x)² + 100 (y − x²)² of the point ``params["xy"]`` (any shape with 2 entries)."""
    flat = jnp.ravel(params["xy"])
    x, y = flat[0], flat[1]
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def starting_points(points: int, view: str, *, seed: int = 0) -> jax.Array:
    """``points`` starts around ``START`` with a seeded normal jitter, shaped for ``view``."""
    rng = np.random.default_rng(seed)
    xy = np.asarray(START) + JITTER * rng.standard_normal((points, 2))
    return jnp.asarray(xy.reshape(points, *VIEWS[view]), dtype=jnp.float32)


def bench_values(opt: optim.Optimizer, lr: float = LR) -> dict[str, Any]:
    """Default hyperparameters with ``lr`` (an optional lr stays None: relative step)."""
    values = opt.defaults()
    if values["lr"] is not None:
        values["lr"] = lr
    return values


def ours_program(opt: optim.Optimizer, steps: int) -> Callable[..., jax.Array]:
    """jit(vmap(scan)): ``(starts, hp) -> final points`` with our ``opt.step``."""

    def one_point(xy: jax.Array, hp: optim.HParamsDict) -> jax.Array:
        def body(carry: tuple[Params, optim.OptState], _: None) -> tuple[Any, None]:
            params, state = carry
            return opt.step(params, jax.grad(rosenbrock)(params), state, hp), None

        params = {"xy": xy}
        (params, _), _ = jax.lax.scan(body, (params, opt.init(params)), length=steps)
        return params["xy"]

    return jax.jit(jax.vmap(one_point, in_axes=(0, None)))


def optax_program(tx: Any, steps: int) -> Callable[..., jax.Array]:
    """jit(vmap(scan)): ``starts -> final points`` with an optax transformation."""
    import optax

    def one_point(xy: jax.Array) -> jax.Array:
        def body(carry: tuple[Params, Any], _: None) -> tuple[Any, None]:
            params, state = carry
            updates, state = tx.update(jax.grad(rosenbrock)(params), state, params)
            return (optax.apply_updates(params, updates), state), None

        params = {"xy": xy}
        (params, _), _ = jax.lax.scan(body, (params, tx.init(params)), length=steps)
        return params["xy"]

    return jax.jit(jax.vmap(one_point))


def measure(
    name: str,
    view: str,
    *,
    steps: int,
    points: int,
    repeats: int,
    budget_s: float = 0.0,
    lr: float = LR,
) -> CoreResult:
    """Compile and time ``name`` on ``view`` (and its optax baseline, interleaved)."""
    opt = optim.get(name)
    values = bench_values(opt, lr)
    starts = starting_points(points, view)
    programs = [compile_program(ours_program(opt, steps), starts, opt.hparams(**values))]
    tx = optax_baseline(name, values)
    if tx is not None:
        programs.append(compile_program(optax_program(opt.as_optax(**values), steps), starts))
        # optax relies on standard promotion (float × int32 count); ours stays strict-clean.
        with jax.numpy_dtype_promotion("standard"):
            programs.append(compile_program(optax_program(tx, steps), starts))
    _warn_if_diverged(name, view, programs)
    times = interleaved_best(programs, repeats=repeats, budget_s=budget_s)
    return CoreResult(
        optimizer=name,
        view=view,
        compile_s=programs[0].compile_s,
        point_steps_per_s=points * steps / times[0],
        optax_ratio=times[1] / times[2] if tx is not None else None,
        traced_optax_ratio=times[0] / times[2] if tx is not None else None,
        same_ops=_hlo.same_operations(programs[1].run, programs[2].run) if tx is not None else None,
    )


def _warn_if_diverged(name: str, view: str, programs: Sequence[Program]) -> None:
    for label, program in zip(("ours", "ours fixed", "optax"), programs, strict=False):
        if not np.all(np.isfinite(np.asarray(program()))):
            print(f"warning: {name}/{view} ({label}) ended with non-finite points", file=sys.stderr)


def run_core(
    names: Sequence[str],
    *,
    steps: int,
    points: int,
    repeats: int,
    budget_s: float = 0.0,
    lr: float = LR,
    verbose: bool = False,
) -> list[CoreResult]:
    """Every optimizer in ``names`` (in that order) on both views."""
    results = []
    for name in names:
        for view in VIEWS:
            result = measure(
                name, view, steps=steps, points=points, repeats=repeats, budget_s=budget_s, lr=lr
            )
            if verbose:
                print(
                    f"  {name}/{view}: {result.point_steps_per_s:,.0f} point-steps/s",
                    file=sys.stderr,
                    flush=True,
                )
            results.append(result)
    return results


# --- command line ----------------------------------------------------------------------------


def _seconds(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds ≥ 0, got {text}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``core`` subcommand's options."""
    parser.add_argument("--json", metavar="FILE", help="also write the rows as a JSON list")
    parser.add_argument("--steps", type=positive_int, default=1000, help="iterations per run")
    parser.add_argument("--points", type=positive_int, default=1024, help="starts per batch")
    parser.add_argument(
        "--repeats", type=positive_int, default=5, help="timed runs at least (best kept)"
    )
    parser.add_argument(
        "--budget",
        type=_seconds,
        default=0.5,
        metavar="SECONDS",
        help="keep timing until each program has run this long",
    )
    parser.add_argument(
        "--only",
        type=optimizer_names,
        metavar="NAME[,NAME]",
        help="these optimizers only (default: all 14)",
    )
    parser.add_argument(
        "--lr",
        type=_positive_float,
        default=LR,
        help="learning rate of every optimizer but Adafactor (relative step)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")


def run(args: argparse.Namespace) -> int:
    """Run the benchmark, print the table and footnotes, write ``--json``."""
    names = args.only or list(optim.names())
    results = run_core(
        names,
        steps=args.steps,
        points=args.points,
        repeats=args.repeats,
        budget_s=args.budget,
        lr=args.lr,
        verbose=not args.quiet,
    )
    rows = [asdict(r) for r in results]
    print(
        f"core: {args.points} Rosenbrock points × {args.steps} steps, lr {args.lr:g}, "
        f"best of ≥ {args.repeats} runs; ratios = our time / optax time (optax_ratio: "
        "both with fixed hyperparameters; traced_optax_ratio: ours traced, as in the lab; "
        "same_ops: both compile to the same XLA operations, so optax_ratio is 1 up to noise)"
    )
    print(_report.format_table(rows, COLUMNS))
    notes = [
        textwrap.fill(f"{n}: {NOTES[n]}", width=100, initial_indent="  ", subsequent_indent="    ")
        for n in names
        if n in NOTES
    ]
    if notes:
        print("\nBaselines:", *notes, sep="\n")
    if args.json:
        _report.write_json(args.json, rows)
    return 0
