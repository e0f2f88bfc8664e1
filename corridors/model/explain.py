"""Why a scenario comes out as it does, in words: which capacities hold back which demand.

The flow model reports unmet demand per market and the links whose capacity binds
(non-zero shadow price). This module joins the two: for each market left short, the
binding links that lie on its way from supply to delivery, named as the page and the
report name them (asset, capacity, unit). It reads only the result and the graph, so
it holds for any ledger: no node or link is named in the code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import networkx as nx
import pandas as pd

from corridors.model.flows import FlowResult

#: Unmet demand below this (in the market's unit) is solver rounding, not a shortfall.
TOLERANCE = 1e-6
#: At most this many limits are named in one sentence; the rest are counted.
MAX_NAMED = 3


@dataclass(frozen=True)
class Limit:
    """A binding link: what it is called, what it can carry, and how much it constrains."""

    link_id: str
    asset: str
    capacity: float
    unit: str
    shadow_price: float


@dataclass(frozen=True)
class Shortfall:
    """A market left short, and the binding links on its way (most limiting first)."""

    market: str
    label: str
    network: str
    unit: str
    demand: float
    unmet: float
    limits: list[Limit] = field(default_factory=list)


def short_number(value: float) -> str:
    """A figure to two decimals at most, with no trailing zeros (12.8, 4, 0.28)."""
    return f"{round(float(value), 2):g}"


def _market_ends(result: FlowResult, market: str) -> tuple[set[str], set[str]] | None:
    """Where a market's flow starts (its origin, for freight; empty for pooled supplies) and where it is delivered."""
    ends = type(result.assumptions).wiring().market_ends.get(market)
    return None if ends is None else (set(ends[0]), set(ends[1]))


def market_label(market: str, graph: nx.MultiDiGraph | None = None, result: FlowResult | None = None) -> str:
    """A market's name for people: origin → destination by node name for cargo, else the wiring's label."""
    ends = _market_ends(result, market) if result is not None else None
    if ends and ends[0] and graph is not None:
        path = [*ends[0], *sorted(ends[1])]
        if all(n in graph for n in path):
            return " → ".join(str(graph.nodes[n].get("name", n)) for n in path) + " cargo"
    if result is not None:
        return type(result.assumptions).wiring().market_label(market)
    return market.replace("_", " ")


def _routes(result: FlowResult, network: str, graph: nx.MultiDiGraph | None) -> nx.DiGraph:
    """The open links of one network as a directed graph; two-way links go both ways."""
    routes = nx.DiGraph()
    links = result.links[(result.links["network"] == network) & result.links["open"].astype(bool)]
    for row in links.itertuples(index=False):
        routes.add_edge(row.from_node, row.to_node)
        two_way = False
        if graph is not None and graph.has_edge(row.from_node, row.to_node, row.link_id):
            two_way = bool(graph.edges[row.from_node, row.to_node, row.link_id].get("bidirectional"))
        if two_way:
            routes.add_edge(row.to_node, row.from_node)
    return routes


def _on_the_way(binding: pd.DataFrame, ends_of_market: tuple[set[str], set[str]] | None, routes: nx.DiGraph) -> pd.DataFrame:
    """Binding links that can carry something towards the market (an origin reaches them, they reach a delivery point)."""
    if ends_of_market is None:
        return binding
    origins, ends = ends_of_market
    ends &= set(routes.nodes)
    if not ends:
        return binding.iloc[0:0]
    reaches_end = set(ends).union(*(nx.ancestors(routes, n) for n in ends))
    reached = set(origins).union(*(nx.descendants(routes, n) for n in origins if n in routes)) if origins else None

    def useful(row: pd.Series) -> bool:
        for u, v in ((row["from_node"], row["to_node"]), (row["to_node"], row["from_node"])):
            if routes.has_edge(u, v) and v in reaches_end and (reached is None or u in reached):
                return True
        return False

    return binding[binding.apply(useful, axis=1)] if not binding.empty else binding


def shortfalls(result: FlowResult, graph: nx.MultiDiGraph | None = None) -> list[Shortfall]:
    """Every market with unmet demand and the binding links that hold it back.

    Parameters
    ----------
    result
        A solved scenario (:func:`corridors.model.solve`).
    graph
        The corridor graph, for node names and two-way links. Without it, every
        binding link of the market's network is counted as limiting it.

    Returns
    -------
    list[Shortfall]
        In the order of ``result.markets``; each shortfall's limits sorted by shadow
        price, most limiting first. An empty list when all demand is met.
    """
    links = result.links
    binding = links[links["binding"].astype(bool) & links["capacity"].notna()].sort_values("shadow_price", ascending=False)
    out: list[Shortfall] = []
    routes_by_network: dict[str, nx.DiGraph] = {}
    for market, row in result.markets.iterrows():
        unmet = float(row["unmet"])
        if not unmet > TOLERANCE:
            continue
        network = str(row["network"])
        candidates = binding[binding["network"] == network]
        ends = _market_ends(result, str(market))
        if graph is not None or ends is not None:
            if network not in routes_by_network:
                routes_by_network[network] = _routes(result, network, graph)
            candidates = _on_the_way(candidates, ends, routes_by_network[network])
        limits = [
            Limit(str(r.link_id), str(r.asset), float(r.capacity), str(r.unit), float(r.shadow_price))
            for r in candidates.itertuples(index=False)
        ]
        out.append(
            Shortfall(str(market), market_label(str(market), graph, result), network, str(row["unit"]), float(row["demand"]), unmet, limits)
        )
    return out


