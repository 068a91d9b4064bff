"""The small-nets race as an animated GIF, for slides: each optimizer's decision boundary
(first seed) growing frame by frame over the training points, with its step and test
accuracy — drawn on the server by the app's renderer (:mod:`rlx_lab_app.views.render`), in
the tab's class colours.
"""

from __future__ import annotations

from PIL import Image, ImageDraw

from rlx_lab import optim
from rlx_lab.cost import Cost, Term
from rlx_lab.nets import Boundary, Dataset
from rlx_lab_app.state.nets.model import NetsModel
from rlx_lab_app.state.palette import CLASS_COLORS, class_codes, class_palette
from rlx_lab_app.views.render import files, layout, marks, raster
from rlx_lab_app.views.render.plane import Plane

FPS = 8
HOLD_MS = 2500
PANEL = 220
"""Side of each optimizer's boundary (pixels)."""
COLUMNS = 4
CAPTION, GAP, HEADER = 34, 12, 30
GRID = layout.Grid((PANEL, PANEL), COLUMNS, CAPTION, GAP, HEADER)


def nets_gif_cost(model: NetsModel) -> Cost:
    """Every frame as an RGB image of the whole grid of boundaries, twice (drawn, encoded)."""
    width, height = GRID.size(max(1, len(model.boundaries)))
    count = max((len(b.probs) for b in model.boundaries.values()), default=1)
    frames = Term(
        "frames",
        2 * 3 * count * width * height,
        f"{count} frames of {width} × {height} pixels",
        "fewer optimizers",
    )
    return Cost("the GIF", (frames,))


def nets_gif(model: NetsModel, fps: int = FPS) -> bytes:
    """Every racing optimizer's decision boundary over training, one frame per snapshot."""
    names = [n for n in model.optimizers if n in model.boundaries and model.runs.get(n)]
    if not names or model.data is None:
        raise ValueError("boundaries: nothing to animate (train a race on a 2-D dataset first)")
    files.check_animation(2, fps)
    data: Dataset = model.data
    colors = class_palette(data.n_classes)
    runs = {n: model.runs[n][0] for n in names}
    count = min(len(model.boundaries[n].probs) for n in names)
    fonts = layout.font(14), layout.font(12)
    network = model.architecture().replace("→", "-")  # the bundled font has no arrows
    frames = []
    for k in range(count):
        canvas = GRID.canvas(len(names))
        step = int(runs[names[0]].frame_steps[k])
        title = f"{data.name} · {network} · step {step}"
        ImageDraw.Draw(canvas).text((GAP, 8), title, fill="black", font=fonts[0])
        for j, name in enumerate(names):
            run = runs[name]
            accuracy = f"test accuracy {100 * float(run.test_acc[k]):.0f}%"
            if 0 <= run.diverged_at <= step:
                accuracy += f" · diverged at step {run.diverged_at}"
            panel = _panel(model.boundaries[name], k, data, colors)
            GRID.place(canvas, j, panel, (optim.get(name).title, accuracy), fonts)
        frames.append(canvas)
    return files.gif_bytes(frames, fps, HOLD_MS)


def _panel(boundary: Boundary, k: int, data: Dataset, colors: list[str]) -> Image.Image:
    """Frame ``k`` of a boundary with the training points, north up."""
    panel = raster.codes(class_codes(boundary.probs[k]), colors, GRID.panel)
    draw = ImageDraw.Draw(panel)
    xs, ys = boundary.xs, boundary.ys
    plane = Plane(((xs[0], xs[-1]), (ys[0], ys[-1])), GRID.panel)
    labels = [CLASS_COLORS[int(c) % len(CLASS_COLORS)] for c in data.y_train]
    marks.dots(draw, plane.pixels(data.x_train[:, :2]), labels, 2.5)
    marks.frame(draw, GRID.panel)
    return panel
