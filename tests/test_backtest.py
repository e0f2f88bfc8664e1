"""The backtest: the baseline held against the published record, with the reason for each miss."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from corridors.ledger.graph import build_graph
from corridors.ledger.wiring import SeriesRef
from corridors.model.backtest import BACKTEST_FORMAT, Published, backtest, backtest_document, published

MIDDLE = Path(__file__).resolve().parent / "data" / "middle_corridor"


def test_published_counts_outturns_only(ledger):
    # 2022 Russian gas: one estimate (1 bcm) and two contract ceilings of 1 bcm; a contract is never an outturn.
    figure = published(ledger, SeriesRef.parse("gas_imports:RU>AZ"), 2022)
    assert figure is not None and figure.n_sources == 1
    assert figure.source_ids == ("ang-socar-gazprom",)
    # 2023 Europe: 11, 11.8, 12 and 12.6 (its own range 12.3–13.1); the forecast of 12 is left out.
    europe = published(ledger, SeriesRef.parse("gas_exports:AZ>Europe"), 2023)
    assert (europe.low, europe.high, europe.n_sources) == (11.0, 13.1, 4)
    assert published(ledger, SeriesRef.parse("gas_exports:AZ>Europe"), 2019) is None


@pytest.mark.parametrize(
    ("low", "high", "value", "inside"),
    [
        (10.0, 10.0, 10.49, True),  # a single figure allows ±5 %
        (10.0, 10.0, 10.51, False),
        (10.0, 10.0, 9.49, False),
        (11.0, 13.1, 12.0, True),  # a range allows what lies in it
        (11.0, 13.1, 10.9, False),
        (0.0, 0.0, 0.04, True),  # around zero, rounding (0.05) is allowed
        (0.0, 0.0, 0.06, False),
    ],
)
def test_inside_means_in_the_range_or_within_five_percent_of_a_single_figure(low, high, value, inside):
    assert Published(low, high, 1 if low == high else 2, (), ()).allows(value) is inside


def test_table_lists_misses_first_with_a_reason(ledger, graph):
    table = backtest(ledger, graph, 2023, 2025)
    assert set(table["year"]) == {2023, 2024, 2025}
    assert len(table) == 3 * len(ledger.wiring.backtest)
    state = table["inside"].map({False: 0, True: 1, None: 2})
    assert state.is_monotonic_increasing, "misses first, then hits, then the series without a figure"
    misses = table[table["inside"].map(lambda v: v is False)]  # None means no figure, not a miss
    assert (misses["reason"].str.len() > 10).all()
    unpublished = table[table["inside"].isna()]
    assert (unpublished["reason"] == "no published figure").all()
    row = table[(table["year"] == 2025) & (table["series"] == "gas_exports_georgia")].iloc[0]
    # 2025: the ministry gives 2.3 bcm to Georgia; the baseline demand is that figure and the network can carry it.
    assert (row["published_min"], row["model"], row["inside"]) == (2.3, 2.3, True)


def test_a_capacity_miss_names_the_full_link(ledger_without_balkan_route):
    # Without the Balkan route through Türkiye's grid, Europe is reached through TAP (11.5 bcm/yr, the most it
    # carried) and IGB only; the 2024 record (12.9 bcm) then misses, and the reason names the full pipeline.
    reduced = ledger_without_balkan_route
    table = backtest(reduced, build_graph(reduced), 2024, 2024)
    europe = table[table["series"] == "gas_exports_europe"].iloc[0]
    assert europe["inside"] is False
    assert europe["model"] == pytest.approx(11.5)
    assert "Trans Adriatic Pipeline" in europe["reason"] and "1.40 left unmet" in europe["reason"]


def test_second_corridor_backtest_runs_on_its_own_wiring():
    done = subprocess.run(
        [sys.executable, "-m", "corridors", "backtest", "--data", str(MIDDLE), "--from", "2022", "--to", "2025", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    document = json.loads(done.stdout)
    assert document["format"] == BACKTEST_FORMAT
    rows = {(r["year"], r["series"]): r for r in document["rows"]}
    # The route-wide total is the demand the baseline reads (4.48 and 4.5 Mt: the conflict rule takes the highest), carried in full.
    assert rows[(2024, "titr_total")]["model"] == pytest.approx(4.5)
    assert rows[(2024, "titr_total")]["inside"] is True
    # The ports' own count (3.3 Mt) is below the route-wide total the model sends across the sea: a documented miss.
    assert rows[(2024, "caspian_ports")]["inside"] is False
    assert done.returncode == (1 if document["misses"] else 0)
    assert "Traceback" not in done.stderr


def test_cli_exit_code_and_table_follow_the_misses():
    command = [sys.executable, "-m", "corridors", "backtest", "--from", "2024", "--to", "2025"]
    as_json = subprocess.run([*command, "--format", "json"], capture_output=True, text=True, timeout=120, check=False)
    misses = json.loads(as_json.stdout)["misses"]
    assert as_json.returncode == (1 if misses else 0)
    as_table = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert as_table.returncode == as_json.returncode
    assert f"; {misses} miss." in as_table.stdout


def test_cli_refuses_an_empty_year_span():
    done = subprocess.run(
        [sys.executable, "-m", "corridors", "backtest", "--from", "2025", "--to", "2020"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2 and "--from 2025 is after --to 2020" in done.stderr


def test_document_counts_agree_with_the_table(ledger, graph):
    table = backtest(ledger, graph, 2024, 2025)
    document = backtest_document(table)
    assert document["checked"] == table["inside"].notna().sum()
    assert document["inside"] + document["misses"] == document["checked"]
