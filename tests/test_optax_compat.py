"""``as_optax`` drives a plain optax-style loop, and agrees with optax where the rules coincide.

optax is a test dependency only: the core must import without it. optax's internals are not
clean under our strict dtype promotion (``b ** count`` mixes a Python float with int32), so its
calls run under ``jax.numpy_dtype_promotion("standard")``; our side stays strict.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from rlx_lab import optim

from .problems import model_grads, model_params

STEPS = 30


def _grads(steps: int = STEPS, seed: int = 0) -> list[dict[str, jax.Array]]:
    """Fixed pseudo-gradients, independent of the trajectory (so both loops see the same)."""
    base = model_params(seed)
    return [model_grads(base, seed + i) for i in range(steps)]


def test_importing_the_core_does_not_import_optax() -> None:
    code = "import sys, rlx_lab, rlx_lab.optim; sys.exit('optax' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


@pytest.mark.parametrize("name", optim.names())
def test_as_optax_in_a_plain_training_loop_matches_step(name: str) -> None:
    opt = optim.get(name)
    hp = opt.hparams()
    tx = opt.as_optax()
    ours = theirs = model_params()
    state, tx_state = opt.init(ours), tx.init(theirs)
    for g in _grads():
        ours, state = opt.step(ours, g, state, hp)
        updates, tx_state = tx.update(g, tx_state, theirs)
        theirs = jax.tree.map(lambda p, u: p + u, theirs, updates)
    for k in ours:
        np.testing.assert_allclose(theirs[k], ours[k], rtol=1e-5, atol=1e-6, err_msg=k)


def test_as_optax_takes_overrides_and_lr_scale() -> None:
    opt = optim.get("sgd")
    params = model_params()
    g = _grads(1)[0]
    tx = opt.as_optax(lr=0.5, lr_scale={"w": 0.0})
    updates, _ = tx.update(g, tx.init(params), params)
    np.testing.assert_array_equal(updates["w"], np.zeros((3, 4), np.float32))
    np.testing.assert_allclose(updates["b"], -0.5 * np.asarray(g["b"]), rtol=1e-6)


# --- cross-checks against optax ---------------------------------------------------------------


def _run_optax(tx: optax.GradientTransformation, grads: list[dict]) -> dict[str, jax.Array]:
    params = model_params()
    with jax.numpy_dtype_promotion("standard"):
        state = tx.init(params)
        for g in grads:
            updates, state = tx.update(g, state, params)
            params = optax.apply_updates(params, updates)
    return params


def _run_ours(name: str, grads: list[dict], **overrides: float | bool) -> dict[str, jax.Array]:
    opt = optim.get(name)
    hp = opt.hparams(**overrides)
    params = model_params()
    state = opt.init(params)
    for g in grads:
        params, state = opt.step(params, g, state, hp)
    return params


LR = 0.05
# (our optimizer, our overrides, the optax transformation with the same rule)
PAIRS: dict[str, tuple[str, dict, Callable[[], optax.GradientTransformation]]] = {
    # optax.trace: v ← g + μv; nesterov update g + μv with v already updated — RLX's formula.
    "sgd": ("sgd", {}, lambda: optax.sgd(LR)),
    "sgd-momentum": ("sgd", {"momentum": 0.9}, lambda: optax.sgd(LR, momentum=0.9)),
    "sgd-nesterov": (
        "sgd",
        {"momentum": 0.9, "nesterov": True},
        lambda: optax.sgd(LR, momentum=0.9, nesterov=True),
    ),
    # L2 decay is g + λθ before anything else: optax.add_decayed_weights first in the chain.
    "sgd-nesterov-l2": (
        "sgd",
        {"momentum": 0.9, "nesterov": True, "weight_decay": 0.1},
        lambda: optax.chain(
            optax.add_decayed_weights(0.1), optax.sgd(LR, momentum=0.9, nesterov=True)
        ),
    ),
    # optax.adam divides by √v̂ + ε (ε outside the root, like RLX) plus eps_root inside: 0.
    "adam": (
        "adam",
        {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6},
        lambda: optax.adam(LR, b1=0.8, b2=0.99, eps=1e-6, eps_root=0.0),
    ),
    "adam-l2": (
        "adam",
        {"weight_decay": 0.1},
        lambda: optax.chain(optax.add_decayed_weights(0.1), optax.adam(LR, eps_root=0.0)),
    ),
    # optax.adamw: scale_by_adam, then + λθ, then × −lr: θ ← θ − lr(u + λθ), as RLX.
    "adamw": (
        "adamw",
        {"weight_decay": 0.1},
        lambda: optax.adamw(LR, weight_decay=0.1, eps_root=0.0),
    ),
    # optax.lion: sign((1−β₁)g + β₁m), m ← β₂m + (1−β₂)g, decoupled decay × lr.
    "lion": (
        "lion",
        {"beta1": 0.8, "beta2": 0.95, "weight_decay": 0.1},
        lambda: optax.lion(LR, b1=0.8, b2=0.95, weight_decay=0.1),
    ),
    # optax.nadamw (scale_by_adam, nesterov=True): m̄ = β₁·m/(1−β₁^{t+1}) + (1−β₁)·g/(1−β₁ᵗ),
    # v̂ = v/(1−β₂ᵗ) without Dozat's extra β₂ — exactly RLX's NAdamW.
    "nadamw": (
        "nadamw",
        {"weight_decay": 0.1},
        lambda: optax.nadamw(LR, weight_decay=0.1, eps_root=0.0),
    ),
    # optax.radam: same ρₜ, r and m̂ fallback; threshold=4 with ρₜ ≥ 4 vs RLX's ρₜ > 4 (ρₜ is
    # never exactly 4). β₂ = 0.99, not the default 0.999: optax forms ρₜ = ρ∞ − 2tβ₂ᵗ/(1−β₂ᵗ)
    # in float32 with 1 − β₂ᵗ by subtraction; at β₂ = 0.999 that cancels (ρ₅ = 4.961 instead
    # of 4.996, r off by 2 %), a float32 artefact of optax's, not a different rule. RLX's
    # expm1/log1p form is accurate (test_conformance checks it against the reference).
    "radam": (
        "radam",
        {"beta2": 0.99},
        lambda: optax.radam(LR, b2=0.99, eps_root=0.0, threshold=4.0),
    ),
}


@pytest.mark.parametrize("pair", PAIRS)
def test_matches_optax_where_the_rules_coincide(pair: str) -> None:
    """30 steps on fixed random gradients. atol 1e-5: params cross zero, where rtol means
    nothing, and optax's 1 − βᵗ in float32 costs it ~1e-5 of relative accuracy in v̂."""
    name, overrides, make_tx = PAIRS[pair]
    grads = _grads()
    ours = _run_ours(name, grads, lr=LR, **overrides)
    theirs = _run_optax(make_tx(), grads)
    moved = max(float(jnp.max(jnp.abs(ours[k] - model_params()[k]))) for k in ours)
    assert moved > 0.1  # the comparison is not vacuous
    for k in ours:
        np.testing.assert_allclose(ours[k], theirs[k], rtol=1e-4, atol=1e-5, err_msg=k)
