"""Glyph renderers without the glyph models a plot never draws.

``figure.scatter``, ``figure.multi_line`` and the other glyph methods give every renderer two
more glyph models besides its own: one for the points left out of a selection and one for a
muted legend entry. The lab's race plots have neither a selection tool nor a muting legend, so
those models are never drawn, yet each is built, sent and turned into a view in the browser
(about 40 of the first page's 550 models). :func:`lean` drops them (``None``: BokehJS then
draws every point with the renderer's own glyph). Each renderer's view also brought a filter of
its own, all alike (every point): the plots' renderers share one instead (a view keeps its
own indices, the filter none).
"""

from __future__ import annotations

from typing import Any

from bokeh.models import AllIndices, ContourRenderer, GlyphRenderer


def lean(*figures: Any) -> None:
    """Drop the non-selection and muted glyphs of every glyph renderer of ``figures``; their
    views share one all-points filter.

    Only for plots with no selection tool (``tap``, ``box_select``, …) and no legend whose
    click policy is ``"mute"``: a selection would then draw every point alike."""
    every_point = AllIndices()
    for fig in figures:
        renderers = []
        for renderer in fig.renderers:
            if isinstance(renderer, ContourRenderer):  # its filled bands and its lines
                renderers += [renderer.fill_renderer, renderer.line_renderer]
            else:
                renderers.append(renderer)
        for renderer in renderers:
            if isinstance(renderer, GlyphRenderer):
                renderer.nonselection_glyph = None
                renderer.muted_glyph = None
                if isinstance(renderer.view.filter, AllIndices):
                    renderer.view.filter = every_point
