"""The app's renderer (rlx_lab_app.views.render) on its own: small pictures, decoded and
checked pixel by pixel, without a race or a browser."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw

from rlx_lab_app.state.palette import CLASS_COLORS, HEAT, class_palette, color, ramp, rgb
from rlx_lab_app.views.render import files, layout, marks, raster
from rlx_lab_app.views.render.plane import Plane

PLANE = Plane(((-1.0, 3.0), (0.0, 2.0)), (81, 41))


def _pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB"), np.int64)


def _frames(size: tuple[int, int], count: int) -> list[Image.Image]:
    """``count`` frames of a dot crossing a white picture in an optimizer's colour."""
    out = []
    for k in range(count):
        image = Image.new("RGB", size, "white")
        marks.dot(ImageDraw.Draw(image), 5 + 10 * k, size[1] / 2, color(k % 3), 4)
        out.append(image)
    return out


def test_the_plane_puts_the_window_north_up_on_the_corner_pixels() -> None:
    corners = PLANE.pixels(np.array([[-1.0, 2.0], [3.0, 0.0], [1.0, 1.0]]))
    np.testing.assert_allclose(corners, [[0, 0], [80, 40], [40, 20]])
    np.testing.assert_allclose(PLANE.direction(np.array([1.0, 1.0])), [20, -20])


def test_a_drawn_path_has_its_optimizers_colour_and_nothing_else_moves() -> None:
    image = Image.new("RGB", PLANE.size, "white")
    adam = color(1)
    marks.path(ImageDraw.Draw(image), PLANE.pixels(np.array([[-1.0, 1.0], [3.0, 1.0]])), adam, 3)
    pixels = _pixels(image)
    assert tuple(pixels[20, 40]) == rgb(adam), "the path's middle"
    assert np.all(pixels[:15] == 255) and np.all(pixels[26:] == 255), "white away from it"
    marks.path(ImageDraw.Draw(image), PLANE.pixels(np.array([[0.0, 0.0]])), "black", 3)
    assert np.array_equal(_pixels(image), pixels), "one point draws no path"


def test_a_cross_is_pulled_inside_the_picture() -> None:
    image = Image.new("RGB", (40, 40), "white")
    marks.cross(ImageDraw.Draw(image), 500.0, -30.0, color(2), image.size)
    drawn = np.argwhere(np.any(_pixels(image) != 255, axis=-1))
    assert drawn.size and drawn.min() >= 0 and drawn[:, 0].max() < 20 and drawn[:, 1].min() > 20


def test_the_heat_map_runs_from_the_ramps_blue_to_white_with_holes_white() -> None:
    x, y = np.meshgrid(np.linspace(0, 1, 40), np.linspace(0, 1, 30))
    values = x + 0 * y
    values[-3:, :3] = np.nan  # top left, north up
    pixels = _pixels(raster.heat(values, (80, 60)))
    assert pixels.shape == (60, 80, 3)
    assert tuple(pixels[30, 0]) == rgb(HEAT[0]) and tuple(pixels[30, -1]) == rgb(HEAT[-1])
    assert tuple(pixels[0, 0]) == (255, 255, 255), "a missing value is white"
    assert tuple(pixels[-1, 0]) != (255, 255, 255), "the grid's first row is the bottom"
    darker = pixels.sum(-1) < np.array([rgb(c) for c in ramp(HEAT)]).sum(-1).min()
    assert darker[30].sum() >= 5, "contour lines cross the rising values"


def test_colour_codes_become_their_colours_north_up() -> None:
    colors = class_palette(2, 4)
    grid = np.array([[3, 3], [7, 7]], np.uint8)  # bottom row class 0, top row class 1
    pixels = _pixels(raster.codes(grid, colors, (20, 20)))
    assert tuple(pixels[0, 0]) == rgb(colors[7]) and tuple(pixels[-1, -1]) == rgb(colors[3])
    assert colors[0] == colors[4] == "#ffffff" and colors[7] != colors[3]
    assert rgb(colors[3])[0] > rgb(colors[3])[2], "class 0 is reddish, as CLASS_COLORS[0]"
    assert CLASS_COLORS[0] == "#d6604d"


def test_a_gif_has_the_asked_frames_size_timing_and_loop() -> None:
    gif = files.gif_bytes(_frames((60, 24), 5), fps=10, hold_ms=900)
    image = Image.open(io.BytesIO(gif))
    assert image.format == "GIF" and image.n_frames == 5 and image.size == (60, 24)
    assert image.info["loop"] == 0 and image.info["duration"] == 100
    image.seek(4)
    assert image.info["duration"] == 900
    center = _pixels(image)[12, 45]
    assert np.abs(center - np.array(rgb(color(1)))).sum() <= 24, "the last frame's dot"


def test_the_same_input_gives_the_same_bytes() -> None:
    assert files.gif_bytes(_frames((50, 20), 4), 8, 500) == files.gif_bytes(
        _frames((50, 20), 4), 8, 500
    )
    png = files.png_bytes(_frames((50, 20), 1)[0])
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png == files.png_bytes(_frames((50, 20), 1)[0])


def test_a_grid_places_captioned_panels_in_rows() -> None:
    grid = layout.Grid((30, 20), columns=2, caption=36, gap=4, header=10)
    assert grid.size(1) == (38, 70) and grid.size(3) == (72, 130)
    assert grid._replace(shrink=False).size(1) == (72, 70)
    assert grid.origin(3) == (38, 70)
    canvas = grid.canvas(3)
    blue = Image.new("RGB", grid.panel, color(0))
    fonts = layout.font(12), layout.font(10)
    grid.place(canvas, 2, blue, ("title", "second line"), fonts)
    pixels = _pixels(canvas)
    x, y = grid.origin(2)
    assert tuple(pixels[y + 36, x]) == rgb(color(0)) and tuple(pixels[y + 35, x + 29]) != rgb(
        color(0)
    )
    assert np.any(pixels[y : y + 36, x : x + 30] != 255), "the caption is written"


def test_a_legend_shows_each_colour_in_order() -> None:
    image = Image.new("RGB", (300, 20), "white")
    draw = ImageDraw.Draw(image)
    layout.legend(draw, 4, 2, [("Adam", color(0)), ("SGD", color(1))], layout.font(13))
    pixels = _pixels(image)
    assert tuple(pixels[9, 8]) == rgb(color(0))
    second = 4 + 30 + round(draw.textlength("Adam", font=layout.font(13)))
    assert tuple(pixels[9, second + 4]) == rgb(color(1))
