"""Every optimizer vmaps over a batch of points and over a sweep of hyperparameters."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from rlx_lab import optim

from .problems import model_grads, model_params, run_steps

STEPS = 4


def _rosenbrock_grad(xy: jax.Array) -> jax.Array:
    def loss(p: jax.Array) -> jax.Array:
        x, y = p.reshape(-1)[0], p.reshape(-1)[1]
        return (1 - x) ** 2 + 100 * (y - x**2) ** 2

    return jax.grad(loss)(xy)


def _run_point(opt: optim.Optimizer, xy: jax.Array, hp: dict) -> jax.Array:
    params = {"xy": xy}
    state = opt.init(params)
    for _ in range(STEPS):
        params, state = opt.step(params, {"xy": _rosenbrock_grad(params["xy"])}, state, hp)
    return params["xy"]


@pytest.mark.parametrize("shape", [(2,), (1, 2), (2, 1)])
@pytest.mark.parametrize("name", optim.names())
def test_batch_of_64_points_matches_unbatched(name: str, shape: tuple[int, ...]) -> None:
    opt = optim.get(name)
    hp = opt.hparams(lr=0.01) if name != "adafactor" else opt.hparams()
    starts = jnp.asarray(np.random.default_rng(1).normal(size=(64, *shape)), jnp.float32)
    batched = jax.jit(jax.vmap(lambda xy: _run_point(opt, xy, hp)))(starts)
    for lane in (0, 17, 63):
        np.testing.assert_allclose(
            batched[lane], _run_point(opt, starts[lane], hp), rtol=2e-5, atol=1e-6
        )


def _sweep_settings(opt: optim.Optimizer) -> list[dict]:
    """8 distinct settings touching every float hyperparameter that has a slider range."""
    settings = []
    for i in range(8):
        overrides = {}
        for p in opt.spec:
            if p.kind in ("float", "optional_float") and p.ui_low is not None:
                low, high = p.ui_low, p.ui_high
                frac = (i + 1) / 10
                overrides[p.name] = (
                    float(low * (high / low) ** frac)
                    if p.scale == "log" and low > 0
                    else float(low + (high - low) * frac * 0.9)
                )
            elif p.kind == "bool":
                overrides[p.name] = bool(i % 2)
        overrides["lr"] = 0.001 * (i + 1)
        if "eps" in overrides:  # SOAP's first step amplifies rounding by 1/eps: keep eps sane
            overrides["eps"] = max(overrides["eps"], 1e-8)
        settings.append(opt.hparams(**overrides))
    return settings


@pytest.mark.parametrize("name", optim.names())
def test_sweep_of_8_settings_matches_unbatched(name: str) -> None:
    opt = optim.get(name)
    settings = _sweep_settings(opt)
    params = model_params(3)
    scale = 1e-6 if name == "soap" else 1.0

    def run(hp: dict) -> dict:
        return run_steps(opt, params, hp, STEPS, first_grad_scale=scale)

    batched = jax.jit(jax.vmap(run))(optim.stack_hparams(settings))
    for lane in (0, 5, 7):
        single = run(settings[lane])
        for k in params:
            np.testing.assert_allclose(
                batched[k][lane],
                single[k],
                rtol=2e-5,
                atol=1e-6,
                err_msg=f"{name} lane {lane} tensor {k}",
            )
    assert not np.allclose(batched["w"][0], batched["w"][7]), "settings should differ"


def test_grads_helper_is_deterministic() -> None:
    params = model_params()
    a, b = model_grads(params, 3), model_grads(params, 3)
    assert all(np.array_equal(a[k], b[k]) for k in a)


def test_soap_rank_deficient_basis_does_not_depend_on_batching() -> None:
    """Factors of rank < n have a null space; its basis must not be an accident of rounding."""
    opt = optim.get("soap")
    params = {"w": model_params(3)["w"], "v": jnp.full((6, 8), 0.1, jnp.float32)}
    settings = [opt.hparams(lr=0.001 * (i + 1), precond_freq=2) for i in range(4)]

    def run(hp: dict) -> dict:
        return run_steps(opt, params, hp, 8, first_grad_scale=1e-6)

    batched = jax.jit(jax.vmap(run))(optim.stack_hparams(settings))
    for lane, hp in enumerate(settings):
        single = run(hp)
        for k in params:
            np.testing.assert_allclose(batched[k][lane], single[k], rtol=1e-5, atol=1e-6)
