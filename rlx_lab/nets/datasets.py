"""Toy datasets made with numpy from a seed: 2-D classification, 1-D regression, 8×8 glyphs.

Every generator returns a :class:`Dataset` with a train/test split drawn from the same
distribution. Inputs are standardised with the *training* mean and standard deviation (so one
learning rate suits every dataset); ``x_mean``/``x_std`` undo it. The same seed always gives
the same arrays, bit for bit.

>>> data = make("two_moons", seed=0)
>>> data.x_train.shape, data.y_train.dtype, data.n_classes
((512, 2), dtype('int32'), 2)
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import Literal, NamedTuple

import numpy as np

Task = Literal["classification", "regression"]


class Dataset(NamedTuple):
    """Train/test arrays plus what a model needs to know about them.

    ``y`` is int32 class labels (classification) or float32 ``(n, 1)`` targets (regression).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    task: Task
    n_classes: int
    """Number of classes; 1 output for regression."""
    name: str
    input_dim: int
    x_mean: np.ndarray
    x_std: np.ndarray

    @property
    def output_dim(self) -> int:
        """Width of the model's last layer: one logit per class, or one regression output."""
        return self.n_classes if self.task == "classification" else 1


Sampler = Callable[[np.random.Generator, int, float], tuple[np.ndarray, np.ndarray]]
"""(rng, n, noise) → (x (n, d) float, y (n,) labels or (n, 1) targets)."""


def _two_moons(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    y = rng.integers(0, 2, n)
    angle = rng.uniform(0.0, np.pi, n)
    upper = np.stack([np.cos(angle), np.sin(angle)], 1)
    lower = np.stack([1.0 - np.cos(angle), 0.5 - np.sin(angle)], 1)
    x = np.where(y[:, None] == 0, upper, lower)
    return x + noise * rng.standard_normal((n, 2)), y


def _circles(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    y = rng.integers(0, 2, n)
    angle = rng.uniform(0.0, 2 * np.pi, n)
    radius = np.where(y == 0, 1.0, 0.5)
    x = radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], 1)
    return x + noise * rng.standard_normal((n, 2)), y


