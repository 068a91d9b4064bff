"""The house rules of the tree: the library never imports the web app or its UI stack, and no
module patches the interpreter's import machinery (read from the source, no imports run)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UI_PACKAGES = {"panel", "bokeh", "param", "holoviews", "pyviz_comms", "rlx_lab_app", "app"}


def _sources(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _imported_roots(tree: ast.AST) -> set[str]:
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", _sources("rlx_lab"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_library_imports_no_web_app_code(path: Path) -> None:
    used = _imported_roots(ast.parse(path.read_text())) & UI_PACKAGES
    assert not used, f"{path.relative_to(ROOT)} imports {sorted(used)}"


def _edits_import_state(tree: ast.AST) -> list[int]:
    """Lines that use ``sys.path`` or ``sys.modules`` at all (the app needs neither)."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "sys"
        and node.attr in ("path", "modules")
    ]


@pytest.mark.parametrize(
    "path", _sources("app") + _sources("rlx_lab"), ids=lambda p: str(p.relative_to(ROOT))
)
def test_no_module_edits_the_import_path(path: Path) -> None:
    lines = _edits_import_state(ast.parse(path.read_text()))
    assert not lines, f"{path.relative_to(ROOT)} touches sys.path/sys.modules at lines {lines}"


def test_the_import_check_sees_an_edit() -> None:
    edits = ("sys.path.insert(0, 'x')", "del sys.modules['app']", "sys.path[:] = []")
    for text in edits:
        assert _edits_import_state(ast.parse(text)), text
    assert not _edits_import_state(ast.parse("print(sys.version)"))


def test_every_page_of_the_app_is_made_by_page_template() -> None:
    """One template factory (no busy indicator: see ``views/templates.py``)."""
    made_elsewhere = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in _sources("app")
        if path.name != "templates.py"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr.endswith("Template")
    ]
    assert not made_elsewhere, f"pages not made by page_template: {made_elsewhere}"
