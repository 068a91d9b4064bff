"""Marks drawn on a picture, in pixels: paths, dots, crosses, rings, stars, arrows, frames.

Each takes a Pillow ``ImageDraw`` and draws one thing; colours are ``"#rrggbb"`` strings from
:mod:`rlx_lab_app.state.palette` or Pillow colour names.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import ImageDraw

from rlx_lab_app.views.render.plane import Size

Draw = ImageDraw.ImageDraw


def path(draw: Draw, pixels: np.ndarray, color: str, width: int) -> None:
    """A polyline through (m, 2) ``pixels`` (nothing for fewer than two)."""
    if len(pixels) > 1:
        draw.line([tuple(p) for p in pixels], fill=color, width=width, joint="curve")


def dot(draw: Draw, x: float, y: float, color: str, radius: float, outline: int = 1) -> None:
    """A filled disc with a white rim ``outline`` pixels wide."""
    draw.ellipse(
        [x - radius, y - radius, x + radius, y + radius], fill=color, outline="white", width=outline
    )


def cross(draw: Draw, x: float, y: float, color: str, size: Size, arm: float = 7.0) -> None:
    """A ✕ (a diverged run), pulled inside a ``size`` picture so it stays seen."""
    x = min(max(x, arm + 1), size[0] - arm - 2)
    y = min(max(y, arm + 1), size[1] - arm - 2)
    for sign in (-1, 1):
        draw.line([(x - arm, y - arm * sign), (x + arm, y + arm * sign)], fill=color, width=4)


def ring(draw: Draw, x: float, y: float, radius: float, color: str = "black") -> None:
    """A circle two pixels thick (a start)."""
    draw.ellipse([x - radius, y - radius, x + radius, y + radius], outline=color, width=2)


def star(draw: Draw, x: float, y: float, radius: float = 8.0) -> None:
    """A white five-pointed star with a black outline (a global minimum)."""
    angles = np.pi / 2 + np.arange(10) * np.pi / 5
    radii = np.where(np.arange(10) % 2 == 0, radius, radius * 0.45)
    points = [(x + r * np.cos(a), y - r * np.sin(a)) for r, a in zip(radii, angles, strict=True)]
    draw.polygon(points, fill="white", outline="black", width=1)


def arrow(draw: Draw, start: np.ndarray, end: np.ndarray, color: str, dashed: bool) -> None:
    """A line from ``start`` to ``end`` (dashed or solid) with a filled head at ``end``."""
    direction = (end - start) / max(float(np.hypot(*(end - start))), 1e-9)
    if dashed:
        for a in np.arange(0.0, 1.0, 0.2):
            p, q = start + (end - start) * a, start + (end - start) * min(a + 0.12, 1.0)
            draw.line([tuple(p), tuple(q)], fill=color, width=2)
    else:
        draw.line([tuple(start), tuple(end)], fill=color, width=3)
    back, side = end - 9 * direction, 5 * np.array([-direction[1], direction[0]])
    draw.polygon([tuple(end), tuple(back + side), tuple(back - side)], fill=color)


def pointer(
    draw: Draw, origin: np.ndarray, vector: np.ndarray, reach: float, color: str, dashed: bool
) -> None:
    """An :func:`arrow` ``reach`` pixels long from ``origin`` along ``vector`` (pixels); none
    where ``vector`` has no direction."""
    norm = float(np.hypot(*vector))
    if np.isfinite(norm) and norm > 0:
        arrow(draw, origin, origin + vector / norm * reach, color, dashed)


def frame(draw: Draw, size: Size, color: str = "#999999") -> None:
    """A one-pixel border round a ``size`` picture."""
    draw.rectangle([0, 0, size[0] - 1, size[1] - 1], outline=color)


def dots(
    draw: Draw, pixels: np.ndarray, colors: Sequence[str], radius: float, outline: int = 1
) -> None:
    """A :func:`dot` at each of the (n, 2) ``pixels``, in its own colour."""
    for (x, y), color in zip(pixels, colors, strict=True):
        dot(draw, float(x), float(y), color, radius, outline)
