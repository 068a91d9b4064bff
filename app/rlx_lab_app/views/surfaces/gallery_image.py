"""The gallery as one picture: a small surface per optimizer, best first, each with its path
at its tuned η, its rank, η and the loss it reached (a PNG, drawn by the app's renderer
through :mod:`race_marks`)."""

from __future__ import annotations

from PIL import Image, ImageDraw

from rlx_lab import optim
from rlx_lab_app.state.palette import color
from rlx_lab_app.state.scales import format_value
from rlx_lab_app.state.surfaces.gallery import Entry, Gallery
from rlx_lab_app.views.render import files, layout, marks, raster
from rlx_lab_app.views.surfaces import race_marks

PANEL = (230, 190)
"""Width and height of each optimizer's surface (pixels)."""
COLUMNS = 4
CAPTION, GAP, HEADER = 36, 12, 34
"""Caption lines above each panel, space between panels, the title line."""
GRID = layout.Grid(PANEL, COLUMNS, CAPTION, GAP, HEADER, shrink=False)
"""Every row is four panels wide, however few optimizers."""


def gallery_png(gallery: Gallery) -> bytes:
    """The whole gallery as PNG bytes."""
    entries = gallery.entries
    if not entries:
        raise ValueError("gallery: no optimizer to draw")
    canvas = GRID.canvas(len(entries))
    fonts = layout.font(15), layout.font(12)
    ImageDraw.Draw(canvas).text((GAP, 9), headline(gallery), fill="black", font=fonts[0])
    background = race_marks.background(
        gallery.surface, gallery.surface_params, PANEL, gallery.log_color
    )
    for k, entry in enumerate(entries):
        lines = f"{k + 1}. {entry.title}", caption(entry)
        GRID.place(canvas, k, _panel(background, gallery, entry), lines, fonts)
    return files.png_bytes(canvas)


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
    if entry.trajectory is None:  # nothing to show
        return raster.fade(plot)
    hue = color(optim.names().index(entry.name))
    race_marks.draw_race(plot, gallery.surface, [(entry.trajectory, hue)], entry.trajectory.steps)
    marks.frame(ImageDraw.Draw(plot), PANEL)
    return plot
