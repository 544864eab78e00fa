"""The import direction of DESIGN.md holds: pipelines -> assets -> {sources, analysis, warehouse}."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["sources", "analysis", "warehouse", "assets", "pipelines", "dashboard"]
# What each layer may import from the project's own packages.
ALLOWED = {
    "sources": {"sources"},
    "analysis": {"analysis"},
    "warehouse": {"warehouse"},
    "assets": {"assets", "sources", "analysis", "warehouse"},
    "pipelines": {"pipelines", "assets", "sources", "analysis", "warehouse"},
    "dashboard": {"dashboard", "warehouse"},
}
# Third-party packages a pure layer must not touch.
FORBIDDEN_LIBS = {"sources": {"dagster", "duckdb"}, "analysis": {"dagster", "duckdb", "requests", "requests_cache", "urllib3"}}


def imported_roots(path: Path) -> set[str]:
    """Top-level package names a module imports, from its syntax tree."""
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def violations(layer: str, root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted((root / layer).rglob("*.py")):
        roots = imported_roots(path)
        for bad in sorted((roots & set(LAYERS)) - ALLOWED[layer]):
            found.append(f"{path.relative_to(root)} imports {bad}")
        for bad in sorted(roots & FORBIDDEN_LIBS.get(layer, set())):
            found.append(f"{path.relative_to(root)} imports {bad}")
    return found


@pytest.mark.parametrize("layer", LAYERS)
def test_layer_imports_only_downward(layer: str) -> None:
    assert violations(layer) == []


def test_a_wrong_way_import_is_caught(tmp_path: Path) -> None:
    (tmp_path / "analysis").mkdir()
    (tmp_path / "analysis" / "bad.py").write_text("import duckdb\nfrom assets.bills import bills\n")
    assert violations("analysis", tmp_path) == ["analysis/bad.py imports assets", "analysis/bad.py imports duckdb"]
