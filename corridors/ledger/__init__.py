"""The ledger: its tables described (schema), checked (validate, wiring_checks), read (load) and drawn as a graph.

The first step of the one-way path ``data/`` → ledger → graph → model → views → pages,
exports and the command line. Everything a corridor is, places, links, figures, sources
and the model's wiring, is read here from a data folder.
"""

from corridors.ledger.graph import build_graph, links_frame, nodes_frame, subgraph
from corridors.ledger.load import Ledger, load_ledger
from corridors.ledger.validate import LedgerError, Problem, validate_ledger

__all__ = ["Ledger", "LedgerError", "Problem", "build_graph", "links_frame", "load_ledger", "nodes_frame", "subgraph", "validate_ledger"]
