"""How well the baseline reproduces the published record, year by year.

For each year and each series of ``model_backtest.csv``, the model's baseline value is
held against the published outturns of its ledger series (reported figures and
estimates; never contracts, forecasts or targets). A value is inside when it lies in
the published range, allowing ±5 % around a single figure. When it is not, the reason
is said in words: a full link, a default carried forward or assumed, sources that
conflict, or no figure at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pandas as pd

from corridors.ledger.expressions import parse
from corridors.ledger.load import Ledger
from corridors.ledger.wiring import SeriesRef
from corridors.model.baseline import UNIT_SCALE, Baseline, baseline
from corridors.model.explain import shortfalls
from corridors.model.flows import FlowResult
from corridors.model.solve import model_of

#: Bases that count as the published record.
OUTTURNS = ("reported", "estimate")
#: Tolerance around a single published figure, as a share of it.
SINGLE_FIGURE_TOLERANCE = 0.05
#: Below this, a difference is rounding (bcm/yr or Mt/yr).
ABSOLUTE_TOLERANCE = 0.05
#: Version of the JSON document printed by ``python -m corridors backtest --format json``.
BACKTEST_FORMAT = "corridors.backtest/1"
COLUMNS = [
    "year",
    "series",
    "label",
    "published_min",
    "published_max",
    "n_sources",
    "source_ids",
    "model",
    "inside",
    "reason",
]


@dataclass(frozen=True)
class Published:
    """The published outturns of one series in one year."""

    low: float
    high: float
    n_sources: int
    source_ids: tuple[str, ...]
    estimate_ids: tuple[str, ...]

    def allows(self, value: float) -> bool:
        """Whether ``value`` lies in the range (±5 % around a single figure, and never closer than rounding)."""
        slack = SINGLE_FIGURE_TOLERANCE * abs(self.high) if self.low == self.high else 0.0
        slack = max(slack, ABSOLUTE_TOLERANCE)
        return self.low - slack <= value <= self.high + slack


def published(ledger: Ledger, series: SeriesRef, year: int) -> Published | None:
    """The outturns a ledger publishes for a series and year (their own low/high widen the range), or None."""
    est = ledger.estimates
    rows = est[(est["metric"] == series.metric) & (est["subject"] == series.subject) & (est["year"] == year) & est["basis"].isin(OUTTURNS)]
    if series.branch is not None:
        rows = rows[rows["branch"] == series.branch]
    if rows.empty:
        return None
    scale = rows["unit"].map(UNIT_SCALE).fillna(1.0)
    # The validator guarantees low <= value <= high, so a row's own range already holds its value.
    lows = rows["low"].fillna(rows["value"]) * scale
    highs = rows["high"].fillna(rows["value"]) * scale
    return Published(
        float(lows.min()),
        float(highs.max()),
        len(rows),
        tuple(dict.fromkeys(rows["source_id"])),
        tuple(rows["estimate_id"]),
    )


def _reason(model: float, figure: Published, result: FlowResult, base: Baseline, row: dict[str, Any], graph: nx.MultiDiGraph) -> str:
    """Why a value misses its published range, in words: the first causes that apply, most specific first."""
    reasons = []
    direction = "below" if model < figure.low else "above"
    names = parse(row["formula"]).calls
    markets = {arg for call in names for arg in call.args if arg in result.markets.index}
    short = result.markets.loc[list(markets), "unmet"].sum() if markets else 0.0
    if direction == "below" and short > ABSOLUTE_TOLERANCE:
        limits = [limit for s in shortfalls(result, graph) if s.market in markets for limit in s.limits]
        full = ", ".join(dict.fromkeys(f"{limit.asset} ({limit.capacity:g} {limit.unit})" for limit in limits[:3]))
        reasons.append(f"a capacity or a missing route: {short:.2f} left unmet" + (f", with {full} full" if full else ""))
    assumed = [n for n in markets if n in base.provenance and base.provenance[n].kind in ("carried", "assumption")]
    for name in assumed:
        prov = base.provenance[name]
        reasons.append(
            f"no figure for the year: the '{name}' default is {'carried forward' if prov.kind == 'carried' else 'a labelled assumption'}"
        )
    if figure.n_sources > 1 and figure.high - figure.low > ABSOLUTE_TOLERANCE:
        reasons.append(f"a conflict: {figure.n_sources} sources give {figure.low:g}–{figure.high:g}")
    if not reasons:
        reasons.append(f"the model is {direction} the record: a missing route or a default that is not this series' outturn")
    return "; ".join(reasons)


def backtest(ledger: Ledger, graph: nx.MultiDiGraph, first_year: int, last_year: int) -> pd.DataFrame:
    """The backtest table: one row per year and series of ``model_backtest.csv``.

    Parameters
    ----------
    ledger, graph
        The ledger and its graph.
    first_year, last_year
        The years to hold the baseline against (both included).

    Returns
    -------
    pandas.DataFrame
        Columns ``year, series, label, published_min, published_max, n_sources,
        source_ids, model, inside, reason``; ``inside`` is None where nothing is
        published. Misses come first.
    """
    rows = []
    model = model_of(graph)
    for year in range(first_year, last_year + 1):
        base = baseline(ledger, year)
        result = model.solve(base.assumptions)
        for spec in ledger.wiring.backtest.to_dict("records"):
            value = model.evaluate(spec["formula"], result)
            figure = published(ledger, SeriesRef.parse(spec["published_series"]), year)
            inside = None if figure is None else figure.allows(value)
            rows.append(
                {
                    "year": year,
                    "series": spec["series"],
                    "label": spec["label"],
                    "published_min": None if figure is None else figure.low,
                    "published_max": None if figure is None else figure.high,
                    "n_sources": 0 if figure is None else figure.n_sources,
                    "source_ids": "" if figure is None else ";".join(figure.source_ids),
                    "model": round(value, 3) if not math.isnan(value) else None,
                    "inside": inside,
                    "reason": "no published figure"
                    if figure is None
                    else ""
                    if inside
                    else _reason(value, figure, result, base, spec, graph),
                }
            )
    table = pd.DataFrame(rows, columns=COLUMNS)
    order = table["inside"].map({False: 0, True: 1, None: 2}).fillna(2)
    table = table.assign(_order=order).sort_values(["_order", "year", "series"], kind="stable").drop(columns="_order")
    table.attrs = {"title": f"How well the model reproduces the past, {first_year}–{last_year}", "units": {"model": "unit of the series"}}
    return table.reset_index(drop=True)


def record_years(ledger: Ledger) -> tuple[int, int] | None:
    """The first and last year, within the scenario years, in which any backtest series has a published outturn (or None)."""
    years = []
    for cell in ledger.wiring.backtest["published_series"]:
        ref = SeriesRef.parse(cell)
        est = ledger.estimates
        rows = est[(est["metric"] == ref.metric) & (est["subject"] == ref.subject) & est["basis"].isin(OUTTURNS)]
        years += [int(y) for y in rows["year"].dropna()]
    bounds = ledger.wiring.parameter_info("year")
    years = [y for y in years if bounds["minimum"] <= y <= bounds["maximum"]]
    return (min(years), max(years)) if years else None


def backtest_document(table: pd.DataFrame) -> dict[str, Any]:
    """The JSON document of a backtest table (``corridors.backtest/1``)."""
    checked = table[table["inside"].notna()]
    return {
        "format": BACKTEST_FORMAT,
        "rows": [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()} for row in table.to_dict("records")],
        "checked": len(checked),
        "inside": int(checked["inside"].astype(bool).sum()),
        "misses": int((~checked["inside"].astype(bool)).sum()),
    }
