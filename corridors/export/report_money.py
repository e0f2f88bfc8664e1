"""Report sections on money and time: the gas money of a scenario, and the routes' days and dollars per container.

Each function returns ReportLab flowables for :mod:`corridors.export.report` to place in
its story; fonts, cell formats and tables come from :mod:`corridors.export.pdf`. Both
read only the ledger and pure model functions, so they build without a browser.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from reportlab.platypus import Paragraph

from corridors.export.pdf import pdf_table, pdf_text
from corridors.ledger.load import Ledger
from corridors.model.flows import FlowResult
from corridors.model.gas_money import PRICE_UNIT, VALUE_UNIT, draw_intervals, gas_money
from corridors.model.routes import benchmark_of, default_parameters, route_results, routes_table
from corridors.model.uncertainty import Uncertainty
from corridors.views.gas_money import gas_money_display
from corridors.views.style import source_line

#: Headings of the two sections (tests and the report's table of contents read them).
GAS_MONEY_HEADING = "The gas money: what the exports are worth"
ROUTES_HEADING = "Routes: days and dollars per container"


def _publishers(ids: Any, ledger: Ledger) -> str:
    return source_line(ids, ledger.sources, limit=12)


def _triples(frame: pd.DataFrame, stem: str, number: str) -> list[str]:
    """``{stem}_low``, ``{stem}_central`` and ``{stem}_high`` of each row as one cell, "low–central–high" (blank when absent)."""
    cells = []
    for low, central, high in zip(frame[f"{stem}_low"], frame[f"{stem}_central"], frame[f"{stem}_high"]):
        given = [v for v in (low, central, high) if v is not None and not pd.isna(v)]
        cells.append(" – ".join(number.format(float(v)) for v in (low, central, high)) if len(given) == 3 else "")
    return cells


def gas_money_story(ledger: Ledger, result: FlowResult, styles: dict, uncertainty: Uncertainty | None = None) -> list:
    """The gas money of a solved scenario as report flowables.

    Parameters
    ----------
    ledger
        The ledger the scenario was solved on (its ``gas_prices`` price the volumes).
    result
        The solved scenario; its year picks the prices.
    styles
        The report's paragraph styles (:func:`corridors.export.pdf.pdf_styles`).
    uncertainty
        The scenario's Monte Carlo run, if any: each line whose volume an indicator gives
        then gets its P10–P90 over the draws, in words under the table.

    Returns
    -------
    list
        A heading, how the figures are made, every assumption in words, the table (each
        line's volume, price and value, low, central and high, with its sources), the
        notes and the sources' publishers. Only a short paragraph when the ledger has no prices.
    """
    year = int(result.assumptions.year)
    story: list = [Paragraph(pdf_text(f"{GAS_MONEY_HEADING}, {year}"), styles["h2"])]
    if ledger.gas_prices.empty:
        return [*story, Paragraph("This ledger has no gas prices (gas_prices.csv is empty), so the gas is not valued.", styles["body"])]
    money = gas_money(ledger, result)
    story.append(
        Paragraph(
            pdf_text(
                f"Each export market's delivered volume in the scenario times its sourced price, in {VALUE_UNIT} (a volume in "
                f"bcm/yr times a price in {PRICE_UNIT}). A market's price is the latest published at or before {year}; where "
                "sources disagree, low and high span them. Pipeline tariffs and taxes are charged on the gas the pipeline "
                "carries. The margin on imported gas is an estimate, not a published figure: the price of the market the "
                "imported volume frees gas for, minus the import price, times the volume imported. Figures in euros are "
                "listed in the notes and not converted: the ledger has no sourced exchange rate."
            ),
            styles["body"],
        )
    )
    for row in money.margins:
        if row.assumption:
            story.append(Paragraph(f"<b>Assumption.</b> {pdf_text(row.note)}", styles["body"]))
    shown = gas_money_display(money)
    table = pd.DataFrame(
        {
            "line": shown["line"],
            "what": [f"{what}: rests on an assumption" if flag else what for what, flag in zip(shown["what"], shown["assumption"])],
            "bcm/yr": shown["volume_bcm"],
            "price year": shown["price_year"],
            f"price, {PRICE_UNIT} (low–central–high)": _triples(shown, "price", "{:,.2f}"),
            f"value, {VALUE_UNIT} (low–central–high)": _triples(shown, "value", "{:,.1f}"),
            "sources": shown["source_ids"].str.replace(";", "; "),
        }
    )
    story.append(pdf_table(table, styles, nowrap=("bcm/yr", "price year"), weights={"line": 0.8, "what": 1.4, "sources": 1.4}))
    story.append(
        Paragraph(
            pdf_text(f"Prices in {PRICE_UNIT}; values in {VALUE_UNIT}. The margin line's price is the market's price minus the import's."),
            styles["small"],
        )
    )
    intervals = draw_intervals(ledger, money, uncertainty)
    if intervals and uncertainty is not None:
        spreads = "; ".join(
            f"{row.label} {intervals[(row.item, row.key)][0]:,.1f} to {intervals[(row.item, row.key)][1]:,.1f}"
            for row in money.rows
            if (row.item, row.key) in intervals
        )
        story.append(
            Paragraph(
                pdf_text(
                    f"Over {uncertainty.draws:,} draws of the sources' ranges, at central prices (P10 to P90, {VALUE_UNIT}): {spreads}."
                ),
                styles["small"],
            )
        )
    story += [Paragraph(pdf_text(note), styles["small"]) for note in money.notes]
    story.append(Paragraph(pdf_text(_publishers(money.source_ids, ledger)), styles["small"]))
    return story


def routes_story(ledger: Ledger, styles: dict, year: int, assumptions: object | None = None) -> list:
    """The routes' days and USD per TEU against the benchmark route, as report flowables.

    Parameters
    ----------
    ledger
        The ledger with its route tables (``routes.csv``, ``route_legs.csv``, ``route_discounts.csv``).
    styles
        The report's paragraph styles.
    year
        The year the routes are added up for (links that switch legs open or not by it).
    assumptions
        A scenario's assumptions, whose opening-year assumptions set when those links open;
        None takes the ledger's opening years. The legs' own inputs stay at their defaults.

    Returns
    -------
    list
        A heading, how the totals are made, one row per route (days and USD per TEU, low,
        central and high, and the central gap to the benchmark), and each route's sources.
    """
    story: list = [Paragraph(pdf_text(f"{ROUTES_HEADING}, {year}"), styles["h2"])]
    if ledger.routes.empty:
        return [*story, Paragraph("This ledger has no routes (routes.csv is empty), so there is nothing to compare.", styles["body"])]
    routes = route_results(ledger, default_parameters(ledger, year, assumptions))
    benchmark = benchmark_of(routes)
    against = f"against {benchmark.name}" if benchmark is not None else "(the ledger names no benchmark route)"
    story.append(
        Paragraph(
            pdf_text(
                f"Each route's total transit time and cost per container {against}. A figure the sources publish only for the "
                "whole route is kept whole, never split into legs by guesswork; legs inside it (port calls, transfers, a gauge "
                "change) change the total only when a link that removes them opens. Low and high span the sources; vs benchmark "
                "is the central figure minus the benchmark's (negative: faster or cheaper). Dwell times no source gives are "
                "labelled assumptions on the Routes page."
            ),
            styles["body"],
        )
    )
    rows = routes_table(routes, benchmark)
    table = pd.DataFrame(
        {
            "route": rows["name"],
            "days (low–central–high)": _triples(rows, "days", "{:,.1f}"),
            "USD per TEU (low–central–high)": _triples(rows, "usd_teu", "{:,.0f}"),
            "vs benchmark, days": rows["vs_bench_days"],
            "vs benchmark, USD per TEU": rows["vs_bench_usd_teu"],
        }
    )
    story.append(pdf_table(table, styles, number_format="{:,.1f}", weights={"route": 1.6}))
    story.append(Paragraph(pdf_text("Days per route; USD per TEU (twenty-foot container)."), styles["small"]))
    publishers = [_publishers(r.source_ids, ledger).removeprefix("Sources: ") for r in routes]
    sources = pd.DataFrame({"route": [r.name for r in routes], "sources": publishers})
    story.append(pdf_table(sources, styles, weights={"route": 1.0, "sources": 3.0}))
    return story
