"""The flow model: assumptions in, flows on every link out.

Gas (bcm/yr) and freight (Mt/yr) are solved as two linear programmes
(:mod:`corridors.lp`) over the same graph. Capacities are respected and mass is
conserved at every node; what the network cannot carry is reported as unmet
demand, and the links whose capacity limits the result are named (their shadow
price is non-zero).

Modelling choices, each visible in the result:

- Gas markets may take delivery at several nodes (Europe at the Greek, Albanian,
  Italian and Bulgarian offtakes). Azerbaijan's own use is served before exports.
- Russian and Turkmen gas are used before domestic production when both are
  available (they are contracted deliveries); production left over shows up as
  the "unallocated" residual of the gas balance.
- Iran keeps its swap fee: a swap link delivers ``1 - fee`` of what enters it.
- Freight demand is Moscow ↔ Tehran (Iran) and Moscow ↔ Nhava Sheva (India) in
  both directions, from the total, the southbound share and the India share.
  Part of it is tied to a branch (western, eastern, trans-Caspian shares); the
  contestable part may take any branch. Within what it may use, cargo takes the
  cheapest open route: a link costs its length (published, or the great-circle
  distance × 1.2 when not) times a relative cost per mode. Both directions of a
  freight link share its capacity. Links without a published capacity are not
  limited; the result lists them.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd

from corridors.assumptions import Assumptions
from corridors.graph import in_service_mask
from corridors.lp import Commodity, Market, NetworkLP

ROUTE_FACTOR = 1.2  # great-circle distance to route distance when no length is published
EARTH_RADIUS_KM = 6371.0
COST_PER_KM_GAS = 1e-3  # tiny: only breaks ties between equally good gas routes
UNMET_PENALTY_OWN_USE = 1e5
UNMET_PENALTY_EXPORT = 1e4
UNMET_PENALTY_FREIGHT = 1e8
IMPORT_REWARD = 2.0
PRODUCTION_REWARD = 1.0
EPS = 1e-7

GAS_SUPPLIES = {  # node id -> assumption
    "shah_deniz": "shah_deniz",
    "acg": "acg",
    "absheron": "absheron",
    "socar_fields": "socar_fields",
    "mozdok": "russia_to_azerbaijan",
    "turkmenistan": "turkmen_swap",
}
IMPORT_NODES = {"mozdok", "turkmenistan"}
GAS_MARKETS: dict[str, tuple[str, ...]] = {  # assumption -> delivery nodes
    "az_own_use": ("az_grid",),
    "nakhchivan": ("nakhchivan",),
    "georgia": ("georgia",),
    "turkiye": ("erzurum", "eskisehir"),
    "europe": ("komotini", "fier", "melendugno", "stara_zagora"),
    "syria": ("aleppo",),
}
OWN_USE_MARKETS = {"az_own_use", "nakhchivan"}
EXPORT_MARKETS = ("georgia", "turkiye", "europe", "syria")
CAPACITY_SLIDERS = {"tap_capacity": r"\bTAP\b", "tanap_capacity": r"\bTANAP\b", "scp_capacity": r"South Caucasus|\bSCP\b"}
FREIGHT_FLOWS = {  # commodity -> (origin, destination)
    "russia_to_iran": ("moscow", "tehran"),
    "russia_to_india": ("moscow", "nhava_sheva"),
    "iran_to_russia": ("tehran", "moscow"),
    "india_to_russia": ("nhava_sheva", "moscow"),
}
INSTC_BRANCHES = ("western", "eastern", "trans_caspian")
ROUTE_CLASSES = (*INSTC_BRANCHES, "free")
SHARED_BRANCHES = ("iran_mainland", "sea_leg")


@dataclass(frozen=True)
class Indicator:
    name: str
    label: str
    unit: str
    definition: str


INDICATORS: dict[str, Indicator] = {
    i.name: i
    for i in [
        Indicator(
            "russian_share_of_eu_exports",
            "Russian gas ÷ exports to Europe",
            "share",
            "Russian deliveries into Azerbaijan divided by Azerbaijani gas delivered to Europe. The undisclosed 'backfill' "
            "question: how much of what Europe buys could Russian gas have replaced at home.",
        ),
        Indicator(
            "russian_share_of_exports",
            "Russian gas ÷ all exports",
            "share",
            "Russian deliveries into Azerbaijan divided by all Azerbaijani gas exports delivered (Georgia, Türkiye, Europe, Syria).",
        ),
        Indicator("gas_production", "Production (available)", "bcm/yr", "Sum of the field outputs assumed."),
        Indicator("gas_imports", "Imports used", "bcm/yr", "Russian gas plus Turkmen swap gas that entered Azerbaijan."),
        Indicator("gas_own_use", "Own use delivered", "bcm/yr", "Gas delivered to Azerbaijan's mainland grid and to Nakhchivan."),
        Indicator("gas_exports", "Exports delivered", "bcm/yr", "Gas delivered to Georgia, Türkiye, Europe and Syria."),
        Indicator(
            "gas_balance_residual",
            "Balance residual",
            "bcm/yr",
            "Production + imports − own use − exports: production left unused plus Iran's swap fees.",
        ),
        Indicator("gas_unmet", "Gas demand not met", "bcm/yr", "Demand the network cannot deliver with the capacities assumed."),
        Indicator("freight_unmet", "Freight demand not met", "Mt/yr", "Cargo the open routes cannot carry with the published capacities."),
        Indicator(
            "instc_western",
            "INSTC western branch (via Azerbaijan)",
            "Mt/yr",
            "Cargo on western-branch links that cross Russia's border, both directions.",
        ),
        Indicator(
            "instc_eastern",
            "INSTC eastern branch (via Central Asia)",
            "Mt/yr",
            "Cargo on eastern-branch links that cross Russia's border, both directions.",
        ),
        Indicator(
            "instc_trans_caspian",
            "INSTC trans-Caspian branch",
            "Mt/yr",
            "Cargo on trans-Caspian links that leave Russia by sea, both directions.",
        ),
        Indicator(
            "azerbaijan_transit", "Cargo crossing Azerbaijan", "Mt/yr", "Cargo on links between Russia and Azerbaijan, both directions."
        ),
        Indicator(
            "azerbaijan_transit_income", "Azerbaijan transit income", "USD m/yr", "Cargo crossing Azerbaijan × the assumed transit tariff."
        ),
        Indicator(
            "western_shift_rasht_astara",
            "Western-branch change if Rasht–Astara is open",
            "Mt/yr",
            "Western-branch cargo with the Rasht–Astara railway open minus without it, same year and demand.",
        ),
    ]
}


@dataclass
class FlowResult:
    """The model's answer for one set of assumptions."""

    assumptions: Assumptions
    links: pd.DataFrame
    nodes: pd.DataFrame
    markets: pd.DataFrame
    indicators: dict[str, float]
    notes: list[str] = field(default_factory=list)

    @property
    def unmet(self) -> dict[str, float]:
        return {m: float(v) for m, v in self.markets["unmet"].items()}

    @property
    def bottlenecks(self) -> pd.DataFrame:
        """Binding links, the most limiting first (largest shadow price)."""
        binding = self.links[self.links["binding"]]
        return binding.sort_values(["network", "shadow_price"], ascending=[True, False])

    def indicator_table(self) -> pd.DataFrame:
        rows = [
            {"indicator": INDICATORS[k].label, "value": v, "unit": INDICATORS[k].unit, "definition": INDICATORS[k].definition, "key": k}
            for k, v in self.indicators.items()
        ]
        return pd.DataFrame(rows)


