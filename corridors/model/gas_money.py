"""What the gas of a solved scenario is worth: exports by market, pipeline charges, the margin on imported gas.

Reads ``gas_prices.csv`` (see ``datapackage.json``) and multiplies its prices by the
solved volumes. A volume in bcm/yr times a price in USD per 1000 m3 is USD million a year.

How a price is chosen for a market, a supply or a pipeline in the scenario's year:

- only rows in the model's unit (USD per 1000 m3) are used; figures in other units are
  listed in the notes, not converted (the ledger has no sourced exchange rate);
- a price (export, hub, import) is taken from the latest year at or before the scenario's
  year; when that is an earlier year, the notes say so;
- a tariff or tax is a standing contract term, so every statement of it up to the year
  counts, whatever its year;
- the central figure is the mean of the rows used; low and high span their values and
  ranges, so disagreeing sources widen the range.

The margin on imported gas is an estimate, never a published figure: (the price of the
export market the imported volume frees gas for, ``margin_market``) minus (the import
price), times the volume imported. Where the import price is a row with basis
``assumption`` the result is flagged and says so in words.

Nothing here names a place: markets, supplies, links and prices come from the data folder.
No Streamlit import: the page, the report and the tests call the same functions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import pandas as pd

from corridors.ledger.load import Ledger
from corridors.ledger.wiring import split_ids
from corridors.model.flows import FlowResult

if TYPE_CHECKING:
    from corridors.model.uncertainty import Uncertainty

#: The unit the model computes with, and the unit of the values it gives (bcm/yr × USD per 1000 m3).
PRICE_UNIT = "USD per 1000 m3"
VALUE_UNIT = "USD m/yr"
#: Kinds that are standing contract terms: every statement up to the year counts.
STANDING_KINDS: frozenset[str] = frozenset({"transit_tariff", "transit_tax"})
#: Basis of a figure no source publishes.
ASSUMPTION = "assumption"

Item = Literal["market", "all_exports", "transit_tariff", "transit_tax", "margin"]


@dataclass(frozen=True)
class Span:
    """A low, central and high figure."""

    low: float
    central: float
    high: float

    def times(self, volume: float) -> Span:
        """The span multiplied by a volume."""
        return Span(self.low * volume, self.central * volume, self.high * volume)


@dataclass(frozen=True)
class PriceChoice:
    """The price a market, supply or pipeline is taken at in one year, and the rows behind it.

    Attributes
    ----------
    span
        Central: the mean of the rows used; low and high: the lowest and highest of their
        values and ranges.
    years
        Years of the rows used (one year for a price; every year up to the scenario's for a tariff).
    price_ids, source_ids, bases
        The rows of ``gas_prices.csv`` used, their sources and their bases.
    assumption
        Whether any row used is a labelled assumption.
    notes
        The rows' notes, in table order.
    margin_market
        For an import price: the export market its freed-up volume is valued at.
    """

    span: Span
    years: tuple[int, ...]
    price_ids: tuple[str, ...]
    source_ids: tuple[str, ...]
    bases: tuple[str, ...]
    assumption: bool
    notes: tuple[str, ...]
    margin_market: str | None = None

    @property
    def year(self) -> int:
        """The latest year of the rows used."""
        return max(self.years)


@dataclass(frozen=True)
class MoneyRow:
    """One line of the gas money: a market's export value, a pipeline charge or a margin estimate.

    Attributes
    ----------
    item
        ``market``, ``all_exports`` (every export at the all-destination average, a check),
        ``transit_tariff``, ``transit_tax`` or ``margin``.
    key
        The flow id (market or supply) or the link ids (``;``-separated) the row is about.
    label
        What a reader calls it.
    volume
        bcm/yr of the solved scenario the price is applied to.
    price
        The price used (for a margin: the market price minus the import price); None when
        no sourced price exists.
    value
        ``volume × price`` in USD m/yr; None without a price.
    source_ids
        Every source behind the price (and, for a margin, behind both prices).
    assumption
        Whether the figure rests on a labelled assumption.
    note
        What the figure is and where its price comes from, in words.
    """

    item: Item
    key: str
    label: str
    volume: float
    price: Span | None
    value: Span | None
    price_year: int | None
    source_ids: tuple[str, ...]
    assumption: bool
    note: str
    basis: str = ""

    @classmethod
    def priced(cls, item: Item, key: str, label: str, volume: float, choice: PriceChoice, note: str) -> MoneyRow:
        """A line valued at a chosen price: ``volume × price``, with the price's year, sources, bases and flag."""
        return cls(
            item, key, label, volume, choice.span, choice.span.times(volume), choice.year, choice.source_ids, choice.assumption, note,
            "; ".join(choice.bases),
        )  # fmt: skip


@dataclass(frozen=True)
class GasMoney:
    """The gas money of one solved scenario.

    Attributes
    ----------
    year
        The scenario's year.
    markets
        One row per export market of the wiring, in its order (a market without a price has
        no value and is left out of the total).
    total
        The sum of the markets' values (None when no market has a price).
    all_exports
        Every export valued at the latest all-destination average price: a check on the total.
    transit
        Tariff and tax rows of the pipelines priced in the data.
    margins
        The margin estimate on each priced import.
    notes
        What a reader should know, in words.
    """

    year: int
    markets: tuple[MoneyRow, ...]
    total: Span | None
    all_exports: MoneyRow | None
    transit: tuple[MoneyRow, ...]
    margins: tuple[MoneyRow, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def rows(self) -> tuple[MoneyRow, ...]:
        """Every row: markets, the all-exports check, pipeline charges, margins."""
        check = (self.all_exports,) if self.all_exports is not None else ()
        return (*self.markets, *check, *self.transit, *self.margins)

    @property
    def source_ids(self) -> tuple[str, ...]:
        """Every source behind a figure, in order of first use."""
        return tuple(dict.fromkeys(s for row in self.rows for s in row.source_ids))

    def table(self, intervals: Mapping[tuple[str, str], tuple[float, float]] | None = None) -> pd.DataFrame:
        """One row per line: item, label, volume, price and value (low, central, high), unit, basis, sources, note.

        With ``intervals`` (:func:`draw_intervals`), ``value_p10`` and ``value_p90`` follow the value columns.
        """
        records = []
        for row in self.rows:
            price, value = row.price, row.value
            drawn = {}
            if intervals is not None:
                p10, p90 = intervals.get((row.item, row.key), (None, None))
                drawn = {"value_p10": _rounded(p10, 1), "value_p90": _rounded(p90, 1)}
            records.append(
                {
                    "item": row.item,
                    "label": row.label,
                    "key": row.key,
                    "volume_bcm": round(row.volume, 3),
                    "price_year": row.price_year,
                    "price_low": _rounded(price.low if price else None, 2),
                    "price_central": _rounded(price.central if price else None, 2),
                    "price_high": _rounded(price.high if price else None, 2),
                    "price_unit": PRICE_UNIT,
                    "value_low": _rounded(value.low if value else None, 1),
                    "value_central": _rounded(value.central if value else None, 1),
                    "value_high": _rounded(value.high if value else None, 1),
                    **drawn,
                    "unit": VALUE_UNIT,
                    "basis": row.basis,
                    "assumption": row.assumption,
                    "source_ids": ";".join(row.source_ids),
                    "note": row.note,
                }
            )
        table = pd.DataFrame(records)
        table.attrs = {"title": f"What the gas is worth, {self.year} ({VALUE_UNIT})", "units": {"volume_bcm": "bcm/yr"}}
        return table


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits) + 0.0


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _number(value: float) -> str:
    """A price or value as a reader reads it: at most two decimals, thousands separated."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _subjects(row: pd.Series) -> list[str]:
    """The flows or links a price row is about."""
    return split_ids(row["link_ids"]) if row["kind"] in STANDING_KINDS else split_ids(row["flow_ids"])


def _about(rows: pd.DataFrame, subject: str) -> pd.DataFrame:
    """The rows that name ``subject`` among their flows or links."""
    return rows.loc[pd.Series([subject in _subjects(row) for _, row in rows.iterrows()], index=rows.index, dtype=bool)]


def choose_price(prices: pd.DataFrame, kind: str, subject: str | None, year: int) -> PriceChoice | None:
    """The price of ``kind`` for a flow or link in ``year``, by the rules of this module.

    Parameters
    ----------
    prices
        ``gas_prices.csv`` (the ledger's ``gas_prices``).
    kind
        ``export_price``, ``export_average``, ``hub_price``, ``import_price``, ``transit_tariff``
        or ``transit_tax``.
    subject
        The flow id (prices) or a link id (tariffs) it is for; None for an export average.
    year
        The scenario's year.

    Returns
    -------
    PriceChoice or None
        None when no row of the model's unit is at or before the year.
    """
    rows = prices[(prices["kind"] == kind) & (prices["unit"] == PRICE_UNIT) & (prices["year"] <= year)]
    if subject is not None:
        rows = _about(rows, subject)
    if rows.empty:
        return None
    if kind not in STANDING_KINDS:
        rows = rows[rows["year"] == rows["year"].max()]
    values = [float(v) for v in rows["value"]]
    lows = [float(v) for v in rows["low"].where(rows["low"].notna(), rows["value"])]
    highs = [float(v) for v in rows["high"].where(rows["high"].notna(), rows["value"])]
    markets = [str(m) for m in rows["margin_market"].dropna()]
    return PriceChoice(
        span=Span(min(lows), sum(values) / len(values), max(highs)),
        years=tuple(sorted({int(y) for y in rows["year"]})),
        price_ids=tuple(str(i) for i in rows["price_id"]),
        source_ids=_unique(s for cell in rows["source_ids"] for s in split_ids(cell)),
        bases=_unique(str(b) for b in rows["basis"]),
        assumption=bool((rows["basis"] == ASSUMPTION).any()),
        notes=tuple(str(n) for n in rows["note"]),
        margin_market=markets[0] if markets else None,
    )


def _figures(choice: PriceChoice, prices: pd.DataFrame) -> str:
    """The rows behind a price as a reader reads them: "70 (2016, stated tariff) and 90.62 (2019, revenue-implied)"."""
    rows = prices.set_index("price_id").loc[list(choice.price_ids)]
    parts = []
    for _, row in rows.iterrows():
        span = "" if _missing(row["low"]) else f", range {_number(row['low'])}–{_number(row['high'])}"
        parts.append(f"{_number(row['value'])} ({int(row['year'])}, {row['basis']}{span})")
    return " and ".join(parts)


def _other_units(prices: pd.DataFrame, kind: str, subject: str, after: int | None, year: int) -> list[str]:
    """Figures of ``kind`` for ``subject`` in another unit, later than ``after`` and up to the year, as text."""
    rows = prices[(prices["kind"] == kind) & (prices["unit"] != PRICE_UNIT) & (prices["year"] <= year)]
    rows = _about(rows, subject)
    if after is not None:
        rows = rows[rows["year"] > after]
    return [f"{_number(row['value'])} {row['unit']} ({int(row['year'])})" for _, row in rows.iterrows()]


def _flow_labels(ledger: Ledger) -> dict[str, str]:
    flows = ledger.wiring.flows
    return dict(zip(flows["flow_id"].astype(str), flows["label"].astype(str)))


def _used(result: FlowResult, flow_id: str) -> float:
    """What a supply put into its network in the solved scenario (``used()`` of the wiring's formulas)."""
    return float(sum(net.get("used", {}).get(flow_id, 0.0) for net in result.solved.values()))


def _price_text(label: str, choice: PriceChoice, prices: pd.DataFrame, year: int) -> str:
    when = (
        f"the latest price, from {choice.year}, since the ledger has none for {year}"
        if choice.year < year and len(choice.years) == 1
        else f"the price of {choice.year}"
        if len(choice.years) == 1
        else f"every statement up to {year}"
    )
    many = f"; central is the mean of {len(choice.price_ids)} figures" if len(choice.price_ids) > 1 else ""
    return f"{label}: {when}: {_figures(choice, prices)} {PRICE_UNIT}{many}."


def export_values(ledger: Ledger, result: FlowResult) -> tuple[list[MoneyRow], list[str]]:
    """Each export market's delivered volume times its sourced price, and the notes they call for.

    Parameters
    ----------
    ledger
        The ledger whose ``gas_prices`` and wiring are used.
    result
        The solved scenario (``result.markets`` gives each market's delivered volume).

    Returns
    -------
    rows, notes
        One row per export market of the wiring (without a price: no value, said in its
        note) and the notes: a price from an earlier year, newer figures in other units,
        the market's hub price for comparison.
    """
    year = int(result.assumptions.year)
    prices, labels, markets = ledger.gas_prices, _flow_labels(ledger), _export_markets(ledger)
    rows: list[MoneyRow] = []
    notes: list[str] = []
    for market in markets:
        if market not in result.markets.index:
            continue
        label, volume = labels.get(market, market), float(result.markets.loc[market, "delivered"])
        choice = choose_price(prices, "export_price", market, year)
        if choice is None:
            rows.append(
                MoneyRow(
                    "market", market, label, volume, None, None, None, (), False, "No sourced export price: not valued, not in the total."
                )
            )
            notes.append(
                f"{label}: no sourced export price up to {year}, so its {volume:.2f} bcm/yr are not valued or counted in the total."
            )
            continue
        note = _price_text(label, choice, prices, year)
        rows.append(MoneyRow.priced("market", market, label, volume, choice, note))
        if choice.year < year:
            notes.append(note)
        newer = _other_units(prices, "export_price", market, choice.year, year)
        if newer:
            notes.append(
                f"{label}: newer figures exist only in other units ({'; '.join(newer)}); they are not converted, "
                "since the ledger has no sourced exchange rate."
            )
    notes.extend(_hub_notes(ledger, markets, year))
    return rows, list(dict.fromkeys(notes))


def _hub_notes(ledger: Ledger, markets: Sequence[str], year: int) -> list[str]:
    """The hub price of each market that has one, for comparison with what the exporter gets."""
    labels, notes = _flow_labels(ledger), []
    for market in markets:
        hub = choose_price(ledger.gas_prices, "hub_price", market, year)
        if hub is not None:
            notes.append(
                f"For comparison, {labels.get(market, market)}'s trading hub: {_figures(hub, ledger.gas_prices)} {PRICE_UNIT}. "
                "Export prices follow contracts and customs records, not the hub."
            )
    return list(dict.fromkeys(notes))


def all_exports_check(
    ledger: Ledger, result: FlowResult, markets: Sequence[MoneyRow], total: Span | None
) -> tuple[MoneyRow | None, list[str]]:
    """Every export valued at the latest all-destination average price: a check on the sum by market."""
    year = int(result.assumptions.year)
    choice = choose_price(ledger.gas_prices, "export_average", None, year)
    if choice is None:
        return None, []
    volume = float(result.markets.loc[result.markets.index.isin(_export_markets(ledger)), "delivered"].sum())
    value = choice.span.times(volume)
    note = (
        f"All exports ({volume:.2f} bcm/yr) at the all-destination average of {choice.year}: "
        f"{_figures(choice, ledger.gas_prices)} {PRICE_UNIT}. A check on the sum by market, not added to it."
    )
    notes = [note]
    if total is not None:
        older = sorted({row.price_year for row in markets if row.price_year is not None and row.price_year < choice.year})
        since = (
            f" The market prices date from {', '.join(map(str, older))}, the average from {choice.year}: the gap is partly "
            "how far prices moved in between."
            if older
            else ""
        )
        notes.append(
            f"The sum by market is {_number(total.central)} {VALUE_UNIT} (range {_number(total.low)}–{_number(total.high)}); "
            f"at the all-destination average it would be {_number(value.central)}.{since}"
        )
    row = MoneyRow.priced("all_exports", "", "All exports (all-destination average)", volume, choice, note)
    return row, notes


def _export_markets(ledger: Ledger) -> list[str]:
    flows = ledger.wiring.flows
    return [str(f) for f in flows.loc[(flows["role"] == "market") & (flows["kind"] == "export"), "flow_id"]]


def _pipeline_name(ledger: Ledger, link_ids: Sequence[str]) -> str:
    """The name the links' assets share ("Pipe" for "Pipe (east)" and "Pipe (west)"), else all their names."""
    assets = dict(zip(ledger.links["link_id"], ledger.links["asset"].astype(str)))
    names = _unique(assets.get(link, link) for link in link_ids)
    words = [name.split() for name in names]
    shared = []
    for column in zip(*words):
        if len(set(column)) > 1:
            break
        shared.append(column[0])
    common = " ".join(shared)
    return common if len(names) > 1 and common else "; ".join(names)


def transit_costs(ledger: Ledger, result: FlowResult) -> tuple[list[MoneyRow], list[str]]:
    """Tariff and tax of every pipeline priced in the data, on the gas it carries in the solved scenario.

    The volume charged is the largest flow among the links a row names (sections of one
    pipeline in series: all the gas it carries passes its busiest section).

    Returns
    -------
    rows, notes
        One row per pipeline and kind (tariff, tax) and a note for each.
    """
    year = int(result.assumptions.year)
    prices = ledger.gas_prices
    flows = result.links.set_index("link_id")["flow"]
    groups = _unique(row["link_ids"] for _, row in prices[prices["kind"].isin(STANDING_KINDS)].iterrows())
    rows: list[MoneyRow] = []
    notes: list[str] = []
    for cell in groups:
        link_ids = split_ids(cell)
        name = _pipeline_name(ledger, link_ids)
        volume = max((float(flows.get(link, 0.0)) for link in link_ids), default=0.0)
        for kind in ("transit_tariff", "transit_tax"):
            choice = choose_price(prices, kind, link_ids[0], year)
            if choice is None:
                continue
            what = "tariff" if kind == "transit_tariff" else "tax"
            note = (
                f"{name} {what} on the {volume:.2f} bcm/yr it carries (its busiest section): {_figures(choice, prices)} "
                f"{PRICE_UNIT}, every statement up to {year}" + ("; central is their mean." if len(choice.price_ids) > 1 else ".")
            )
            label = f"{name}: transit {what}"
            rows.append(MoneyRow.priced(kind, ";".join(link_ids), label, volume, choice, note))  # type: ignore[arg-type]
            notes.append(note)
    return rows, notes


def _margin_note(label: str, volume: float, market: MoneyRow, choice: PriceChoice, value: Span, said: str) -> str:
    assert market.price is not None
    return (
        f"Margin on {label} (an estimate): {volume:.2f} bcm/yr imported frees as much domestic gas for export to "
        f"{market.label}; at {_number(market.price.central)} there against {_number(choice.span.central)} for the import "
        f"(range {_number(choice.span.low)}–{_number(choice.span.high)}) it is worth {_number(value.central)} {VALUE_UNIT} "
        f"(range {_number(value.low)} to {_number(value.high)}; below zero, the import costs more than the gas it frees "
        f"fetches). {said}."
    )


def margin_estimates(ledger: Ledger, result: FlowResult, markets: Sequence[MoneyRow]) -> tuple[list[MoneyRow], list[str]]:
    """The margin on the volume each priced import frees up: (market price − import price) × volume imported.

    An estimate, never a published figure. Low pairs the market's low with the import's
    high, high the reverse, so the range covers both prices' ranges.

    Parameters
    ----------
    ledger
        Its ``gas_prices`` give the import prices and the market each is valued at.
    result
        The solved scenario: the volume each supply put in (``used()``).
    markets
        The market rows of :func:`export_values` (their prices are reused).

    Returns
    -------
    rows, notes
        One row per imported supply with a price, and the notes that say what is assumed.
    """
    year = int(result.assumptions.year)
    prices, labels = ledger.gas_prices, _flow_labels(ledger)
    by_market = {row.key: row for row in markets}
    supplies = _unique(f for cell in prices.loc[prices["kind"] == "import_price", "flow_ids"] for f in split_ids(cell))
    rows: list[MoneyRow] = []
    notes: list[str] = []
    for supply in supplies:
        choice = choose_price(prices, "import_price", supply, year)
        if choice is None:
            continue
        label, volume = labels.get(supply, supply), _used(result, supply)
        market = by_market.get(choice.margin_market or "")
        public = [
            int(row["year"])
            for _, row in prices[(prices["kind"] == "import_price") & (prices["basis"] != ASSUMPTION)].iterrows()
            if supply in _subjects(row)
        ]
        last_public = max(public) if public else None
        said = (
            f"No price paid for {label} is public after {last_public}: the import price is an assumption"
            if choice.assumption and last_public is not None
            else "The import price is an assumption"
            if choice.assumption
            else "The import price is sourced"
        )
        words = f"{said}, {_figures(choice, prices)} {PRICE_UNIT}. {' '.join(choice.notes)}"
        gap: Span | None = None
        if market is None or market.price is None:
            why = "names no market" if market is None else f"is valued at {market.label}, which has no price"
            note = f"Not estimated: the import {why}. {words}"
            notes.append(f"The margin on {label} is not estimated: the import {why}. {said}.")
            sources = choice.source_ids
        else:
            gap = Span(market.price.low - choice.span.high, market.price.central - choice.span.central, market.price.high - choice.span.low)
            note = f"Estimate, not a published figure: ({market.label} price − import price) × {volume:.2f} bcm/yr of {label}. {words}"
            notes.append(_margin_note(label, volume, market, choice, gap.times(volume), said))
            sources = _unique((*market.source_ids, *choice.source_ids))
        basis = ASSUMPTION if choice.assumption else "; ".join(choice.bases)
        value = gap.times(volume) if gap is not None else None
        rows.append(
            MoneyRow(
                "margin", supply, f"Margin on {label} (estimate)", volume, gap, value, choice.year, sources, choice.assumption, note, basis
            )
        )
    return rows, notes


def gas_money(ledger: Ledger, result: FlowResult) -> GasMoney:
    """The gas money of a solved scenario: exports by market, pipeline charges, margins on imports, and the notes.

    Parameters
    ----------
    ledger
        The ledger the scenario was solved on (its ``gas_prices`` and wiring).
    result
        ``corridors.model.solve(graph, assumptions)``; its year picks the prices.

    Returns
    -------
    GasMoney
        Every figure with its sources; assumptions flagged and stated in the notes.
    """
    markets, notes = export_values(ledger, result)
    valued = [row.value for row in markets if row.value is not None]
    total = Span(sum(v.low for v in valued), sum(v.central for v in valued), sum(v.high for v in valued)) if valued else None
    check, check_notes = all_exports_check(ledger, result, markets, total)
    transit, transit_notes = transit_costs(ledger, result)
    margins, margin_notes = margin_estimates(ledger, result, markets)
    return GasMoney(
        year=int(result.assumptions.year),
        markets=tuple(markets),
        total=total,
        all_exports=check,
        transit=tuple(transit),
        margins=tuple(margins),
        notes=tuple(dict.fromkeys([*notes, *check_notes, *transit_notes, *margin_notes])),
    )


def _volume_formula(row: MoneyRow) -> str | None:
    """The wiring formula of a line's volume: what an indicator must compute for its draws to give the line's spread."""
    if row.item == "market":
        return f'delivered("{row.key}")'
    if row.item == "margin":
        return f'used("{row.key}")'
    if row.item == "all_exports":
        return 'delivered(kind="export")'
    return None


def draw_intervals(ledger: Ledger, money: GasMoney, uncertainty: Uncertainty | None) -> dict[tuple[str, str], tuple[float, float]]:
    """P10 and P90 of each line's value over a Monte Carlo run's draws, at the line's central price.

    Parameters
    ----------
    ledger
        Its wiring's indicators are searched for one whose formula is the line's volume
        (``delivered("market")``, ``used("supply")``, ``delivered(kind="export")``).
    money
        The gas money of the run's scenario.
    uncertainty
        The run (:func:`corridors.model.uncertainty.monte_carlo`); None gives no intervals.

    Returns
    -------
    dict
        ``{(item, key): (p10, p90)}`` for the lines the wiring has a volume indicator for.
        Only volumes are drawn, prices stay central: the interval is the volumes' spread.
    """
    if uncertainty is None:
        return {}
    indicators = ledger.wiring.indicators
    by_formula = {str(f).replace(" ", "").replace("'", '"'): str(k) for k, f in zip(indicators["indicator"], indicators["formula"])}
    spread = uncertainty.intervals()
    found: dict[tuple[str, str], tuple[float, float]] = {}
    for row in money.rows:
        formula = _volume_formula(row)
        key = by_formula.get(formula or "")
        if key is None or key not in spread.index or row.price is None:
            continue
        ends = sorted(float(spread.loc[key, q]) * row.price.central for q in ("p10", "p90"))
        if all(math.isfinite(e) for e in ends):
            found[(row.item, row.key)] = (ends[0], ends[1])
    return found
