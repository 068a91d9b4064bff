"""Grids of numbers → images, north up: the heat map with its contour lines, and colour codes.

A grid's rows run along y upwards (as a loss is sampled); an image's run downwards. Each grid
is flipped and scaled to the picture's size bilinearly.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from rlx_lab_app.state.palette import CONTOUR, HEAT, ramp, rgb
from rlx_lab_app.state.surfaces.surface_source import contour_levels
from rlx_lab_app.views.render.plane import Size


def table(colors: list[str] | tuple[str, ...]) -> np.ndarray:
    """(n, 3) uint8 red, green and blue of ``colors`` (index it with colour codes)."""
    return np.array([rgb(c) for c in colors], np.uint8)


def north_up(grid: np.ndarray, size: Size) -> Image.Image:
    """A (rows, columns) float grid or (rows, columns, 3) uint8 colour grid whose rows run up
    the y axis → an image of ``size``, north up, scaled bilinearly."""
    return Image.fromarray(grid[::-1]).resize(size, Image.Resampling.BILINEAR)


def codes(grid: np.ndarray, colors: list[str] | tuple[str, ...], size: Size) -> Image.Image:
    """A grid of colour codes (indices into ``colors``) as an image of ``size``, north up."""
    return north_up(table(colors)[grid], size)


def heat(values: np.ndarray, size: Size) -> Image.Image:
    """The app's heat map of ``values``: the :data:`~rlx_lab_app.state.palette.HEAT` ramp over
    their 1st–99th percentile, contour lines at the heat map's levels (drawn where the colour
    band changes, mixed 45 % with :data:`~rlx_lab_app.state.palette.CONTOUR`), white where a
    value is not finite."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return Image.new("RGB", size, "white")
    low, high = float(np.percentile(finite, 1)), float(np.percentile(finite, 99))
    filled = np.where(np.isfinite(values), values, high).astype(np.float32)
    fine = np.asarray(north_up(filled, size), np.float64)
    ramp_rgb = table(ramp(HEAT))
    scaled = np.clip((fine - low) / max(high - low, 1e-12), 0.0, 1.0)
    out = ramp_rgb[np.round(scaled * (len(ramp_rgb) - 1)).astype(int)]
    levels = contour_levels(filled)
    if levels:
        band = np.digitize(fine, levels)
        edge = np.zeros(band.shape, bool)
        edge[:, 1:] |= band[:, 1:] != band[:, :-1]
        edge[1:, :] |= band[1:, :] != band[:-1, :]
        out = np.where(edge[..., None], (0.55 * out + 0.45 * np.array(rgb(CONTOUR))), out)
    if not np.all(np.isfinite(values)):
        holes = (~np.isfinite(values[::-1])).astype(np.uint8) * 255
        out = np.where(np.asarray(Image.fromarray(holes).resize(size), bool)[..., None], 255, out)
    return Image.fromarray(out.astype(np.uint8), "RGB")


def fade(image: Image.Image, amount: float = 0.6) -> Image.Image:
    """``image`` mixed ``amount`` of the way to white (nothing to show on it)."""
    return Image.blend(image, Image.new("RGB", image.size, "white"), amount)
