"""Where a point of a data window lands in a picture: x runs right, y runs down, north up."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rlx_lab.surfaces import Window

Size = tuple[int, int]
"""Width and height of a picture (pixels)."""


class Plane(NamedTuple):
    """A data ``window`` drawn on ``size`` pixels: its corners on the corner pixels' centres."""

    window: Window
    size: Size

    def scale(self) -> np.ndarray:
        """Pixels per unit of x and of y."""
        (x0, x1), (y0, y1) = self.window
        return np.array([(self.size[0] - 1) / (x1 - x0), (self.size[1] - 1) / (y1 - y0)])

    def pixels(self, points: np.ndarray) -> np.ndarray:
        """(…, 2) points of the window → (…, 2) pixels (x right, y down)."""
        (x0, _), (_, y1) = self.window
        sx, sy = self.scale()
        points = np.asarray(points, np.float64)
        return np.stack([(points[..., 0] - x0) * sx, (y1 - points[..., 1]) * sy], axis=-1)

    def direction(self, vector: np.ndarray) -> np.ndarray:
        """A (2,) vector of the data → the same vector in pixels (y flipped: it runs down)."""
        return np.array([vector[0], -vector[1]], np.float64) * self.scale()
