"""Corridors: a sourced ledger, network graph and flow model of the INSTC and gas transit through Azerbaijan.

The package is pure Python; only :mod:`corridors.ui` imports Streamlit. Notebooks,
the command line, the tests and the dashboard all use these same functions::

    import corridors

    ledger = corridors.load_ledger()             # validated tables, each with its metadata
    graph = corridors.build_graph(ledger)        # networkx MultiDiGraph, one edge per link
    base = corridors.model.baseline(ledger, 2025)      # default assumptions and where each came from
    result = corridors.solve(graph, base.assumptions)
    result.links, result.markets, result.indicators
"""

from typing import Any

from corridors.ledger.graph import build_graph, links_frame, nodes_frame, subgraph
from corridors.ledger.load import Ledger, load_ledger
from corridors.ledger.validate import LedgerError, Problem, validate_ledger
from corridors.model import FlowResult, solve
from corridors.model.baseline import baseline


def __getattr__(name: str) -> Any:
    # The shipped corridor's scenario model is built from its data on first use, not at import.
    if name == "Assumptions":
        from corridors.model.assumptions import shipped_wiring

        return shipped_wiring().assumption_model
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Assumptions",
    "FlowResult",
    "Ledger",
    "LedgerError",
    "Problem",
    "baseline",
    "build_graph",
    "links_frame",
    "load_ledger",
    "nodes_frame",
    "solve",
    "subgraph",
    "validate_ledger",
]
