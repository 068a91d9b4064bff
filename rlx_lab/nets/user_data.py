"""Your own 2-D classification data: CSV text parsed (never evaluated) into a :class:`Dataset`.

Each line holds ``x, y, label``, separated by commas, semicolons, tabs or spaces; a first line
whose x or y is not a number is a header, and blank lines and lines starting with ``#`` are
skipped. Lines end with ``\\n``, ``\\r\\n`` or ``\\r``. Labels may be integers or words; sorted,
they become classes 0…k−1.

Text over :data:`MAX_BYTES` or :data:`MAX_LINES` is refused (:class:`PointsTooLarge`) before
any of it is parsed: the check is a length and a count, so an oversized paste or upload costs
no memory and no time on the server.

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
SPARE_LINES = 1_000
"""Lines allowed beyond one per point: a header, comments, blank lines."""
MAX_LINES = MAX_POINTS + SPARE_LINES
BYTES_PER_LINE = 50
"""Room for a full-precision point: ``-0.12345678901234567,1.2345678901234567e-05,label``."""
MAX_BYTES = MAX_POINTS * BYTES_PER_LINE
"""1 MB: the largest text (or file) read, in bytes."""
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


class PointsTooLarge(ValueError):
    """The text is over :data:`MAX_BYTES` or :data:`MAX_LINES`; nothing of it was parsed."""


def _megabytes(n: int) -> str:
    """``15.7 MB``; ``1 MB`` for a whole number."""
    text = f"{n / 1e6:,.1f}"
    return f"{text.removesuffix('.0')} MB"


def _byte_count(data: str | bytes) -> int:
    """Bytes of ``data`` in UTF-8; a text with more characters than :data:`MAX_BYTES` is not
    encoded (it has at least as many bytes)."""
    if isinstance(data, bytes) or len(data) > MAX_BYTES:
        return len(data)
    return len(data.encode("utf-8", "surrogatepass"))


def _line_count(data: str | bytes) -> int:
    """Lines of ``data`` ending in ``\\n``, ``\\r\\n`` or ``\\r``, counted without splitting."""
    nl, cr, crlf = ("\n", "\r", "\r\n") if isinstance(data, str) else (b"\n", b"\r", b"\r\n")
    breaks = data.count(nl) + data.count(cr) - data.count(crlf)
    return breaks + (not data.endswith((nl, cr)))


def check_size(data: str | bytes) -> None:
    """Raise :class:`PointsTooLarge` when ``data`` is over :data:`MAX_BYTES` or
    :data:`MAX_LINES`; cheap (a length and a count), so it runs before any parsing."""
    size = _byte_count(data)
    if size > MAX_BYTES:
        shown = _megabytes(size)
        if shown == _megabytes(MAX_BYTES):  # just over, e.g. a paste cut by the text box
            shown = f"more than {shown}"
        raise PointsTooLarge(
            f"the points are {shown}; the limit is {_megabytes(MAX_BYTES)} ({MAX_POINTS:,} points)"
        )
    lines = _line_count(data)
    if lines > MAX_LINES:
        raise PointsTooLarge(
            f"the points are {lines:,} lines; the limit is {MAX_LINES:,} lines "
            f"({MAX_POINTS:,} points, plus a header, comments and blank lines)"
        )


def decode_points(data: bytes) -> str:
    """Uploaded bytes as text, after :func:`check_size` (undecodable bytes become ``�``)."""
    check_size(data)
    return data.decode("utf-8", "replace")


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _lines(text: str) -> list[tuple[int, str]]:
    """``(line number, stripped line)`` of the lines that are neither blank nor comments."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = ((i, line.strip()) for i, line in enumerate(text.split("\n"), start=1))
    return [(i, line) for i, line in lines if line and not line.startswith("#")]


def _fields(count: int) -> str:
    return f"{count} field{'s' * (count != 1)}"


def parse_points(text: str) -> UserPoints:
    """``x, y, label`` lines → :class:`UserPoints`; ``ValueError`` naming the first bad line
    (:class:`PointsTooLarge`, before any parsing, for text over the limits)."""
    check_size(text)
    lines = _lines(text)
    if lines:
        fields = [f for f in _SEPARATOR.split(lines[0][1]) if f]
        if None in [_number(f) for f in fields[:2]]:
            lines = lines[1:]  # a header: its x or y is not a number
    if len(lines) > MAX_POINTS:
        raise ValueError(f"points: {len(lines):,}; the limit is {MAX_POINTS:,}")
    rows: list[tuple[float, float, str]] = []
    for number, line in lines:
        fields = [f for f in _SEPARATOR.split(line) if f]
        if len(fields) != 3:
            raise ValueError(f"line {number}: expected x, y, label; got {_fields(len(fields))}")
        x, y = _number(fields[0]), _number(fields[1])
        if x is None or y is None or not (np.isfinite(x) and np.isfinite(y)):
            raise ValueError(f"line {number}: x and y must be finite numbers, got {line!r}")
        rows.append((x, y, fields[2]))
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
        x_train=x[:n_train],
        y_train=y[:n_train],
        x_test=x[n_train:],
        y_test=y[n_train:],
        task="classification",
        n_classes=points.n_classes,
        name="your data",
        input_dim=2,
        x_mean=mean.astype(np.float32),
        x_std=std.astype(np.float32),
    )
