"""The shape of the house: the core stays free of the UI, imports flow one way, files stay small."""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import ROOT

CORE = ROOT / "memviz"
MAX_MODULE_LINES = 320  # the guide is ~300; a little slack, not a second rule
MAX_PAGE_LINES = 150
I18N = "memviz.i18n"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(dotted: str) -> bool:
    base = ROOT.joinpath(*dotted.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def _imports(path: Path, top_level_only: bool) -> set[str]:
    """memviz modules `path` imports (top-level statements only, or anywhere)."""
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module:
            subs = [f"{node.module}.{a.name}" for a in node.names]
            found.update(subs)
            # `from memviz import i18n` runs memviz/__init__ too, but that only imports on
            # first attribute use: count the package itself where a name is not a submodule
            if not all(_is_module(m) for m in subs):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def _core_modules() -> dict[str, Path]:
    return {_module_name(p): p for p in CORE.rglob("*.py")}


def test_streamlit_is_imported_only_by_the_ui_the_pages_and_the_router():
    offenders = [str(p.relative_to(ROOT)) for p in CORE.rglob("*.py")
                 if "ui" not in p.relative_to(CORE).parts[:1]
                 and any(m.split(".")[0] == "streamlit" for m in _imports(p, False))]
    assert offenders == []


def test_memviz_has_no_import_cycle():
    """Counting every import: top-level, inside a function, under `if TYPE_CHECKING` (a
    circle through a function-level import is still a circle, e.g. jobs <-> workers)."""
    modules = _core_modules()
    graph = {name: {m for m in _imports(path, False) if m in modules and m != name}
             for name, path in modules.items()}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            assert state.get(nxt) != 1, "import cycle: " + " -> ".join([*trail, node, nxt])
            if nxt not in state:
                visit(nxt, [*trail, node])
        state[node] = 2

    for name in graph:
        if name not in state:
            visit(name, [])


def test_the_root_command_line_imports_no_lesson():
    lesson_packages = {p.name for p in CORE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    imported = {m.split(".")[1] for m in _imports(CORE / "cli.py", False)
                if m.startswith("memviz.") and "." in m}
    assert imported & lesson_packages == set()


def test_modules_and_pages_stay_small():
    big = {str(p.relative_to(ROOT)): n for p in CORE.rglob("*.py")
           if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES}
    big.update({str(p.relative_to(ROOT)): n for p in (ROOT / "pages").glob("*.py")
                if (n := len(p.read_text().splitlines())) > MAX_PAGE_LINES})
    assert big == {}


def test_every_page_goes_through_the_router_first():
    for page in (ROOT / "pages").glob("*.py"):
        calls = [n for n in ast.parse(page.read_text()).body
                 if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)]
        first = calls[0].value.func if calls else None
        assert isinstance(first, ast.Name) and first.id == "through_router", page.name


def test_lessons_folder_is_gone():
    assert not (ROOT / "lessons").exists()


def _unit(module: str) -> str:
    """What a private name is private to: its lesson or core package (memviz.engine, memviz.ui,
    ...), or the module itself for one at the top of memviz (memviz.runs)."""
    return ".".join(module.split(".")[:2])


def _private_names_from_elsewhere(path: Path, modules: set[str]) -> list[str]:
    """`from memviz.X import _name` and `X._name` (X an imported memviz module) where X lies
    in another package than `path`."""
    me = _unit(_module_name(path)) if path.is_relative_to(CORE) else str(path)

    def private(name: str) -> bool:
        return name.startswith("_") and not name.startswith("__")

    tree, bound, found = ast.parse(path.read_text()), {}, []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("memviz"):
            for a in node.names:
                if f"{node.module}.{a.name}" in modules:
                    bound[a.asname or a.name] = f"{node.module}.{a.name}"
                elif private(a.name) and _unit(node.module) != me:
                    found.append(f"{node.lineno}: from {node.module} import {a.name}")
        elif isinstance(node, ast.Import):
            bound.update({a.asname: a.name for a in node.names if a.asname and a.name in modules})
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in bound and private(node.attr)
                and _unit(bound[node.value.id]) != me):
            found.append(f"{node.lineno}: {bound[node.value.id]}.{node.attr}")
    return found


def test_no_package_imports_another_packages_private_name():
    """A name shared across packages is public: `_MODULES`, `_figure`, `_rows` and
    `_one_thread` were reached into from other lessons."""
    modules = set(_core_modules())
    files = [*CORE.rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]
    found = {str(p.relative_to(ROOT)): f for p in files
             if (f := _private_names_from_elsewhere(p, modules))}
    assert found == {}


def test_the_private_name_check_sees_both_forms(tmp_path):
    modules = set(_core_modules())
    bad = tmp_path / "page.py"
    bad.write_text("from memviz.engine.models import _MODULES\nfrom memviz.engine import figures"
                   " as F\nfrom memviz.engine import trace\nF._rows(2)\ntrace.__name__\n")
    assert _private_names_from_elsewhere(bad, modules) == [
        "1: from memviz.engine.models import _MODULES", "4: memviz.engine.figures._rows"]


def _python_files() -> list[Path]:
    return [*CORE.rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]


def test_only_urlstate_writes_the_url():
    """An assignment to, a deletion from, or a mutating call on `query_params` anywhere but
    memviz/ui/urlstate.py (issue 26 §6: one writer of the address bar)."""
    mutating = {"clear", "update", "from_dict", "pop", "setdefault", "__setitem__",
                "__delitem__"}
    writers = set()
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text())):
            targets = (node.targets if isinstance(node, ast.Assign | ast.Delete)
                       else [node.target] if isinstance(node, ast.AugAssign) else [])
            hits = [t for t in targets if isinstance(t, ast.Subscript)
                    and ast.unparse(t.value).endswith("query_params")]
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in mutating
                    and ast.unparse(node.func.value).endswith("query_params")):
                hits.append(node)
            if hits:
                writers.add(str(path.relative_to(ROOT)))
    assert writers == {"memviz/ui/urlstate.py"}


def test_t_is_taken_one_way_per_layer():
    """The UI (memviz/ui, pages, app.py) takes `t` from memviz.ui.lang (the session's
    language); the core from memviz.i18n (`from memviz.i18n import t`, or `i18n.t` where `t` is
    a time step); nothing renames it (issue 26 §6)."""
    wrong = []
    for path in _python_files():
        rel = path.relative_to(ROOT)
        ui = rel.parts[0] in ("pages", "app.py") or rel.parts[:2] == ("memviz", "ui")
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module in (I18N, "memviz.ui.lang"):
                for a in node.names:
                    if a.name == "t" and (a.asname or (node.module == I18N) == ui):
                        wrong.append(f"{rel}: from {node.module} import t as {a.asname}")
            if (ui and rel.as_posix() != "memviz/ui/lang.py" and isinstance(node, ast.Attribute)
                    and node.attr == "t" and ast.unparse(node.value) == "i18n"):
                wrong.append(f"{rel}: i18n.t")
    assert wrong == []
