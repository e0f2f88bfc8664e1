"""Plain, serialisable views of a model result: the CLI's JSON contract and tables."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from corridors.ledger.expressions import signed_terms
from corridors.model.flows import FlowResult
from corridors.model.uncertainty import DESIGN, Uncertainty

#: Version of the JSON document printed by ``python -m corridors run --format json``.
#: ``/2`` keeps every field of ``/1`` and adds ``uncertainty``, ``intervals`` and ``binding_probability``.
RUN_FORMAT = "corridors.run/2"


def _num(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else round(value, 6)


def result_document(result: FlowResult, scenario_name: str, uncertainty: Uncertainty | None = None) -> dict[str, Any]:
    """The stable JSON contract of a solved scenario.

    Keys: ``format``; ``scenario`` (name, year, every assumption); ``links`` (id,
    network, asset, unit, open, capacity — null when no source gives one and the
    model does not limit the link —, flow, utilisation, binding); ``nodes`` (id,
    network, balance: what the node takes out of the network minus what it puts in);
    ``unmet`` (per market, zeros included); ``markets`` (demand, delivered, unmet,
    unit); ``indicators`` (value per key) and ``indicator_definitions``; ``notes``.
    From ``/2``: ``uncertainty`` (draws, seed, design, the inputs drawn with their range
    and distribution), ``intervals`` (``{indicator: {p10, p50, p90}}``) and
    ``binding_probability`` (``{link_id: 0..1}``), both empty for a single run (0 draws).
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
        "indicator_definitions": {
            row["indicator"]: {"label": row["label"], "unit": row["unit"], "definition": row["definition"]}
            for row in result.definitions.to_dict("records")
        },
        "notes": result.notes,
        **uncertainty_fields(uncertainty),
    }


def uncertainty_fields(uncertainty: Uncertainty | None) -> dict[str, Any]:
    """The ``/2`` fields of the run document: what was drawn, the intervals and the binding probabilities."""
    if uncertainty is None:
        return {"uncertainty": {"draws": 0, "seed": None, "design": None, "inputs": []}, "intervals": {}, "binding_probability": {}}
    inputs = [{k: (_num(v) if isinstance(v, float) else v) for k, v in row.items()} for row in uncertainty.inputs.to_dict("records")]
    intervals = uncertainty.intervals()
    return {
        "uncertainty": {"draws": uncertainty.draws, "seed": uncertainty.seed, "design": DESIGN, "inputs": inputs},
        "intervals": {k: {"p10": _num(r["p10"]), "p50": _num(r["p50"]), "p90": _num(r["p90"])} for k, r in intervals.iterrows()},
        "binding_probability": {k: _num(v) for k, v in uncertainty.binding_probability().items()},
    }


def link_flow_table(result: FlowResult) -> pd.DataFrame:
    table = result.links[["link_id", "network", "asset", "branch", "mode", "open", "capacity", "flow", "utilisation", "binding", "unit"]]
    table = table.copy()
    table.attrs = {"title": f"Flow on every link, {result.assumptions.year}", "units": {"capacity": "unit column", "flow": "unit column"}}
    return table


def routing_cost_table(result: FlowResult) -> pd.DataFrame:
    """What a km costs on each link the model routes over by cost, published rates first.

    Tie-breaks (costs that only order equally good routes, as in the gas network) are left
    out: they route nothing a reader would argue with.
    """
    columns = [
        *("link_id", "network", "asset", "branch", "mode", "distance_km"),
        *("cost_per_km", "unit", "basis", "formula", "source_ids", "note"),
    ]
    # A result built by hand, without the model's costs, shows an empty table rather than failing.
    costs = result.routing_costs if result.routing_costs is not None else pd.DataFrame(columns=columns)
    table = costs[costs["basis"].isin(("published", "assumption"))]
    table = table.sort_values(["network", "basis", "mode", "link_id"], ascending=[True, False, True, True])
    table = table[columns].reset_index(drop=True)
    title = f"What a km costs on each link, {result.assumptions.year}"
    table.attrs = {"title": title, "units": {"cost_per_km": "unit column", "distance_km": "km"}}
    return table


def routing_cost_summary(table: pd.DataFrame) -> str:
    """One sentence per network: how many links a published rate prices, and how many a labelled assumption."""
    sentences = []
    for network, rows in table.groupby("network", sort=False):
        published = rows[rows["basis"] == "published"]
        assumed = len(rows) - len(published)
        unit = next((u for u in rows["unit"] if u), "cost units")
        if published.empty:
            sentences.append(f"No {network} link has a published rate: all {assumed} are routed by relative weights, labelled assumptions.")
            continue
        assets = ", ".join(dict.fromkeys(published["asset"]))
        sentences.append(
            f"{len(published)} of the {len(rows)} {network} links are routed by a published rate in {unit} ({assets}); "
            f"the other {assumed} by relative weights, labelled assumptions."
        )
    return " ".join(sentences)


def market_table(result: FlowResult) -> pd.DataFrame:
    table = result.markets.reset_index(names="market")
    table.attrs = {"title": f"Demand, delivered and unmet, {result.assumptions.year}"}
    return table


def balance_table(result: FlowResult) -> pd.DataFrame | None:
    """A balance of the indicators the wiring groups as ``balance``: inflows, outflows and what is left.

    The last indicator of the group is the residual; its formula (``a + b - c - d``)
    says which of the others add and which subtract. None when the wiring has no balance.
    """
    rows = result.definitions[result.definitions["chart"] == "balance"]
    if rows.empty:
        return None
    residual = rows.iloc[-1]
    signs = signed_terms(residual["formula"])
    # Words, not "+", "-" or "=": a spreadsheet would read a leading sign as a formula, and the export's guard would
    # then prefix our own label with an apostrophe.
    items = []
    for position, row in enumerate(rows.to_dict("records")):
        if position == 0:
            word = ""
        elif position == len(rows) - 1:
            word = "Equals: "
        else:
            word = "Plus: " if signs.get(row["indicator"], 1) > 0 else "Minus: "
        label = str(row["label"])
        items.append((word + (label[:1].lower() + label[1:] if word else label), result.indicators[row["indicator"]]))
    unit = str(residual["unit"])
    table = pd.DataFrame(items, columns=["item", unit])
    table.attrs = {"title": f"{residual['chart_title']}, {result.assumptions.year}", "units": {unit: unit}}
    return table


def indicator_table(result: FlowResult, uncertainty: Uncertainty | None = None) -> pd.DataFrame:
    """Every indicator with its unit and definition, and its P10, P50 and P90 when a Monte Carlo run is given (else blank)."""
    table = result.indicator_table()[["key", "indicator", "value", "unit", "definition"]].copy()
    intervals = uncertainty.intervals() if uncertainty is not None else None
    for column in ("p10", "p50", "p90"):
        table.insert(table.columns.get_loc("unit"), column, table["key"].map(intervals[column]) if intervals is not None else float("nan"))
    draws = f"; P10–P90 from {uncertainty.draws:,} draws (seed {uncertainty.seed})" if uncertainty is not None else ""
    table.attrs = {"title": f"Indicators, {result.assumptions.year}{draws}"}
    return table
