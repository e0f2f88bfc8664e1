"""Every package the code imports is declared: the dashboard's in requirements.txt, the tests' in requirements-dev.txt."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(folder: Path) -> set[str]:
    """Top-level names of every module the Python files under ``folder`` (or that file) import, relative imports left out."""
    found: set[str] = set()
    for path in [folder] if folder.is_file() else folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    return found


def declared(requirements: str) -> set[str]:
    """Distribution names a requirements file lists (normalised), following ``-r`` includes."""
    names: set[str] = set()
    for line in (ROOT / requirements).read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r "):
            names |= declared(line[3:].strip())
        elif line:
            names.add(_normal(re.split(r"[\[<>=!~;\s]", line)[0]))
    return names


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def undeclared(modules: set[str], allowed: set[str]) -> set[str]:
    distributions = packages_distributions()
    local = {"corridors", "tests", "conftest"}
    missing = set()
    for module in modules - local - set(sys.stdlib_module_names):
        owners = {_normal(d) for d in distributions.get(module, [module])}
        if not owners & allowed:
            missing.add(f"{module} (from {', '.join(sorted(owners))})")
    return missing


def test_every_package_the_dashboard_imports_is_a_runtime_requirement():
    runtime = declared("requirements.txt")
    modules = imported_modules(ROOT / "corridors") | imported_modules(ROOT / "app.py")
    assert not undeclared(modules, runtime), f"imported by corridors/ but not in requirements.txt: {undeclared(modules, runtime)}"


def test_every_package_the_tests_import_is_a_test_requirement():
    everything = declared("requirements-dev.txt")
    modules = imported_modules(ROOT / "tests")
    assert not undeclared(modules, everything), f"imported by tests/ but not in requirements-dev.txt: {undeclared(modules, everything)}"


def test_test_only_packages_stay_out_of_the_runtime_requirements():
    runtime = declared("requirements.txt")
    test_only = {"pytest", "hypothesis", "playwright", "pypdf", "ruff", "nbclient", "nbformat", "ipykernel"}
    assert not runtime & test_only, f"test tools in requirements.txt: {runtime & test_only}"
