"""An animated GIF of the race, for slides: the surface with its contour lines, every path
growing up to its head, the step reached and a legend — drawn on the server by the app's
renderer (:mod:`rlx_lab_app.views.render`, through :mod:`race_marks`), so it needs no browser
and looks the same from the app, a notebook or a script.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from rlx_lab import optim
from rlx_lab.cost import Cost, Term
from rlx_lab.engine import Trajectory
from rlx_lab.surfaces import Surface
from rlx_lab_app.state import RaceModel
from rlx_lab_app.state.palette import color
from rlx_lab_app.views.render import files, layout
from rlx_lab_app.views.render.plane import Plane
from rlx_lab_app.views.surfaces import race_marks

FRAMES = 60
"""Frames of a race GIF (evenly spaced steps, the start and the last step included)."""
FPS = 15
HOLD_MS = 2000
"""How long the last frame stays before the GIF loops."""
PLOT = (520, 440)
"""Width and height of the surface in the GIF (pixels)."""
TOP, BOTTOM, SIDE = 30, 26, 8
"""Margins: the title line, the legend line, the sides."""


def gif_cost() -> Cost:
    """What drawing a race GIF takes: every frame as an RGBA image, twice (drawn and encoded)."""
    width, height = PLOT[0] + 2 * SIDE, PLOT[1] + TOP + BOTTOM
    frames = Term(
        "frames",
        2 * 4 * FRAMES * width * height,
        f"{FRAMES} frames of {width} × {height} pixels",
        "",
    )
    return Cost("the GIF", (frames,))


@dataclass(frozen=True)
class Racer:
    """One optimizer's run as the GIF draws it."""

    title: str
    color: str
    trajectory: Trajectory


def race_gif(model: RaceModel, frames: int = FRAMES, fps: int = FPS) -> bytes:
    """The race on screen (its surface, colours, results and, when shown, the playhead's
    arrows) as an animated GIF."""
    racers = [
        Racer(optim.get(name).title, color(model.colors.get(name, 0)), model.results[name])
        for name in model.optimizers
        if name in model.results
    ]
    surface = model.shown_surface or model.current_surface
    return render_gif(
        surface, dict(model.shown_params), racers, frames, fps, model.log_color, arrows=model.arrows
    )


def render_gif(
    surface: Surface,
    surface_params: Mapping[str, float],
    racers: Sequence[Racer],
    frames: int = FRAMES,
    fps: int = FPS,
    log_color: bool = True,
    *,
    arrows: bool = False,
) -> bytes:
    """``racers`` on ``surface`` as a looping GIF of about ``frames`` frames at ``fps`` (with
    the app's playhead ``arrows``: −g and the step's direction at every head)."""
    if not racers:
        raise ValueError("racers: nothing to animate (no optimizer has a result)")
    files.check_animation(frames, fps)
    background = race_marks.background(surface, surface_params, PLOT, log_color)
    steps = max(r.trajectory.steps for r in racers)
    shown = np.unique(np.round(np.linspace(0, steps, frames)).astype(int))
    font = layout.font(13)
    images = [_frame(background, surface, racers, int(step), steps, font, arrows) for step in shown]
    return files.gif_bytes(images, fps, HOLD_MS)


def to_pixels(surface: Surface, points: np.ndarray) -> np.ndarray:
    """(…, 2) points of the window → (…, 2) pixels of the GIF's plot (x right, y down)."""
    return Plane(surface.window, PLOT).pixels(points)


def _frame(
    background: Image.Image,
    surface: Surface,
    racers: Sequence[Racer],
    step: int,
    steps: int,
    font: layout.Font,
    arrows: bool,
) -> Image.Image:
    plot = background.copy()
    runs = [(r.trajectory, r.color) for r in racers]
    race_marks.draw_race(plot, surface, runs, step, arrows=arrows)
    width, height = PLOT
    canvas = Image.new("RGB", (width + 2 * SIDE, height + TOP + BOTTOM), "white")
    canvas.paste(plot, (SIDE, TOP))
    draw = ImageDraw.Draw(canvas)
    draw.text((SIDE, 7), f"{surface.title} · step {step} of {steps}", fill="black", font=font)
    layout.legend(draw, SIDE, height + TOP + 6, [(r.title, r.color) for r in racers], font)
    return canvas
