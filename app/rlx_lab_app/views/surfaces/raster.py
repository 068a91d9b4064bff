"""Pillow drawings of the surface lab, shared by the race GIF and the optimizer gallery.

The colours are the app's: the heat map's blue-to-white ramp (:data:`heat_map.HEAT`) over the
same log-loss values, contour lines at the same levels (as lines between colour bands), a
white star per global minimum, a ring per start, each run in its race colour with its head
(or its ✕, pulled inside the picture, where it diverged).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from rlx_lab.engine import Trajectory
from rlx_lab.surfaces import Surface
from rlx_lab_app.state.surfaces.surface_source import contour_levels, display_values, surface_grid
from rlx_lab_app.views.heat_map import HEAT, palette
from rlx_lab_app.views.surfaces.sources import last_valid

Size = tuple[int, int]
Font = ImageFont.ImageFont | ImageFont.FreeTypeFont
CONTOUR = (77, 93, 109)
"""The app's contour-line colour."""


class Head(NamedTuple):
    """Where a run is at a step, in pixels, and whether it has diverged by then."""

    x: float
    y: float
    color: str
    diverged: bool


def heat_image(
    surface: Surface, surface_params: Mapping[str, float], size: Size, log_color: bool = True
) -> Image.Image:
    """The surface's heat map with contour lines, ``size`` pixels, north up."""
    _, _, z = surface_grid(surface, surface_params)
    values, _ = display_values(z, log_color)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return Image.new("RGB", size, "white")
    low, high = float(np.percentile(finite, 1)), float(np.percentile(finite, 99))
    filled = np.where(np.isfinite(values), values, high).astype(np.float32)
    # rows of the grid run along y upwards; an image's run downwards
    fine = np.asarray(
        Image.fromarray(filled[::-1]).resize(size, Image.Resampling.BILINEAR), np.float64
    )
    ramp = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in palette(HEAT)], np.uint8)
    scaled = np.clip((fine - low) / max(high - low, 1e-12), 0.0, 1.0)
    rgb = ramp[np.round(scaled * (len(ramp) - 1)).astype(int)]
    levels = contour_levels(filled)
    if levels:
        band = np.digitize(fine, levels)
        edge = np.zeros(band.shape, bool)
        edge[:, 1:] |= band[:, 1:] != band[:, :-1]
        edge[1:, :] |= band[1:, :] != band[:-1, :]
        rgb = np.where(edge[..., None], (0.55 * rgb + 0.45 * np.array(CONTOUR)), rgb)
    if not np.all(np.isfinite(values)):  # where the loss is not finite: white, as in the app
        holes = (~np.isfinite(values[::-1])).astype(np.uint8) * 255
        rgb = np.where(np.asarray(Image.fromarray(holes).resize(size), bool)[..., None], 255, rgb)
    return Image.fromarray(rgb.astype(np.uint8), "RGB")


def to_pixels(surface: Surface, points: np.ndarray, size: Size) -> np.ndarray:
    """(…, 2) points of the window → (…, 2) pixels of a ``size`` image (x right, y down)."""
    (x0, _), (_, y1) = surface.window
    sx, sy = _pixel_scale(surface, size)
    return np.stack([(points[..., 0] - x0) * sx, (y1 - points[..., 1]) * sy], axis=-1)


def draw_landmarks(
    draw: ImageDraw.ImageDraw, surface: Surface, starts: np.ndarray, size: Size
) -> None:
    """A star at every global minimum and a ring at every start (the first one larger)."""
    for x, y in to_pixels(surface, np.asarray(surface.minima, np.float64).reshape(-1, 2), size):
        star(draw, x, y)
    for k, (x, y) in enumerate(to_pixels(surface, starts.astype(np.float64), size)):
        r = 7 if k == 0 else 4
        draw.ellipse([x - r, y - r, x + r, y + r], outline="black", width=2)


def draw_paths(
    draw: ImageDraw.ImageDraw,
    surface: Surface,
    trajectory: Trajectory,
    step: int,
    color: str,
    size: Size,
) -> list[Head]:
    """Every start's path up to ``step`` (the first start thicker); return their heads."""
    pixels = to_pixels(surface, trajectory.positions.astype(np.float64), size)
    heads = []
    for n, last in enumerate(last_valid(trajectory)):
        m = min(step, int(last))
        path = [tuple(p) for p in pixels[n, : m + 1]]
        if len(path) > 1:
            draw.line(path, fill=color, width=3 if n == 0 else 2, joint="curve")
        heads.append(Head(*path[-1], color, bool(0 <= trajectory.diverged_at[n] <= step)))
    return heads


