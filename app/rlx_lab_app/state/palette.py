"""Colour-blind-safe colours and marker shapes for the optimizers of a race.

The first seven colours are Okabe & Ito's (their yellow is left out: it vanishes on the light
surface); the next seven are Paul Tol's "muted" scheme. Colours are *sticky*: an optimizer keeps
its colour while it stays selected, and a newly selected one takes the first free colour, so
adding or removing a curve never repaints the others. A second channel, the head marker's
shape, tells optimizers apart without colour.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
TOL_MUTED = ("#882255", "#999933", "#332288", "#CC6677", "#44AA99", "#117733", "#DDCC77")
PALETTE: tuple[str, ...] = OKABE_ITO + TOL_MUTED
SHAPES = ("circle", "square", "triangle", "diamond", "inverted_triangle", "hex", "star")
MARKERS: tuple[str, ...] = SHAPES * 2  # one per palette slot: each shape with both schemes


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
