"""A scenario in words: what was changed from the year's baseline and what each market receives.

Plain text, so that the Flows page can open on it: it costs the browser next to nothing,
and the charts and tables are one tab away.
"""

from __future__ import annotations

import math

import networkx as nx

from corridors.ledger.wiring import AssumptionsBase, Wiring
from corridors.model.explain import market_label, short_number
from corridors.model.flows import FlowResult


def changed_assumptions(assumptions: AssumptionsBase, base: AssumptionsBase, wiring: Wiring) -> list[str]:
    """One line per assumption that differs from the year's baseline: its label, value and the baseline's, in its unit."""
    lines = []
    for name in wiring.parameter_names():
        value, default = getattr(assumptions, name), getattr(base, name)
        if math.isclose(value, default, rel_tol=0, abs_tol=1e-9):
            continue
        info = wiring.parameter_info(name)
        unit = f" {info['unit']}" if info["unit"] and info["unit"] != "year" else ""
        lines.append(f"{info['label']}: {short_number(value)}{unit} (baseline {short_number(default)}{unit})")
    return lines


def delivery_lines(result: FlowResult, graph: nx.MultiDiGraph | None = None) -> list[str]:
    """One line per market: what it asks for, what it receives and what is left unmet, in the network's unit."""
    lines = []
    for market, row in result.markets.iterrows():
        demand, delivered, unmet = float(row["demand"]), float(row["delivered"]), float(row["unmet"])
        if demand <= 0:
            continue
        line = f"{market_label(str(market), graph, result)}: {short_number(delivered)} of {short_number(demand)} {row['unit']} delivered"
        lines.append(line + (f", {short_number(unmet)} unmet" if unmet > 1e-6 else ""))
    return lines