def draw_arrows(
    draw: ImageDraw.ImageDraw,
    surface: Surface,
    trajectory: Trajectory,
    step: int,
    color: str,
    size: Size,
    length: float = 0.1,
) -> None:
    """The app's playhead arrows at each start's point at ``step``: −g dashed, the step's
    direction solid, both ``length`` of the picture's mean side long (directions only)."""
    pixels = to_pixels(surface, trajectory.positions.astype(np.float64), size)
    grads = trajectory.grad_at_points()
    reach = length * (size[0] + size[1]) / 2
    for n, last in enumerate(last_valid(trajectory)):
        m = min(step, int(last))
        origin = pixels[n, m]
        # pixel y runs down: flip the gradient's y to draw −g
        minus_g = np.array([-grads[n, m, 0], grads[n, m, 1]], np.float64) * _pixel_scale(
            surface, size
        )
        vectors = [(minus_g, True)]
        if m < int(last):
            vectors.append((pixels[n, m + 1] - origin, False))
        for vector, dashed in vectors:
            norm = float(np.hypot(*vector))
            if not (np.isfinite(norm) and norm > 0):
                continue
            _arrow(draw, origin, origin + vector / norm * reach, color, dashed)


def _pixel_scale(surface: Surface, size: Size) -> np.ndarray:
    """Pixels per unit of x and of y."""
    (x0, x1), (y0, y1) = surface.window
    return np.array([(size[0] - 1) / (x1 - x0), (size[1] - 1) / (y1 - y0)])


def _arrow(
    draw: ImageDraw.ImageDraw, start: np.ndarray, end: np.ndarray, color: str, dashed: bool
) -> None:
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


def draw_heads(draw: ImageDraw.ImageDraw, heads: list[Head], size: Size) -> None:
    """Each head as a dot, or a ✕ pulled inside the picture where its run diverged."""
    width, height = size
    for x, y, color, diverged in heads:
        if diverged:
            x, y = min(max(x, 8.0), width - 9.0), min(max(y, 8.0), height - 9.0)
            for sign in (-1, 1):
                draw.line([(x - 7, y - 7 * sign), (x + 7, y + 7 * sign)], fill=color, width=4)
        else:
            draw.ellipse([x - 6, y - 6, x + 6, y + 6], fill=color, outline="white", width=2)


def star(draw: ImageDraw.ImageDraw, x: float, y: float, radius: float = 8.0) -> None:
    """A white five-pointed star with a black outline (a global minimum)."""
    angles = np.pi / 2 + np.arange(10) * np.pi / 5
    radii = np.where(np.arange(10) % 2 == 0, radius, radius * 0.45)
    points = [(x + r * np.cos(a), y - r * np.sin(a)) for r, a in zip(radii, angles, strict=True)]
    draw.polygon(points, fill="white", outline="black", width=1)


def font(size: int) -> Font:
    """Pillow's bundled font at ``size`` (its bitmap font where FreeType is missing)."""
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):
        return ImageFont.load_default()


def gif_bytes(frames: list[Image.Image], fps: int, hold_ms: int) -> bytes:
    """RGB ``frames`` as a looping GIF at ``fps``, the last held ``hold_ms``: one 255-colour
    palette for all, taken from the last frame (it holds every mark), so nothing flickers."""
    shared = frames[-1].quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    images = [f.quantize(palette=shared, dither=Image.Dither.NONE) for f in frames]
    durations = [round(1000 / fps)] * (len(images) - 1) + [hold_ms]
    buffer = io.BytesIO()
    images[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=durations,
        loop=0,
        disposal=1,
    )
    return buffer.getvalue()


def check_animation(frames: int, fps: int) -> None:
    """``ValueError`` naming a frame count or rate a GIF should not have."""
    if not (isinstance(frames, int) and 2 <= frames <= 500):
        raise ValueError(f"frames: expected an integer in [2, 500], got {frames!r}")
    if not (isinstance(fps, int) and 1 <= fps <= 50):
        raise ValueError(f"fps: expected an integer in [1, 50], got {fps!r}")
