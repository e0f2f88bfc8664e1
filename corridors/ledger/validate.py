"""Read the ledger's CSV files and check them against the data package.

Every problem is collected, none is raised on its own: a person fixing a file wants
the whole list at once, each with file, line and column. Line numbers are those of
the CSV file as an editor shows them (the header is line 1).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from corridors import resources
from corridors.ledger.price_checks import PRICES, check_prices
from corridors.ledger.route_checks import FIGURES, check_routes
from corridors.ledger.schema import ESTIMATE_UNITS, NETWORK_UNITS, TABLES, FieldSpec, TableSpec, table_specs
from corridors.ledger.wiring_checks import check_wiring

#: Files larger than this are refused before parsing; the shipped ledger is ~100 kB.
MAX_FILE_BYTES = 20_000_000

#: Subjects that are neither node nor link ids, countries nor pairs: "all", or a named aggregate written with a capital
#: ("INSTC", "INSTC.rail", "Europe", another corridor's own total).
AGGREGATE_SUBJECT = re.compile(r"^(all|[A-Z][A-Za-z0-9.]*)$")
TRUE_WORDS = {"true", "1", "yes"}
FALSE_WORDS = {"false", "0", "no"}
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: An ISO 3166-1 alpha-2 code: estimates may name any country, not only those with a node.
COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the ledger, located as precisely as possible."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", line {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


class LedgerError(ValueError):
    """The ledger failed validation; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(
            f"the ledger has {len(problems)} problem(s); fix them, then run `python -m corridors validate` again:\n{shown}{more}"
        )


def _line(index: int) -> int:
    # Row 0 of the frame is line 2 of the file: line 1 is the header.
    return int(index) + 2


def _read_text(path: Path, problems: list[Problem]) -> str | None:
    name = path.name
    if not path.is_file():
        problems.append(Problem(name, None, None, f"file is missing (expected at {path})"))
        return None
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        problems.append(Problem(name, None, None, f"file is {size:,} bytes, more than the {MAX_FILE_BYTES:,} allowed"))
        return None
    return decode_text(name, path.read_bytes(), problems)


