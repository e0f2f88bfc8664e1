"""A reader's own figures: a "your data" layer beside the ledger, never written into it.

An analyst may have figures the ledger lacks (a consultancy's estimate, a newer ministry
release). They upload them as CSV files in the ledger's own formats: estimates, and
optionally the sources those estimates cite and links. The files are checked with the
validator's own rules and messages (file, line, column), and held apart from the ledger:
every row keeps ``origin = "user"``, and nothing here writes to ``data/``.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from corridors.ledger.load import LEDGER_ORIGIN as LEDGER_ORIGIN  # re-exported beside USER_ORIGIN
from corridors.ledger.schema import table_specs
from corridors.ledger.validate import Problem, check_estimates, check_links, decode_text, parse_table

if TYPE_CHECKING:
    from corridors.ledger.load import Ledger

#: Limits of one uploaded file; both are stated in the error when a file exceeds them.
MAX_USER_BYTES = 5_000_000
MAX_USER_ROWS = 20_000
#: ``origin`` of a reader's row (the ledger's own rows are ``LEDGER_ORIGIN``).
USER_ORIGIN = "user"
#: What a chart's footer says when it shows or uses the reader's figures.
USER_FOOTER = "Includes user-supplied figures (your data, not from the ledger)"
#: The tables a reader may supply, in the order they are checked (sources first: estimates cite them).
USER_TABLES = ("sources", "estimates", "links")
#: A column that tells each kind of file apart by its header.
_HEADER_KEYS = {"estimates": "estimate_id", "links": "link_id", "sources": "publisher"}


class UserDataError(ValueError):
    """The reader's files were refused; ``problems`` lists every problem, each with file, line and column."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"your data has {len(problems)} problem(s), so none of it was used:\n{shown}{more}")


@dataclass(frozen=True)
class UserData:
    """The reader's own tables, checked, each row marked ``origin = "user"``.

    Attributes
    ----------
    estimates, sources, links
        Typed like the ledger's tables, plus an ``origin`` column; ``sources`` and
        ``links`` are empty when no such file was given.
    files
        The names of the files read, in the order given.
    key
        A digest of the files' contents: the same files give the same key, so a cache
        may share what is built from them.
    """

    estimates: pd.DataFrame
    sources: pd.DataFrame
    links: pd.DataFrame
    files: tuple[str, ...]
    key: str

    def table(self, name: str) -> pd.DataFrame:
        return getattr(self, name)

    def summary(self) -> str:
        parts = [f"{len(self.estimates)} estimate(s)"]
        if len(self.sources):
            parts.append(f"{len(self.sources)} source(s)")
        if len(self.links):
            parts.append(f"{len(self.links)} link(s)")
        return f"{', '.join(parts)} from {', '.join(self.files)}"


def _kind_of(name: str, text: str, problems: list[Problem]) -> str | None:
    header = [column.strip() for column in text.splitlines()[0].split(",")] if text.strip() else []
    for kind, column in _HEADER_KEYS.items():
        if column in header:
            return kind
    specs = table_specs()
    expected = "; ".join(f"{kind}: {', '.join(specs[kind].columns)}" for kind in USER_TABLES)
    problems.append(Problem(name, 1, None, f"the header is not that of an estimates, sources or links file (expected {expected})"))
    return None


def _row_count(text: str) -> int:
    """Data rows of a CSV text (quoted line breaks inside a cell do not count as rows)."""
    return max(sum(1 for row in csv.reader(io.StringIO(text)) if row) - 1, 0)


def _texts(files: Mapping[str, bytes], problems: list[Problem]) -> dict[str, tuple[str, str]]:
    """kind → (file name, text) of each file that passes the size, encoding, row and header checks."""
    found: dict[str, tuple[str, str]] = {}
    for name, raw in files.items():
        if len(raw) > MAX_USER_BYTES:
            problems.append(Problem(name, None, None, f"file is {len(raw):,} bytes, more than the {MAX_USER_BYTES:,} (5 MB) allowed"))
            continue
        text = decode_text(name, raw, problems)
        if text is None:
            continue
        kind = _kind_of(name, text, problems)
        if kind is None:
            continue
        if kind in found:
            problems.append(Problem(name, None, None, f"a second {kind} file (the first was {found[kind][0]}): merge them into one"))
            continue
        try:
            rows = _row_count(text)
        except csv.Error as err:
            problems.append(Problem(name, None, None, f"cannot be read as CSV: {err}"))
            continue
        if rows > MAX_USER_ROWS:
            problems.append(Problem(name, None, None, f"file has {rows:,} rows, more than the {MAX_USER_ROWS:,} allowed"))
            continue
        found[kind] = (name, text)
    if files and "estimates" not in found and not problems:
        problems.append(
            Problem(", ".join(files), None, None, "no estimates file among them: your figures go in a file with the estimates' columns")
        )
    return found


