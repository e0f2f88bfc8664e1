"""Every package the code imports is declared: the dashboard's in requirements.txt, the tests' in requirements-dev.txt."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

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
    return {_normal(re.split(r"[\[<>=!~;\s]", line)[0]) for line in _requirement_lines(requirements)}


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


def pins(lock: str) -> dict[str, tuple[str, int]]:
    """Each package a lock file pins: its version and how many hashes it carries."""
    found: dict[str, tuple[str, int]] = {}
    name = ""
    for line in (ROOT / lock).read_text(encoding="utf-8").splitlines():
        pinned = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", line)
        if pinned:
            name = _normal(pinned.group(1))
            found[name] = (pinned.group(2), 0)
        elif name and line.strip().startswith("--hash=sha256:"):
            version, hashes = found[name]
            found[name] = (version, hashes + 1)
    return found


@pytest.mark.parametrize(("wanted", "lock"), [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")])
def test_the_lock_file_pins_every_requirement_with_hashes(wanted, lock):
    from packaging.requirements import Requirement

    pinned = pins(lock)
    problems = []
    for line in _requirement_lines(wanted):
        requirement = Requirement(line)
        name = _normal(requirement.name)
        if name not in pinned:
            problems.append(f"{name} is not in {lock}")
        elif not requirement.specifier.contains(pinned[name][0], prereleases=True):
            problems.append(f"{name}=={pinned[name][0]} in {lock} does not satisfy {line!r}: run `make lock`")
    problems += [f"{name} has no hash" for name, (_, hashes) in pinned.items() if hashes == 0]
    assert not problems, problems


def _requirement_lines(requirements: str) -> list[str]:
    lines: list[str] = []
    for line in (ROOT / requirements).read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r "):
            lines += _requirement_lines(line[3:].strip())
        elif line:
            lines.append(line)
    return lines
