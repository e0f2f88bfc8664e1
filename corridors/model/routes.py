"""Days and dollars per container on each named route, against the benchmark route.

Reads ``routes.csv``, ``route_legs.csv`` and ``route_discounts.csv`` (see
``datapackage.json``) and adds up each route's legs for a set of inputs: the year and the
opening year of the links that switch legs on or off (the Rasht–Astara railway drops the
Astara truck transfer), the legs' adjustable days and costs (dwell times, the sea freight
rate) and the railway discounts that can be priced.

How a route's total is formed, for each of days and cost and each of low, central, high:

- a leg that is not ``included`` adds its figures;
- a leg ``included`` in the route's through figure adds only its change: the input's value
  minus the leg's central figure, the discount's share of its cost, or minus its central
  figure when the leg is dropped (its link switched it off). At the defaults an included
  leg adds nothing, so the route's total is its published through figure.

Nothing here names a place: every route, leg and input comes from the data folder. No
Streamlit import: pages, the command line and the tests call the same functions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import pandas as pd

from corridors.ledger.load import Ledger
from corridors.ledger.wiring import split_ids

FORMAT = "corridors.routes/1"
Figure = Literal["days", "cost"]
FIGURES: tuple[Figure, ...] = ("days", "cost")
LEVELS: tuple[str, ...] = ("low", "central", "high")
#: Units of the two figures, as the data package gives them.
UNITS: dict[Figure, str] = {"days": "days", "cost": "USD/TEU"}


class RouteError(ValueError):
    """A request the route tables cannot answer (an unknown node, no route between two nodes)."""


@dataclass(frozen=True)
class Range:
    """A low, central and high figure."""

    low: float
    central: float
    high: float

    @classmethod
    def of(cls, row: Mapping[str, Any], figure: Figure) -> Range | None:
        """A leg row's days or cost, or None when the row gives none."""
        values = [row[f"{figure}_{level}"] for level in LEVELS]
        if any(v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA for v in values):
            return None
        return cls(*(float(v) for v in values))

    @classmethod
    def flat(cls, value: float) -> Range:
        return cls(value, value, value)

    def __add__(self, other: Range) -> Range:
        return Range(self.low + other.low, self.central + other.central, self.high + other.high)

    def __sub__(self, other: Range) -> Range:
        return Range(self.low - other.low, self.central - other.central, self.high - other.high)

    def scaled(self, factor: float) -> Range:
        return Range(self.low * factor, self.central * factor, self.high * factor)

    def shifted(self, by: float) -> Range:
        """The range moved by ``by``, no figure below zero."""
        return Range(max(0.0, self.low + by), max(0.0, self.central + by), max(0.0, self.high + by))

    def floored(self) -> Range:
        return Range(max(0.0, self.low), max(0.0, self.central), max(0.0, self.high))

    def as_dict(self, digits: int = 2) -> dict[str, float]:
        return {level: round(getattr(self, level), digits) + 0.0 for level in LEVELS}


ZERO = Range(0.0, 0.0, 0.0)


@dataclass(frozen=True)
class RouteInput:
    """One input a user can set (a slider): its kind, default and sourced range.

    Attributes
    ----------
    name
        Key in :attr:`RouteParameters.values` (an input or discount id) or, for an
        opening year, in :attr:`RouteParameters.openings` (a link id).
    kind
        ``days`` or ``cost`` (a leg's figure), ``discount`` (percent off a leg's cost) or
        ``opening_year`` (of a link that switches legs on or off).
    label, unit
        What a slider shows.
    default, minimum, maximum
        Where the input starts and the range it may take: the legs' published low and
        high, up to the largest announced discount, the year bounds of the scenario.
    leg_ids, source_ids
        The legs it moves and the sources behind its range.
    basis, note
        ``published``, ``derived``, ``proxy`` or ``assumption`` (of its legs), and why.
    """

    name: str
    kind: Literal["days", "cost", "discount", "opening_year"]
    label: str
    unit: str
    default: float
    minimum: float
    maximum: float
    leg_ids: tuple[str, ...]
    source_ids: tuple[str, ...]
    basis: str = ""
    note: str = ""


