"""Your own 2-D classification data: CSV text parsed (never evaluated) into a :class:`Dataset`.

Each line holds ``x, y, label``, separated by commas, semicolons, tabs or spaces; a first line
that is not numeric is a header, and blank lines and lines starting with ``#`` are skipped.
Labels may be integers or words; sorted, they become classes 0…k−1.

>>> points = parse_points("x,y,class\\n0,0,a\\n1,1,b\\n0,1,a\\n1,0,b")
>>> points.class_names, points.x.shape
(('a', 'b'), (4, 2))
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import numpy as np

from .datasets import Dataset

MAX_POINTS = 20_000
MAX_CLASSES = 8
MIN_PER_CLASS = 2
"""Each class needs a point in the training half and one in the test half (at best)."""
_SEPARATOR = re.compile(r"\s*[,;\t ]\s*")


@dataclass(frozen=True, eq=False)
class UserPoints:
    """Parsed points: (n, 2) float64 inputs, (n,) int32 classes and the class names.

    Equal (and hashed) by content, so a dataset built from them can be cached.
    """

    x: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...]
    digest: str = field(init=False)

    def __post_init__(self) -> None:
        h = hashlib.sha256(np.ascontiguousarray(self.x, np.float64).tobytes())
        h.update(np.ascontiguousarray(self.labels, np.int32).tobytes())
        h.update("\0".join(self.class_names).encode())
        object.__setattr__(self, "digest", h.hexdigest())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UserPoints) and other.digest == self.digest

    def __hash__(self) -> int:
        return hash(self.digest)

    @property
    def n_classes(self) -> int:
        """Number of classes k."""
        return len(self.class_names)

    @property
    def n_train(self) -> int:
        """Points in the training half (the larger half)."""
        return (len(self.labels) + 1) // 2


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def parse_points(text: str) -> UserPoints:
    """``x, y, label`` lines → :class:`UserPoints`; ``ValueError`` naming the first bad line."""
    rows: list[tuple[float, float, str]] = []
    lines = [(i, line.strip()) for i, line in enumerate(text.splitlines(), start=1)]
    lines = [(i, line) for i, line in lines if line and not line.startswith("#")]
    for k, (number, line) in enumerate(lines):
        fields = [f for f in _SEPARATOR.split(line) if f]
        coords = [_number(f) for f in fields[:2]]
        if k == 0 and (len(fields) != 3 or None in coords):
            continue  # a header
        if len(fields) != 3:
            raise ValueError(f"line {number}: expected x, y, label; got {len(fields)} fields")
        x, y = coords
        if x is None or y is None or not (np.isfinite(x) and np.isfinite(y)):
            raise ValueError(f"line {number}: x and y must be finite numbers, got {line!r}")
        rows.append((x, y, fields[2]))
        if len(rows) > MAX_POINTS:
            raise ValueError(f"points: at most {MAX_POINTS:,}")
    if not rows:
        raise ValueError("points: none found (one x, y, label per line)")
    raw = [r[2] for r in rows]
    numeric = [_number(label) for label in raw]
    if all(v is not None and float(v).is_integer() for v in numeric):
        values = sorted({int(v) for v in numeric if v is not None})
        names = tuple(str(v) for v in values)
        keys = [str(int(v)) for v in numeric if v is not None]
    else:
        names, keys = tuple(sorted(set(raw))), raw
    if not 2 <= len(names) <= MAX_CLASSES:
        raise ValueError(f"labels: need 2 to {MAX_CLASSES} classes, got {len(names)}")
    index = {name: i for i, name in enumerate(names)}
    labels = np.array([index[k] for k in keys], np.int32)
    counts = np.bincount(labels, minlength=len(names))
    if counts.min() < MIN_PER_CLASS:
        thin = names[int(np.argmin(counts))]
        raise ValueError(
            f"labels: class {thin!r} has {counts.min()} point; each class needs {MIN_PER_CLASS}"
        )
    x = np.array([(r[0], r[1]) for r in rows], np.float64)
    return UserPoints(x, labels, names)


def user_dataset(points: UserPoints, *, seed: int = 0) -> Dataset:
    """The points shuffled by ``seed`` and split in half (train gets the odd one), standardised
    with the training half's mean and standard deviation, as the generated datasets are."""
    order = np.random.default_rng(seed).permutation(len(points.labels))
    x, y = points.x[order], points.labels[order]
    n_train = points.n_train
    mean, std = x[:n_train].mean(0), x[:n_train].std(0)
    std = np.where(std > 0, std, 1.0)
    x = ((x - mean) / std).astype(np.float32)
    return Dataset(
        x_train=x[:n_train], y_train=y[:n_train], x_test=x[n_train:], y_test=y[n_train:],
        task="classification", n_classes=points.n_classes, name="your data", input_dim=2,
        x_mean=mean.astype(np.float32), x_std=std.astype(np.float32),
    )  # fmt: skip