def decode_text(name: str, raw: bytes, problems: list[Problem]) -> str | None:
    """A file's bytes as text (UTF-8, a byte-order mark allowed), or None with the problem recorded."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        problems.append(Problem(name, line, None, f"is not valid UTF-8 (byte 0x{raw[err.start]:02x}); save the file as UTF-8"))
        return None
    if not text.strip():
        problems.append(Problem(name, None, None, "file is empty; it needs a header row"))
        return None
    return text


def _parse_csv(name: str, text: str, spec: TableSpec, problems: list[Problem]) -> pd.DataFrame | None:
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        problems.append(Problem(name, None, None, f"cannot be read as CSV: {err}"))
        return None
    header = list(frame.columns)
    if len(header) == 1 and len(spec.columns) > 1:
        for sep, label in ((";", "semicolons"), ("\t", "tabs"), ("|", "pipes")):
            if sep in header[0]:
                problems.append(Problem(name, 1, None, f"columns are separated by {label}; use commas"))
                return None
    missing = [c for c in spec.columns if c not in header]
    extra = [c for c in header if c not in spec.columns]
    for column in missing:
        problems.append(Problem(name, 1, column, "column is missing from the header"))
    for column in extra:
        problems.append(Problem(name, 1, column, "unexpected column (not in datapackage.json)"))
    if missing:
        return None
    return frame[spec.columns].apply(lambda col: col.str.strip())


def _coerce_column(name: str, raw: pd.Series, spec: FieldSpec, problems: list[Problem]) -> pd.Series:
    """Turn a column of strings into its declared type, reporting each bad cell."""
    empty = raw == ""
    if spec.required:
        for index in raw.index[empty]:
            problems.append(Problem(name, _line(index), spec.name, "is required but empty"))
    if spec.type in ("number", "integer"):
        values = pd.to_numeric(raw.where(~empty), errors="coerce")
        bad = values.isna() & ~empty
        if spec.type == "integer":
            bad |= values.notna() & (values % 1 != 0)
        for index in raw.index[bad]:
            article = "an" if spec.type == "integer" else "a"
            problems.append(Problem(name, _line(index), spec.name, f"'{raw[index]}' is not {article} {spec.type}"))
        values = values.where(~bad)
        return values.astype("Int64") if spec.type == "integer" else values.astype("float64")
    if spec.type == "boolean":
        lowered = raw.str.lower()
        truth = lowered.isin(TRUE_WORDS)
        bad = ~(truth | lowered.isin(FALSE_WORDS) | empty)
        for index in raw.index[bad]:
            problems.append(Problem(name, _line(index), spec.name, f"'{raw[index]}' is not true or false"))
        return pd.Series(pd.array([None if e or b else t for t, e, b in zip(truth, empty, bad)], dtype="boolean"), index=raw.index)
    if spec.type == "date":
        parsed = pd.to_datetime(raw.where(~empty), format="%Y-%m-%d", errors="coerce")
        bad = (parsed.isna() | ~raw.str.match(DATE_PATTERN)) & ~empty
        for index in raw.index[bad]:
            problems.append(Problem(name, _line(index), spec.name, f"'{raw[index]}' is not a date (YYYY-MM-DD)"))
        return raw.where(~empty & ~bad).astype("str")
    return raw.where(~empty).astype("str")


def _pandera_schema(spec: TableSpec) -> pa.DataFrameSchema:
    columns = {}
    for f in spec.fields:
        checks = []
        if f.enum is not None:
            checks.append(pa.Check.isin(list(f.enum), error=f"must be one of: {', '.join(f.enum)}"))
        if f.minimum is not None:
            checks.append(pa.Check.ge(f.minimum, error=f"must be at least {f.minimum:g}"))
        if f.maximum is not None:
            checks.append(pa.Check.le(f.maximum, error=f"must be at most {f.maximum:g}"))
        if f.pattern is not None:
            checks.append(pa.Check.str_matches(f.pattern, error=f"must match the pattern {f.pattern}"))
        # Types were already enforced by _coerce_column; pandera checks the values.
        columns[f.name] = pa.Column(checks=checks, nullable=True, unique=f.unique)
    return pa.DataFrameSchema(columns, strict=True)


def _check_values(name: str, frame: pd.DataFrame, spec: TableSpec, problems: list[Problem]) -> None:
    try:
        _pandera_schema(spec).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        for case in cases.itertuples(index=False):
            if pd.isna(case.index):
                problems.append(Problem(name, None, case.column, str(case.check)))
                continue
            if case.check == "field_uniqueness":
                message = f"duplicate id '{case.failure_case}'"
            elif "pattern" in str(case.check) and case.column == "url":
                message = f"'{case.failure_case}' is not an http(s) URL"
            else:
                message = f"'{case.failure_case}' {case.check}"
            problems.append(Problem(name, _line(case.index), case.column, message))


def _check_range(name: str, frame: pd.DataFrame, low: str, mid: str, high: str, problems: list[Problem]) -> None:
    for index, row in frame.iterrows():
        lo, value, hi = row[low], row[mid], row[high]
        if pd.notna(lo) and pd.notna(value) and lo > value:
            problems.append(Problem(name, _line(index), low, f"{low} {lo:g} is greater than {mid} {value:g}"))
        if pd.notna(hi) and pd.notna(value) and value > hi:
            problems.append(Problem(name, _line(index), high, f"{mid} {value:g} is greater than {high} {hi:g}"))
        if pd.notna(lo) and pd.notna(hi) and lo > hi:
            problems.append(Problem(name, _line(index), low, f"{low} {lo:g} is greater than {high} {hi:g}"))


def _check_foreign_keys(tables: dict[str, pd.DataFrame], specs: dict[str, TableSpec], problems: list[Problem]) -> None:
    for table_name, spec in specs.items():
        frame = tables.get(table_name)
        for fk in spec.foreign_keys:
            target = tables.get(fk.table)
            if frame is None or target is None:
                continue
            known = set(target[fk.key].dropna())
            for index, cell in frame[fk.column].items():
                if pd.isna(cell):
                    continue
                ids = cell.split(fk.list_separator) if fk.list_separator else [cell]
                for ref in ids:
                    if ref.strip() not in known:
                        problems.append(
                            Problem(spec.path, _line(index), fk.column, f"unknown {fk.table} id '{ref}' (not in {specs[fk.table].path})")
                        )


def check_links(links: pd.DataFrame, nodes: pd.DataFrame | None, problems: list[Problem], name: str = "links.csv") -> None:
    _check_range(name, links, "capacity_low", "capacity", "capacity_high", problems)
    for index, row in links.iterrows():
        expected = NETWORK_UNITS.get(row["network"])
        if expected and row["unit"] in NETWORK_UNITS.values() and row["unit"] != expected:
            problems.append(Problem(name, _line(index), "unit", f"a {row['network']} link is measured in {expected}, not '{row['unit']}'"))
        if pd.notna(row["from_node"]) and row["from_node"] == row["to_node"]:
            problems.append(Problem(name, _line(index), "to_node", "a link cannot start and end at the same node"))
        if (row["mode"] == "pipeline") != (row["network"] == "gas") and row["mode"] != "swap":
            problems.append(Problem(name, _line(index), "mode", f"mode '{row['mode']}' does not fit network '{row['network']}'"))
    if nodes is None:
        return
    node_network = dict(zip(nodes["node_id"], nodes["network"]))
    for index, row in links.iterrows():
        for end in ("from_node", "to_node"):
            node_net = node_network.get(row[end])
            if node_net is not None and node_net not in ("both", row["network"]):
                problems.append(
                    Problem(name, _line(index), end, f"node '{row[end]}' is a {node_net} node but the link is {row['network']}")
                )


def check_estimates(estimates: pd.DataFrame, tables: dict[str, pd.DataFrame], problems: list[Problem], name: str = "estimates.csv") -> None:
    _check_range(name, estimates, "low", "value", "high", problems)
    known: set[str] = set()
    for table, key in (("nodes", "node_id"), ("links", "link_id")):
        if tables.get(table) is not None:
            known |= set(tables[table][key].dropna())
    for index, row in estimates.iterrows():
        allowed = ESTIMATE_UNITS.get(row["topic"])
        if allowed and pd.notna(row["unit"]) and row["unit"] not in allowed:
            problems.append(
                Problem(name, _line(index), "unit", f"a {row['topic']} estimate is in {' or '.join(sorted(allowed))}, not '{row['unit']}'")
            )
        subject = row["subject"]
        if pd.isna(subject):
            continue
        parts = subject.split(">") if ">" in subject else [subject]
        unknown = [p for p in parts if p not in known and not COUNTRY_CODE.match(p) and not AGGREGATE_SUBJECT.match(p)]
        if unknown or len(parts) > 2:
            problems.append(
                Problem(name, _line(index), "subject", f"subject '{subject}' is not a node id, link id, country code or 'A>B' pair of them")
            )


def _check_series_titles(estimates: pd.DataFrame, series: pd.DataFrame, problems: list[Problem]) -> None:
    """Every series of estimates.csv has a title for readers in series.csv, and every title names a series."""
    titled = set(series["series"].dropna())
    used: set[str] = set()
    for index, row in estimates.iterrows():
        if pd.isna(row["metric"]) or pd.isna(row["subject"]):
            continue
        key = f"{row['metric']}:{row['subject']}"
        used.add(key)
        if key not in titled:
            problems.append(
                Problem("estimates.csv", _line(index), "subject", f"series '{key}' has no title in series.csv: add a row for it")
            )
    for index, key in series["series"].items():
        if pd.notna(key) and key not in used:
            problems.append(Problem("series.csv", _line(index), "series", f"'{key}' is no series of estimates.csv (metric:subject)"))


def parse_table(name: str, text: str, spec: TableSpec, problems: list[Problem]) -> pd.DataFrame | None:
    """One table's text, typed and checked against its description (None when it cannot be read).

    Parameters
    ----------
    name
        The file name the problems name (an uploaded file keeps its own).
    text
        The file's contents.
    spec
        The table's description in the data package.
    problems
        Where every problem found is appended.
    """
    raw = _parse_csv(name, text, spec, problems)
    if raw is None:
        return None
    typed = pd.DataFrame({f.name: _coerce_column(name, raw[f.name], f, problems) for f in spec.fields})
    _check_values(name, typed, spec, problems)
    return typed


def read_tables(data_dir: Path) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Read and check every table of a ledger folder.

    Parameters
    ----------
    data_dir
        Folder holding the ledger's CSV files.

    Returns
    -------
    tables, problems
        The typed tables that could be read (a table that could not be parsed is
        absent) and every problem found, sorted by file and line.
    """
    specs = table_specs()
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    for table_name in TABLES:
        spec = specs[table_name]
        text = _read_text(data_dir / spec.path, problems)
        if text is None:
            continue
        typed = parse_table(spec.path, text, spec, problems)
        if typed is not None:
            tables[table_name] = typed
    if "links" in tables:
        check_links(tables["links"], tables.get("nodes"), problems)
    if "estimates" in tables:
        check_estimates(tables["estimates"], tables, problems)
        if "series" in tables:
            _check_series_titles(tables["estimates"], tables["series"], problems)
    if "route_legs" in tables:
        for figure in FIGURES:
            _check_range("route_legs.csv", tables["route_legs"], f"{figure}_low", f"{figure}_central", f"{figure}_high", problems)
    if "gas_prices" in tables:
        _check_range(PRICES, tables["gas_prices"], "low", "value", "high", problems)

    def report(file: str, row: int | None, column: str | None, message: str) -> None:
        problems.append(Problem(file, row, column, message))

    check_routes(tables, report)
    check_prices(tables, report)
    _check_foreign_keys(tables, specs, problems)
    metrics = set(specs["estimates"].field("metric").enum or ())
    check_wiring(tables, metrics, report)
    problems.sort(key=lambda p: (p.file, p.row or 0, p.column or ""))
    return tables, problems


def validate_ledger(data_dir: str | Path | None = None) -> list[Problem]:
    """Check a ledger folder and return every problem found (empty when clean)."""
    return read_tables(resources.data_dir(data_dir))[1]
