"""A served page lists Bokeh's WebGL and MathJax bundles only where a model of it needs them
(``rlx_lab_app.views.page_scripts``): the lab's page needs neither."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator

import panel as pn
import panel.io.server as server_page
import pytest
from bokeh.document import Document
from bokeh.models import Model
from bokeh.plotting import figure
from panel.io.resources import Resources

from rlx_lab_app.harness import PanelServer
from rlx_lab_app.views import page_scripts


def scripts(*roots: Model) -> str:
    """The script addresses a server page holding ``roots`` would list."""
    page_scripts.install()
    doc = Document()
    for root in roots:
        doc.add_root(root)
    bundle = server_page.bundle_resources(doc.roots, Resources(mode="server", root_url="/"))
    return " ".join(map(str, bundle.js_files))


def test_a_page_without_webgl_or_tex_lists_neither_bundle() -> None:
    listed = scripts(figure(), pn.pane.HTML("<b>an HTML pane</b>").get_root())
    assert "bokeh-widgets" in listed and "bokeh.min.js" in listed
    assert "bokeh-gl" not in listed and "bokeh-mathjax" not in listed


def test_a_page_that_needs_them_still_lists_them() -> None:
    assert "bokeh-gl" in scripts(figure(output_backend="webgl"))
    tex = figure()
    tex.xaxis.axis_label = r"$$\eta$$"
    assert "bokeh-mathjax" in scripts(tex)


def test_installing_twice_wraps_once() -> None:
    page_scripts.install()
    wrapper = server_page.bundle_resources
    page_scripts.install()
    assert server_page.bundle_resources is wrapper


@pytest.fixture(scope="module")
def served() -> Iterator[PanelServer]:
    with PanelServer() as server:
        yield server


def test_the_lab_s_page_lists_katex_and_neither_bundle(served: PanelServer) -> None:
    with urllib.request.urlopen(served.url, timeout=60) as response:
        page = response.read().decode()
    assert "katex" in page and "bokeh-widgets" in page
    assert "bokeh-gl" not in page and "bokeh-mathjax" not in page