def _limits_text(limits: list[Limit]) -> str:
    named = [f"{limit.asset} ({short_number(limit.capacity)} {limit.unit})" for limit in limits[:MAX_NAMED]]
    more = len(limits) - len(named)
    if more:
        named.append(f"{more} more link{'s' if more > 1 else ''}")
    listed = _and(named)
    return f"{listed} {'is' if len(limits) == 1 else 'are'} full"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def describe(shortfall: Shortfall) -> str:
    """One sentence: how short the market is, and which capacities are full."""
    demand = short_number(shortfall.demand)
    head = f"{shortfall.label} is {shortfall.unmet:,.2f} {shortfall.unit} short of its {demand} {shortfall.unit} demand"
    if not shortfall.limits:
        return head + ": no capacity on its way is full, so the supply assumed (or the routes open) is what limits it."
    return f"{head}: {_limits_text(shortfall.limits)}."


def explain_unmet(result: FlowResult, graph: nx.MultiDiGraph | None = None, found: list[Shortfall] | None = None) -> list[str]:
    """In words, what limits the result: one sentence per limit, naming the markets it leaves short.

    Parameters
    ----------
    result
        A solved scenario.
    graph
        The corridor graph (node names, two-way links); optional.
    found
        The shortfalls, when the caller has them already (:func:`shortfalls`).

    Returns
    -------
    list[str]
        One sentence per market with unmet demand, naming the full links by asset,
        capacity and unit, e.g. "Europe is 6.70 bcm/yr short of its
        20 bcm/yr demand: South Caucasus Pipeline (SCP), … (23.4 bcm/yr) is full."
        Markets held back by the same links share one sentence. When every demand is
        met, a single sentence saying that nothing limits it.
    """
    found = shortfalls(result, graph) if found is None else found
    if not found:
        return ["Every demand is met: no capacity limits the result."]
    groups: dict[tuple, list[Shortfall]] = {}
    for shortfall in found:
        # Markets without a full link each get their own sentence: their causes may differ.
        key = (shortfall.network, tuple(limit.link_id for limit in shortfall.limits)) if shortfall.limits else (shortfall.market,)
        groups.setdefault(key, []).append(shortfall)
    sentences = []
    for group in groups.values():
        if len(group) == 1:
            sentences.append(describe(group[0]))
            continue
        short = _and([f"{s.label} ({s.unmet:,.2f} of {short_number(s.demand)} {s.unit})" for s in group])
        sentences.append(f"{short} are short: {_limits_text(group[0].limits)}.")
    return sentences


def limiting_links(result: FlowResult, graph: nx.MultiDiGraph | None = None) -> list[str]:
    """The assets whose capacity holds back some demand, most limiting first, each once."""
    seen: dict[str, float] = {}
    for shortfall in shortfalls(result, graph):
        for limit in shortfall.limits:
            seen[limit.asset] = max(seen.get(limit.asset, -math.inf), limit.shadow_price)
    return sorted(seen, key=lambda asset: -seen[asset])


# -- Indicators as the page shows them -------------------------------------------------------


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_indicator(value: float | None, unit: str) -> str:
    """An indicator's value for a metric: shares as whole percents, the rest with two decimals and the unit."""
    if _missing(value):
        return "n/a"
    return f"{value:.0%}" if unit == "share" else f"{value:,.2f} {unit}"


def indicator_delta(value: float | None, base: float | None, unit: str) -> str | None:
    """The change of an indicator against the baseline, signed, or None when there is none to show.

    Shares change in percentage points ("+3.6 pp"), not in percent of a percent;
    other indicators in their unit with two decimals ("+1.20 bcm/yr"). A change
    that rounds to zero, or a missing value on either side, gives None.
    """
    if _missing(value) or _missing(base):
        return None
    change = float(value) - float(base)
    if unit == "share":
        points = round(change * 100, 1)
        return None if points == 0 else f"{points:+.1f} pp"
    rounded = round(change, 2)
    return None if rounded == 0 else f"{rounded:+,.2f} {unit}"
