"""The baseline against the published record: one test per year and published series.

Each test fails with what missed and by how much: the model's value, the published
range with its sources, and the backtest's reason. Together they are the backtest
that ``python -m corridors backtest`` prints, as a test.
"""

from __future__ import annotations

import pytest

from corridors.ledger.load import load_ledger
from corridors.ledger.wiring import SeriesRef
from corridors.model.backtest import backtest, published
from corridors.model.baseline import baseline
from corridors.model.solve import model_of

FIRST, LAST = 2019, 2025


def _published_pairs() -> list[tuple[int, str]]:
    ledger = load_ledger()
    return [
        (year, spec["series"])
        for spec in ledger.wiring.backtest.to_dict("records")
        for year in range(FIRST, LAST + 1)
        if published(ledger, SeriesRef.parse(spec["published_series"]), year) is not None
    ]


PAIRS = _published_pairs()


@pytest.fixture(scope="module")
def record(ledger, graph):
    table = backtest(ledger, graph, FIRST, LAST)
    return {(int(row["year"]), row["series"]): row for row in table.to_dict("records")}


def test_the_record_covers_every_headline_gas_series_each_year():
    # The promise: total exports and exports to Europe, Türkiye and Georgia, every year with a figure.
    for series in ("gas_exports", "gas_exports_turkiye"):
        assert {year for year, s in PAIRS if s == series} == set(range(FIRST, LAST + 1))
    assert len(PAIRS) >= 45


@pytest.mark.parametrize(("year", "series"), PAIRS, ids=[f"{y}-{s}" for y, s in PAIRS])
def test_baseline_reproduces_the_published_figure(record, year, series):
    row = record[(year, series)]
    low, high, model = row["published_min"], row["published_max"], row["model"]
    gap = model - high if model > high else low - model
    assert row["inside"], (
        f"{year} {series}: the model gives {model:g}, the record {low:g}–{high:g} "
        f"({row['n_sources']} source(s): {row['source_ids']}), off by {gap:.2f}: {row['reason']}"
    )


@pytest.mark.parametrize("year", range(FIRST, LAST + 1))
def test_no_demand_is_left_unmet_at_baseline(ledger, graph, year):
    result = model_of(graph).solve(baseline(ledger, year).assumptions)
    unmet = result.markets.loc[result.markets["unmet"] > 1e-6, "unmet"]
    assert unmet.empty, f"{year}: demand left unmet at baseline: {unmet.round(3).to_dict()}"
