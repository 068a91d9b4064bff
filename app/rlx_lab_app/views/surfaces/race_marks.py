"""A race drawn with the app's renderer (:mod:`rlx_lab_app.views.render`), as the surface plot
shows it: the heat map with its contour lines, a white star per global minimum, a ring per
start (the first larger), each run's paths up to a step in its race colour (the first start
thicker), each head as a dot — or a ✕ pulled inside the picture where its run diverged — and,
when asked, the playhead's arrows. Shared by the race GIF and the optimizer gallery.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from PIL import Image, ImageDraw

from rlx_lab.engine import Trajectory
from rlx_lab.surfaces import Surface
from rlx_lab_app.state.surfaces.surface_source import display_values, surface_grid
from rlx_lab_app.views.render import marks, raster
from rlx_lab_app.views.render.plane import Plane, Size
from rlx_lab_app.views.surfaces.sources import last_valid

Run = tuple[Trajectory, str]
"""One optimizer's run and its race colour."""
ARROW = 0.1
"""Length of the playhead's arrows, as a share of the picture's mean side (directions only)."""


def background(
    surface: Surface, surface_params: Mapping[str, float], size: Size, log_color: bool = True
) -> Image.Image:
    """The surface's heat map with contour lines, ``size`` pixels, north up."""
    _, _, z = surface_grid(surface, surface_params)
    return raster.heat(display_values(z, log_color)[0], size)


def draw_race(
    image: Image.Image, surface: Surface, runs: Sequence[Run], step: int, *, arrows: bool = False
) -> None:
    """``runs`` up to ``step`` on ``image`` (a picture of ``surface``'s window), heads on top;
    with ``arrows``, −g dashed and the step's direction solid at each head."""
    plane = Plane(surface.window, image.size)
    draw = ImageDraw.Draw(image)
    for x, y in plane.pixels(np.reshape(surface.minima, (-1, 2))):
        marks.star(draw, x, y)
    for k, (x, y) in enumerate(plane.pixels(runs[0][0].starts)):
        marks.ring(draw, x, y, 7 if k == 0 else 4)
    heads = []
    for trajectory, color in runs:
        pixels = plane.pixels(trajectory.positions)
        for n, m in enumerate(np.minimum(last_valid(trajectory), step)):
            marks.path(draw, pixels[n, : m + 1], color, 3 if n == 0 else 2)
            heads.append((*pixels[n, m], color, 0 <= trajectory.diverged_at[n] <= step))
    if arrows:
        for trajectory, color in runs:
            _arrows(draw, plane, trajectory, step, color)
    for x, y, color, diverged in heads:
        if diverged:
            marks.cross(draw, x, y, color, plane.size)
        else:
            marks.dot(draw, x, y, color, 6, outline=2)


def _arrows(
    draw: ImageDraw.ImageDraw, plane: Plane, trajectory: Trajectory, step: int, color: str
) -> None:
    """The playhead's arrows at each start's point at ``step``."""
    pixels = plane.pixels(trajectory.positions)
    grads = trajectory.grad_at_points()
    reach = ARROW * (plane.size[0] + plane.size[1]) / 2
    for n, last in enumerate(last_valid(trajectory)):
        m = min(step, int(last))
        origin = pixels[n, m]
        marks.pointer(draw, origin, plane.direction(-grads[n, m]), reach, color, dashed=True)
        if m < last:
            marks.pointer(draw, origin, pixels[n, m + 1] - origin, reach, color, dashed=False)