def _new_ids(name: str, frame: pd.DataFrame, column: str, taken: set[str], what: str, problems: list[Problem]) -> None:
    for index, value in frame[column].items():
        if isinstance(value, str) and value in taken:
            problems.append(
                Problem(name, int(index) + 2, column, f"'{value}' is already {what} of the ledger: give your row an id of its own")
            )


def _known_refs(name: str, frame: pd.DataFrame, column: str, known: set[str], what: str, problems: list[Problem]) -> None:
    for index, value in frame[column].items():
        if isinstance(value, str) and value not in known:
            problems.append(Problem(name, int(index) + 2, column, f"unknown {what} '{value}' (not in the ledger nor in your files)"))


def read_user_files(files: Mapping[str, bytes], ledger: Ledger) -> UserData:
    """Check the reader's files against the ledger and return them as a layer.

    Parameters
    ----------
    files
        File name → contents. Each file is an estimates, sources or links CSV, told
        apart by its header; an estimates file is required.
    ledger
        The ledger the figures sit beside: ids must be new, references must exist in
        it or in the reader's own files.

    Returns
    -------
    UserData
        The checked tables, each row with ``origin = "user"``.

    Raises
    ------
    UserDataError
        With every problem, each naming the file, line and column. Nothing is kept
        from files that are refused.
    """
    problems: list[Problem] = []
    if not files:
        raise UserDataError([Problem("(no file)", None, None, "no file was given")])
    texts = _texts(files, problems)
    specs = table_specs()
    typed = {kind: parse_table(name, text, specs[kind], problems) for kind, (name, text) in texts.items()}
    empty = {kind: _empty(ledger.table(kind)) for kind in USER_TABLES}
    tables = {kind: frame if (frame := typed.get(kind)) is not None else empty[kind] for kind in USER_TABLES}
    if typed.get("estimates") is not None:
        # Even beside other problems: a person fixing the files wants the whole list at once.
        _check_against_ledger(tables, {kind: name for kind, (name, _) in texts.items() if typed[kind] is not None}, ledger, problems)
    if problems:
        raise UserDataError(sorted(problems, key=lambda p: (p.file, p.row or 0, p.column or "")))
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name] + b"\0")
    return UserData(
        **{kind: tables[kind].assign(origin=USER_ORIGIN) for kind in USER_TABLES}, files=tuple(files), key=digest.hexdigest()[:16]
    )


def _empty(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.iloc[0:0].copy()


def _check_against_ledger(tables: dict[str, pd.DataFrame], names: dict[str, str], ledger: Ledger, problems: list[Problem]) -> None:
    sources, estimates, links = tables["sources"], tables["estimates"], tables["links"]
    if "sources" in names:
        _new_ids(names["sources"], sources, "source_id", set(ledger.sources["source_id"]), "a source id", problems)
    _new_ids(names["estimates"], estimates, "estimate_id", set(ledger.estimates["estimate_id"]), "an estimate id", problems)
    known_sources = set(ledger.sources["source_id"]) | set(sources["source_id"].dropna())
    _known_refs(names["estimates"], estimates, "source_id", known_sources, "source id", problems)
    merged = {"nodes": ledger.nodes, "links": pd.concat([ledger.links, links], ignore_index=True)}
    check_estimates(estimates, merged, problems, name=names["estimates"])
    if "links" in names:
        _new_ids(names["links"], links, "link_id", set(ledger.links["link_id"]), "a link id", problems)
        check_links(links, ledger.nodes, problems, name=names["links"])
        nodes = set(ledger.nodes["node_id"])
        for end in ("from_node", "to_node"):
            _known_refs(names["links"], links, end, nodes, "node id", problems)
        for index, cell in links["source_ids"].items():
            for ref in ledger.source_ids_of(cell):
                if ref not in known_sources:
                    problems.append(Problem(names["links"], int(index) + 2, "source_ids", f"unknown source id '{ref}'"))


def read_user_paths(paths: list[str | Path], ledger: Ledger) -> UserData:
    """:func:`read_user_files` for files on disk (the command line's ``--user-data``); a missing file is a problem too."""
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    for path in map(Path, paths):
        if not path.is_file():
            problems.append(Problem(str(path), None, None, "file not found"))
            continue
        files[str(path)] = path.read_bytes()
    if problems:
        raise UserDataError(problems)
    return read_user_files(files, ledger)


def with_user_data(ledger: Ledger, user: UserData | None, as_defaults: bool = False) -> Ledger:
    """The ledger with the reader's layer beside it.

    Parameters
    ----------
    ledger
        The validated ledger; it is not changed.
    user
        The reader's layer, or None for the ledger alone.
    as_defaults
        When True, the model's defaults take the reader's figure for a series and year
        wherever one is given, and their provenance says "user-supplied". When False,
        the figures are shown (tables, charts, exports) but the model ignores them.
    """
    if user is None:
        return replace(ledger, user=None, user_defaults=False)
    return replace(ledger, user=user, user_defaults=as_defaults)