@dataclass(frozen=True)
class RouteParameters:
    """The inputs the route totals depend on.

    Attributes
    ----------
    year
        The year asked about: a leg that switches with a link is on or off by whether
        the link's opening year is reached.
    openings
        ``{link_id: opening year}`` of the links that switch legs (None: never opens).
    values
        ``{input name: value}`` for the legs' adjustable days and costs, and
        ``{discount_id: percent}`` for the discounts; a name left out keeps its default.
    """

    year: int
    openings: Mapping[str, int | None] = field(default_factory=dict)
    values: Mapping[str, float] = field(default_factory=dict)

    def with_values(self, **values: float) -> RouteParameters:
        """The same parameters with some inputs (or discounts) set."""
        return replace(self, values={**self.values, **values})

    def with_opening(self, link_id: str, year: int | None) -> RouteParameters:
        """The same parameters with one link opening in ``year``."""
        return replace(self, openings={**self.openings, link_id: year})


@dataclass(frozen=True)
class LegResult:
    """One leg as it stands under the parameters."""

    leg_id: str
    seq: int
    kind: str
    from_node: str | None
    to_node: str | None
    place: str | None
    link_ids: tuple[str, ...]
    active: bool
    included: bool
    figures: dict[str, Range | None]
    counted: dict[str, Range | None]
    basis: str | None
    input: str | None
    discount_id: str | None
    source_ids: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class RouteResult:
    """A route's totals and legs under the parameters."""

    route_id: str
    name: str
    branch: str | None
    from_node: str
    to_node: str
    benchmark: bool
    days: Range | None
    cost: Range | None
    legs: tuple[LegResult, ...]
    source_ids: tuple[str, ...]


def _text(value: object) -> str | None:
    return None if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) else str(value)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _leg_rows(ledger: Ledger) -> list[dict[str, Any]]:
    """The legs in the order of routes.csv, then of their ``seq``."""
    order = {route: i for i, route in enumerate(ledger.routes["route_id"])}
    legs = ledger.route_legs.assign(_order=ledger.route_legs["route_id"].map(order))
    return legs.sort_values(["_order", "seq"], kind="stable").drop(columns="_order").to_dict("records")


def _opening_assumptions(ledger: Ledger) -> dict[str, str]:
    """``{link_id: assumption name}`` for the wiring's assumptions that set a link's opening year."""
    wiring = ledger.wiring
    found: dict[str, str] = {}
    for name in wiring.parameter_names():
        info = wiring.parameter_info(name)
        if info["effect"] == "opening_year":
            for link in info["link_ids"]:
                found.setdefault(link, name)
    return found


def link_opening_year(ledger: Ledger, link_id: str, assumptions: object | None = None) -> int | None:
    """When a link opens: the scenario's assumption that moves it, else its first year in links.csv.

    Parameters
    ----------
    ledger
        The ledger the link is in.
    link_id
        A link of ``links.csv``.
    assumptions
        A scenario's assumptions (the wiring's model); None reads the ledger alone.

    Returns
    -------
    int or None
        The opening year; None for a link that never opens (suspended, or planned
        with no year); 0 for an operating link with no first year (always open).
    """
    name = _opening_assumptions(ledger).get(link_id)
    if assumptions is not None and name is not None:
        return int(getattr(assumptions, name))
    row = ledger.links.set_index("link_id").loc[link_id]
    if row["status"] == "suspended":
        return None
    if pd.notna(row["first_year"]):
        return int(row["first_year"])
    return 0 if row["status"] == "operating" else None


def default_parameters(ledger: Ledger, year: int, assumptions: object | None = None) -> RouteParameters:
    """The parameters of ``year`` with every input at its default (see :func:`route_inputs`).

    A scenario's ``assumptions`` (the flow model's) set the opening years of the links
    their ``opening_year`` assumptions move; the legs' own inputs are not part of a
    scenario file and start at their defaults.
    """
    links = _unique(str(s) for s in ledger.route_legs["switch_link"].dropna())
    return RouteParameters(year=year, openings={link: link_opening_year(ledger, link, assumptions) for link in links})


