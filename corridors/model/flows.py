"""The flow model: assumptions in, flows on every link out, wired by the ledger's model tables.

Each network with markets (gas in bcm/yr, freight in Mt/yr) is one linear programme
(:mod:`corridors.model.lp`) over the same graph. Capacities are respected and mass is
conserved at every node; what the network cannot carry is reported as unmet demand,
and the links whose capacity limits the result are named (non-zero shadow price).

What the model does with each place is read from the wiring (:mod:`corridors.ledger.wiring`):

- supplies enter at their node, up to their quantity; imports are used before
  production (they are contracted deliveries);
- markets take delivery at any of their nodes; own use is served before exports;
- a market with an origin (freight) is split into route classes, each allowed on
  some branches; cargo takes the cheapest open route it may use, a link costing its
  length (published, or the great-circle distance × 1.2) times its cost per km: a
  published rate where the wiring names one for the link, elsewhere a weight per mode
  (and branch) in the same unit;
- assumptions move links: capacity, opening year, open when positive, a share kept
  back (a swap fee); a link marked bidirectional carries flow both ways within one
  capacity;
- indicators are formulas over the solved flows.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from corridors.ledger.expressions import parse, variables
from corridors.ledger.graph import in_service_mask
from corridors.ledger.wiring import ALL_BRANCHES, MARKET_PENALTY, SUPPLY_REWARD, AssumptionsBase, Wiring, split_ids
from corridors.model.indicators import EPS, IndicatorsMixin
from corridors.model.lp import Commodity, Market, NetworkLP

ROUTE_FACTOR = 1.2  # great-circle distance to route distance when no length is published
EARTH_RADIUS_KM = 6371.0


@dataclass
class FlowResult:
    """The model's answer for one set of assumptions.

    Attributes
    ----------
    links
        One row per link: flow (both directions), capacity used by the model,
        utilisation (flow ÷ capacity), binding and shadow price.
    nodes
        Net balance per node (what it takes out minus what it puts in).
    markets
        Demand, delivered and unmet per market, indexed by market id.
    indicators
        Value per indicator (NaN where a ratio's denominator is below its floor).
    notes
        Caveats in words (links without a capacity, ratios shown as n/a).
    routing_costs
        What a km costs on each routed link and on what basis (:meth:`FlowModel.routing_costs`).
    """

    assumptions: AssumptionsBase
    links: pd.DataFrame
    nodes: pd.DataFrame
    markets: pd.DataFrame
    indicators: dict[str, float]
    notes: list[str] = field(default_factory=list)
    definitions: pd.DataFrame | None = None
    #: Each network's solved arrays (supplies used, per-market totals): what formulas read besides the tables.
    solved: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    #: Builds :attr:`routing_costs` when first read: a slider step rarely shows it, and it costs as much as a solve.
    costs_of_links: Callable[[], pd.DataFrame] | None = field(default=None, repr=False)

    @cached_property
    def routing_costs(self) -> pd.DataFrame | None:
        return None if self.costs_of_links is None else self.costs_of_links()

    @property
    def unmet(self) -> dict[str, float]:
        return {m: float(v) for m, v in self.markets["unmet"].items()}

    @property
    def bottlenecks(self) -> pd.DataFrame:
        """Binding links, the most limiting first (largest shadow price)."""
        binding = self.links[self.links["binding"]]
        return binding.sort_values(["network", "shadow_price"], ascending=[True, False])

    def indicator_table(self) -> pd.DataFrame:
        """Indicators with label, unit and definition, in the wiring's order."""
        defs = self.definitions.set_index("indicator") if self.definitions is not None else None
        rows = []
        for key, value in self.indicators.items():
            row = defs.loc[key] if defs is not None else {"label": key, "unit": "", "definition": ""}
            rows.append({"indicator": row["label"], "value": value, "unit": row["unit"], "definition": row["definition"], "key": key})
        return pd.DataFrame(rows)


def _haversine_km(a: dict, b: dict) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (a["x"], a["y"], b["x"], b["y"]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


@dataclass
class _Network:
    """One network's programme and the arrays a solve needs."""

    name: str
    unit: str
    links: pd.DataFrame
    lp: NetworkLP
    arc_link: np.ndarray  # link position of each arc (forward arcs, then reverse arcs)
    n_forward: int
    distance: np.ndarray  # per arc
    base_capacity: np.ndarray  # per link
    first_year: np.ndarray
    status: np.ndarray
    commodities: list[dict[str, Any]]  # supplies, markets, route class per LP commodity
    markets: list[str]
    market_kind: dict[str, str]


@dataclass
class WarmStarts:
    """Simplex bases to start solves from, by network (and the assumptions a solve overrides).

    A Monte Carlo run starts every draw from the bases of its central scenario, which
    are found from scratch; a solve with overridden assumptions (an indicator's "what
    if it opened") starts from the same draw's own optimal basis. Each draw's answer
    then depends on the draw and the scenario alone, never on the draws solved before
    it (nor on how they were split between processes), and the simplex needs tens of
    steps instead of hundreds. ``recording`` fills ``bases`` with each solve's optimal
    basis.
    """

    bases: dict[tuple, Any] = field(default_factory=dict)
    recording: bool = False
    this_draw: dict[str, Any] = field(default_factory=dict)  # the current draw's optimal basis, per network

    def for_draw(self) -> WarmStarts:
        """The starts for one draw: the scenario's bases, and none yet of the draw's own."""
        return WarmStarts(self.bases, self.recording)

    def start(self, key: tuple) -> Any:
        network, *overridden = key
        if overridden and network in self.this_draw:
            return self.this_draw[network]
        return self.bases.get(key)

    def keep(self, key: tuple, basis: Any) -> None:
        network, *overridden = key
        if not overridden:
            self.this_draw[network] = basis
        if self.recording:
            self.bases[key] = basis


class FlowModel(IndicatorsMixin):
    """Every network's flow programme for one graph and wiring, built once and re-solved per scenario.

    Parameters
    ----------
    graph
        The corridor graph from :func:`corridors.build_graph`.
    wiring
        The model tables of the same ledger.

    Raises
    ------
    ValueError
        If the wiring names a node or link the graph lacks: the message names it.
    """

    def __init__(self, graph: nx.MultiDiGraph, wiring: Wiring):
        self.graph = graph
        self.wiring = wiring
        self.model = wiring.assumption_model
        nodes_needed = {n for cell in wiring.flows["nodes"] for n in split_ids(cell)} | set(wiring.flows["origin"].dropna())
        missing = sorted(nodes_needed - set(graph.nodes))
        if missing:
            raise ValueError(f"the model's wiring names nodes that nodes.csv lacks: {', '.join(missing)}")
        self.node_ids = list(graph.nodes)
        self.node_index = {n: i for i, n in enumerate(self.node_ids)}
        self.country = {n: graph.nodes[n].get("country") for n in graph.nodes}
        self.link_table = self._link_table()
        self._lock = threading.Lock()
        self.networks = {name: self._build(name) for name in wiring.networks}
        columns = ["link_id", "network", "mode", "branch", "asset", "from_node", "to_node", "unit", "status"]
        self.result_links = pd.concat([net.links[columns] for net in self.networks.values()])
        self.result_markets = pd.DataFrame(
            {
                "network": [net.name for net in self.networks.values() for _ in net.markets],
                "unit": [net.unit for net in self.networks.values() for _ in net.markets],
            },
            index=[m for net in self.networks.values() for m in net.markets],
        )
        self.result_nodes = pd.DataFrame({"node_id": self.node_ids, "network": [graph.nodes[n]["network"] for n in self.node_ids]})
        self._effects = self._link_effects()
        self._indicators = [(row, parse(row["formula"])) for row in wiring.indicator_rows()]
        self._quantities = {
            name: [(row["flow_id"], parse(row["quantity"])) for row in wiring.flows.to_dict("records") if row["network"] == name]
            for name in self.networks
        }
        self._costs = {name: self._cost_rules(net) for name, net in self.networks.items()}
        ordered = self.result_links
        self._link_columns = {c: ordered[c].to_numpy() for c in ("network", "branch", "mode")}
        self._from_country = ordered["from_node"].map(self.country).to_numpy()
        self._to_country = ordered["to_node"].map(self.country).to_numpy()
        self._selections: dict[tuple, np.ndarray] = {}
        self._flow_kinds = dict(zip(wiring.flows["flow_id"], wiring.flows["kind"]))
        self._flow_networks = dict(zip(wiring.flows["flow_id"], wiring.flows["network"]))

    # -- building ---------------------------------------------------------------------

    def _link_table(self) -> pd.DataFrame:
        columns = ("network", "mode", "branch", "asset", "capacity", "status", "first_year", "unit", "length_km", "bidirectional")
        rows = [
            {"link_id": k, "from_node": u, "to_node": v, **{c: d.get(c) for c in columns}}
            for u, v, k, d in self.graph.edges(keys=True, data=True)
        ]
        table = pd.DataFrame(rows).set_index("link_id", drop=False)
        table.index.name = None
        table["distance_km"] = [
            float(length) if pd.notna(length) and length else ROUTE_FACTOR * _haversine_km(self.graph.nodes[u], self.graph.nodes[v])
            for u, v, length in zip(table["from_node"], table["to_node"], table["length_km"])
        ]
        return table

    def _build(self, network: str) -> _Network:
        idx = self.node_index
        links = self.link_table[self.link_table["network"] == network].copy()
        n = len(links)
        both_ways = np.flatnonzero(links["bidirectional"].fillna(False).astype(bool).to_numpy())
        tail_fwd, head_fwd = links["from_node"].map(idx).to_numpy(), links["to_node"].map(idx).to_numpy()
        arc_link = np.concatenate([np.arange(n), both_ways])
        tail = np.concatenate([tail_fwd, head_fwd[both_ways]])
        head = np.concatenate([head_fwd, tail_fwd[both_ways]])
        supplies = self.wiring.supplies(network)
        markets = self.wiring.markets(network)
        pooled = markets[markets["origin"].isna()]
        routed = markets[markets["origin"].notna()]
        branch = links["branch"].to_numpy()
        commodities: list[dict[str, Any]] = []
        lp_commodities: list[Commodity] = []
        if len(pooled):
            supply_nodes = tuple(idx[split_ids(c)[0]] for c in supplies["nodes"])
            rewards = tuple(SUPPLY_REWARD[k] for k in supplies["kind"])
            lp_markets = tuple(
                Market(m, tuple(idx[x] for x in split_ids(nodes)), MARKET_PENALTY[k])
                for m, nodes, k in zip(pooled["flow_id"], pooled["nodes"], pooled["kind"])
            )
            lp_commodities.append(Commodity(network, supply_nodes, rewards, lp_markets))
            commodities.append({"supplies": list(supplies["flow_id"]), "markets": list(pooled["flow_id"]), "route": None, "allowed": None})
        routes = self.wiring.routes[self.wiring.routes["network"] == network]
        route_rows = routes.to_dict("records") or [{"route_class": "all", "share": "1", "branches": ALL_BRANCHES}]
        # Markets with one origin share a commodity per route class: cargo from one node to several markets splits
        # into paths to each, so one flow carries them all, and each market keeps its own demand row (and unmet).
        by_origin: dict[str, list[dict[str, Any]]] = {}
        for market in routed.to_dict("records"):
            by_origin.setdefault(market["origin"], []).append(market)
        for origin_id, origin_markets in by_origin.items():
            targets = tuple(
                Market(m["flow_id"], tuple(idx[x] for x in split_ids(m["nodes"])), MARKET_PENALTY[m["kind"]]) for m in origin_markets
            )
            for route in route_rows:
                allowed_branches = split_ids(route["branches"])
                allowed = np.ones(n, dtype=bool) if ALL_BRANCHES in allowed_branches else np.isin(branch, allowed_branches)
                usable = tuple(int(a) for a in np.flatnonzero(allowed[arc_link]))
                lp_commodities.append(Commodity(f"{origin_id}:{route['route_class']}", (idx[origin_id],), (0.0,), targets, usable))
                commodities.append(
                    {
                        "supplies": [],
                        "markets": [m["flow_id"] for m in origin_markets],
                        "route": parse(route["share"]),
                        "allowed": allowed[arc_link],
                    }
                )
        lp = NetworkLP(len(self.node_ids), tail, head, lp_commodities, capacity_group=arc_link)
        capacity = links["capacity"].astype("float64").to_numpy()
        market_ids = [*pooled["flow_id"], *routed["flow_id"]]
        return _Network(
            name=network,
            unit=str(links["unit"].iloc[0]) if n else "",
            links=links,
            lp=lp,
            arc_link=arc_link,
            n_forward=n,
            distance=links["distance_km"].to_numpy()[arc_link],
            base_capacity=np.where(np.isnan(capacity), np.inf, capacity),
            first_year=links["first_year"].astype("float64").to_numpy(),
            status=links["status"].to_numpy().astype(str),
            commodities=commodities,
            markets=market_ids,
            market_kind=dict(zip(markets["flow_id"], markets["kind"])),
        )

    def _link_effects(self) -> list[tuple[str, str, dict[str, np.ndarray]]]:
        """(assumption, effect, {network: mask of its links}) for every assumption that moves links."""
        effects = []
        for name in self.wiring.parameter_names():
            info = self.wiring.parameter_info(name)
            if info["effect"] is None:
                continue
            masks = {net.name: net.links["link_id"].isin(info["link_ids"]).to_numpy() for net in self.networks.values()}
            effects.append((name, info["effect"], masks))
        return effects

    # -- solving ----------------------------------------------------------------------

    def _cost_rules(self, net: _Network) -> list[tuple[np.ndarray, Any, dict[str, Any]]]:
        """(links it applies to, cost formula, its row) per cost row, the most specific last so that it wins.

        A row naming links beats one naming a branch, which beats one naming only a mode.
        """
        costs = self.wiring.costs[self.wiring.costs["network"] == net.name]
        mode, branch = net.links["mode"].to_numpy(), net.links["branch"].to_numpy()
        link_ids = net.links["link_id"].to_numpy()

        def specificity(row: dict[str, Any]) -> tuple[bool, bool]:
            return bool(split_ids(row["link_ids"])), isinstance(row["branch"], str)

        rules = []
        for row in sorted(costs.to_dict("records"), key=specificity):
            mask = mode == row["mode"]
            if isinstance(row["branch"], str):
                mask &= branch == row["branch"]
            if named := split_ids(row["link_ids"]):
                mask &= np.isin(link_ids, named)
            rules.append((mask, parse(row["weight"]), row))
        return rules

    def _link_cost_per_km(self, net: _Network, values: dict[str, float]) -> np.ndarray:
        per_km = np.zeros(net.n_forward)
        for mask, expression, _ in self._costs[net.name]:
            per_km[mask] = expression.evaluate(values)
        return per_km

    def _cost_per_km(self, net: _Network, values: dict[str, float]) -> np.ndarray:
        return self._link_cost_per_km(net, values)[net.arc_link] * net.distance

    def routing_costs(self, values: dict[str, float]) -> pd.DataFrame:
        """What a km costs on each link the model routes over, and why.

        Parameters
        ----------
        values
            Every assumption's value (``variables(assumptions.model_dump())``).

        Returns
        -------
        pandas.DataFrame
            One row per link of a network with markets: ``cost_per_km`` and its ``unit``,
            the ``basis`` of the cost row that prices it (``published``, ``assumption`` or
            ``tie_break``; empty where no row does, and the link costs nothing), the row's
            ``formula``, ``source_ids`` and ``note``, and the ``distance_km`` routed over.
        """
        frames = []
        for net in self.networks.values():
            described = {column: np.full(net.n_forward, "", dtype=object) for column in ("unit", "basis", "formula", "source_ids", "note")}
            for mask, _, row in self._costs[net.name]:
                described["unit"][mask] = row["unit"] if isinstance(row["unit"], str) else ""
                described["basis"][mask] = row["basis"]
                described["formula"][mask] = str(row["weight"])
                described["source_ids"][mask] = ";".join(split_ids(row["source_ids"]))
                described["note"][mask] = row["note"] if isinstance(row["note"], str) else ""
            columns = ["link_id", "network", "mode", "branch", "asset", "distance_km"]
            frames.append(net.links[columns].reset_index(drop=True).assign(cost_per_km=self._link_cost_per_km(net, values), **described))
        return pd.concat(frames, ignore_index=True)

    def solve_network(
        self,
        net: _Network,
        values: dict[str, float],
        overrides: dict[str, float] | None = None,
        capacity: np.ndarray | None = None,
        starts: WarmStarts | None = None,
    ) -> dict[str, Any]:
        """Solve one network for the assumption values (``overrides`` replace some of them).

        ``capacity`` replaces the links' capacities from ``links.csv`` (one per link of the
        network, in its order); assumptions that set a capacity still win. ``starts``: see
        :class:`WarmStarts`.
        """
        values = {**values, **(overrides or {})}
        year = values[self.wiring.year_name]
        capacity = (net.base_capacity if capacity is None else capacity).copy()
        is_open = in_service_mask(net.first_year, net.status, int(year))
        gain_link = np.ones(net.n_forward)
        for name, effect, masks in self._effects:
            mask, value = masks[net.name], values[name]
            if not mask.any():
                continue
            if effect == "capacity":
                capacity[mask] = value
            elif effect == "opening_year":
                is_open[mask] = value <= year
            elif effect == "opens_if_positive":
                is_open[mask] |= value > 0
            elif effect == "loss_share":
                gain_link[mask] = 1.0 - value
        arc_open = is_open[net.arc_link]
        open_by_commodity = np.stack([arc_open & c["allowed"] if c["allowed"] is not None else arc_open for c in net.commodities])
        supply_max, demand = [], []
        quantity = {flow_id: expression.evaluate(values) for flow_id, expression in self._quantities[net.name]}
        for com in net.commodities:
            share = 1.0 if com["route"] is None else com["route"].evaluate(values)
            wanted = np.array([quantity[m] * share for m in com["markets"]], dtype=float)
            demand.append(wanted)
            # Routed markets' cargo enters at their origin: exactly what they demand.
            supply_max.append(
                np.array([wanted.sum()]) if com["route"] is not None else np.array([quantity[s] for s in com["supplies"]], dtype=float)
            )
        cost = self._cost_per_km(net, values)
        gain = gain_link[net.arc_link]
        key = (net.name, *sorted(overrides or {}))
        with self._lock:
            sol = net.lp.solve(
                capacity,
                open_by_commodity,
                cost,
                supply_max,
                demand,
                gain,
                start=None if starts is None else starts.start(key),
                keep_basis=starts is not None,
            )
        if starts is not None:
            starts.keep(key, sol.basis)
        arc_flow = sol.flow.sum(axis=0)
        link_flow = np.bincount(net.arc_link, weights=arc_flow, minlength=net.n_forward)
        forward = arc_flow[: net.n_forward]
        balance = np.zeros(len(self.node_ids))
        np.add.at(balance, net.lp.head, gain * arc_flow)
        np.subtract.at(balance, net.lp.tail, arc_flow)
        used: dict[str, float] = {}
        delivered = dict.fromkeys(net.markets, 0.0)
        unmet = dict.fromkeys(net.markets, 0.0)
        wanted = dict.fromkeys(net.markets, 0.0)
        for com, s_used, d, u, dem in zip(net.commodities, sol.supply_used, sol.delivered, sol.unmet, demand):
            used.update(zip(com["supplies"], map(float, s_used)))
            for market, dv, uv, wv in zip(com["markets"], d, u, dem):
                delivered[market] += float(dv)
                unmet[market] += float(uv)
                wanted[market] += float(wv)
        return {
            "flow": link_flow,
            "forward": forward,
            "reverse": link_flow - forward,
            "capacity": capacity,
            "open": is_open,
            "shadow": -sol.capacity_dual,
            "balance": balance,
            "used": used,
            "offered": {s: quantity[s] for com in net.commodities for s in com["supplies"]},
            "demand": wanted,
            "delivered": delivered,
            "unmet": unmet,
        }

    def solve(self, a: AssumptionsBase) -> FlowResult:
        """Solve every network for one set of assumptions."""
        values = variables(a.model_dump())
        solved = {name: self.solve_network(net, values) for name, net in self.networks.items()}
        both = {
            k: np.concatenate([solved[n][k] for n in self.networks]) for k in ("flow", "forward", "reverse", "capacity", "open", "shadow")
        }
        capacity = np.where(np.isfinite(both["capacity"]), both["capacity"], np.nan)
        flow = np.clip(both["flow"], 0, None)
        with np.errstate(divide="ignore", invalid="ignore"):
            # Both directions of a link count against one capacity, so utilisation is their sum over it.
            utilisation = np.where(capacity > 0, flow / capacity, np.nan)
        links = self.result_links.assign(
            open=both["open"],
            capacity=capacity,
            flow=flow.round(9),
            flow_forward=both["forward"].round(9),
            flow_reverse=both["reverse"].round(9),
            utilisation=utilisation,
            binding=(both["shadow"] > EPS) & ~np.isnan(capacity),
            shadow_price=both["shadow"],
        )
        markets = self.result_markets.assign(
            demand=[solved[n]["demand"][m] for n, net in self.networks.items() for m in net.markets],
            delivered=[solved[n]["delivered"][m] for n, net in self.networks.items() for m in net.markets],
            unmet=np.clip([solved[n]["unmet"][m] for n, net in self.networks.items() for m in net.markets], 0, None).round(9),
        )
        nodes = self.result_nodes.assign(balance=sum(s["balance"] for s in solved.values()).round(9))
        notes: list[str] = []
        indicators = self._evaluate_indicators(values, solved, links["flow"].to_numpy(), notes)
        unlimited = links.loc[links["capacity"].isna() & links["open"], "link_id"]
        if len(unlimited):
            notes.insert(
                0, f"{len(unlimited)} open links have no published capacity and are not limited in the model: {', '.join(unlimited)}."
            )
        return FlowResult(a, links, nodes, markets, indicators, notes, self.wiring.indicators, solved, partial(self.routing_costs, values))

    def links_sized_by_assumptions(self) -> set[str]:
        """Links whose capacity an assumption sets (its ``effect`` is ``capacity``): links.csv's figure does not apply."""
        return {
            str(link)
            for _, effect, masks in self._effects
            if effect == "capacity"
            for name, net in self.networks.items()
            for link in net.links["link_id"].to_numpy()[masks[name]]
        }

    def warm_starts(self, values: dict[str, float]) -> WarmStarts:
        """The optimal bases of a scenario's solves (each from scratch): starts for the draws around it."""
        starts = WarmStarts(recording=True)
        self.draw(values, starts=starts)
        return WarmStarts(bases=starts.bases)

    def draw(
        self, values: dict[str, float], capacities: dict[str, np.ndarray] | None = None, starts: WarmStarts | None = None
    ) -> tuple[dict[str, float], np.ndarray]:
        """One draw of a Monte Carlo run: the indicators and which links bind, without the result tables.

        Parameters
        ----------
        values
            Every assumption's value (``variables(assumptions.model_dump())``, some replaced).
        capacities
            Per network, the links' capacities that replace ``links.csv`` (see ``solve_network``).
        starts
            Where each solve starts (:meth:`warm_starts` of the central scenario); from scratch when None.

        Returns
        -------
        tuple
            The indicators, and a boolean array (links in result order) of the links that bind.
        """
        capacities = capacities or {}
        starts = None if starts is None else starts.for_draw()
        solved = {
            name: self.solve_network(net, values, capacity=capacities.get(name), starts=starts) for name, net in self.networks.items()
        }
        flow = np.clip(np.concatenate([solved[n]["flow"] for n in self.networks]), 0, None)
        capacity = np.concatenate([solved[n]["capacity"] for n in self.networks])
        shadow = np.concatenate([solved[n]["shadow"] for n in self.networks])
        indicators = self._evaluate_indicators(values, solved, flow, [], capacities, starts)
        return indicators, (shadow > EPS) & np.isfinite(capacity)

    # -- indicators -------------------------------------------------------------------


_MODELS: weakref.WeakKeyDictionary[nx.MultiDiGraph, FlowModel] = weakref.WeakKeyDictionary()
_BUILD_LOCK = threading.Lock()


def flow_model(graph: nx.MultiDiGraph, wiring: Wiring) -> FlowModel:
    """The :class:`FlowModel` of a graph, built once (under a lock) and kept while the graph lives."""
    with _BUILD_LOCK:
        model = _MODELS.get(graph)
        if model is None or model.wiring is not wiring:
            model = _MODELS[graph] = FlowModel(graph, wiring)
    return model
