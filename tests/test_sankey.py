"""The gas balance as a Sankey diagram: every supply in, every market out, losses and the demand not met."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridors import build_graph, load_ledger
from corridors.model import solve
from corridors.model.baseline import baseline
from corridors.model.scenarios import shipped_scenarios
from corridors.views.sankey import LOST, NOT_MET, NOT_TAKEN, balance_flows, balance_sankey
from corridors.views.style import source_line

MIDDLE = Path(__file__).resolve().parent / "data" / "middle_corridor"


@pytest.fixture(scope="module")
def eu_20(ledger, graph):
    """EU 20 bcm by 2027: Europe asks for more than the pipelines carry."""
    return solve(graph, shipped_scenarios(ledger)["eu-20-bcm-2027"].assumptions(ledger))


def test_balance_flows_add_up(eu_20):
    table = balance_flows(eu_20)
    gas = eu_20.solved["gas"]
    used = table[table["kind"] == "used"]
    delivered = table[table["kind"] == "delivered"]
    assert used["value"].sum() == pytest.approx(sum(gas["used"].values()))
    lost = table.loc[table["kind"] == "lost", "value"].sum()
    assert used["value"].sum() == pytest.approx(delivered["value"].sum() + lost)
    markets = eu_20.markets[eu_20.markets["network"] == "gas"]
    assert delivered["value"].sum() + table.loc[table["kind"] == "unmet", "value"].sum() == pytest.approx(markets["demand"].sum())
    # Real values: Shah Deniz gives 27.9 bcm in 2027 (its 2025 figure carried forward) and Europe gets 13.3 of its 20.
    assert used.set_index("source").loc["Shah Deniz", "value"] == pytest.approx(27.9)
    europe = table[table["target"] == "Europe"].set_index("kind")["value"]
    assert europe["delivered"] == pytest.approx(markets.loc["europe", "delivered"])
    assert europe["unmet"] == pytest.approx(markets.loc["europe", "unmet"]) and europe["unmet"] > 6
    assert europe.sum() == pytest.approx(20.0)
    assert (table["value"] > 0).all()
    assert set(table.loc[table["kind"] == "not taken", "target"]) <= {NOT_TAKEN}


def test_sankey_has_title_units_source_line_and_every_market(eu_20, ledger):
    footer = source_line(["kathimerini-1189307", "sgc-scp"], ledger.sources)
    fig = balance_sankey(eu_20, footer)
    assert fig is not None
    (sankey,) = fig.data
    assert sankey.type == "sankey"
    title = fig.layout.title.text
    assert "Azerbaijan's gas balance, 2027" in title and "bcm/yr" in title and "demand not met: 6.70 bcm/yr" in title
    assert fig.layout.annotations[-1].text.startswith("Sources: Kathimerini")
    labels = list(sankey.node.label)
    for name in ("Shah Deniz", "Russian gas", "Azerbaijan (own use)", "Nakhchivan", "Georgia", "Europe", "Syria", NOT_MET, LOST):
        assert any(label.startswith(f"{name}: ") for label in labels), name
    assert "Europe: 20.00" in labels  # a market's node is its whole demand: delivered plus not met
    assert len(sankey.link.value) == len(balance_flows(eu_20))
    assert sankey.valuesuffix == " bcm/yr"


def test_a_baseline_with_no_shortfall_shows_no_unmet_flow(ledger, graph):
    result = solve(graph, baseline(ledger, 2025).assumptions)
    table = balance_flows(result)
    assert "unmet" not in set(table["kind"])
    assert not any(label.startswith(NOT_MET) for label in balance_sankey(result, "Sources: none").data[0].node.label)


def test_a_network_without_supplies_has_no_sankey():
    middle = load_ledger(MIDDLE)
    result = solve(build_graph(middle), baseline(middle, 2024).assumptions)
    assert balance_flows(result).empty
    assert balance_sankey(result, "Sources: none") is None
