"""The package's import graph has no cycle, counting the imports made inside functions."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "src" / "lettre"


def _type_checking_only(node: ast.AST) -> bool:
    """`if TYPE_CHECKING:` — what it imports is never imported at run time."""
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, package: str, modules: set[str]) -> set[str]:
    """The package's modules that `tree` imports, at module level or inside functions."""
    found: set[str] = set()
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and _type_checking_only(node):
            todo += node.orelse
            continue
        todo += ast.iter_child_nodes(node)
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if (
                node.level == 0
                and node.module != package
                and not (node.module or "").startswith(package + ".")
            ):
                continue
            base = package if node.level else (node.module or "")
            if node.level and node.module:
                base = f"{package}.{node.module}"
            # `from . import files` imports a module; `from . import __version__` the package
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
            names = [n for n in names if n in modules] or [base]
        else:
            continue
        found.update(n for n in names if n in modules)
    return found


def import_graph(folder: Path) -> dict[str, set[str]]:
    """Each module of the package in `folder` → the package's modules it imports."""
    package = folder.name
    paths = {
        (package if p.stem == "__init__" else f"{package}.{p.stem}"): p
        for p in sorted(folder.glob("*.py"))
    }
    modules = set(paths)
    return {
        name: _imports(ast.parse(path.read_text(encoding="utf-8")), package, modules) - {name}
        for name, path in paths.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of `graph` (its first module repeated at the end), or None."""
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        path: list[str] = []
        on_path: set[str] = set()
        stack: list[tuple[str, list[str]]] = [(start, sorted(graph[start]))]
        path.append(start)
        on_path.add(start)
        while stack:
            node, targets = stack[-1]
            if not targets:
                stack.pop()
                path.pop()
                on_path.discard(node)
                done.add(node)
                continue
            target = targets.pop(0)
            if target in on_path:
                return [*path[path.index(target) :], target]
            if target not in done:
                stack.append((target, sorted(graph.get(target, ()))))
                path.append(target)
                on_path.add(target)
    return None


def test_the_package_has_no_import_cycle() -> None:
    graph = import_graph(PACKAGE)
    assert "lettre.config" in graph and "lettre.keylines" in graph["lettre.config"]
    assert "lettre.letter" in graph["lettre.archive"]  # an import inside a function counts
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def _package(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_a_cycle_through_a_function_level_import_is_found(tmp_path: Path) -> None:
    folder = _package(
        tmp_path / "pkg",
        {
            "__init__.py": "",
            "a.py": "from .b import thing\n",
            "b.py": "def f():\n    from . import c\n",
            "c.py": "import pkg.a\nfrom . import __version__\n",
        },
    )
    graph = import_graph(folder)
    assert graph["pkg.c"] == {"pkg.a", "pkg"}
    assert find_cycle(graph) == ["pkg.a", "pkg.b", "pkg.c", "pkg.a"]


def test_type_checking_imports_make_no_cycle(tmp_path: Path) -> None:
    folder = _package(
        tmp_path / "pkg",
        {
            "a.py": "from .b import x\n",
            "b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import y\n",
        },
    )
    assert find_cycle(import_graph(folder)) is None
