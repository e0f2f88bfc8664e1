"""The estimates as a reader sees them: the series chart and the table, built from the real ledger."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from corridors.views.series import (
    BASIS_LABELS,
    NO_FIGURE_LABEL,
    OUTTURN_BASES,
    TABLE_COLUMNS,
    estimates_table,
    estimates_with_sources,
    series_figure,
)


@pytest.fixture(scope="module")
def estimates(ledger) -> pd.DataFrame:
    return estimates_with_sources(ledger)


@pytest.fixture(scope="module")
def russian_gas(estimates) -> pd.DataFrame:
    rows = estimates[(estimates["metric"] == "gas_imports") & (estimates["subject"] == "RU>AZ")]
    assert {"reported", "contract"} <= set(rows["basis"]), "the ledger's RU>AZ series should hold outturns and contract ceilings"
    return rows


def legend_name(trace) -> str:
    return trace.name.replace("<br>", " ")


def test_x_axis_spans_to_the_last_full_year_with_whole_points_at_the_edges(russian_gas):
    fig = series_figure(russian_gas, today=date(2026, 11, 30))
    low, high = fig.layout.xaxis.range
    first, last = int(russian_gas["year"].min()), 2025
    assert low < first - 0.4 and high > last + 0.4, "edge years need room for a whole marker"
    assert low <= 2019 and high >= 2025
    y_low, _ = fig.layout.yaxis.range
    # The reported zero for 2023 must be drawn whole, not sliced by the axis.
    assert (russian_gas["value"] == 0).any()
    assert y_low < 0


def test_years_without_a_figure_are_marked_and_named(russian_gas, ledger):
    fig = series_figure(russian_gas, gaps=ledger.gaps, today=date(2026, 11, 30))
    marked = [t for t in fig.data if NO_FIGURE_LABEL.lower() in t.name.lower()]
    assert len(marked) == 1 and marked[0].showlegend is not False
    row_years = {int(y) for y in russian_gas["year"]}
    expected = [y for y in range(min(row_years), 2026) if y not in row_years]
    assert list(marked[0].x) == expected
    assert {2019, 2020, 2021, 2024, 2025} <= set(marked[0].x)
    assert not row_years & set(marked[0].x)
    # Below the zero line, so a missing year never looks like a reported zero.
    assert all(y < 0 for y in marked[0].y)
    # The ledger's gap note explains 2024 on hover.
    hover_2024 = marked[0].text[list(marked[0].x).index(2024)]
    assert "Turan" in hover_2024
    bands = [s for s in fig.layout.shapes if s.fillcolor == "#9e9e9e"]
    assert any(s.x0 <= 2024 <= s.x1 for s in bands)


def test_last_full_year_moves_with_the_date(russian_gas):
    later = series_figure(russian_gas, today=date(2028, 3, 1))
    marked = next(t for t in later.data if NO_FIGURE_LABEL.lower() in t.name.lower())
    assert max(marked.x) == 2027
    assert later.layout.xaxis.range[1] > 2027


def test_explicit_years_widen_but_never_hide_rows(russian_gas):
    fig = series_figure(russian_gas, years=(2018, 2025), today=date(2026, 11, 30))
    low, high = fig.layout.xaxis.range
    assert low < russian_gas["year"].min() and high > 2025


def test_contracts_and_forecasts_are_hollow_and_say_so(estimates):
    rows = estimates[estimates["basis"].isin(["contract", "forecast", "target"]) | estimates["basis"].isin(OUTTURN_BASES)]
    checked = 0
    for _, series_rows in rows.groupby("series"):
        fig = series_figure(series_rows, today=date(2026, 11, 30))
        for trace in fig.data:
            if NO_FIGURE_LABEL.lower() in trace.name.lower():
                continue
            symbols = trace.marker.symbol if isinstance(trace.marker.symbol, tuple) else (trace.marker.symbol,)
            name = legend_name(trace)
            not_outturn = [label for basis, label in BASIS_LABELS.items() if basis not in OUTTURN_BASES and name.endswith(f"— {label}")]
            if not_outturn:
                assert all(str(s).endswith("-open") for s in symbols), f"{name}: a {not_outturn[0]} must be hollow"
                checked += 1
            else:
                assert not any(str(s).endswith("-open") for s in symbols), f"{name}: an outturn must be filled"
    assert checked >= 5, "the ledger has contract ceilings and forecasts: some traces should have been checked"


def test_contract_ceilings_of_russian_gas_are_labelled(russian_gas):
    fig = series_figure(russian_gas, today=date(2026, 11, 30))
    ceilings = [legend_name(t) for t in fig.data if legend_name(t).endswith("— contract ceiling")]
    contract_publishers = set(russian_gas.loc[russian_gas["basis"] == "contract", "publisher"])
    assert len(ceilings) == len(contract_publishers)
    assert "Not outturns" in fig.layout.legend.title.text or "not outturns" in fig.layout.legend.title.text


def test_legend_names_are_whole(estimates):
    for _, rows in estimates.groupby("series"):
        fig = series_figure(rows, today=date(2026, 11, 30))
        names = [legend_name(t) for t in fig.data if NO_FIGURE_LABEL.lower() not in t.name.lower()]
        for publisher in rows["publisher"].astype(str).unique():
            assert any(n == publisher or n.startswith(f"{publisher} — ") for n in names), f"{publisher!r} is not whole in {names}"


def test_two_reprints_of_one_ceiling_do_not_hide_each_other(russian_gas):
    fig = series_figure(russian_gas, today=date(2026, 11, 30))
    points = [(x, y) for t in fig.data if NO_FIGURE_LABEL.lower() not in t.name.lower() for x, y in zip(t.x, t.y)]
    assert len(points) == len(russian_gas)
    assert len(set(points)) == len(points), "two markers drawn on the same spot"
    assert all(abs(x - round(x)) < 0.35 for x, _ in points), "a marker strayed from its year"


def test_ceiling_against_outturn_is_not_a_dispute(estimates):
    rows = estimates[(estimates["subject"] == "RU>AZ") & (estimates["year"] == 2022)]
    assert set(rows["basis"]) >= {"contract", "estimate"}
    assert not rows["disagree"].any()


def test_table_shows_blanks_not_none(estimates):
    table = estimates_table(estimates)
    assert list(table.columns) == TABLE_COLUMNS
    assert estimates["low"].isna().any() and estimates["published"].isna().any(), "the ledger should have missing values to test"
    text = table.drop(columns=["year", "value"])
    assert not text.isna().any().any()
    for bad in ("None", "nan", "NaN", "<NA>"):
        assert not (text == bad).any().any(), f"a cell reads {bad!r}"
    assert table["year"].notna().all() and table["value"].notna().all()
    ranged = estimates["low"].notna() & estimates["high"].notna()
    first = ranged.idxmax()
    assert table.at[first, "range"] == f"{estimates.at[first, 'low']:g}–{estimates.at[first, 'high']:g}"
    assert set(table["disagree"]) == {"⚠", ""}
    assert "contract ceiling" in set(table["basis"])


def test_sources_page_grid_gets_no_missing_values():
    """The grid draws a null as a grey "None" on its canvas; the page must hand it none.

    The browser's accessible copy of the grid shows a null as an empty cell, so the
    Chromium test cannot tell the two apart: this checks the frame the page sends.
    """
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page(str(ROOT / "corridors/ui/page_scripts/sources.py")).run()
    assert not at.exception, at.exception
    grid = at.dataframe[0].value
    assert len(grid) > 50
    nulls = grid.isna().sum()
    assert nulls.sum() == 0, f"null cells, drawn as 'None': {nulls[nulls > 0].to_dict()}"
    text = grid.select_dtypes(exclude="number")
    for bad in ("None", "nan", "NaN", "<NA>"):
        assert not (text.astype(str) == bad).any().any(), f"a cell reads {bad!r}"
    assert "range" in grid.columns and (grid["range"] == "").any()


def test_the_pages_unchecked_series_chart_is_the_checked_one(estimates, ledger):
    """The Sources page builds its chart without plotly's checks (for speed): what it sends must pass them unchanged."""
    import json

    import plotly.io as pio

    banded = 0
    for series in estimates["series"].unique():
        rows = estimates[estimates["series"] == series]
        checked, unchecked = (
            series_figure(rows, years=(2018, 2025), gaps=ledger.gaps, today=date(2026, 11, 30), validate=validate)
            for validate in (True, False)
        )
        # Parsed, not as text: the two may list a trace's properties in another order.
        assert json.loads(pio.to_json(unchecked, validate=False)) == json.loads(pio.to_json(checked, validate=False)), series
        banded += bool(checked.layout.shapes)
    assert banded >= 5, "the grey and orange bands (layout shapes) should be among what is compared"
