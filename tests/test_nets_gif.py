"""The small-nets race as an animated GIF (rlx_lab_app.views.nets.gif), decoded and checked."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from rlx_lab_app.state.nets.model import NetsModel
from rlx_lab_app.state.palette import CLASS_COLORS
from rlx_lab_app.views.nets.gif import CAPTION, GAP, HEADER, HOLD_MS, PANEL, nets_gif


@pytest.fixture(scope="module")
def trained() -> NetsModel:
    model = NetsModel(optimizers=["adam", "sgd"], steps=100)
    model.train()
    return model


def test_one_frame_per_snapshot_with_every_optimizer_side_by_side(trained: NetsModel) -> None:
    image = Image.open(io.BytesIO(nets_gif(trained)))
    boundary = trained.boundaries["adam"]
    assert image.format == "GIF" and image.n_frames == len(boundary.probs)
    assert image.size == (GAP + 2 * (PANEL + GAP), HEADER + PANEL + CAPTION + GAP)
    frames = []
    for k in (0, image.n_frames - 1):
        image.seek(k)
        frames.append(np.asarray(image.convert("RGB"), np.int64))
    assert image.info["duration"] == HOLD_MS
    panel = (slice(HEADER + CAPTION, HEADER + CAPTION + PANEL), slice(GAP, GAP + PANEL))
    assert np.abs(frames[0][panel] - frames[1][panel]).mean() > 5, "the boundary changes"
    data = trained.data
    xs, ys = boundary.xs, boundary.ys
    x, y, label = data.x_train[0, 0], data.x_train[0, 1], int(data.y_train[0])
    u = GAP + round((x - xs[0]) / (xs[-1] - xs[0]) * (PANEL - 1))
    v = HEADER + CAPTION + round((1 - (y - ys[0]) / (ys[-1] - ys[0])) * (PANEL - 1))
    dot = np.array([int(CLASS_COLORS[label][i : i + 2], 16) for i in (1, 3, 5)])
    patch = frames[1][v - 1 : v + 2, u - 1 : u + 2]
    assert np.any(np.abs(patch - dot).sum(-1) <= 24), "the training points in their colours"


def test_nothing_to_animate_is_refused() -> None:
    with pytest.raises(ValueError, match="boundaries"):
        nets_gif(NetsModel())
