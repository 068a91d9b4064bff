"""The branch the optimizers use (SOAP's basis change, Kron-PSGD's factors at rest)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from rlx_lab import optim
from rlx_lab.optim._branch import branch


def _negative(x: jax.Array, scale: jax.Array) -> jax.Array:
    return jnp.all(x < 0)


def _flip(x: jax.Array, scale: jax.Array) -> jax.Array:
    return -x * scale  # |x|·scale, valid only where x < 0


def _magnitude(x: jax.Array, scale: jax.Array) -> jax.Array:
    return jnp.abs(x) * scale


def _pick(x: jax.Array, scale: jax.Array) -> jax.Array:
    return branch(_negative, _flip, _magnitude, x, scale)


def test_unbatched_takes_the_right_branch() -> None:
    scale = jnp.float32(2.0)
    np.testing.assert_array_equal(_pick(jnp.array([-1.0, -2.0]), scale), [2.0, 4.0])
    np.testing.assert_array_equal(_pick(jnp.array([-1.0, 3.0]), scale), [2.0, 6.0])


def test_batched_lanes_match_their_unbatched_results() -> None:
    lanes = jnp.array([[-1.0, -2.0], [-1.0, 3.0], [4.0, 5.0]])
    scale = jnp.float32(3.0)  # unbatched operand next to batched ones
    batched = jax.jit(jax.vmap(_pick, in_axes=(0, None)))
    np.testing.assert_array_equal(batched(lanes, scale), np.abs(np.asarray(lanes)) * 3.0)
    # every lane on the cheap path: one branch for all
    np.testing.assert_array_equal(batched(-jnp.abs(lanes), scale), np.abs(np.asarray(lanes)) * 3)


def _poisoned(x: jax.Array, scale: jax.Array) -> jax.Array:
    return jnp.full_like(x, jnp.nan)


def test_batched_lanes_that_agree_run_one_branch_only() -> None:
    """A branch that poisons shows whether it ran for lanes that did not choose it."""
    negative = -jnp.arange(1.0, 7.0).reshape(3, 2)
    run = jax.jit(jax.vmap(lambda x, s: branch(_negative, _flip, _poisoned, x, s), (0, None)))
    np.testing.assert_array_equal(run(negative, jnp.float32(1.0)), -np.asarray(negative))
    run = jax.jit(jax.vmap(lambda x, s: branch(_negative, _poisoned, _flip, x, s), (0, None)))
    np.testing.assert_array_equal(run(-negative, jnp.float32(1.0)), np.asarray(negative))


def test_mixed_lanes_each_take_their_own_side() -> None:
    lanes = -jnp.arange(1.0, 7.0).reshape(3, 2)
    mixed = lanes.at[1].set(1.0)
    run = jax.jit(jax.vmap(lambda x, s: branch(_negative, _flip, _poisoned, x, s), (0, None)))
    out = np.asarray(run(mixed, jnp.float32(1.0)))
    assert np.isnan(out[1]).all() and np.isfinite(out[[0, 2]]).all()


def test_kron_lanes_with_and_without_the_random_probe_match_single_runs() -> None:
    """A hyperparameter batch where one lane's factors learn and one's stay at rest."""
    opt = optim.get("kron_psgd")
    rng = np.random.default_rng(0)
    params = {"w": jnp.asarray(rng.standard_normal((3, 4)), jnp.float32)}
    grads = [{"w": jnp.asarray(rng.standard_normal((3, 4)), jnp.float32)} for _ in range(5)]
    settings = [opt.hparams(random_probe=False), opt.hparams(random_probe=True, lr=0.01)]

    def run(hp: optim.HParamsDict) -> jax.Array:
        p, state = params, opt.init(params)
        for g in grads:
            p, state = opt.step(p, g, state, hp)
        return p["w"]

    stacked = jax.tree.map(lambda *xs: jnp.stack(xs), *settings)
    batched = np.asarray(jax.jit(jax.vmap(run))(stacked))
    for lane, hp in enumerate(settings):
        np.testing.assert_allclose(batched[lane], run(hp), rtol=1e-5, atol=1e-6)
    assert not np.allclose(batched[0], batched[1])


@pytest.mark.parametrize("eps", [1e-8, 0.0])
def test_kron_at_rest_shortcut_changes_nothing(eps: float) -> None:
    """The shortcut's result equals RLX's full factor update, even where that is NaN (ε = 0:
    s = η_p/ε is infinite and s·0 is NaN)."""
    from rlx_lab.optim import kron_psgd

    opt = optim.get("kron_psgd")
    hp = opt.hparams(eps=eps)
    rng = np.random.default_rng(1)
    params = {"w": jnp.asarray(rng.standard_normal((3, 4)), jnp.float32)}
    grad = jnp.asarray(rng.standard_normal((3, 4)), jnp.float32)
    state = opt.init(params)
    _, new_state = opt.step(params, {"w": grad}, state, hp)
    _, ql, qr = kron_psgd.precondition(grad, state.tensors["w"], hp, jax.random.PRNGKey(0))
    np.testing.assert_array_equal(new_state.tensors["w"].q_left, ql)
    np.testing.assert_array_equal(new_state.tensors["w"].q_right, qr)
    assert np.isfinite(np.asarray(ql)).all() == (eps > 0)
