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

from corridors.assumptions import Assumptions, baseline
from corridors.graph import build_graph, links_frame, nodes_frame, subgraph
from corridors.io import Ledger, load_ledger
from corridors.model import FlowResult, solve
from corridors.validate import LedgerError, Problem, validate_ledger

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
