"""The flow model: assumptions and their defaults, the linear programme, flows and indicators, scenarios.

Second step of the one-way path: it takes a graph built from the ledger and the ledger's
wiring, and knows no place by name.
"""

from corridors.model.solve import FlowModel, FlowResult, flow_model, model_of, solve, wiring_of_graph

__all__ = ["FlowModel", "FlowResult", "flow_model", "model_of", "solve", "wiring_of_graph"]
