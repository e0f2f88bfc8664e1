"""Each validation rule, proven on a corrupted copy of the real ledger."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from corridors import LedgerError, load_ledger, validate_ledger
from corridors.ledger.validate import Problem


def edit_csv(folder: Path, file: str, change: Callable[[list[list[str]]], None]) -> None:
    path = folder / file
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    change(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def set_cell(folder: Path, file: str, line: int, column: str, value: str) -> None:
    def change(rows: list[list[str]]) -> None:
        rows[line - 1][rows[0].index(column)] = value

    edit_csv(folder, file, change)


def located(problems: list[Problem], file: str, line: int | None, column: str | None) -> list[Problem]:
    return [p for p in problems if p.file == file and p.row == line and p.column == column]


def test_shipped_ledger_is_clean():
    assert validate_ledger() == []


def test_cli_validate_clean_exits_zero():
    done = subprocess.run([sys.executable, "-m", "corridors", "validate"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "ledger OK" in done.stdout


@pytest.mark.parametrize(
    ("file", "column", "value", "expected"),
    [
        ("links.csv", "capacity", "lots", "is not a number"),
        ("links.csv", "first_year", "2020.5", "is not an integer"),
        ("links.csv", "bidirectional", "sometimes", "is not true or false"),
        ("links.csv", "capacity", "-3", "must be at least 0"),
        ("links.csv", "status", "open", "must be one of"),
        ("links.csv", "unit", "tcf/yr", "must be one of"),
        ("links.csv", "from_node", "atlantis", "unknown nodes id 'atlantis'"),
        ("links.csv", "source_ids", "no-such-source", "unknown sources id 'no-such-source'"),
        ("estimates.csv", "unit", "tcf", "must be one of"),
        ("estimates.csv", "value", "-1", "must be at least 0"),
        ("estimates.csv", "year", "twenty", "is not an integer"),
        ("estimates.csv", "source_id", "nobody", "unknown sources id 'nobody'"),
        ("estimates.csv", "subject", "atlantis", "is not a node id, link id"),
        ("nodes.csv", "lon", "181", "must be at most 180"),
        ("nodes.csv", "lat", "-91", "must be at least -90"),
        ("nodes.csv", "country", "Narnia", "must match the pattern ^[A-Z]{2}$"),
        ("sources.csv", "url", "javascript:alert(1)", "is not an http(s) URL"),
        ("sources.csv", "url", "ftp://example.org/file", "is not an http(s) URL"),
        ("sources.csv", "published", "2024-13-45", "is not a date"),
        ("sources.csv", "kind", "blog", "must be one of"),
        ("sources.csv", "publisher", "", "is required but empty"),
    ],
)
def test_bad_cell_is_reported_at_its_file_line_and_column(ledger_copy, file, column, value, expected):
    set_cell(ledger_copy, file, 2, column, value)
    problems = validate_ledger(ledger_copy)
    here = located(problems, file, 2, column)
    assert here, f"nothing reported at {file} line 2 column {column}: {problems}"
    assert any(expected in p.message for p in here), here


def test_low_above_value_and_value_above_high(ledger_copy, ledger):
    line = 2
    value = float(ledger.estimates.loc[0, "value"])
    set_cell(ledger_copy, "estimates.csv", line, "low", str(value + 5))
    set_cell(ledger_copy, "estimates.csv", line + 1, "high", "0")
    set_cell(ledger_copy, "estimates.csv", line + 1, "value", "1")
    problems = validate_ledger(ledger_copy)
    assert any("greater than value" in p.message for p in located(problems, "estimates.csv", line, "low"))
    assert any("greater than high" in p.message for p in located(problems, "estimates.csv", line + 1, "high"))


def test_capacity_range_inverted(ledger_copy):
    set_cell(ledger_copy, "links.csv", 2, "capacity", "5")
    set_cell(ledger_copy, "links.csv", 2, "capacity_low", "9")
    problems = validate_ledger(ledger_copy)
    assert located(problems, "links.csv", 2, "capacity_low")


def test_duplicate_ids_name_both_lines(ledger_copy, ledger):
    first = ledger.nodes.loc[0, "node_id"]
    set_cell(ledger_copy, "nodes.csv", 3, "node_id", first)
    problems = validate_ledger(ledger_copy)
    dupes = [p for p in problems if p.file == "nodes.csv" and "duplicate id" in p.message]
    assert {p.row for p in dupes} == {2, 3}


def test_missing_and_extra_columns(ledger_copy):
    def drop_publisher_add_colour(rows: list[list[str]]) -> None:
        at = rows[0].index("publisher")
        for row in rows:
            del row[at]
            row.append("x")
        rows[0][-1] = "colour"

    edit_csv(ledger_copy, "sources.csv", drop_publisher_add_colour)
    problems = validate_ledger(ledger_copy)
    assert any("missing" in p.message for p in located(problems, "sources.csv", 1, "publisher"))
    assert any("unexpected column" in p.message for p in located(problems, "sources.csv", 1, "colour"))


def test_empty_file(ledger_copy):
    (ledger_copy / "gaps.csv").write_text("", encoding="utf-8")
    problems = validate_ledger(ledger_copy)
    assert any(p.file == "gaps.csv" and "empty" in p.message for p in problems)


def test_wrong_delimiter(ledger_copy):
    path = ledger_copy / "nodes.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    problems = validate_ledger(ledger_copy)
    assert any(p.file == "nodes.csv" and "semicolons" in p.message for p in problems)


def test_bad_encoding_names_the_line(ledger_copy):
    path = ledger_copy / "sources.csv"
    lines = path.read_bytes().split(b"\n")
    lines[3] = lines[3] + "é".encode("latin-1")
    path.write_bytes(b"\n".join(lines))
    problems = validate_ledger(ledger_copy)
    assert located(problems, "sources.csv", 4, None)
    assert "UTF-8" in located(problems, "sources.csv", 4, None)[0].message


def test_missing_file(ledger_copy):
    (ledger_copy / "links.csv").unlink()
    problems = validate_ledger(ledger_copy)
    assert any(p.file == "links.csv" and "missing" in p.message for p in problems)


def test_all_problems_reported_at_once_and_load_refuses(ledger_copy):
    set_cell(ledger_copy, "links.csv", 2, "capacity", "lots")
    set_cell(ledger_copy, "nodes.csv", 2, "lat", "95")
    set_cell(ledger_copy, "sources.csv", 2, "url", "file:///etc/passwd")
    problems = validate_ledger(ledger_copy)
    assert {p.file for p in problems} >= {"links.csv", "nodes.csv", "sources.csv"}
    with pytest.raises(LedgerError) as caught:
        load_ledger(ledger_copy)
    assert len(caught.value.problems) == len(problems)
    assert "links.csv, line 2, column 'capacity'" in str(caught.value)


def test_cli_validate_broken_exits_one_without_traceback(ledger_copy):
    set_cell(ledger_copy, "links.csv", 2, "capacity", "lots")
    (ledger_copy / "gaps.csv").write_bytes(b"\xff\xfe\x00")
    done = subprocess.run(
        [sys.executable, "-m", "corridors", "validate", "--data", str(ledger_copy)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert "links.csv, line 2, column 'capacity': 'lots' is not a number" in done.stderr
    assert "gaps.csv" in done.stderr


def test_every_series_has_a_title_for_readers_and_every_title_a_series(ledger_copy):
    from corridors.ledger.validate import validate_ledger

    series = pd.read_csv(ledger_copy / "series.csv", dtype=str, keep_default_na=False)
    dropped = series[series["series"] != "gas_exports:AZ>all"]
    extra = pd.DataFrame([{"series": "gas_exports:AZ>XX", "title": "Nowhere", "note": ""}])
    pd.concat([dropped, extra]).to_csv(ledger_copy / "series.csv", index=False)
    problems = [str(p) for p in validate_ledger(ledger_copy)]
    first_row = 2 + list(pd.read_csv(ledger_copy / "estimates.csv")["subject"]).index("AZ>all")
    assert any(
        p.startswith(f"estimates.csv, line {first_row}, column 'subject'") and "series 'gas_exports:AZ>all' has no title in series.csv" in p
        for p in problems
    ), problems
    assert any("series.csv" in p and "'gas_exports:AZ>XX' is no series of estimates.csv" in p for p in problems), problems


def test_charts_and_tables_name_series_by_their_titles(ledger):
    from corridors.views.estimates import estimates_with_sources

    names = set(estimates_with_sources(ledger)["series"])
    assert "Azerbaijan's gas exports, all destinations" in names
    assert not [n for n in names if " · AZ" in n or ">" in n], "a series is still named by its codes"
