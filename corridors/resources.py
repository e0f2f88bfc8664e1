"""Where the shipped ledger and map outlines are, in a checkout and in an installed package.

A source checkout keeps ``data/`` and ``static/`` at the top level, beside the package.
``pip install .`` copies them into the package as ``corridors/_data`` and
``corridors/ui/static`` (see ``[tool.setuptools.package-dir]`` in ``pyproject.toml``),
where :mod:`importlib.resources` finds them. An editable install runs from the
checkout, so it reads the checkout's folders and edits to ``data/`` show at once.

Pure Python: no Streamlit, no pandas.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

#: Environment variable naming a ledger folder to read instead of the shipped one.
DATA_ENV = "CORRIDORS_DATA"

#: Names of the shipped folders inside the installed package (``pyproject.toml`` maps them).
PACKAGED_DATA = "_data"
PACKAGED_STATIC = "ui/static"

#: The file that marks a ledger folder (its Frictionless Data Package descriptor).
LEDGER_MARKER = "datapackage.json"

_PACKAGE_DIR = Path(__file__).resolve().parent


def _checkout_root() -> Path | None:
    """The repository root when running from a source checkout, else None.

    A checkout is recognised by its ``pyproject.toml`` beside the package: an installed
    package sits in ``site-packages``, which never holds one, so a stray top-level
    ``data/`` installed there by some other distribution is not mistaken for ours.
    """
    root = _PACKAGE_DIR.parent
    return root if (root / "pyproject.toml").is_file() else None


def _packaged(name: str) -> Path | None:
    """The folder ``name`` shipped inside the installed package, if it is a real folder."""
    entry = resources.files("corridors") / name
    # A zipped install gives a zipfile.Path: the ledger readers need real paths, so it does not count.
    if isinstance(entry, Path) and entry.is_dir():
        return entry.resolve()
    return None


def _missing(what: str, checkout_dir: str, packaged: str, marker: str) -> FileNotFoundError:
    root = _checkout_root()
    looked = [f"{_PACKAGE_DIR / packaged} (the copy an install ships)"]
    if root is not None:
        looked.insert(0, f"{root / checkout_dir} (this source checkout)")
    return FileNotFoundError(
        f"Corridors cannot find its {what}: no {marker} in {' nor in '.join(looked)}. "
        f"Reinstall from a full checkout: `pip install .` in the folder that holds pyproject.toml, {checkout_dir}/ and corridors/"
        + (f"; or set {DATA_ENV} to a ledger folder." if what == "ledger" else ".")
    )


def shipped_data_dir() -> Path:
    """The ledger folder that ships with Corridors.

    Returns
    -------
    Path
        The checkout's ``data/`` when running from a source checkout (editable install
        or ``python -m corridors`` in the repository), otherwise the copy installed
        inside the package as ``corridors/_data``.

    Raises
    ------
    FileNotFoundError
        When neither folder holds a ``datapackage.json``; the message says how to fix it.
    """
    root = _checkout_root()
    if root is not None and (root / "data" / LEDGER_MARKER).is_file():
        return root / "data"
    packaged = _packaged(PACKAGED_DATA)
    if packaged is not None and (packaged / LEDGER_MARKER).is_file():
        return packaged
    raise _missing("ledger", "data", PACKAGED_DATA, LEDGER_MARKER)


def data_dir(override: str | Path | None = None) -> Path:
    """The ledger folder to read.

    Parameters
    ----------
    override
        A folder given by the caller (``--data``, a test, a notebook). Empty strings
        count as not given.

    Returns
    -------
    Path
        ``override`` if given, else the folder named by the ``CORRIDORS_DATA``
        environment variable if set and not empty, else :func:`shipped_data_dir`.
        A folder given by the caller or the environment is returned resolved but not
        checked: the validator reports what is missing in it, file by file.

    Raises
    ------
    FileNotFoundError
        Only when falling back to the shipped ledger and it cannot be found.
    """
    for chosen in (override, os.environ.get(DATA_ENV)):
        if chosen is not None and str(chosen).strip():
            return Path(chosen).expanduser().resolve()
    return shipped_data_dir()


def static_dir() -> Path:
    """The folder of static files (``static/``: the offline map outlines).

    Streamlit serves the checkout's ``static/`` at ``/app/static/`` (it looks beside the
    main script); static image export reads the files from disk through this function.

    Returns
    -------
    Path
        The checkout's ``static/`` when running from a source checkout, otherwise the
        copy installed inside the package as ``corridors/_static``.

    Raises
    ------
    FileNotFoundError
        When neither folder holds a ``topojson/`` folder.
    """
    root = _checkout_root()
    if root is not None and (root / "static" / "topojson").is_dir():
        return root / "static"
    packaged = _packaged(PACKAGED_STATIC)
    if packaged is not None and (packaged / "topojson").is_dir():
        return packaged
    raise _missing("map outlines", "static", PACKAGED_STATIC, "topojson/")


def topojson_dir() -> Path:
    """The folder of offline map outlines (``world_50m.json``, ``world_110m.json``).

    Returns
    -------
    Path
        ``topojson/`` inside :func:`static_dir`.

    Raises
    ------
    FileNotFoundError
        When the static folder cannot be found.
    """
    return static_dir() / "topojson"
