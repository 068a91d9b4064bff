"""The small-nets race as an animated GIF, for slides: each optimizer's decision boundary
(first seed) growing frame by frame over the training points, with its step and test
accuracy — drawn on the server with Pillow, in the tab's class colours.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from rlx_lab import optim
from rlx_lab.cost import Cost, Term
from rlx_lab.nets import Boundary, Dataset
from rlx_lab_app.state.nets.model import NetsModel
from rlx_lab_app.views.nets.plots import CLASS_COLORS, class_palette
from rlx_lab_app.views.nets.sources import encode
from rlx_lab_app.views.surfaces import raster

FPS = 8
HOLD_MS = 2500
PANEL = 220
"""Side of each optimizer's boundary (pixels)."""
COLUMNS = 4
CAPTION, GAP, HEADER = 34, 12, 30


def nets_gif_cost(model: NetsModel) -> Cost:
    """Every frame as an RGB image of the whole grid of boundaries, twice (drawn, encoded)."""
    n = max(1, len(model.boundaries))
    rows = -(-n // COLUMNS)
    width = min(n, COLUMNS) * (PANEL + GAP) + GAP
    height = HEADER + rows * (PANEL + CAPTION + GAP)
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
    raster.check_animation(2, fps)
    data: Dataset = model.data
    boundaries = {n: model.boundaries[n] for n in names}
    runs = {n: model.runs[n][0] for n in names}
    count = min(len(b.probs) for b in boundaries.values())
    palette = np.array(
        [[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in class_palette(data.n_classes)],
        np.uint8,
    )
    font, small = raster.font(14), raster.font(12)
    rows = -(-len(names) // COLUMNS)
    size = (min(len(names), COLUMNS) * (PANEL + GAP) + GAP, HEADER + rows * (PANEL + CAPTION + GAP))
    frames = []
    for k in range(count):
        canvas = Image.new("RGB", size, "white")
        draw = ImageDraw.Draw(canvas)
        step = int(runs[names[0]].frame_steps[k])
        network = model.architecture().replace("→", "-")  # the bundled font has no arrows
        draw.text((GAP, 8), f"{data.name} · {network} · step {step}", fill="black", font=font)
        for j, name in enumerate(names):
            row, column = divmod(j, COLUMNS)
            x, y = GAP + column * (PANEL + GAP), HEADER + row * (PANEL + CAPTION + GAP)
            run = runs[name]
            draw.text((x, y + 1), optim.get(name).title, fill="black", font=font)
            accuracy = f"test accuracy {100 * float(run.test_acc[k]):.0f}%"
            if 0 <= run.diverged_at <= step:
                accuracy += f" · diverged at step {run.diverged_at}"
            draw.text((x, y + 18), accuracy, fill="#444444", font=small)
            canvas.paste(_panel(boundaries[name], k, data, palette), (x, y + CAPTION))
        frames.append(canvas)
    return raster.gif_bytes(frames, fps, HOLD_MS)


def _panel(boundary: Boundary, k: int, data: Dataset, palette: np.ndarray) -> Image.Image:
    """Frame ``k`` of a boundary with the training points, north up."""
    image = palette[encode(boundary.probs[k])][::-1]
    panel = Image.fromarray(image, "RGB").resize((PANEL, PANEL), Image.Resampling.BILINEAR)
    draw = ImageDraw.Draw(panel)
    xs, ys = boundary.xs, boundary.ys
    px = (data.x_train[:, 0] - xs[0]) / (xs[-1] - xs[0]) * (PANEL - 1)
    py = (1.0 - (data.x_train[:, 1] - ys[0]) / (ys[-1] - ys[0])) * (PANEL - 1)
    for u, v, label in zip(px, py, data.y_train, strict=True):
        draw.ellipse(
            [u - 2.5, v - 2.5, u + 2.5, v + 2.5], fill=CLASS_COLORS[int(label) % 8], outline="white"
        )
    draw.rectangle([0, 0, PANEL - 1, PANEL - 1], outline="#999999")
    return panel
