"""Corridors: a sourced ledger, network graph and flow model of the INSTC and gas transit through Azerbaijan.

The package is pure Python; only :mod:`corridors.ui` imports Streamlit. Notebooks,
the command line, the tests and the dashboard all use these same functions.
"""

from corridors.graph import build_graph, links_frame, nodes_frame, subgraph
from corridors.io import Ledger, load_ledger
from corridors.validate import LedgerError, Problem, validate_ledger

__all__ = [
    "Ledger",
    "LedgerError",
    "Problem",
    "build_graph",
    "links_frame",
    "load_ledger",
    "nodes_frame",
    "subgraph",
    "validate_ledger",
]
