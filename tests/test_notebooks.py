"""Every notebook runs top to bottom without error (nbclient), is committed without output, and
loads BokehJS and Panel's scripts from the kernel rather than a CDN, so its plots and labs draw
offline (a classroom without internet, this machine)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

LOADED = re.compile(r"\b(?:js_urls|css_urls|js_modules)\s*=\s*\[([^\]]*)\]")
"""An array of scripts or stylesheets that Bokeh's loader in a notebook output fetches."""
REMOTE = re.compile(r"https?://[^\s\"']+")

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notebook = nbformat.read(path, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), (
        f"{path.name} is committed with outputs; clear them"
    )
    monkeypatch.setenv("RLX_LAB_CACHE_DIR", str(tmp_path / "jax-cache"))
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    loaded = [urls for cell in notebook.cells for urls in LOADED.findall(_text(cell))]
    assert loaded, f"{path.name}: no Bokeh loader among the outputs (does it draw anything?)"
    fetched = sorted({url for urls in loaded for url in REMOTE.findall(urls)})
    assert not fetched, f"{path.name} loads from the network (use inline=True): {fetched[:4]}"


def _text(cell: Any) -> str:
    """Every output of ``cell`` as one string (HTML, JavaScript and the other mime types)."""
    return "\n".join(str(output) for output in cell.get("outputs", []))
