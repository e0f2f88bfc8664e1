"""A non-editable install stands on its own: built from the repository, installed into a fresh
environment, and run from an unrelated folder, it finds its ledger and map outlines inside the
install, never in the checkout.

The build works on a copy of the repository, so the shared working tree gets no ``build/`` folder.
The fresh environment reuses the test interpreter's installed dependencies through a ``.pth`` line
(no download of pandas, streamlit, ...); a plain path line does not run the ``.pth`` files it points
at, so the editable install of the development environment stays inactive in there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: What the build does not need from the working tree; everything else is copied as a user would clone it.
COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "*.egg-info", "build", "dist", ".pytest_cache", ".ruff_cache", ".hypothesis", "out"
)


def _can_build_offline() -> bool:
    """True when this interpreter's setuptools builds wheels by itself (70.1+ carries bdist_wheel)."""
    try:
        version = metadata.version("setuptools")
    except metadata.PackageNotFoundError:
        return False
    parts = tuple(int(p) for p in version.split(".")[:2] if p.isdigit())
    return parts >= (70, 1)


def _run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment of a user's shell: no PYTHONPATH pointing at the checkout, no ledger override."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "CORRIDORS_DATA", "VIRTUAL_ENV"}}
    env.update(extra)
    return env


class Install:
    def __init__(self, venv_dir: Path, source_copy: Path, elsewhere: Path):
        self.venv = venv_dir
        self.source_copy = source_copy
        self.elsewhere = elsewhere
        self.python = venv_dir / "bin" / "python"
        self.corridors = venv_dir / "bin" / "corridors"

    def python_c(self, code: str, **env: str) -> subprocess.CompletedProcess:
        return _run([self.python, "-c", code], cwd=self.elsewhere, env=_clean_env(**env), timeout=120)

    def cli(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        return _run([self.corridors, *args], cwd=self.elsewhere, env=_clean_env(**env), timeout=120)

    def outside_checkout(self, path: str) -> bool:
        resolved = Path(path).resolve()
        return not resolved.is_relative_to(ROOT) and not resolved.is_relative_to(self.source_copy)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Install:
    """Corridors built as a wheel from a copy of the repository and installed, not editable, into a fresh venv."""
    base = tmp_path_factory.mktemp("install")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=COPY_IGNORE)

    wheels = base / "wheels"
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", wheels, source]
    if _can_build_offline():
        build.insert(5, "--no-build-isolation")
    built = _run(build, cwd=base)
    assert built.returncode == 0, f"building the wheel failed:\n{built.stdout}\n{built.stderr}"
    (wheel,) = wheels.glob("corridors-*.whl")

    venv_dir = base / "venv"
    # No pip in the venv: this interpreter's pip installs into it (pip --python), which saves ensurepip's ~7 s.
    venv.EnvBuilder(with_pip=False).create(venv_dir)
    install = Install(venv_dir, source, base / "elsewhere")
    install.elsewhere.mkdir()
    done = _run([sys.executable, "-m", "pip", "--python", install.python, "install", "--no-deps", "--quiet", wheel], cwd=base)
    assert done.returncode == 0, f"installing the wheel failed:\n{done.stdout}\n{done.stderr}"

    # Dependencies come from this interpreter's site-packages; written after the install so that pip never
    # sees (or tries to replace) the development environment's own corridors.
    purelib = Path(install.python_c("import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    paths = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    (purelib / "_corridors_test_deps.pth").write_text("\n".join(paths) + "\n", encoding="utf-8")
    return install


def test_the_installed_package_is_imported_from_the_venv(installed: Install):
    probe = installed.python_c("import corridors; print(corridors.__file__)")
    assert probe.returncode == 0, probe.stderr
    location = probe.stdout.strip()
    assert Path(location).resolve().is_relative_to(installed.venv.resolve()), location
    assert installed.outside_checkout(location), location


def test_the_installed_resources_point_inside_the_venv(installed: Install):
    probe = installed.python_c(
        "import json, corridors.resources as r; "
        "print(json.dumps({'data': str(r.shipped_data_dir()), 'default': str(r.data_dir()), "
        "'static': str(r.static_dir()), 'topojson': str(r.topojson_dir())}))"
    )
    assert probe.returncode == 0, probe.stderr
    found = {name: Path(path) for name, path in json.loads(probe.stdout).items()}
    for name, path in found.items():
        assert path.resolve().is_relative_to(installed.venv.resolve()), f"{name}: {path}"
        assert installed.outside_checkout(str(path)), f"{name}: {path}"
    assert found["default"] == found["data"]
    # Every shipped file made it into the install, byte for byte.
    for shipped, folder in ((found["data"], ROOT / "data"), (found["topojson"], ROOT / "static" / "topojson")):
        expected = sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        assert sorted(p.relative_to(shipped) for p in shipped.rglob("*") if p.is_file()) == expected
        for relative in expected:
            assert (shipped / relative).read_bytes() == (folder / relative).read_bytes(), relative


def test_corridors_data_overrides_the_shipped_ledger(installed: Install, tmp_path: Path):
    probe = installed.python_c("import corridors.resources as r; print(r.data_dir())", CORRIDORS_DATA=str(tmp_path))
    assert probe.returncode == 0, probe.stderr
    assert Path(probe.stdout.strip()) == tmp_path.resolve()


def test_validate_runs_from_an_unrelated_folder(installed: Install):
    result = installed.cli("validate")
    assert result.returncode == 0, result.stderr
    assert "ledger OK" in result.stdout
    assert str(ROOT) not in result.stdout + result.stderr


def test_validate_reads_the_ledger_named_by_corridors_data(installed: Install, tmp_path: Path):
    """The installed CLI honours CORRIDORS_DATA: a copy missing sources.csv is refused, by name."""
    broken = tmp_path / "ledger"
    shutil.copytree(ROOT / "data", broken, ignore=COPY_IGNORE)
    (broken / "sources.csv").unlink()
    result = installed.cli("validate", CORRIDORS_DATA=str(broken))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "sources.csv" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_prints_the_json_document_from_an_unrelated_folder(installed: Install):
    result = installed.cli("run", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["format"] == "corridors.run/2"
