"""What a small-nets race will allocate, from its shape alone.

The big terms, for ``L`` lanes (optimizers × settings × seeds) of an MLP with ``P`` weights:
the weight snapshots (``L · F · P`` float32 for ``F`` frames, on the device and on the host),
the optimizer states while training (up to ``~8 P`` per lane: moments, and SOAP's or Kron's
factors), the decision-boundary frames (every frame's network evaluated on the
``R × R`` input grid at once) and the loss-landscape slice (the training set through the network
at every grid point of the plane).
"""

from __future__ import annotations

from ..cost import Cost, Term, count
from .mlp import MLP
from .settings import TrainSettings, bucket

STATE_COPIES = 8
"""Weights, gradient and optimizer state per lane, in copies of the weights (SOAP's eigenbases
and Kron's factors are the largest states)."""
FORWARD_BACKWARD = 6
"""Flops per weight per example for a forward and backward pass."""
NETWORK = "fewer units, layers, seeds or optimizers"


def weights(model: MLP) -> int:
    """The number of trainable weights (matrices and biases)."""
    return sum(a * b + b for a, b in zip(model.sizes, model.sizes[1:], strict=False))


def race_cost(
    model: MLP,
    settings: TrainSettings,
    *,
    seeds: int,
    optimizers: int,
    samples: int,
    settings_each: int = 1,
    boundary_resolution: int = 0,
    landscape_resolution: int = 0,
    compiles: int = 1,
    what: str = "this training",
) -> Cost:
    """A race of ``optimizers`` × ``settings_each`` settings × ``seeds`` on ``samples``
    training (and as many test) points; with decision frames on a grid of
    ``boundary_resolution``² points and a loss slice of ``landscape_resolution``² points
    when those are > 0 (the app's race draws them, tuning does not)."""
    p = weights(model)
    units = sum(model.sizes[1:])
    classes = model.sizes[-1]
    lanes = optimizers * settings_each * seeds
    frames = settings.frames + 1
    steps = bucket(settings.steps)
    where = f"{lanes} run(s) ({optimizers} optimizer(s) × {settings_each} × {seeds} seed(s))"
    terms = [
        Term(
            "weight snapshots",
            2 * 4 * lanes * frames * p,
            f"{frames} frames × {count(p)} weights × {where}",
            NETWORK,
        ),
        Term(
            "optimizer states",
            4 * STATE_COPIES * lanes * p,
            f"{STATE_COPIES} copies of {count(p)} weights × {lanes} run(s)",
            NETWORK,
        ),
        Term(
            "activations",
            4 * 3 * lanes * max(settings.batch_size, 2 * samples) * units,
            f"{lanes} run(s) × {2 * samples} points × {count(units)} units",
            "fewer units, layers or points",
        ),
        Term(
            "step records",
            4 * 8 * lanes * steps,
            f"{lanes} run(s) × {count(steps)} steps",
            "fewer steps or seeds",
        ),
    ]
    if boundary_resolution:
        grid = boundary_resolution**2
        terms.append(
            Term(
                "decision-boundary frames",
                4 * frames * grid * (units + optimizers * classes),
                f"{frames} frames × {grid} grid points × {count(units)} units",
                "fewer units or layers",
            )
        )
    if landscape_resolution:
        grid = landscape_resolution**2
        terms.append(
            Term(
                "loss-landscape slice",
                4 * grid * samples * units,
                f"{grid} plane points × {samples} points × {count(units)} units",
                "fewer units, layers or points",
            )
        )
    flops = float(FORWARD_BACKWARD * p * settings.batch_size * steps * lanes)
    flops += float(2 * p * 2 * samples * frames * lanes)  # the evaluations at each frame
    return Cost(what, tuple(terms), lanes * steps, flops, compiles)
