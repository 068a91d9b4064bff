"""optax counterparts of our optimizers, configured with the same hyperparameters.

Each builder takes our hyperparameters as plain values (``Optimizer.defaults()`` plus the
benchmark's overrides, RLX names) and returns the closest optax transformation, or ``None``
where optax has no counterpart for those settings. optax is imported lazily: it is a test
extra, never a dependency of :mod:`rlx_lab.optim`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp

Values = Mapping[str, Any]
Builder = Callable[[Values], Any]

NOTES: Mapping[str, str] = {
    "radam": "optax.radam with threshold=4 (RLX switches on ρₜ > 4; optax's default is 5).",
    "adafactor": (
        "optax.adafactor with learning_rate = min(1/√t, 1e-2) (RLX's relative step; optax's "
        "parameter scale supplies max(1e-3, RMS(θ))), decay_rate 0.8, and "
        "min_dim_size_to_factor=1 so the (1, 2) matrix is factored as RLX factors every matrix."
    ),
    "muon": (
        "optax.contrib.muon sends non-matrix params to Adam, so the vector row times our "
        "momentum SGD against optax's Adam: compare the matrix row only. consistent_rms=1 "
        "gives RLX's √max(rows, cols) scale."
    ),
}
"""Where a baseline departs from ours, for the footnotes."""


def _l2(weight_decay: float, tx: Any) -> Any:
    """RLX's L2 weight decay (λθ added to the gradient) in front of ``tx``."""
    import optax

    return optax.chain(optax.add_decayed_weights(weight_decay), tx) if weight_decay else tx


def _sgd(v: Values) -> Any:
    import optax

    momentum = v["momentum"] or None
    return _l2(v["weight_decay"], optax.sgd(v["lr"], momentum, nesterov=v["nesterov"]))


def _adam(v: Values) -> Any:
    import optax

    tx = optax.adam(v["lr"], b1=v["beta1"], b2=v["beta2"], eps=v["eps"])
    return _l2(v["weight_decay"], tx)


def _adamw(v: Values) -> Any:
    import optax

    return optax.adamw(
        v["lr"], b1=v["beta1"], b2=v["beta2"], eps=v["eps"], weight_decay=v["weight_decay"]
    )


def _nadamw(v: Values) -> Any:
    import optax

    return optax.nadamw(
        v["lr"], b1=v["beta1"], b2=v["beta2"], eps=v["eps"], weight_decay=v["weight_decay"]
    )


def _radam(v: Values) -> Any:
    import optax

    tx = optax.radam(v["lr"], b1=v["beta1"], b2=v["beta2"], eps=v["eps"], threshold=4.0)
    return _l2(v["weight_decay"], tx)


def _lamb(v: Values) -> Any:
    import optax

    if not v["bias_correction"]:
        return None
    return optax.lamb(
        v["lr"], b1=v["beta1"], b2=v["beta2"], eps=v["eps"], weight_decay=v["weight_decay"]
    )


def _lion(v: Values) -> Any:
    import optax

    return optax.lion(v["lr"], b1=v["beta1"], b2=v["beta2"], weight_decay=v["weight_decay"])


def _relative_step(count: jax.Array) -> jax.Array:
    """min(1/√t, 1e-2) with t = count + 1."""
    return jnp.minimum(jax.lax.rsqrt((count + 1).astype(jnp.float32)), 1e-2)


def _adafactor(v: Values) -> Any:
    import optax

    if v["weight_decay"]:
        return None  # optax adds its decay after the step size; RLX multiplies it in
    return optax.adafactor(
        _relative_step if v["lr"] is None else v["lr"],
        min_dim_size_to_factor=1,
        decay_rate=-v["beta2_decay"],
        multiply_by_parameter_scale=v["lr"] is None,
        clipping_threshold=v["clip_threshold"],
        eps=v["eps1"],
    )


def _muon(v: Values) -> Any:
    try:
        from optax.contrib import muon
    except ImportError:
        return None
    return muon(
        v["lr"],
        ns_coeffs=tuple(v["ns_coeffs"]),
        ns_steps=v["ns_steps"],
        beta=v["momentum"],
        weight_decay=v["weight_decay"],
        nesterov=v["nesterov"],
        consistent_rms=1.0,
    )


_BUILDERS: Mapping[str, Builder] = {
    "sgd": _sgd,
    "adam": _adam,
    "adamw": _adamw,
    "nadamw": _nadamw,
    "radam": _radam,
    "lamb": _lamb,
    "lion": _lion,
    "adafactor": _adafactor,
    "muon": _muon,
}


def optax_baseline(name: str, values: Values) -> Any:
    """The optax transformation matching optimizer ``name`` at ``values``; None if none."""
    builder = _BUILDERS.get(name)
    if builder is None:
        return None
    try:
        import optax  # noqa: F401
    except ImportError:
        return None
    return builder(values)