def _haversine_km(a: dict, b: dict) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (a["x"], a["y"], b["x"], b["y"]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


class FlowModel:
    """Both flow programmes for one graph, built once and re-solved per scenario.

    Parameters
    ----------
    graph
        The corridor graph from :func:`corridors.build_graph`.

    Raises
    ------
    ValueError
        If a node the model needs (a field, a market, a freight terminus) is not
        in the graph: the message names it.
    """

    def __init__(self, graph: nx.MultiDiGraph):
        self.graph = graph
        needed = set(GAS_SUPPLIES) | {n for nodes in GAS_MARKETS.values() for n in nodes} | {n for od in FREIGHT_FLOWS.values() for n in od}
        missing = sorted(needed - set(graph.nodes))
        if missing:
            raise ValueError(f"the flow model needs these nodes, which the ledger's nodes.csv lacks: {', '.join(missing)}")
        self.node_ids = list(graph.nodes)
        self.node_index = {n: i for i, n in enumerate(self.node_ids)}
        edges = [(u, v, k, d) for u, v, k, d in graph.edges(keys=True, data=True)]
        self.link_table = pd.DataFrame(
            [
                {
                    "link_id": k,
                    "from_node": u,
                    "to_node": v,
                    **{
                        c: d.get(c) for c in ("network", "mode", "branch", "asset", "capacity", "status", "first_year", "unit", "length_km")
                    },
                }
                for u, v, k, d in edges
            ]
        ).set_index("link_id", drop=False)
        self.link_table.index.name = None
        dist = []
        for u, v, _, d in edges:
            dist.append(float(d["length_km"]) if d.get("length_km") else ROUTE_FACTOR * _haversine_km(graph.nodes[u], graph.nodes[v]))
        self.link_table["distance_km"] = dist
        self.link_table["distance_published"] = self.link_table["length_km"].notna()
        self.country = {n: graph.nodes[n]["country"] for n in graph.nodes}
        self.rasht_astara = self._rasht_astara_rail()
        self._build_gas()
        self._build_freight()
        columns = ["link_id", "network", "mode", "branch", "asset", "from_node", "to_node", "unit", "status"]
        self.result_links = pd.concat([self.gas_links[columns], self.freight_links[columns]])
        self.result_markets = pd.DataFrame(
            {
                "network": ["gas"] * len(GAS_MARKETS) + ["freight"] * len(FREIGHT_FLOWS),
                "unit": ["bcm/yr"] * len(GAS_MARKETS) + ["Mt/yr"] * len(FREIGHT_FLOWS),
            },
            index=[*GAS_MARKETS, *FREIGHT_FLOWS],
        )
        self.result_nodes = pd.DataFrame({"node_id": self.node_ids, "network": [graph.nodes[n]["network"] for n in self.node_ids]})

    def _rasht_astara_rail(self) -> str | None:
        lt = self.link_table
        hit = lt[(lt["from_node"] == "astara_ir") & (lt["to_node"] == "rasht") & (lt["mode"] == "rail")]
        return hit.index[0] if len(hit) else None

    def _build_gas(self) -> None:
        lt = self.link_table
        self.gas_links = lt[lt["network"] == "gas"].copy()
        idx = self.node_index
        tail = self.gas_links["from_node"].map(idx).to_numpy()
        head = self.gas_links["to_node"].map(idx).to_numpy()
        markets = tuple(
            Market(name, tuple(idx[n] for n in nodes), UNMET_PENALTY_OWN_USE if name in OWN_USE_MARKETS else UNMET_PENALTY_EXPORT)
            for name, nodes in GAS_MARKETS.items()
        )
        supplies = tuple(idx[n] for n in GAS_SUPPLIES)
        rewards = tuple(IMPORT_REWARD if n in IMPORT_NODES else PRODUCTION_REWARD for n in GAS_SUPPLIES)
        self.gas_lp = NetworkLP(len(self.node_ids), tail, head, [Commodity("gas", supplies, rewards, markets)])
        self.gas_cost = COST_PER_KM_GAS * self.gas_links["distance_km"].to_numpy()
        self.gas_swap = (self.gas_links["mode"] == "swap").to_numpy()
        base = self.gas_links["capacity"].astype("float64").to_numpy()
        self.gas_base_capacity = np.where(np.isnan(base), np.inf, base)
        self.gas_static = self._static_arrays(self.gas_links)
        self.gas_turkmen_swap = self.gas_swap & (self.gas_links["from_node"] == "turkmenistan").to_numpy()
        self.gas_slider_masks = {
            name: self.gas_links["asset"].str.contains(pattern, regex=True).to_numpy() for name, pattern in CAPACITY_SLIDERS.items()
        }

    def _build_freight(self) -> None:
        lt = self.link_table
        self.freight_links = lt[lt["network"] == "freight"].copy()
        idx = self.node_index
        n = len(self.freight_links)
        fwd_tail = self.freight_links["from_node"].map(idx).to_numpy()
        fwd_head = self.freight_links["to_node"].map(idx).to_numpy()
        # Every freight link runs both ways; both directions share the link's capacity.
        tail = np.concatenate([fwd_tail, fwd_head])
        head = np.concatenate([fwd_head, fwd_tail])
        group = np.concatenate([np.arange(n), np.arange(n)])
        self.freight_commodities = [(od, route) for od in FREIGHT_FLOWS for route in ROUTE_CLASSES]
        commodities = [
            Commodity(
                f"{od}:{route}", (idx[FREIGHT_FLOWS[od][0]],), (0.0,), (Market(od, (idx[FREIGHT_FLOWS[od][1]],), UNMET_PENALTY_FREIGHT),)
            )
            for od, route in self.freight_commodities
        ]
        self.freight_lp = NetworkLP(len(self.node_ids), tail, head, commodities, capacity_group=group)
        base = self.freight_links["capacity"].astype("float64").to_numpy()
        self.freight_base_capacity = np.where(np.isnan(base), np.inf, base)
        branch = self.freight_links["branch"].to_numpy()
        mode = self.freight_links["mode"].to_numpy()
        caspian = (branch == "trans_caspian") & (mode == "sea")
        kind = np.where(caspian, "caspian", mode)
        self.freight_kind = np.concatenate([kind, kind])
        dist = self.freight_links["distance_km"].to_numpy()
        self.freight_distance = np.concatenate([dist, dist])
        shared = np.isin(branch, list(SHARED_BRANCHES))
        allowed = {route: np.ones(n, dtype=bool) if route == "free" else (branch == route) | shared for route in ROUTE_CLASSES}
        self.freight_allowed = np.stack([np.concatenate([allowed[r], allowed[r]]) for _, r in self.freight_commodities])
        from_ru = np.array([self.country[u] == "RU" for u in self.freight_links["from_node"]])
        to_ru = np.array([self.country[v] == "RU" for v in self.freight_links["to_node"]])
        self.crosses_russia = from_ru ^ to_ru
        to_az = np.array([self.country[v] == "AZ" for v in self.freight_links["to_node"]])
        from_az = np.array([self.country[u] == "AZ" for u in self.freight_links["from_node"]])
        self.russia_azerbaijan = (from_ru & to_az) | (to_ru & from_az)
        self.n_freight = n
        self.freight_static = self._static_arrays(self.freight_links)
        self.branch_border_masks = {b: self.crosses_russia & (branch == b) for b in INSTC_BRANCHES}
        ods = list(FREIGHT_FLOWS)
        self.freight_od_matrix = np.array([[1.0 if od == o else 0.0 for od, _ in self.freight_commodities] for o in ods])

    # -- per-solve pieces (NumPy only: a solve must stay in the low milliseconds) ------

    def _static_arrays(self, links: pd.DataFrame) -> dict[str, np.ndarray]:
        first = links["first_year"].astype("float64").to_numpy()
        status = links["status"].to_numpy().astype(str)
        rasht = links.index.get_loc(self.rasht_astara) if self.rasht_astara in links.index else None
        return {"first": first, "status": status, "rasht": rasht}

    def _open(self, static: dict, year: int, rasht_astara_opens: int) -> np.ndarray:
        is_open = in_service_mask(static["first"], static["status"], year)
        if static["rasht"] is not None:
            is_open[static["rasht"]] = rasht_astara_opens <= year
        return is_open

    def solve_gas(self, a: Assumptions) -> dict[str, np.ndarray]:
        """The gas programme for one scenario, as arrays (see :meth:`solve` for tables)."""
        capacity = self.gas_base_capacity.copy()
        for name, mask in self.gas_slider_masks.items():
            capacity[mask] = getattr(a, name)
        is_open = self._open(self.gas_static, a.year, a.rasht_astara_opens)
        # The Turkmen swap's status says whether it runs today; the slider decides in the model.
        is_open |= self.gas_turkmen_swap & (a.turkmen_swap > 0)
        gain = np.where(self.gas_swap, 1.0 - a.iran_swap_fee, 1.0)
        supply = np.array([getattr(a, GAS_SUPPLIES[n]) for n in GAS_SUPPLIES], dtype=float)
        demand = np.array([getattr(a, m) for m in GAS_MARKETS], dtype=float)
        sol = self.gas_lp.solve(capacity, is_open, self.gas_cost, [supply], [demand], gain)
        flow = sol.flow[0]
        balance = np.zeros(len(self.node_ids))
        np.add.at(balance, self.gas_lp.head, gain * flow)
        np.subtract.at(balance, self.gas_lp.tail, flow)
        return {
            "flow": flow,
            "forward": flow,
            "reverse": np.zeros_like(flow),
            "capacity": capacity,
            "open": is_open,
            "shadow": -sol.capacity_dual,
            "balance": balance,
            "demand": demand,
            "delivered": sol.delivered[0],
            "unmet": sol.unmet[0],
            "used": sol.supply_used[0],
        }

    def freight_demand(self, a: Assumptions) -> np.ndarray:
        """Cargo per (origin–destination, route class), in the order of ``freight_commodities``."""
        south, india = a.southbound_share, a.india_share
        by_od = {
            "russia_to_iran": south * (1 - india),
            "russia_to_india": south * india,
            "iran_to_russia": (1 - south) * (1 - india),
            "india_to_russia": (1 - south) * india,
        }
        tied = 1 - a.contestable_share
        by_route = {
            "western": tied * a.western_share,
            "eastern": tied * a.eastern_share,
            "trans_caspian": tied * max(1 - a.western_share - a.eastern_share, 0.0),
            "free": a.contestable_share,
        }
        return np.array([a.instc_total * by_od[od] * by_route[r] for od, r in self.freight_commodities])

    def solve_freight(self, a: Assumptions, rasht_astara_opens: int | None = None) -> dict[str, np.ndarray]:
        """The freight programme for one scenario, as arrays."""
        opens = a.rasht_astara_opens if rasht_astara_opens is None else rasht_astara_opens
        is_open_link = self._open(self.freight_static, a.year, opens)
        is_open = np.concatenate([is_open_link, is_open_link])[None, :] & self.freight_allowed
        weights = {"sea": 1.0, "caspian": a.caspian_cost_weight, "rail": a.rail_cost_weight, "road": a.road_cost_weight}
        cost = self.freight_distance * np.array([weights[k] for k in self.freight_kind])
        demand = self.freight_demand(a)
        volumes = [demand[k : k + 1] for k in range(len(demand))]
        sol = self.freight_lp.solve(self.freight_base_capacity, is_open, cost, volumes, volumes)
        total = sol.flow.sum(axis=0)
        n = self.n_freight
        balance = np.zeros(len(self.node_ids))
        np.add.at(balance, self.freight_lp.head, total)
        np.subtract.at(balance, self.freight_lp.tail, total)
        by_od = self.freight_od_matrix
        return {
            "flow": total[:n] + total[n:],
            "forward": total[:n],
            "reverse": total[n:],
            "capacity": self.freight_base_capacity,
            "open": is_open_link,
            "shadow": -sol.capacity_dual,
            "balance": balance,
            "demand": by_od @ demand,
            "delivered": by_od @ np.concatenate(sol.delivered),
            "unmet": by_od @ np.concatenate(sol.unmet),
        }

    def branch_volumes(self, flow: np.ndarray) -> dict[str, float]:
        """Cargo per INSTC branch: flow on the branch's links that cross Russia's border."""
        return {b: float(flow[mask].sum()) for b, mask in self.branch_border_masks.items()}

    def solve(self, a: Assumptions) -> FlowResult:
        """Solve both networks for one set of assumptions."""
        gas = self.solve_gas(a)
        freight = self.solve_freight(a)
        both = {k: np.concatenate([gas[k], freight[k]]) for k in ("flow", "forward", "reverse", "capacity", "open", "shadow")}
        capacity = np.where(np.isfinite(both["capacity"]), both["capacity"], np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            # Both directions of a freight link count against one capacity, so utilisation is their sum over it.
            utilisation = np.where(capacity > 0, np.clip(both["flow"], 0, None) / capacity, np.nan)
        links = self.result_links.assign(
            open=both["open"],
            capacity=capacity,
            flow=np.clip(both["flow"], 0, None).round(9),
            flow_forward=both["forward"].round(9),
            flow_reverse=both["reverse"].round(9),
            utilisation=utilisation,
            binding=(both["shadow"] > EPS) & ~np.isnan(capacity),
            shadow_price=both["shadow"],
        )
        markets = self.result_markets.assign(
            demand=np.concatenate([gas["demand"], freight["demand"]]),
            delivered=np.concatenate([gas["delivered"], freight["delivered"]]),
            unmet=np.clip(np.concatenate([gas["unmet"], freight["unmet"]]), 0, None).round(9),
        )
        nodes = self.result_nodes.assign(balance=(gas["balance"] + freight["balance"]).round(9))
        indicators = self._indicators(a, gas, freight)
        notes = []
        unlimited = links.loc[links["capacity"].isna() & links["open"], "link_id"]
        if len(unlimited):
            notes.append(
                f"{len(unlimited)} open links have no published capacity and are not limited in the model: {', '.join(unlimited)}."
            )
        return FlowResult(a, links, nodes, markets, indicators, notes)

    def _indicators(self, a: Assumptions, gas: dict, freight: dict) -> dict[str, float]:
        used = dict(zip(GAS_SUPPLIES, gas["used"]))
        delivered = dict(zip(GAS_MARKETS, gas["delivered"]))
        production = float(a.shah_deniz + a.acg + a.absheron + a.socar_fields)
        imports = float(sum(used[n] for n in IMPORT_NODES))
        own_use = float(sum(delivered[m] for m in OWN_USE_MARKETS))
        exports = float(sum(delivered[m] for m in EXPORT_MARKETS))
        europe = float(delivered["europe"])
        russian = float(used["mozdok"])
        branches = self.branch_volumes(freight["flow"])
        transit = float(freight["flow"][self.russia_azerbaijan].sum())
        # The same scenario with the railway's state flipped, for the branch-shift indicator.
        is_open = a.rasht_astara_opens <= a.year
        flipped = self.branch_volumes(self.solve_freight(a, rasht_astara_opens=a.year + 1 if is_open else a.year)["flow"])
        opened, closed = (branches, flipped) if is_open else (flipped, branches)
        return {
            "russian_share_of_eu_exports": russian / europe if europe > EPS else float("nan"),
            "russian_share_of_exports": russian / exports if exports > EPS else float("nan"),
            "gas_production": production,
            "gas_imports": imports,
            "gas_own_use": own_use,
            "gas_exports": exports,
            "gas_balance_residual": production + imports - own_use - exports,
            "gas_unmet": float(np.clip(gas["unmet"], 0, None).sum()),
            "freight_unmet": float(np.clip(freight["unmet"], 0, None).sum()),
            "instc_western": branches["western"],
            "instc_eastern": branches["eastern"],
            "instc_trans_caspian": branches["trans_caspian"],
            "azerbaijan_transit": transit,
            "azerbaijan_transit_income": transit * a.az_transit_tariff,
            "western_shift_rasht_astara": opened["western"] - closed["western"],
        }


_MODELS: weakref.WeakKeyDictionary[nx.MultiDiGraph, FlowModel] = weakref.WeakKeyDictionary()


def flow_model(graph: nx.MultiDiGraph) -> FlowModel:
    """The :class:`FlowModel` of a graph, built on first use and kept while the graph lives."""
    model = _MODELS.get(graph)
    if model is None:
        model = _MODELS[graph] = FlowModel(graph)
    return model


def solve(graph: nx.MultiDiGraph, assumptions: Assumptions) -> FlowResult:
    """Solve the flow model for one scenario.

    Parameters
    ----------
    graph
        The corridor graph from :func:`corridors.build_graph`.
    assumptions
        The scenario (see :func:`corridors.assumptions.baseline` for defaults).

    Returns
    -------
    FlowResult
        ``links`` (flow, capacity, utilisation, binding, shadow price per link),
        ``nodes`` (net balance), ``markets`` (demand, delivered, unmet) and
        ``indicators`` (see :data:`INDICATORS` for definitions).
    """
    return flow_model(graph).solve(assumptions)
