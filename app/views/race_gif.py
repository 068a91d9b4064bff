"""An animated GIF of the race, for slides: the surface with its contour lines, every path
growing up to its head, the step reached and a legend — drawn on the server with Pillow, so
it needs no browser and looks the same from the app, a notebook or a script.

The colours are the app's: the heat map's blue-to-white ramp (:data:`heat_map.HEAT`) over the
same log-loss values, contour lines at the same levels, each optimizer in its race colour.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from rlx_lab import optim
from rlx_lab.engine import Trajectory
from rlx_lab.surfaces import Surface

from ..state import RaceModel
from ..state.palette import color
from ..state.surface_source import contour_levels, display_values, surface_grid
from .heat_map import HEAT, palette
from .sources import last_valid

FRAMES = 60
"""Frames of a race GIF (evenly spaced steps, the start and the last step included)."""
FPS = 15
HOLD_MS = 2000
"""How long the last frame stays before the GIF loops."""
PLOT = (520, 440)
"""Width and height of the surface in the GIF (pixels)."""
TOP, BOTTOM, SIDE = 30, 26, 8
"""Margins: the title line, the legend line, the sides."""
CONTOUR = (77, 93, 109)


@dataclass(frozen=True)
class Racer:
    """One optimizer's run as the GIF draws it."""

    title: str
    color: str
    trajectory: Trajectory


def race_gif(model: RaceModel, frames: int = FRAMES, fps: int = FPS) -> bytes:
    """The race on screen (its surface, colours and results) as an animated GIF."""
    racers = [
        Racer(optim.get(name).title, color(model.colors.get(name, 0)), model.results[name])
        for name in model.optimizers
        if name in model.results
    ]
    surface = model.shown_surface or model.current_surface
    return render_gif(surface, dict(model.shown_params), racers, frames, fps, model.log_color)


def render_gif(
    surface: Surface,
    surface_params: Mapping[str, float],
    racers: Sequence[Racer],
    frames: int = FRAMES,
    fps: int = FPS,
    log_color: bool = True,
) -> bytes:
    """``racers`` on ``surface`` as a looping GIF of about ``frames`` frames at ``fps``."""
    if not racers:
        raise ValueError("racers: nothing to animate (no optimizer has a result)")
    if not (isinstance(frames, int) and 2 <= frames <= 500):
        raise ValueError(f"frames: expected an integer in [2, 500], got {frames!r}")
    if not (isinstance(fps, int) and 1 <= fps <= 50):
        raise ValueError(f"fps: expected an integer in [1, 50], got {fps!r}")
    background = heat_image(surface, surface_params, log_color)
    steps = max(r.trajectory.steps for r in racers)
    shown = np.unique(np.round(np.linspace(0, steps, frames)).astype(int))
    font = _font(13)
    frames_rgb = [_frame(background, surface, racers, int(step), steps, font) for step in shown]
    # one palette for all, from the last frame (every path drawn): no flicker, one quantization
    shared = frames_rgb[-1].quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    images = [f.quantize(palette=shared, dither=Image.Dither.NONE) for f in frames_rgb]
    durations = [round(1000 / fps)] * (len(images) - 1) + [HOLD_MS]
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


