"""Browser-side code: playback reveals frames without asking the server.

The server sends each optimizer's trajectory once, in its own *full* source (so a slider move
sends only the optimizer that changed). One ``CustomJS`` (``FRAME``) rebuilds the few drawn
sources — paths, heads, ✕ marks, hover points, ghosts, the linked plots' markers, the
playhead's arrows — up to the frame, using typed-array views (no copy), and
mutates them in place followed by ``change.emit()``: that repaints but, unlike assigning a
property, sends nothing back to the server. It runs when the player's value changes and
whenever new data arrive, so a recompute during playback keeps playing. ``style`` lists the
racing slots in order with their colours.

``window.rlxLab`` records the frame and counters that the browser tests and benchmark read.

The code lives in ``browser/*.js`` beside this module, each file a function body as Bokeh's
``CustomJS`` runs it (its arguments by name, ``cb_obj``, ``cb_data``) — Bokeh's own convention
for ``.js`` files (``CustomJS.from_file``); Panel's ``jscallback`` takes the same form.
"""

from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).with_name("browser")
"""Where the browser-side code lives."""


def read(name: str) -> str:
    """The code of ``browser/<name>``."""
    return (FOLDER / name).read_text(encoding="utf-8")


FRAME = read("frame.js")
"""The frame callback: the drawn sources rebuilt up to the player's frame (see above)."""

ON_PLAYER = read("on_player.js")
"""The player's ``value`` callback: draw that frame (a value set while playing plays on from
there)."""

ON_DATA = read("on_data.js")
"""Callback of every full source's ``data`` and of ``style``: one redraw once the server's
update has been applied (all its changes arrive in one message)."""

ON_DIRECTION = read("on_direction.js")
"""The player's ``direction`` callback: playing runs in the browser, one frame per display
refresh at the player's speed, and the server hears the frame when it stops; play at the last
frame starts again from the first; a pause refreshes the hover points (skipped while playing)."""

SAVE_PNG = read("save_png.js")
"""A button that triggers the surface plot's save tool (a client-side PNG)."""

LOG_FORMAT = read("log_format.js")
LOG1M_FORMAT = read("log1m_format.js")
"""Axis ticks of a sweep: the axis runs through log10(v) or −log10(1 − β) and shows the value."""

SLIDER_LABEL = read("slider_label.js")
"""A scaled slider's label: the value as stored (``scale`` and ``digits`` as arguments)."""

QUIET_STYLES = read("quiet_styles.js")
"""On document ready: BokehJS's stylesheets are rewritten only when their text changes."""

PAINT_PER_FRAME = read("paint_per_frame.js")
"""On document ready: the plots paint once per display frame, in the frame of their change."""

GLYPH_POSITIONS = read("glyph_positions.js")
"""On document ready: a glyph renderer's (empty) element is positioned once, not per paint."""

PLAYER_RANGE = read("player_range.js")
"""On document ready: the player's range input shows the frame it holds."""

KEYS = read("keys.js")
"""Keyboard control of the visible player (installed once per page, on document ready): it
sets the player model's value and direction, as its own buttons do."""

HISTORY_READY = read("history_ready.js")
"""On document ready: the address shows the page's state, and Back and Forward are sent to the
server (:mod:`rlx_lab_app.views.history`)."""

HISTORY_WRITE = read("history_write.js")
"""The server's new address: pushed as a new history entry or replacing the current one."""

HOVER_NEAREST = read("hover_nearest.js")
"""A hover filter: one tooltip, for the point nearest the cursor (not one per point under it)."""

HIDE_TOOLTIP = read("hide_tooltip.js")
"""A button's click hides its description tooltip (``tip``)."""

SCRUB = read("scrub.js")
"""A scrubbable slider's ``value`` callback: its optimizer's path from the scrub table's row
nearest the value, with no server round trip (:mod:`rlx_lab_app.views.surfaces.scrub_link`)."""

SCRUB_GRAB = read("scrub_grab.js")
"""On document ready: a press on (or the focus entering) a scrubbable slider asks the server
for its scrub table and arms the slider's scrubbing."""
