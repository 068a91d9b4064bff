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


def _module_file(name: str) -> Path | None:
    """The source of app module ``name`` (a package's ``__init__.py``), or None."""
    base = ROOT / "app" / Path(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.exists():
            return path
    return None


def _loaded_at_import(name: str) -> set[str]:
    """Top-level packages that importing app module ``name`` loads: its module-level imports
    (and its packages' ``__init__``), followed through the app; lazy imports in functions are
    not followed, the library stops the walk (it imports no UI code, tested above)."""
    seen: set[str] = set()
    roots: set[str] = set()
    todo = [name]
    while todo:
        module = todo.pop()
        parts = module.split(".")
        for k in range(1, len(parts) + 1):
            prefix = ".".join(parts[:k])
            path = _module_file(prefix)
            if path is None or prefix in seen:
                continue
            seen.add(prefix)
            for node in ast.parse(path.read_text()).body:
                if isinstance(node, ast.Import):
                    found = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                else:
                    continue
                for target in found:
                    if target.split(".")[0] == "rlx_lab_app":
                        todo.append(target)
                    elif _module_file(target) is None:
                        roots.add(target.split(".")[0])
    return roots


PICTURES = (
    "rlx_lab_app.views.surfaces.race_gif",
    "rlx_lab_app.views.surfaces.gallery_image",
    "rlx_lab_app.views.nets.gif",
)


@pytest.mark.parametrize("module", PICTURES)
def test_the_pictures_are_drawn_without_panel_or_bokeh(module: str) -> None:
    """A notebook or a script draws the GIFs and the gallery with Pillow alone."""
    loaded = _loaded_at_import(module)
    assert "PIL" in loaded and "rlx_lab" in loaded
    assert not loaded & {"panel", "bokeh", "holoviews"}, f"{module} loads {sorted(loaded)}"


def test_the_import_walk_finds_bokeh_behind_the_app() -> None:
    assert "bokeh" in _loaded_at_import("rlx_lab_app.views.heat_map")
    assert "panel" in _loaded_at_import("rlx_lab_app.views.surfaces.lab")


def _imported_modules(tree: ast.AST) -> set[str]:
    """Every module an import names, lazy imports in functions included (``from a import b``
    names ``a`` and ``a.b``: ``b`` may be a submodule)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
    return found


WORLDS = ("surfaces", "nets")
LAYERS = ("state", "views")


def _world_sources() -> list[tuple[str, Path]]:
    return [
        (world, path)
        for world in WORLDS
        for layer in LAYERS
        for path in _sources(f"app/rlx_lab_app/{layer}/{world}")
    ]


def _crossings(world: str, modules: set[str]) -> list[str]:
    """The modules of ``modules`` that belong to the other world."""
    others = [
        f"rlx_lab_app.{layer}.{other}" for other in WORLDS if other != world for layer in LAYERS
    ]
    return sorted(m for m in modules for o in others if m == o or m.startswith(o + "."))


@pytest.mark.parametrize(
    ("world", "path"), _world_sources(), ids=lambda v: v if isinstance(v, str) else v.name
)
def test_a_world_imports_nothing_of_the_other(world: str, path: Path) -> None:
    """The two labs share code through the top of ``state/`` and ``views/`` (the job layer,
    the plan cache, the tuning job, the link codec…), never through each other's folders."""
    crossing = _crossings(world, _imported_modules(ast.parse(path.read_text())))
    assert not crossing, f"{path.relative_to(ROOT)} imports {crossing}"


def test_the_world_check_sees_a_crossing() -> None:
    text = "def f():\n    from rlx_lab_app.state.surfaces.plan import TrajectoryCache\n"
    assert _crossings("nets", _imported_modules(ast.parse(text)))
    text = "from rlx_lab_app.views import nets"
    assert _crossings("surfaces", _imported_modules(ast.parse(text)))
    assert not _crossings("nets", _imported_modules(ast.parse("import rlx_lab_app.state.plan")))
    assert len(_world_sources()) > 30


def test_no_source_file_is_over_300_lines() -> None:
    """Small modules, one job each (tests aside)."""
    long = {
        str(path.relative_to(ROOT)): n
        for folder in ("rlx_lab", "app")
        for path in (ROOT / folder).rglob("*.py")
        if (n := len(path.read_text().splitlines())) > 300
    }
    assert not long, f"over 300 lines: {long}"