def heat_image(
    surface: Surface, surface_params: Mapping[str, float], log_color: bool = True
) -> Image.Image:
    """The surface's heat map with contour lines, :data:`PLOT` pixels, north up."""
    _, _, z = surface_grid(surface, surface_params)
    values, _ = display_values(z, log_color)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return Image.new("RGB", PLOT, "white")
    low, high = float(np.percentile(finite, 1)), float(np.percentile(finite, 99))
    filled = np.where(np.isfinite(values), values, high).astype(np.float32)
    # rows of the grid run along y upwards; an image's run downwards
    fine = np.asarray(
        Image.fromarray(filled[::-1]).resize(PLOT, Image.Resampling.BILINEAR), np.float64
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
        hole = np.asarray(
            Image.fromarray((~np.isfinite(values[::-1])).astype(np.uint8) * 255).resize(PLOT),
            bool,
        )
        rgb = np.where(hole[..., None], 255, rgb)
    return Image.fromarray(rgb.astype(np.uint8), "RGB")


def to_pixels(surface: Surface, points: np.ndarray) -> np.ndarray:
    """(…, 2) points of the window → (…, 2) pixels of the plot image (x right, y down)."""
    (x0, x1), (y0, y1) = surface.window
    width, height = PLOT
    px = (points[..., 0] - x0) / (x1 - x0) * (width - 1)
    py = (1.0 - (points[..., 1] - y0) / (y1 - y0)) * (height - 1)
    return np.stack([px, py], axis=-1)


def _frame(
    background: Image.Image,
    surface: Surface,
    racers: Sequence[Racer],
    step: int,
    steps: int,
    font: ImageFont.ImageFont | ImageFont.FreeTypeFont,
) -> Image.Image:
    plot = background.copy()
    draw = ImageDraw.Draw(plot)
    width, height = PLOT
    for x, y in to_pixels(surface, np.asarray(surface.minima, np.float64).reshape(-1, 2)):
        _star(draw, x, y)
    starts = to_pixels(surface, racers[0].trajectory.starts.astype(np.float64))
    for k, (x, y) in enumerate(starts):
        r = 7 if k == 0 else 4
        draw.ellipse([x - r, y - r, x + r, y + r], outline="black", width=2)
    heads: list[tuple[tuple[float, float], str, bool]] = []
    for racer in racers:
        trajectory = racer.trajectory
        pixels = to_pixels(surface, trajectory.positions.astype(np.float64))
        last = last_valid(trajectory)
        for n in range(pixels.shape[0]):
            m = min(step, int(last[n]))
            path = [tuple(p) for p in pixels[n, : m + 1]]
            if len(path) > 1:
                draw.line(path, fill=racer.color, width=3 if n == 0 else 2, joint="curve")
            diverged = 0 <= trajectory.diverged_at[n] <= step
            heads.append((path[-1], racer.color, diverged))
    for (x, y), fill, diverged in heads:  # heads over every path
        if diverged:  # its ✕ pulled inside the plot, as in the app
            x, y = min(max(x, 8.0), width - 9.0), min(max(y, 8.0), height - 9.0)
            for sign in (-1, 1):
                draw.line([(x - 7, y - 7 * sign), (x + 7, y + 7 * sign)], fill=fill, width=4)
        else:
            draw.ellipse([x - 6, y - 6, x + 6, y + 6], fill=fill, outline="white", width=2)
    canvas = Image.new("RGB", (width + 2 * SIDE, height + TOP + BOTTOM), "white")
    canvas.paste(plot, (SIDE, TOP))
    text = ImageDraw.Draw(canvas)
    text.text((SIDE, 7), f"{surface.title} · step {step} of {steps}", fill="black", font=font)
    x = SIDE
    for racer in racers:
        text.rectangle([x, height + TOP + 8, x + 11, height + TOP + 19], fill=racer.color)
        text.text((x + 15, height + TOP + 6), racer.title, fill="black", font=font)
        x += 30 + round(text.textlength(racer.title, font=font))
    return canvas


def _star(draw: ImageDraw.ImageDraw, x: float, y: float, radius: float = 8.0) -> None:
    """A white five-pointed star with a black outline (a global minimum)."""
    angles = np.pi / 2 + np.arange(10) * np.pi / 5
    radii = np.where(np.arange(10) % 2 == 0, radius, radius * 0.45)
    points = [(x + r * np.cos(a), y - r * np.sin(a)) for r, a in zip(radii, angles, strict=True)]
    draw.polygon(points, fill="white", outline="black", width=1)


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """Pillow's bundled font at ``size`` (its bitmap font where FreeType is missing)."""
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):
        return ImageFont.load_default()
