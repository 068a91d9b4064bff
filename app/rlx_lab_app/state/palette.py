"""Colour-blind-safe colours and marker shapes for the optimizers of a race.

The first seven colours are Okabe & Ito's (their yellow is left out: it vanishes on the light
surface); the next seven are Paul Tol's "muted" scheme. Colours are *sticky*: an optimizer keeps
its colour while it stays selected, and a newly selected one takes the first free colour, so
adding or removing a curve never repaints the others. A second channel, the head marker's
shape, tells optimizers apart without colour.

The app's other colours live here too, so the Bokeh figures and the Pillow pictures
(:mod:`rlx_lab_app.views.render`) draw from one place: the heat map's ramp and contour lines,
and the small nets' class colours.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
TOL_MUTED = ("#882255", "#999933", "#332288", "#CC6677", "#44AA99", "#117733", "#DDCC77")
PALETTE: tuple[str, ...] = OKABE_ITO + TOL_MUTED
SHAPES = ("circle", "square", "triangle", "diamond", "inverted_triangle", "hex", "star")
MARKERS: tuple[str, ...] = SHAPES * 2  # one per palette slot: each shape with both schemes
HEAT = ("#7d9fc3", "#9bb5d2", "#b7cbe0", "#d0dded", "#e5edf6", "#f5f8fc", "#ffffff")
"""The heat map: light blue (low loss) to white (high), so every path colour stays visible."""
CONTOUR = "#4d5d6d"
"""The heat map's contour lines."""
CLASS_COLORS = (
    "#d6604d",
    "#4393c3",
    "#1b9e77",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#a6761d",
    "#666666",
)
"""Class colours (ColorBrewer): distinct from the optimizers' Okabe–Ito palette."""
STRENGTH = 0.55
"""How far a fully confident pixel goes from white towards its class colour."""
SHADES = 32
"""Confidence levels per class in the encoded boundary images (8 classes × 32 ≤ 256)."""


def assign_colors(selected: Sequence[str], previous: Mapping[str, int]) -> dict[str, int]:
    """Palette slots for ``selected``: keep each previous slot, give new names the free ones."""
    slots: dict[str, int] = {}
    for name in selected:
        if name in previous and previous[name] not in slots.values():
            slots[name] = previous[name]
    free = [i for i in range(len(PALETTE)) if i not in slots.values()]
    for name in selected:
        if name not in slots:
            slots[name] = free.pop(0) if free else len(slots) % len(PALETTE)
    return {name: slots[name] for name in selected}


def color(slot: int) -> str:
    """The colour of palette slot ``slot``."""
    return PALETTE[slot % len(PALETTE)]


def marker(slot: int) -> str:
    """The head-marker shape of palette slot ``slot``."""
    return MARKERS[slot % len(MARKERS)]


def rgb(hex_color: str) -> tuple[int, int, int]:
    """``"#rrggbb"`` → its red, green and blue (0–255)."""
    return int(hex_color[1:3], 16), int(hex_color[3:5], 16), int(hex_color[5:7], 16)


def _hex(channels: np.ndarray) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(int(c) for c in channels))


def ramp(anchors: Sequence[str], count: int = 128) -> list[str]:
    """``count`` colours interpolated linearly between ``anchors`` (the heat map's palette)."""
    anchor_rgb = np.array([rgb(a) for a in anchors], float)
    t = np.linspace(0, len(anchors) - 1, count)
    channels = np.stack([np.interp(t, np.arange(len(anchors)), anchor_rgb[:, c]) for c in range(3)])
    return [_hex(channels[:, i] + 0.5) for i in range(count)]


def class_palette(n_classes: int, shades: int = SHADES) -> list[str]:
    """``shades`` colours per class, white (unsure) to the light class colour (certain, at
    :data:`STRENGTH`); class ``c``'s level ``k`` is entry ``c · shades + k``."""
    out = []
    for c in range(n_classes):
        color_rgb = np.array(rgb(CLASS_COLORS[c % len(CLASS_COLORS)]), float)
        for t in np.linspace(0.0, STRENGTH, shades):
            out.append(_hex(np.round(255 + t * (color_rgb - 255)).astype(int)))
    return out


def class_codes(probs: np.ndarray) -> np.ndarray:
    """(…, C) class probabilities → uint8 ``class · SHADES + confidence level``: indices into
    :func:`class_palette`, the winning class shaded by how far it is above a uniform guess."""
    n = probs.shape[-1]
    top = np.argmax(probs, axis=-1)
    sure = (np.max(probs, axis=-1) - 1.0 / n) / (1.0 - 1.0 / n)
    level = np.clip(np.round(np.nan_to_num(sure) * (SHADES - 1)), 0, SHADES - 1)
    return (top * SHADES + level).astype(np.uint8)
