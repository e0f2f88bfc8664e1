"""The package's layout keeps its promises: one-way imports, Streamlit only in the UI, no place named in code."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

from corridors.ledger.load import load_ledger

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "corridors"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_modules() -> dict[str, ast.Module]:
    return {module_name(p): ast.parse(p.read_text(encoding="utf-8")) for p in PACKAGE.rglob("*.py")}


def top_level_imports(tree: ast.Module, name: str, modules: set[str]) -> set[str]:
    """Package modules a module imports, at the top or inside a function (not under ``if TYPE_CHECKING``).

    ``from pkg import mod`` counts as importing ``pkg.mod``; a module's own parent packages are
    already being imported when it runs, so an edge to them is no cycle and is not counted.
    """
    found: set[str] = set()
    typing_only = {
        id(n)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for n in ast.walk(block)
    }
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in modules else node.module)
    parents = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
    return {m for m in found if m in modules and m != name and m not in parents}


def test_no_import_cycles_between_the_packages_modules():
    modules = package_modules()
    graph = nx.DiGraph()
    for name, tree in modules.items():
        graph.add_node(name)
        for target in top_level_imports(tree, name, set(modules)):
            graph.add_edge(name, target)
    cycles = [c for c in nx.simple_cycles(graph) if len(c) > 1]
    assert not cycles, f"import cycles: {cycles[:5]}"
    assert graph.number_of_edges() > 40, "the import graph was not read"


def test_only_the_ui_imports_streamlit():
    offenders = []
    for name, tree in package_modules().items():
        imports = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imports |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        if any(i.split(".")[0] == "streamlit" for i in imports) and not name.startswith("corridors.ui"):
            offenders.append(name)
    assert offenders == []


def test_no_node_or_link_id_is_written_in_the_package():
    ledger = load_ledger()
    ids = set(ledger.nodes["node_id"]) | set(ledger.links["link_id"])
    found = [
        f"{name}: {node.value!r} (line {node.lineno})"
        for name, tree in package_modules().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in ids
    ]
    assert found == []


def test_no_top_level_pages_folder():
    # Streamlit lists a pages/ folder beside the main script in its old file-name navigation.
    assert not (ROOT / "pages").exists()
    assert not (PACKAGE / "ui" / "pages").exists()
