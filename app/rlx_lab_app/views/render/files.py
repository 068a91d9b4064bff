"""Pictures → file bytes: frames → a looping GIF, an image → a PNG."""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image


def gif_bytes(frames: Sequence[Image.Image], fps: int, hold_ms: int) -> bytes:
    """RGB ``frames`` as a looping GIF at ``fps``, the last held ``hold_ms``: one 255-colour
    palette for all, taken from the last frame (it holds every mark), so nothing flickers."""
    shared = frames[-1].quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    images = [f.quantize(palette=shared, dither=Image.Dither.NONE) for f in frames]
    durations = [round(1000 / fps)] * (len(images) - 1) + [hold_ms]
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


def png_bytes(image: Image.Image) -> bytes:
    """``image`` as an optimised PNG."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def check_animation(frames: int, fps: int) -> None:
    """``ValueError`` naming a frame count or rate a GIF should not have."""
    if not (isinstance(frames, int) and 2 <= frames <= 500):
        raise ValueError(f"frames: expected an integer in [2, 500], got {frames!r}")
    if not (isinstance(fps, int) and 1 <= fps <= 50):
        raise ValueError(f"fps: expected an integer in [1, 50], got {fps!r}")