def _spirals(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved arms: radius t/3π, angle t + π·y, t ∈ (0.4, 3π] (denser outwards)."""
    y = rng.integers(0, 2, n)
    t = np.sqrt(rng.uniform(0.02, 1.0, n)) * 3 * np.pi
    angle = t + np.pi * y
    x = (t / (3 * np.pi))[:, None] * np.stack([np.cos(angle), np.sin(angle)], 1)
    return x + noise * rng.standard_normal((n, 2)), y


def _xor(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    x = rng.uniform(-1.0, 1.0, (n, 2))
    y = (x[:, 0] * x[:, 1] < 0).astype(np.int64)
    return x + noise * rng.standard_normal((n, 2)), y


def _blobs(k: int) -> Sampler:
    def sample(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
        # Centres on a circle so every k gives well-spread, seed-independent blobs.
        angles = 2 * np.pi * np.arange(k) / k
        centres = 2.0 * np.stack([np.cos(angles), np.sin(angles)], 1)
        y = rng.integers(0, k, n)
        return centres[y] + (0.3 + noise) * rng.standard_normal((n, 2)), y

    return sample


def _sine(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """y = sin(x) + noise on x ∈ [−π, π] (regression)."""
    x = rng.uniform(-np.pi, np.pi, (n, 1))
    return x, np.sin(x) + noise * rng.standard_normal((n, 1))


# --- 8×8 glyphs: the one task with a wide first layer (64 inputs) ---------------------------


def glyph_templates() -> np.ndarray:
    """(10, 8, 8) clean 0/1 strokes: bars, diagonals, box, plus, X, ring, L, T."""
    g = np.zeros((10, 8, 8))
    g[0, 3:5, 1:7] = 1  # horizontal bar
    g[1, 1:7, 3:5] = 1  # vertical bar
    g[2][np.arange(1, 7), np.arange(1, 7)] = 1  # diagonal
    g[3][np.arange(1, 7), np.arange(6, 0, -1)] = 1  # anti-diagonal
    g[4, 1:7, 1:7] = 1
    g[4, 2:6, 2:6] = 0  # box outline
    g[5, 3:5, 1:7] = g[5, 1:7, 3:5] = 1  # plus
    g[6] = g[2] + g[3]  # X
    yy, xx = np.mgrid[0:8, 0:8] - 3.5
    g[7] = (np.abs(np.hypot(yy, xx) - 2.5) < 0.75).astype(float)  # ring
    g[8, 1:7, 1:3] = 1
    g[8, 5:7, 1:7] = 1  # L
    g[9, 1:3, 1:7] = 1
    g[9, 1:7, 3:5] = 1  # T
    return np.minimum(g, 1.0)


def _glyphs(k: int) -> Sampler:
    templates = glyph_templates()[:k]

    def sample(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
        y = rng.integers(0, k, n)
        shifts = rng.integers(-1, 2, (n, 2))
        images = np.stack(
            [np.roll(templates[c], tuple(s), axis=(0, 1)) for c, s in zip(y, shifts, strict=True)]
        )
        images = images * rng.uniform(0.6, 1.0, (n, 1, 1))
        images = images + noise * rng.standard_normal(images.shape)
        return images.reshape(n, 64), y

    return sample


class _Spec(NamedTuple):
    sampler: Sampler
    task: Task
    n_classes: int
    noise: float


DATASETS = MappingProxyType(
    {
        "two_moons": _Spec(_two_moons, "classification", 2, 0.1),
        "circles": _Spec(_circles, "classification", 2, 0.08),
        "spirals": _Spec(_spirals, "classification", 2, 0.03),
        "xor": _Spec(_xor, "classification", 2, 0.05),
        "blobs": _Spec(_blobs(4), "classification", 4, 0.2),
        "sine": _Spec(_sine, "regression", 1, 0.1),
        "glyphs": _Spec(_glyphs(10), "classification", 10, 0.3),
    }
)
"""name → (sampler, task, classes, default noise)."""


def title(name: str) -> str:
    """A dataset's name in words, for sentences: ``two_moons`` → ``two moons``."""
    return name.replace("_", " ")


def names() -> tuple[str, ...]:
    """The dataset names."""
    return tuple(DATASETS)


def make(
    name: str,
    *,
    n_train: int = 512,
    n_test: int = 512,
    noise: float | None = None,
    seed: int = 0,
    classes: int | None = None,
) -> Dataset:
    """The dataset ``name`` with ``n_train`` + ``n_test`` samples drawn from ``seed``.

    ``noise`` overrides the dataset's default noise level; ``classes`` picks k for ``blobs``
    (2–8) and ``glyphs`` (2–10).
    """
    if name not in DATASETS:
        raise ValueError(f"dataset: unknown name {name!r}; valid names are {names()}")
    spec = DATASETS[name]
    if classes is not None:
        limits = {"blobs": (2, 8), "glyphs": (2, 10)}
        if name not in limits or not limits[name][0] <= classes <= limits[name][1]:
            raise ValueError(f"classes: {name} takes no class count {classes!r}")
        sampler = _blobs(classes) if name == "blobs" else _glyphs(classes)
        spec = spec._replace(sampler=sampler, n_classes=classes)
    if n_train < 1 or n_test < 1:
        raise ValueError(f"n_train, n_test: need at least one sample each, got {n_train}, {n_test}")
    level = spec.noise if noise is None else float(noise)
    if not level >= 0:
        raise ValueError(f"noise: must be ≥ 0, got {noise}")
    x, y = spec.sampler(np.random.default_rng(seed), n_train + n_test, level)
    mean, std = x[:n_train].mean(0), x[:n_train].std(0)
    std = np.where(std > 0, std, 1.0)
    x = ((x - mean) / std).astype(np.float32)
    y = y.astype(np.int32) if spec.task == "classification" else y.astype(np.float32)
    return Dataset(
        x_train=x[:n_train],
        y_train=y[:n_train],
        x_test=x[n_train:],
        y_test=y[n_train:],
        task=spec.task,
        n_classes=spec.n_classes,
        name=name,
        input_dim=x.shape[1],
        x_mean=mean.astype(np.float32),
        x_std=std.astype(np.float32),
    )


def hold_out(data: Dataset, fraction: float = 0.25) -> Dataset:
    """``data`` with the last ``fraction`` of its training set moved into the test fields: a
    validation split for tuning, so that the real test set plays no part in a choice.

    The training part is the first ``n − k`` points, ``k = round(fraction · n)`` (at least one
    point each side). The samples are drawn independently, so the split is random. The
    standardisation (``x_mean``, ``x_std``) stays that of the whole training set.
    """
    if not 0 < fraction < 1:
        raise ValueError(f"fraction: expected a number in (0, 1), got {fraction!r}")
    n = len(data.x_train)
    if n < 2:
        raise ValueError(f"hold_out: {data.name} has {n} training point; need at least 2")
    kept = min(max(n - round(fraction * n), 1), n - 1)
    return data._replace(
        x_train=data.x_train[:kept],
        y_train=data.y_train[:kept],
        x_test=data.x_train[kept:],
        y_test=data.y_train[kept:],
    )
