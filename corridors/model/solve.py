"""The flow model's public entry point: solve a scenario on a corridor graph.

The model itself lives in :mod:`corridors.model.flows` and is wired by the ledger's
``model_*.csv`` tables; the graph carries the wiring of the ledger it was built from.
"""

from __future__ import annotations

import networkx as nx

from corridors.ledger.wiring import AssumptionsBase, Wiring
from corridors.model.flows import FlowModel, FlowResult, flow_model


def wiring_of_graph(graph: nx.MultiDiGraph) -> Wiring:
    """The wiring of the ledger a graph was built from."""
    wiring = graph.graph.get("wiring")
    if wiring is None:
        raise ValueError("this graph carries no model wiring: build it with corridors.build_graph(ledger)")
    return wiring


def model_of(graph: nx.MultiDiGraph) -> FlowModel:
    """The graph's flow model, built on first use."""
    return flow_model(graph, wiring_of_graph(graph))


def solve(graph: nx.MultiDiGraph, assumptions: AssumptionsBase) -> FlowResult:
    """Solve the flow model for one scenario.

    Parameters
    ----------
    graph
        The corridor graph from :func:`corridors.build_graph`.
    assumptions
        The scenario (see :func:`corridors.model.baseline.baseline` for defaults).

    Returns
    -------
    FlowResult
        ``links`` (flow, capacity, utilisation, binding, shadow price per link),
        ``nodes`` (net balance), ``markets`` (demand, delivered, unmet) and
        ``indicators`` (see ``model_indicators.csv`` for their formulas).
    """
    return model_of(graph).solve(assumptions)


__all__ = ["FlowModel", "FlowResult", "flow_model", "model_of", "solve", "wiring_of_graph"]
