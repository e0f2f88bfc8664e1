"""Plain, serialisable views of a model result: the CLI's JSON contract and tables."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from corridors.model import INDICATORS, FlowResult

#: Version of the JSON document printed by ``python -m corridors run --format json``.
RUN_FORMAT = "corridors.run/1"


def _num(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else round(value, 6)


def result_document(result: FlowResult, scenario_name: str) -> dict[str, Any]:
    """The stable JSON contract of a solved scenario.

    Keys: ``format``; ``scenario`` (name, year, every assumption); ``links`` (id,
    network, asset, unit, open, capacity — null when no source gives one and the
    model does not limit the link —, flow, utilisation, binding); ``nodes`` (id,
    network, balance: what the node takes out of the network minus what it puts in);
    ``unmet`` (per market, zeros included); ``markets`` (demand, delivered, unmet,
    unit); ``indicators`` (value per key) and ``indicator_definitions``.
    """
    a = result.assumptions
    links = [
        {
            "id": row.link_id,
            "network": row.network,
            "asset": row.asset,
            "unit": row.unit,
            "open": bool(row.open),
            "capacity": _num(row.capacity),
            "flow": _num(row.flow),
            "utilisation": _num(row.utilisation),
            "binding": bool(row.binding),
        }
        for row in result.links.itertuples(index=False)
    ]
    nodes = [{"id": r.node_id, "network": r.network, "balance": _num(r.balance)} for r in result.nodes.itertuples(index=False)]
    markets = [
        {
            "market": m,
            "network": r["network"],
            "unit": r["unit"],
            "demand": _num(r["demand"]),
            "delivered": _num(r["delivered"]),
            "unmet": _num(r["unmet"]),
        }
        for m, r in result.markets.iterrows()
    ]
    return {
        "format": RUN_FORMAT,
        "scenario": {"name": scenario_name, "year": a.year, "assumptions": a.model_dump()},
        "links": links,
        "nodes": nodes,
        "unmet": {m: _num(v) for m, v in result.markets["unmet"].items()},
        "markets": markets,
        "indicators": {k: _num(v) for k, v in result.indicators.items()},
        "indicator_definitions": {k: {"label": i.label, "unit": i.unit, "definition": i.definition} for k, i in INDICATORS.items()},
        "notes": result.notes,
    }


def link_flow_table(result: FlowResult) -> pd.DataFrame:
    table = result.links[["link_id", "network", "asset", "branch", "mode", "open", "capacity", "flow", "utilisation", "binding", "unit"]]
    table = table.copy()
    table.attrs = {"title": f"Flow on every link, {result.assumptions.year}", "units": {"capacity": "unit column", "flow": "unit column"}}
    return table


def market_table(result: FlowResult) -> pd.DataFrame:
    table = result.markets.reset_index(names="market")
    table.attrs = {"title": f"Demand, delivered and unmet, {result.assumptions.year}"}
    return table


def balance_table(result: FlowResult) -> pd.DataFrame:
    """Azerbaijan's gas balance: production + imports = own use + exports + residual."""
    ind = result.indicators
    rows = [
        # Words, not "+", "-" or "=": a spreadsheet would read a leading sign as a formula, and the export's guard would
        # then prefix our own label with an apostrophe.
        ("Production (fields assumed)", ind["gas_production"]),
        ("Plus: imports used (Russia, Turkmen swap)", ind["gas_imports"]),
        ("Minus: own use delivered (mainland, Nakhchivan)", ind["gas_own_use"]),
        ("Minus: exports delivered", ind["gas_exports"]),
        ("Equals: residual (unused output, swap fees)", ind["gas_balance_residual"]),
    ]
    table = pd.DataFrame(rows, columns=["item", "bcm/yr"])
    table.attrs = {"title": f"Azerbaijan's gas balance, {result.assumptions.year}", "units": {"bcm/yr": "bcm/yr"}}
    return table


def indicator_table(result: FlowResult) -> pd.DataFrame:
    table = result.indicator_table()[["key", "indicator", "value", "unit", "definition"]]
    table.attrs = {"title": f"Indicators, {result.assumptions.year}"}
    return table