def route_inputs(ledger: Ledger) -> list[RouteInput]:
    """Every input the route totals depend on, with its default and sourced range, in table order.

    One per adjustable figure of the legs (``input``: its range is the legs' low to
    high, its default their central figure), one per discount a leg names (0 to the
    largest share announced, 0 being the leg's figure as published) and one per link
    that switches legs (its year, within the bounds of the scenario year).
    """
    inputs: dict[str, RouteInput] = {}
    names = dict(zip(ledger.nodes["node_id"], ledger.nodes["name"]))
    route_names = dict(zip(ledger.routes["route_id"], ledger.routes["name"]))
    for row in _leg_rows(ledger):
        name, sets = _text(row["input"]), _text(row["input_sets"])
        if name is None or sets not in FIGURES:
            continue
        span = Range.of(row, sets)  # type: ignore[arg-type]
        if span is None:
            continue
        if name in inputs:
            known = inputs[name]
            inputs[name] = replace(
                known, leg_ids=(*known.leg_ids, row["leg_id"]), source_ids=_unique((*known.source_ids, *split_ids(row["source_ids"])))
            )
            continue
        where = _text(row["place"]) or names.get(str(row["from_node"]), str(row["from_node"]))
        label = f"{route_names.get(row['route_id'], row['route_id'])}, whole route" if row["kind"] == "through" else where
        label = f"{label}: {'cost' if sets == 'cost' else 'time'}"
        inputs[name] = RouteInput(
            name=name,
            kind=sets,  # type: ignore[arg-type]
            label=label,
            unit=UNITS[sets],  # type: ignore[index]
            default=span.central,
            minimum=span.low,
            maximum=span.high,
            leg_ids=(row["leg_id"],),
            source_ids=tuple(split_ids(row["source_ids"])),
            basis=_text(row["basis"]) or "",
            note=str(row["note"]),
        )
    used = set(ledger.route_legs["discount_id"].dropna())
    for row in ledger.route_discounts.to_dict("records"):
        if row["discount_id"] not in used:
            continue
        legs = tuple(ledger.route_legs.loc[ledger.route_legs["discount_id"] == row["discount_id"], "leg_id"])
        inputs[row["discount_id"]] = RouteInput(
            name=row["discount_id"],
            kind="discount",
            label=str(row["label"]),
            unit="%",
            default=0.0,
            minimum=0.0,
            maximum=float(row["announced_high"]),
            leg_ids=legs,
            source_ids=tuple(split_ids(row["source_ids"])),
            basis="published",
            note=str(row["note"]),
        )
    labels = dict(zip(ledger.links["link_id"], ledger.links["asset"]))
    movers = _opening_assumptions(ledger)
    for link in _unique(str(s) for s in ledger.route_legs["switch_link"].dropna()):
        # Its bounds are those of the scenario's assumption that moves it, else of the scenario year.
        years = ledger.wiring.parameter_info(movers.get(link, ledger.wiring.year_name))
        opens = link_opening_year(ledger, link)
        legs = tuple(ledger.route_legs.loc[ledger.route_legs["switch_link"] == link, "leg_id"])
        sources = split_ids(ledger.links.set_index("link_id").loc[link, "source_ids"])
        inputs[link] = RouteInput(
            name=link,
            kind="opening_year",
            label=f"{labels.get(link, link)} opens",
            unit="year",
            default=float(opens if opens is not None and opens > 0 else years["maximum"]),
            minimum=float(years["minimum"]),
            maximum=float(years["maximum"]),
            leg_ids=legs,
            source_ids=tuple(sources),
            basis="published",
            note="The link's first year in links.csv; a scenario's opening-year assumption moves it.",
        )
    return list(inputs.values())


def _leg_active(row: Mapping[str, Any], params: RouteParameters) -> bool:
    applies = row["applies"]
    if applies == "always":
        return True
    opens = params.openings.get(str(row["switch_link"]))
    is_open = opens is not None and params.year >= opens
    return is_open if applies == "once_link_opens" else not is_open


