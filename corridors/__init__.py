"""Corridors: a sourced ledger, network graph and flow model of the INSTC and gas transit through Azerbaijan.

The package is pure Python; only :mod:`corridors.ui` imports Streamlit. Notebooks,
the command line, the tests and the dashboard all use these same functions::

    import corridors

    ledger = corridors.load_ledger()             # validated tables, each with its metadata
    graph = corridors.build_graph(ledger)        # networkx MultiDiGraph, one edge per link
    base = corridors.baseline(ledger, 2025)      # default assumptions and where each came from
    result = corridors.solve(graph, base.assumptions)
    result.links, result.markets, result.indicators
"""

from typing import Any

from corridors.baseline import baseline
from corridors.graph import build_graph, links_frame, nodes_frame, subgraph
from corridors.io import Ledger, load_ledger
from corridors.model import FlowResult, solve
from corridors.validate import LedgerError, Problem, validate_ledger


def __getattr__(name: str) -> Any:
    # The shipped corridor's scenario model is built from its data on first use, not at import.
    if name == "Assumptions":
        from corridors.assumptions import shipped_wiring

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
