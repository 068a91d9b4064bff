"""The gallery as one picture: a small surface per optimizer, best first, each with its path
at its tuned η, its rank, η and the loss it reached (a PNG, drawn with :mod:`raster`)."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from rlx_lab import optim
from rlx_lab_app.state.palette import color
from rlx_lab_app.state.scales import format_value
from rlx_lab_app.state.surfaces.gallery import Entry, Gallery
from rlx_lab_app.views.surfaces import raster

PANEL = (230, 190)
"""Width and height of each optimizer's surface (pixels)."""
COLUMNS = 4
CAPTION, GAP, HEADER = 36, 12, 34
"""Caption lines above each panel, space between panels, the title line."""


def gallery_png(gallery: Gallery) -> bytes:
    """The whole gallery as PNG bytes."""
    entries = gallery.entries
    if not entries:
        raise ValueError("gallery: no optimizer to draw")
    rows = -(-len(entries) // COLUMNS)
    cell = (PANEL[0] + GAP, PANEL[1] + CAPTION + GAP)
    canvas = Image.new("RGB", (COLUMNS * cell[0] + GAP, HEADER + rows * cell[1]), "white")
    draw = ImageDraw.Draw(canvas)
    title, small = raster.font(15), raster.font(12)
    draw.text((GAP, 9), headline(gallery), fill="black", font=title)
    background = raster.heat_image(
        gallery.surface, gallery.surface_params, PANEL, gallery.log_color
    )
    for rank, entry in enumerate(entries, start=1):
        row, column = divmod(rank - 1, COLUMNS)
        x, y = GAP + column * cell[0], HEADER + row * cell[1]
        draw.text((x, y + 2), f"{rank}. {entry.title}", fill="black", font=title)
        draw.text((x, y + 20), caption(entry), fill="#444444", font=small)
        canvas.paste(_panel(background, gallery, entry), (x, y + CAPTION))
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def headline(gallery: Gallery) -> str:
    """The picture's title: the surface, the budget and the start every optimizer shared."""
    run = next((e.trajectory for e in gallery.entries if e.trajectory is not None), None)
    if run is None:
        return f"{gallery.surface.title}: no optimizer had a usable η"
    x, y = run.starts[0]
    return (
        f"{gallery.surface.title} · {run.steps} steps from ({format_value(float(x))}, "
        f"{format_value(float(y))}) · each optimizer at its own tuned lr, best first"
    )


def caption(entry: Entry) -> str:
    """η and the loss reached, or why there is no run (in Latin letters: Pillow's bundled
    font has no Greek)."""
    if entry.lr is None or entry.trajectory is None:
        return "no usable lr: every run diverged"
    return f"lr = {format_value(entry.lr)} · final loss {format_value(entry.final_loss)}"


def _panel(background: Image.Image, gallery: Gallery, entry: Entry) -> Image.Image:
    plot = background.copy()
    draw = ImageDraw.Draw(plot)
    if entry.trajectory is None:  # faded: nothing to show
        return Image.blend(plot, Image.new("RGB", PANEL, "white"), 0.6)
    trajectory = entry.trajectory
    raster.draw_landmarks(draw, gallery.surface, trajectory.starts, PANEL)
    hue = color(optim.names().index(entry.name))
    heads = raster.draw_paths(draw, gallery.surface, trajectory, trajectory.steps, hue, PANEL)
    raster.draw_heads(draw, heads, PANEL)
    draw.rectangle([0, 0, PANEL[0] - 1, PANEL[1] - 1], outline="#999999")
    return plot
