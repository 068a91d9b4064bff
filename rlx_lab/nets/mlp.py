r"""Multi-layer perceptrons in plain JAX, with params the optimizers can tell apart.

Params are a dict of named tensors: 2-D weights ``"w0", "w1", …`` of shape (in, out) — these
take the matrix paths of Adafactor, SOAP, Kron-PSGD and Muon — and 1-D biases ``"b0", …``,
which take their vector fallbacks.

.. math::
    h_0 = x,\quad h_{l+1} = \sigma(h_l W_l + b_l)\ (l < L-1),\quad
    f(x) = h_{L-1} W_{L-1} + b_{L-1}

Loss: mean softmax cross-entropy :math:`-\frac1n\sum_i \log\operatorname{softmax}(f(x_i))_{y_i}`
for classification, mean squared error :math:`\frac1n\sum_i \lVert f(x_i) - y_i\rVert^2` for
regression.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Literal, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .datasets import Dataset, Task

Params = dict[str, jax.Array]
Activation = Literal["relu", "tanh", "gelu"]

ACTIVATIONS: Mapping[str, Callable[[jax.Array], jax.Array]] = MappingProxyType(
    {
        "relu": jax.nn.relu,
        "tanh": jnp.tanh,
        "gelu": jax.nn.gelu,
    }
)


class MLP(NamedTuple):
    """The architecture (hashable, so it can key a compiled program)."""

    sizes: tuple[int, ...]
    """Layer widths from input to output, e.g. (2, 32, 32, 2)."""
    activation: Activation = "relu"
    task: Task = "classification"

    @property
    def depth(self) -> int:
        """Number of weight matrices."""
        return len(self.sizes) - 1

    def tensor_names(self) -> tuple[str, ...]:
        """Param names in layer order: w0, b0, w1, b1, …"""
        return tuple(f"{kind}{i}" for i in range(self.depth) for kind in ("w", "b"))

    def validate(self) -> MLP:
        """Raise ``ValueError`` for a bad architecture; return self."""
        if len(self.sizes) < 2 or any(not isinstance(s, int) or s < 1 for s in self.sizes):
            raise ValueError(f"sizes: need ≥ 2 positive integer widths, got {self.sizes!r}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(
                f"activation: expected one of {tuple(ACTIVATIONS)}, got {self.activation!r}"
            )
        if self.task not in ("classification", "regression"):
            raise ValueError(f"task: expected classification or regression, got {self.task!r}")
        return self


def for_dataset(
    data: Dataset, hidden: tuple[int, ...] = (32, 32), activation: Activation = "relu"
) -> MLP:
    """The MLP input_dim → hidden… → output_dim for ``data``."""
    sizes = (data.input_dim, *hidden, data.output_dim)
    return MLP(tuple(int(s) for s in sizes), activation, data.task).validate()


def init(model: MLP, seed: int) -> Params:
    r"""Seeded initial params: :math:`W_l \sim \mathcal N(0, g^2/\text{fan\_in})`, b = 0.

    g² = 2 for ReLU/GELU (He) and 1 for tanh (LeCun/Glorot-like); the output layer uses g² = 1.
    Drawn with numpy, so the same seed gives the same params on every backend.
    """
    model.validate()
    rng = np.random.default_rng(seed)
    gain = 1.0 if model.activation == "tanh" else 2.0
    params: Params = {}
    for i, (fan_in, fan_out) in enumerate(zip(model.sizes[:-1], model.sizes[1:], strict=True)):
        g2 = 1.0 if i == model.depth - 1 else gain
        w = rng.standard_normal((fan_in, fan_out)) * np.sqrt(g2 / fan_in)
        params[f"w{i}"] = jnp.asarray(w, jnp.float32)
        params[f"b{i}"] = jnp.zeros((fan_out,), jnp.float32)
    return params


def apply(model: MLP, params: Params, x: jax.Array) -> jax.Array:
    """Logits (classification) or predictions (regression), shape (n, sizes[-1])."""
    act = ACTIVATIONS[model.activation]
    h = x
    for i in range(model.depth):
        h = h @ params[f"w{i}"] + params[f"b{i}"][None, :]
        if i < model.depth - 1:
            h = act(h)
    return h


def _loss_of(model: MLP, out: jax.Array, y: jax.Array) -> jax.Array:
    if model.task == "classification":
        logp = jax.nn.log_softmax(out)
        return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))
    return jnp.mean(jnp.sum(jnp.square(out - y), axis=1))


def _accuracy_of(model: MLP, out: jax.Array, y: jax.Array) -> jax.Array:
    if model.task == "classification":
        return jnp.mean((jnp.argmax(out, axis=1) == y).astype(jnp.float32))
    residual = jnp.mean(jnp.sum(jnp.square(out - y), axis=1))
    spread = jnp.mean(jnp.sum(jnp.square(y - jnp.mean(y, axis=0, keepdims=True)), axis=1))
    return 1.0 - residual / jnp.maximum(spread, 1e-12)


def loss(model: MLP, params: Params, x: jax.Array, y: jax.Array) -> jax.Array:
    """Mean cross-entropy (integer labels ``y``) or mean squared error (targets ``y``)."""
    return _loss_of(model, apply(model, params, x), y)


def accuracy(model: MLP, params: Params, x: jax.Array, y: jax.Array) -> jax.Array:
    """Fraction of correct argmax predictions; for regression, R² = 1 − MSE/Var(y)."""
    return _accuracy_of(model, apply(model, params, x), y)


def evaluate(model: MLP, params: Params, x: jax.Array, y: jax.Array) -> tuple[jax.Array, jax.Array]:
    """(loss, accuracy) from one forward pass."""
    out = apply(model, params, x)
    return _loss_of(model, out, y), _accuracy_of(model, out, y)


def probabilities(model: MLP, params: Params, x: jax.Array) -> jax.Array:
    """Class probabilities (classification) or predictions (regression), shape (n, out)."""
    out = apply(model, params, x)
    return jax.nn.softmax(out) if model.task == "classification" else out