def _leg_result(row: Mapping[str, Any], params: RouteParameters) -> LegResult:
    active = _leg_active(row, params)
    included = bool(row["included"])
    name, sets, discount = _text(row["input"]), _text(row["input_sets"]), _text(row["discount_id"])
    figures: dict[str, Range | None] = {}
    counted: dict[str, Range | None] = {}
    for figure in FIGURES:
        base = Range.of(row, figure)
        if base is None:
            figures[figure], counted[figure] = None, None
            continue
        value = base
        if name is not None and sets == figure and name in params.values:
            value = base.shifted(float(params.values[name]) - base.central)
        if figure == "cost" and discount is not None:
            value = value.scaled(1.0 - float(params.values.get(discount, 0.0)) / 100.0)
        figures[figure] = value if active else base
        if active:
            counted[figure] = value - base if included else value
        else:
            counted[figure] = Range.flat(-base.central) if included else ZERO
    return LegResult(
        leg_id=str(row["leg_id"]),
        seq=int(row["seq"]),
        kind=str(row["kind"]),
        from_node=_text(row["from_node"]),
        to_node=_text(row["to_node"]),
        place=_text(row["place"]),
        link_ids=tuple(split_ids(row["link_ids"])),
        active=active,
        included=included,
        figures=figures,
        counted=counted,
        basis=_text(row["basis"]),
        input=name or discount,
        discount_id=discount,
        source_ids=tuple(split_ids(row["source_ids"])),
        note=str(row["note"]),
    )


def _total(legs: Iterable[LegResult], figure: Figure) -> Range | None:
    parts = [leg.counted[figure] for leg in legs if leg.counted[figure] is not None]
    if not parts:
        return None
    total = ZERO
    for part in parts:
        total = total + part  # type: ignore[operator]
    return total.floored()


def route_results(ledger: Ledger, params: RouteParameters) -> list[RouteResult]:
    """Every route of the ledger, its totals and its legs, under ``params``, in table order."""
    legs_of: dict[str, list[dict[str, Any]]] = {}
    for row in _leg_rows(ledger):
        legs_of.setdefault(str(row["route_id"]), []).append(row)
    results = []
    for route in ledger.routes.to_dict("records"):
        legs = tuple(_leg_result(row, params) for row in legs_of.get(str(route["route_id"]), []))
        sources = _unique(s for leg in legs if any(leg.figures.values()) for s in leg.source_ids)
        results.append(
            RouteResult(
                route_id=str(route["route_id"]),
                name=str(route["name"]),
                branch=_text(route["branch"]),
                from_node=str(route["from_node"]),
                to_node=str(route["to_node"]),
                benchmark=bool(route["benchmark"]),
                days=_total(legs, "days"),
                cost=_total(legs, "cost"),
                legs=legs,
                source_ids=sources,
            )
        )
    return results


def select_routes(ledger: Ledger, results: list[RouteResult], origin: str | None, destination: str | None) -> list[RouteResult]:
    """The routes between ``origin`` and ``destination`` (either may be None: any), turned to run that way.

    The sources quote most figures one way (India to Russia or back) and they are used
    for both directions, so a route asked for from its end comes back with its legs in
    reverse order and the same totals.

    Raises
    ------
    RouteError
        When a node is not in nodes.csv, or no route starts or ends there.
    """
    known = set(ledger.nodes["node_id"])
    ends = _unique(n for r in results for n in (r.from_node, r.to_node))
    for flag, node in (("--from", origin), ("--to", destination)):
        if node is None:
            continue
        if node not in known:
            raise RouteError(f"{flag} '{node}' is not a node of this ledger (nodes.csv); routes run between: {', '.join(ends) or 'none'}")
        if node not in ends:
            raise RouteError(f"{flag} '{node}': no route starts or ends there; routes run between: {', '.join(ends)}")
    chosen = []
    for result in results:
        forward = origin in (None, result.from_node) and destination in (None, result.to_node)
        backward = origin in (None, result.to_node) and destination in (None, result.from_node)
        if forward:
            chosen.append(result)
        elif backward:
            chosen.append(_reversed(result))
    return chosen


def _reversed(result: RouteResult) -> RouteResult:
    legs = tuple(replace(leg, from_node=leg.to_node, to_node=leg.from_node) for leg in reversed(result.legs))
    return replace(result, from_node=result.to_node, to_node=result.from_node, legs=legs)


def benchmark_of(results: Iterable[RouteResult]) -> RouteResult | None:
    return next((r for r in results if r.benchmark), None)


