"""The scripts a served page loads: Bokeh's bundles it uses, not every one.

Panel's server page lists Bokeh's WebGL bundle (≈0.2 MB) always, and its MathJax bundle
(≈1.8 MB) whenever a root of the page is an HTML pane (which might hold ``$…$``): ours always
has one. The lab draws no plot with WebGL and writes its mathematics with KaTeX (the update
rules, the surface's formula), so every visitor's browser fetched and parsed ≈2 MB of script
it never ran before the first plot. :func:`install` makes the page list the two only when a
model of it needs them, by Bokeh's own tests (a WebGL plot; a MathText model or TeX in an
axis label, slider title or Div). A pane's ``$…$`` is then shown as written (Panel typesets
it only when MathJax is there); the lab writes none.

The private parts used are pinned in ``tests/test_private_hooks.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import panel.io.server as server_page
from bokeh.embed.bundle import _use_gl, _use_mathjax
from bokeh.model import Model

WEBGL = "bokeh-gl"
"""Bokeh's WebGL bundle (its name among a ``Resources``'s components)."""
LEAN = "_rlx_lab_lean"
"""Marks the installed wrapper (installing twice wraps once)."""


def install() -> None:
    """Have Panel's server page list Bokeh's WebGL and MathJax bundles only where used."""
    listed = server_page.bundle_resources
    if getattr(listed, LEAN, False):
        return

    def lean(roots: Sequence[Model], resources: Any, *args: Any, **kwargs: Any) -> Any:
        models = page_models(roots)
        if not _use_gl(models) and WEBGL in resources.components:
            resources = resources.clone(components=[c for c in resources.components if c != WEBGL])
        kwargs.setdefault("enable_mathjax", _use_mathjax(models))
        return listed(roots, resources, *args, **kwargs)

    setattr(lean, LEAN, True)
    server_page.bundle_resources = lean


def page_models(roots: Sequence[Model]) -> set[Model]:
    """Every model of the page whose ``roots`` these are (its document's, when it has one)."""
    document = roots[0].document if roots else None
    if document is not None:
        return set(document.models)
    return {model for root in roots for model in root.references()}
