"""The pieces of the small-nets world: datasets, the MLP, Sophia's Hessian estimates."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.flatten_util import ravel_pytree

from rlx_lab.nets import datasets, hessian, mlp


@pytest.mark.parametrize("name", datasets.names())
def test_datasets_are_deterministic_per_seed_and_well_shaped(name: str) -> None:
    data = datasets.make(name, n_train=200, n_test=100, seed=4)
    again = datasets.make(name, n_train=200, n_test=100, seed=4)
    other = datasets.make(name, n_train=200, n_test=100, seed=5)
    for a, b, c in zip(data[:4], again[:4], other[:4], strict=True):
        np.testing.assert_array_equal(a, b)
        assert a.shape == c.shape and not np.array_equal(a, c)
    assert data.x_train.shape == (200, data.input_dim) and data.x_test.shape == (
        100,
        data.input_dim,
    )
    assert data.x_train.dtype == np.float32
    assert data.input_dim == (64 if name == "glyphs" else 1 if name == "sine" else 2)
    np.testing.assert_allclose(data.x_train.mean(0), 0.0, atol=1e-5)
    if data.task == "classification":
        assert data.y_train.dtype == np.int32 and data.y_train.shape == (200,)
        assert set(np.unique(data.y_train)) == set(range(data.n_classes))
        assert data.output_dim == data.n_classes
    else:
        assert data.y_train.dtype == np.float32 and data.y_train.shape == (200, 1)
        assert data.output_dim == 1


def test_glyph_and_blob_class_counts_are_adjustable() -> None:
    assert datasets.make("glyphs", classes=4).n_classes == 4
    assert set(np.unique(datasets.make("blobs", classes=6).y_train)) == set(range(6))
    with pytest.raises(ValueError, match="classes"):
        datasets.make("two_moons", classes=3)
    with pytest.raises(ValueError, match="unknown name"):
        datasets.make("mnist")


def test_hold_out_moves_the_end_of_the_training_set_into_the_test_fields() -> None:
    data = datasets.make("sine", n_train=10, n_test=7, seed=3)
    held = datasets.hold_out(data, 0.25)
    assert len(held.x_train) == 8 and len(held.x_test) == 2  # round(2.5) = 2
    assert np.array_equal(np.concatenate([held.x_train, held.x_test]), data.x_train)
    assert np.array_equal(np.concatenate([held.y_train, held.y_test]), data.y_train)
    assert np.array_equal(held.x_mean, data.x_mean) and held.task == "regression"
    assert len(datasets.hold_out(data, 0.999).x_train) == 1  # one point stays on each side
    assert len(datasets.hold_out(data, 0.001).x_test) == 1
    for fraction in (0.0, 1.0, float("nan")):
        with pytest.raises(ValueError, match="fraction"):
            datasets.hold_out(data, fraction)
    with pytest.raises(ValueError, match="at least 2"):
        datasets.hold_out(datasets.make("sine", n_train=1, n_test=1), 0.5)


def test_mlp_params_are_named_matrices_and_vectors() -> None:
    model = mlp.MLP((64, 32, 16, 10), "gelu")
    params = mlp.init(model, 0)
    assert model.tensor_names() == ("w0", "b0", "w1", "b1", "w2", "b2")
    assert {k: v.shape for k, v in params.items()} == {
        "w0": (64, 32),
        "b0": (32,),
        "w1": (32, 16),
        "b1": (16,),
        "w2": (16, 10),
        "b2": (10,),
    }
    jax.tree.map(np.testing.assert_array_equal, params, mlp.init(model, 0))
    assert not np.array_equal(params["w0"], mlp.init(model, 1)["w0"])
    data = datasets.make("glyphs")
    loss = mlp.loss(model, params, data.x_train, data.y_train)
    assert np.isfinite(loss) and 0.0 <= mlp.accuracy(model, params, data.x_train, data.y_train) <= 1
    with pytest.raises(ValueError, match="activation"):
        mlp.MLP((2, 2), "swish").validate()  # type: ignore[arg-type]


def test_hutchinson_mean_approaches_the_exact_hessian_diagonal() -> None:
    r"""ĥ_i = mean_k u_ki (Hu_k)_i is unbiased with variance Σ_{j≠i} H_ij² / n (Rademacher
    u): with n = 4096 probes each coordinate must lie within 5 σ_i of H_ii, and the whole
    estimate within twice its expected relative error — a few percent for this net."""
    data = datasets.make("two_moons", n_train=64, n_test=8, seed=0)
    model = mlp.MLP((2, 4, 2), "tanh")
    params = mlp.init(model, 0)

    def loss(p: dict) -> jax.Array:
        return mlp.loss(model, p, jnp.asarray(data.x_train), jnp.asarray(data.y_train))

    flat, unravel = ravel_pytree(params)
    full = np.asarray(jax.hessian(lambda v: loss(unravel(v)))(flat), np.float64)
    exact = np.diag(full)
    np.testing.assert_allclose(
        ravel_pytree(hessian.exact_diagonal(loss, params))[0], exact, rtol=1e-5, atol=1e-7
    )
    probes = 4096
    estimate = jax.jit(lambda p, k: hessian.hutchinson(loss, p, k, probes))(
        params, jax.random.PRNGKey(0)
    )
    got = np.asarray(ravel_pytree(estimate)[0], np.float64)
    sigma = np.sqrt((np.sum(full**2, axis=1) - exact**2) / probes)
    assert np.all(np.abs(got - exact) <= 5 * sigma + 1e-7)
    expected = np.sqrt(np.sum(sigma**2)) / np.linalg.norm(exact)
    assert expected < 0.1
    assert np.linalg.norm(got - exact) / np.linalg.norm(exact) <= 2 * expected


def test_gauss_newton_is_the_squared_gradient_and_estimators_switch_by_index() -> None:
    params = {"w0": jnp.ones((2, 3)), "b0": jnp.zeros((3,))}
    grads = {"w0": jnp.full((2, 3), -2.0), "b0": jnp.arange(3.0)}

    def loss(p: dict) -> jax.Array:
        return jnp.sum(p["w0"] ** 4) + jnp.sum(p["b0"] ** 2)

    gn = hessian.estimate(
        jnp.int32(hessian.estimator_index("gauss_newton")),
        loss,
        params,
        grads,
        jax.random.PRNGKey(0),
        1,
    )
    jax.tree.map(np.testing.assert_allclose, gn, jax.tree.map(jnp.square, grads))
    # A separable loss has a diagonal Hessian: one Hutchinson probe is already exact.
    hut = hessian.estimate(
        jnp.int32(hessian.estimator_index("hutchinson")),
        loss,
        params,
        grads,
        jax.random.PRNGKey(0),
        1,
    )
    np.testing.assert_allclose(hut["w0"], 12.0)
    np.testing.assert_allclose(hut["b0"], 2.0)
    with pytest.raises(ValueError, match="estimator"):
        hessian.estimator_index("exact")