def versus(result: RouteResult, benchmark: RouteResult | None) -> dict[str, float | None] | None:
    """Central days and cost of a route minus the benchmark's (negative: faster or cheaper); None without a benchmark."""
    if benchmark is None:
        return None

    def gap(mine: Range | None, theirs: Range | None) -> float | None:
        return None if mine is None or theirs is None else round(mine.central - theirs.central, 2) + 0.0

    return {"days": gap(result.days, benchmark.days), "cost": gap(result.cost, benchmark.cost)}


def _range_dict(value: Range | None) -> dict[str, float] | None:
    return None if value is None else value.as_dict()


def _leg_dict(leg: LegResult) -> dict[str, Any]:
    return {
        "id": leg.leg_id,
        "seq": leg.seq,
        "kind": leg.kind,
        "from": leg.from_node,
        "to": leg.to_node,
        "place": leg.place,
        "link_ids": list(leg.link_ids),
        "active": leg.active,
        "included_in_through": leg.included,
        "days": _range_dict(leg.figures["days"]),
        "cost_usd_per_teu": _range_dict(leg.figures["cost"]),
        "counted": {"days": _range_dict(leg.counted["days"]), "cost_usd_per_teu": _range_dict(leg.counted["cost"])},
        "basis": leg.basis,
        "input": leg.input,
        "source_ids": list(leg.source_ids),
        "note": leg.note,
    }


def routes_document(results: list[RouteResult], params: RouteParameters, benchmark: RouteResult | None) -> dict[str, Any]:
    """The JSON document of ``python -m corridors routes --format json`` (format ``corridors.routes/1``).

    Parameters
    ----------
    results
        The routes to list (see :func:`route_results` and :func:`select_routes`).
    params
        The parameters they were computed with (recorded in the document).
    benchmark
        The route ``vs_suez`` is taken against, computed with the same parameters.
    """
    return {
        "format": FORMAT,
        "year": params.year,
        "parameters": {"openings": dict(params.openings), "values": dict(params.values)},
        "benchmark": None if benchmark is None else benchmark.route_id,
        "routes": [
            {
                "id": r.route_id,
                "name": r.name,
                "from": r.from_node,
                "to": r.to_node,
                "benchmark": r.benchmark,
                "days": _range_dict(r.days),
                "cost_usd_per_teu": _range_dict(r.cost),
                "legs": [_leg_dict(leg) for leg in r.legs],
                "vs_suez": versus(r, benchmark),
                "source_ids": list(r.source_ids),
            }
            for r in results
        ],
    }


def routes_table(results: list[RouteResult], benchmark: RouteResult | None) -> pd.DataFrame:
    """One row per route: days and USD/TEU (low, central, high) and the central gap to the benchmark."""
    rows = []
    for r in results:
        gap = versus(r, benchmark) or {"days": None, "cost": None}
        row: dict[str, Any] = {"route": r.route_id, "name": r.name}
        for figure, value in (("days", r.days), ("usd_teu", r.cost)):
            for level in LEVELS:
                row[f"{figure}_{level}"] = None if value is None else round(getattr(value, level), 1)
        row["vs_bench_days"], row["vs_bench_usd_teu"] = gap["days"], gap["cost"]
        rows.append(row)
    return pd.DataFrame(rows)


def legs_table(result: RouteResult, node_names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per leg of a route: what it is, its figures as they stand, what it adds to the total, its basis and sources."""
    names = node_names or {}

    def text(value: Range | None) -> str:
        return "" if value is None else f"{value.low:g}–{value.central:g}–{value.high:g}"

    return pd.DataFrame(
        [
            {
                "seq": leg.seq,
                "kind": leg.kind,
                "leg": leg.place or f"{names.get(str(leg.from_node), leg.from_node)} – {names.get(str(leg.to_node), leg.to_node)}",
                "on": "yes" if leg.active else "no",
                "in_through": "yes" if leg.included else "",
                "days": text(leg.figures["days"]),
                "usd_teu": text(leg.figures["cost"]),
                "adds_days": text(leg.counted["days"]),
                "adds_usd": text(leg.counted["cost"]),
                "basis": leg.basis or "",
                "sources": ";".join(leg.source_ids),
            }
            for leg in result.legs
        ]
    )
