"""Browser-side code of the small-nets tab: every frame is sent once, the browser reveals them.

``FRAME`` runs when the player's position changes (``rlx_lab_app.views.js.ON_PLAYER``) and after new
data arrive (``rlx_lab_app.views.js.ON_DATA``). For position ``f`` it puts the matching frame of
each optimizer's decision-boundary images into the drawn image source, moves the step cursor and the
heads on the curves and on the landscape, and draws the landscape's paths up to the frame. Sources
are mutated in place and followed by ``change.emit()``: that repaints without sending anything back
to the server.

``window.rlxNets`` records the frame and the step shown, for the browser tests.
"""

from __future__ import annotations

from rlx_lab_app.views.js import read

POSITIONS = 50
"""Player positions 0…50: a run has at most 51 frames (``TrainSettings.frames`` = 50 per step
bucket) and fewer when its steps end inside a bucket; positions map onto its frames evenly, so
the player's range never changes (Panel's Player does not redraw its slider when ``end``
changes alone)."""


def frame_index(position: int, frames: int) -> int:
    """The frame shown at player ``position`` (as ``FRAME`` computes it)."""
    return min(int(position * max(0, frames - 1) / POSITIONS + 0.5), max(0, frames - 1))


FRAME = f"const POSITIONS = {POSITIONS};\n" + read("nets_frame.js")
