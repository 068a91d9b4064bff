"""``python -m rlx_lab.bench nets``: what the small-nets world costs the lab.

(a) a race: 14 optimizers × ``steps`` steps training an MLP 2-32-32-2 on two moons (batch 64,
    lab defaults), one jitted program, timed after warm-up, end to end (``race_s``: program,
    transfer and the numpy results);
(b) ``optax_ratio``: that program's time over the time of 14 optax AdamW runs of the same net
    in the same scan structure (:func:`rlx_lab.nets.loop.train` with optax as the stepper —
    same batches, frames, records, divergence checks), timed interleaved, best of each;
(c) ``landscape_s``: a 41×41 loss slice around AdamW's final point on the PCA plane of all
    14 trajectories, after warm-up, best of the repeats.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp

from rlx_lab import nets, optim

from . import _report
from ._options import optimizer_names, positive_int
from ._timing import compile_program, interleaved_best

NAME = "nets"
HELP = "14-optimizer MLP race on two moons vs optax AdamW, and a 41×41 loss-landscape slice"
KEYS = ("race_s", "optax_ratio", "landscape_s")


@dataclass(frozen=True)
class OptaxStepper:
    """optax's AdamW behind the interface :func:`loop.train` uses (init, step, clip_fraction).

    The learning rate comes from the traced ``hp["lr"]`` times the schedule's ``lr_scale`` (as
    the lab's optimizers take it); the rest are AdamW's RLX defaults.
    """

    hessian_tensor: None = None

    @staticmethod
    def _tx(lr: Any) -> Any:
        import optax

        return optax.adamw(lr, b1=0.9, b2=0.999, eps=1e-8, weight_decay=0.01)

    def init(self, params: Any) -> Any:
        return self._tx(1.0).init(params)

    def step(
        self, params: Any, grads: Any, state: Any, hp: dict, lr_scale: Any = 1.0
    ) -> tuple[Any, Any]:
        import optax

        updates, state = self._tx(hp["lr"] * lr_scale).update(grads, state, params)
        return optax.apply_updates(params, updates), state

    def clip_fraction(self, *args: Any) -> jax.Array:
        del args
        return jnp.float32(0.0)


def optax_program(plan: nets.RacePlan, count: int) -> tuple[Any, tuple[Any, ...]]:
    """jit of ``count`` optax-AdamW training loops (distinct traced lrs, so XLA cannot merge
    them) with the plan's model, layout, batches and data; and its arguments."""
    settings = plan.settings
    layout = nets.loop.Layout.of(nets.bucket(settings.steps), settings.frames)
    _, params, batches, keys, data, dyn = plan.args
    first = jax.tree.map(lambda x: x[0], (params, batches, keys))
    stepper = OptaxStepper()

    def program(lrs: jax.Array, params: Any, batches: Any, key: Any, data: Any, dyn: Any) -> Any:
        return tuple(
            nets.loop.train(
                stepper, plan.model, layout, 1, {"lr": lrs[k]}, params, batches, key, data, dyn
            )
            for k in range(count)
        )

    lrs = 0.01 * (1.0 + jnp.arange(count, dtype=jnp.float32) / 1000)
    return jax.jit(program), (lrs, *first, data, dyn)


def measure(
    names: tuple[str, ...], *, steps: int, repeats: int, resolution: int, verbose: bool = False
) -> dict[str, float]:
    """Compile, warm up and time (a), (b), (c); every number in seconds but the ratio."""
    data = nets.datasets.make("two_moons")
    plan = nets.prepare(data, list(names), settings=nets.TrainSettings(steps=steps))
    ours = compile_program(plan.program, *plan.args)
    jitted, args = optax_program(plan, len(names))
    # optax relies on standard promotion (float × int32 count); ours stays strict-clean.
    with jax.numpy_dtype_promotion("standard"):
        baseline = compile_program(jitted, *args)
    if verbose:
        print(
            f"  compiled: ours {ours.compile_s:.1f} s, optax {baseline.compile_s:.1f} s", flush=True
        )
    program_s, optax_s = interleaved_best([ours, baseline], repeats=repeats)
    race_s, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = plan.finish(ours.run(*ours.args))
        race_s = min(race_s, time.perf_counter() - start)
    assert result is not None
    centre = result["adamw"].final_params() if "adamw" in names else result.runs[0].final_params()
    plane = nets.landscape.pca_plane(centre, [run.snapshots for run in result.runs])
    coords = [nets.landscape.project(plane, run.snapshots) for run in result.runs]
    alphas, betas = nets.landscape.grid_around(coords, resolution=resolution)
    landscape_s = float("inf")
    for _ in range(repeats + 1):  # the first call compiles
        start = time.perf_counter()
        nets.landscape.loss_slice(result.model, plane, data.x_train, data.y_train, alphas, betas)
        landscape_s = min(landscape_s, time.perf_counter() - start)
    return {
        "race_s": race_s,
        "optax_ratio": program_s / optax_s,
        "landscape_s": landscape_s,
        "program_s": program_s,
        "optax_s": optax_s,
        "compile_s": ours.compile_s,
        "optax_compile_s": baseline.compile_s,
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``nets`` subcommand's options."""
    parser.add_argument(
        "--json",
        metavar="FILE",
        help="also write race_s, optax_ratio, landscape_s as a JSON object",
    )
    parser.add_argument("--steps", type=positive_int, default=1000, help="training steps per run")
    parser.add_argument("--repeats", type=positive_int, default=3, help="timed runs (best kept)")
    parser.add_argument("--resolution", type=positive_int, default=41, help="landscape grid side")
    parser.add_argument(
        "--only",
        type=optimizer_names,
        metavar="NAME[,NAME]",
        help="these optimizers only (default: all 14)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")


def run(args: argparse.Namespace) -> int:
    """Run (a), (b), (c); print a table and write ``--json``."""
    names = args.only or optim.names()
    numbers = measure(
        names,
        steps=args.steps,
        repeats=args.repeats,
        resolution=args.resolution,
        verbose=not args.quiet,
    )
    print(
        f"nets: two moons, MLP 2-32-32-2, batch 64, {len(names)} optimizers × {args.steps} "
        f"steps (lab defaults); optax_ratio = our program / {len(names)} optax AdamW loops; "
        f"{args.resolution}×{args.resolution} landscape; best of {args.repeats}"
    )
    rows = [{"metric": k, "value": v} for k, v in numbers.items()]
    print(_report.format_table(rows, ("metric", "value")))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({k: numbers[k] for k in KEYS}, fh, indent=2)
    return 0
