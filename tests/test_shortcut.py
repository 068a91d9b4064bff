"""The cheap-path branch the optimizers use (Kron-PSGD's factors at rest), batched or not."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from rlx_lab import optim
from rlx_lab.optim._shortcut import shortcut


def _negative(x: jax.Array, scale: jax.Array) -> jax.Array:
    return jnp.all(x < 0)


def _flip(x: jax.Array, scale: jax.Array) -> jax.Array:
    return -x * scale  # |x|·scale, valid only where x < 0


def _magnitude(x: jax.Array, scale: jax.Array) -> jax.Array:
    return jnp.abs(x) * scale


def _pick(x: jax.Array, scale: jax.Array) -> jax.Array:
    return shortcut(_negative, _flip, _magnitude, x, scale)


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


def test_batched_branch_is_taken_once_for_all_lanes() -> None:
    """All lanes cheap: the full path is not run (a full path that poisons shows it)."""

    def poisoned(x: jax.Array, scale: jax.Array) -> jax.Array:
        return jnp.full_like(x, jnp.nan)

    def pick(x: jax.Array, scale: jax.Array) -> jax.Array:
        return shortcut(_negative, _flip, poisoned, x, scale)

    lanes = -jnp.arange(1.0, 7.0).reshape(3, 2)
    out = jax.jit(jax.vmap(pick, in_axes=(0, None)))(lanes, jnp.float32(1.0))
    np.testing.assert_array_equal(out, -np.asarray(lanes))
    mixed = lanes.at[1].set(1.0)  # one lane needs the full path: only that lane is poisoned
    out = np.asarray(jax.jit(jax.vmap(pick, in_axes=(0, None)))(mixed, jnp.float32(1.0)))
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
