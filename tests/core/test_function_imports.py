"""An import inside a function is how a module hides an import circle. The
few that remain are deliberately lazy (a heavy or optional third-party
package only some commands need) and are listed here with their reason, so a
new one has to be argued for rather than slipping in."""

from __future__ import annotations

import ast
from pathlib import Path

SOURCES = Path(__file__).resolve().parents[2] / "src" / "warroom"

DELIBERATELY_LAZY = {
    ("cli.py", "uvicorn"): "only the commands that serve pay for importing the server",
    ("cli.py", "warroom.serving"): "imports uvicorn, as above",
    ("db.py", "alembic"): "migrations run at start-up, not on every CLI call",
    ("db.py", "alembic.migration"): "as above",
    ("db.py", "alembic.config"): "as above",
    ("outbound.py", "certifi"): "optional: the system trust store is used without it",
    ("worker.py", "psycopg"): "the PostgreSQL driver, absent on an SQLite-only install",
    ("reviews/export.py", "weasyprint"): "needs the system's Pango: only PDF export pays for it",
    ("evidence/service.py", "warroom.evidence"): "s3store imports boto3: only an S3 store pays",
}


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.module == "warroom":
        return [f"warroom.{alias.name}" for alias in node.names]
    return [node.module or ""]


def function_imports(root: Path) -> dict[tuple[str, str], int]:
    """(file relative to ``root``, module imported) -> line, for every import
    inside a function body."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.relative_to(root).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    for module in _imported(inner):
                        found[(path.relative_to(root).as_posix(), module)] = inner.lineno
    return found


def test_only_deliberately_lazy_imports_sit_inside_functions():
    found = function_imports(SOURCES)
    hidden = {f"{file}:{line} imports {module}" for (file, module), line in found.items()
              if (file, module) not in DELIBERATELY_LAZY}
    assert not hidden, ("move these imports to the top of their module (break the circle "
                        f"they hide through a service or a hook): {sorted(hidden)}")


def test_the_list_of_lazy_imports_has_no_stale_entries():
    stale = set(DELIBERATELY_LAZY) - set(function_imports(SOURCES))
    assert not stale, f"no longer imported inside a function, drop from the list: {stale}"


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    (tmp_path / "hiding.py").write_text("def f():\n    from warroom import incidents\n")
    assert function_imports(tmp_path) == {("hiding.py", "warroom.incidents"): 2}
