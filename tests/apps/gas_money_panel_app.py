"""The gas money panel alone, for an AppTest (a script on disk: see tests/test_gas_money.py)."""

from corridors.export import ExportContext
from corridors.ledger.graph import build_graph
from corridors.ledger.load import load_ledger
from corridors.model import solve
from corridors.model.baseline import baseline
from corridors.ui import gas_money_panel

ledger = load_ledger()
result = solve(build_graph(ledger), baseline(ledger, 2025).assumptions)
gas_money_panel.render(ledger, result, ExportContext("Baseline", 2025))
