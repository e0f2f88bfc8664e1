"""The events table: sourced, dated, tied to the network, and checked by the validator like every table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from corridors import load_ledger, validate_ledger
from corridors.ledger.schema import LEDGER_TABLES, table_specs
from corridors.model.timeline import events_frame
from tests.test_validate import located, set_cell

MIDDLE = Path(__file__).resolve().parent / "data" / "middle_corridor"


def test_events_are_a_described_ledger_table():
    spec = table_specs()["events"]
    assert "events" in LEDGER_TABLES
    assert spec.path == "events.csv"
    assert spec.columns == ["event_id", "date", "title", "kind", "network", "node_ids", "link_ids", "source_id", "note"]
    assert set(spec.field("kind").enum) >= {"agreement", "opening", "visit", "sanction", "price", "statement"}
    assert {(fk.column, fk.table) for fk in spec.foreign_keys} == {("source_id", "sources"), ("node_ids", "nodes"), ("link_ids", "links")}


def test_at_least_25_events_from_2018_to_2026_each_with_a_known_source(ledger):
    events = ledger.events
    years = events["date"].str.slice(0, 4).astype(int)
    assert len(events) >= 25
    assert years.between(2018, 2026).all()
    assert years.min() == 2018 and years.max() == 2026
    assert set(events["source_id"]) <= set(ledger.sources["source_id"])
    assert events["note"].str.len().gt(20).all()
    nodes, links = set(ledger.nodes["node_id"]), set(ledger.links["link_id"])
    for cell, known in ((events["node_ids"], nodes), (events["link_ids"], links)):
        for ids in cell.dropna():
            assert set(ids.split(";")) <= known


@pytest.mark.parametrize(
    ("date", "kind", "source_id", "words"),
    [
        ("2020-12-31", "opening", "oilcapital-2022-09-12", "TAP"),
        ("2022-07-18", "agreement", "kathimerini-1189307", "20 bcm"),
        ("2022-11-15", "delivery", "italiaglobale-11941", "Gazprom"),
        ("2023-05-17", "agreement", "vestikavkaza-161346", "Rasht-Astara railway agreement"),
        ("2023-05-17", "agreement", "urdupoint-1692973", "EUR 1.3 bn"),
        ("2024-08-19", "visit", "harici-putin-baku-2024", "state visit to Baku"),
        ("2024-08-19", "agreement", "tass-1831157", "Gazprom and SOCAR"),
    ],
)
def test_the_events_the_issue_names_are_there(ledger, date, kind, source_id, words):
    events = ledger.events
    hit = events[(events["date"] == date) & (events["source_id"] == source_id)]
    assert len(hit) == 1, f"no event on {date} from {source_id}"
    assert hit.iloc[0]["kind"] == kind
    assert words in hit.iloc[0]["title"]


def test_events_frame_joins_each_source_url_and_sorts_by_date(ledger):
    events = events_frame(ledger, 2022, 2022)
    assert list(events["date"]) == sorted(events["date"])
    assert events["date"].str.startswith("2022").all() and len(events) >= 5
    urls = dict(zip(ledger.sources["source_id"], ledger.sources["url"]))
    assert (events["url"] == events["source_id"].map(urls)).all()
    assert events.loc[events["event_id"] == "eu-az-mou-2022", "url"].item().startswith("https://www.ekathimerini.com/")


def test_the_second_corridor_has_events_of_its_own():
    middle = load_ledger(MIDDLE)
    assert len(middle.events) == 2
    assert set(middle.events["source_id"]) <= set(middle.sources["source_id"])


def event_line(folder: Path, event_id: str) -> int:
    """The line of ``event_id`` in the folder's events.csv (the header is line 1)."""
    ids = pd.read_csv(folder / "events.csv", dtype=str)["event_id"].tolist()
    return ids.index(event_id) + 2


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("source_id", "nobody", "unknown sources id 'nobody' (not in sources.csv)"),
        ("date", "2024-13-45", "'2024-13-45' is not a date (YYYY-MM-DD)"),
        ("date", "August 2024", "is not a date"),
        ("date", "", "is required but empty"),
        ("kind", "rumour", "must be one of"),
        ("link_ids", "w-astara-rasht-rail;atlantis-rail", "unknown links id 'atlantis-rail'"),
        ("node_ids", "atlantis", "unknown nodes id 'atlantis'"),
    ],
)
def test_a_broken_event_is_reported_with_file_line_and_column(ledger_copy, column, value, expected):
    line = event_line(ledger_copy, "putin-baku-visit-2024")
    set_cell(ledger_copy, "events.csv", line, column, value)
    problems = validate_ledger(ledger_copy)
    hits = located(problems, "events.csv", line, column)
    assert hits, f"no problem at events.csv line {line}, column {column}: {problems}"
    assert expected in hits[0].message
    assert f"events.csv, line {line}, column '{column}'" in str(hits[0])


def test_a_missing_events_file_is_named(ledger_copy):
    (ledger_copy / "events.csv").unlink()
    problems = validate_ledger(ledger_copy)
    assert [p.message for p in problems if p.file == "events.csv"] == [f"file is missing (expected at {ledger_copy / 'events.csv'})"]


def test_validate_counts_the_events(capsys):
    from corridors.cli import main

    assert main(["validate"]) == 0
    assert f"{len(load_ledger().events)} events" in capsys.readouterr().out
