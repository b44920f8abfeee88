"""The status page's modules import each other in one direction: no circle,
not even through imports made only for type checking (imports inside
functions are checked for all of warroom by tests/core/test_function_imports.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import warroom.statuspage

ROOT = Path(warroom.statuspage.__file__).parent
PACKAGE = "warroom.statuspage"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PACKAGE, *parts))


def _trees() -> dict[str, ast.Module]:
    return {_module_name(path): ast.parse(path.read_text()) for path in ROOT.rglob("*.py")}


def _targets(node: ast.stmt, modules: set[str]) -> set[str]:
    """The statuspage modules an import statement loads."""
    if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PACKAGE):
        named = {f"{node.module}.{alias.name}" for alias in node.names}
        return (named & modules) | ({node.module} if named - modules else set())
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in modules}
    return set()


def _graph() -> dict[str, set[str]]:
    """Every statuspage import, top-level or not: a circle closed inside a
    function is still a circle."""
    trees = _trees()
    modules = set(trees)
    return {name: {target for node in ast.walk(tree) if isinstance(node, ast.stmt)
                   for target in _targets(node, modules)} - {name}
            for name, tree in trees.items()}


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), list(graph[start])
    while todo:
        current = todo.pop()
        if current == goal:
            return True
        if current not in seen:
            seen.add(current)
            todo.extend(graph.get(current, ()))
    return False


def test_no_module_imports_itself_back() -> None:
    graph = _graph()
    circles = sorted(name for name in graph if _reaches(graph, name, name))
    assert circles == []


def test_the_graph_sees_the_imports() -> None:
    """Guard against a check that passes because it reads nothing."""
    graph = _graph()
    assert "warroom.statuspage.subscribers.notifications" in graph[
        "warroom.statuspage.notices.incidents"]
