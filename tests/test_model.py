"""The flow model on the real network: invariants, bottlenecks, scenarios."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridors.assumptions import Assumptions, baseline, parameter_info, parameter_names
from corridors.model import FREIGHT_FLOWS, GAS_MARKETS, GAS_SUPPLIES, INDICATORS, flow_model, solve
from corridors.scenarios import shipped_scenarios

TOL = 1e-6


def check_invariants(graph, result) -> None:
    links, markets, nodes = result.links, result.markets, result.nodes.set_index("node_id")
    assert (links["flow"] >= -TOL).all()
    limited = links["capacity"].notna()
    over = links[limited & (links["flow"] > links["capacity"] + TOL)]
    assert over.empty, f"flow above capacity: {over[['link_id', 'flow', 'capacity']]}"
    assert (links.loc[~links["open"], "flow"].abs() < TOL).all(), "a closed link carries flow"
    assert (markets["unmet"] >= -TOL).all()
    np.testing.assert_allclose(markets["delivered"] + markets["unmet"], markets["demand"], atol=1e-5)
    # Conservation: a node's net balance is what it delivers minus what it supplies, zero elsewhere.
    special = set(GAS_SUPPLIES) | {n for ns in GAS_MARKETS.values() for n in ns} | {n for od in FREIGHT_FLOWS.values() for n in od}
    transit = nodes.drop(index=[n for n in special if n in nodes.index])
    assert (transit["balance"].abs() < 1e-5).all(), transit[transit["balance"].abs() >= 1e-5]
    for market, delivery_nodes in GAS_MARKETS.items():
        at = nodes.loc[list(delivery_nodes), "balance"].sum()
        supplied_there = 0.0  # no delivery node is also a supply node
        assert at + supplied_there == pytest.approx(markets.at[market, "delivered"], abs=1e-5)
    # What the fields and imports put in equals what markets take plus swap fees.
    gas_nodes = nodes[nodes["network"] == "gas"]
    assert gas_nodes["balance"].sum() <= TOL
    for indicator in result.indicators:
        assert indicator in INDICATORS


def test_baseline_solves_with_invariants(graph, ledger):
    result = solve(graph, baseline(ledger, 2025).assumptions)
    check_invariants(graph, result)
    assert result.indicators["gas_exports"] > 0
    assert result.indicators["instc_western"] > 0


def test_every_baseline_default_says_where_it_came_from(ledger):
    base = baseline(ledger, 2025)
    known = set(ledger.sources["source_id"])
    for name in parameter_names():
        prov = base.provenance[name]
        assert prov.label, name
        assert prov.kind in {"ledger", "carried", "derived", "assumption"}
        assert set(prov.source_ids) <= known, name
        if prov.kind in {"ledger", "carried"} and name not in {"rasht_astara_opens", "tap_capacity", "tanap_capacity", "scp_capacity"}:
            assert prov.source_ids, f"{name} comes from the ledger but cites no source"
    assert base.provenance["shah_deniz"].kind == "ledger"
    assert base.assumptions.shah_deniz == pytest.approx(27.9)
    assert base.provenance["russia_to_azerbaijan"].kind == "carried", "2025 Russian deliveries are not public"
    assert base.provenance["az_transit_tariff"].kind == "assumption"


def test_demand_beyond_capacity_is_unmet_and_names_the_bottleneck(graph, ledger):
    base = baseline(ledger, 2025).assumptions
    heavy = base.model_copy(update={"europe": 30.0, "tap_capacity": 10.0})
    result = solve(graph, heavy)
    check_invariants(graph, result)
    assert result.unmet["europe"] > 0
    tap = result.links[result.links["asset"].str.contains("TAP")]
    assert tap["binding"].any(), "TAP should bind when Europe asks for 30 bcm/yr through 10"
    assert result.bottlenecks.iloc[0]["network"] in {"freight", "gas"}
    assert set(result.bottlenecks["link_id"]) >= set(tap.loc[tap["binding"], "link_id"])


def test_more_tap_capacity_delivers_more_to_europe(graph, ledger):
    base = baseline(ledger, 2025).assumptions.model_copy(update={"europe": 14.0, "turkiye": 5.0, "az_own_use": 20.0})
    small = solve(graph, base.model_copy(update={"tap_capacity": 10.0}))
    large = solve(graph, base.model_copy(update={"tap_capacity": 20.0}))
    assert large.markets.at["europe", "delivered"] > small.markets.at["europe", "delivered"] + 1


def test_rasht_astara_rail_carries_nothing_before_it_opens(graph, ledger):
    model = flow_model(graph)
    rail = model.rasht_astara
    assert rail is not None
    a = baseline(ledger, 2030).assumptions
    closed = solve(graph, a.model_copy(update={"rasht_astara_opens": 2035}))
    opened = solve(graph, a.model_copy(update={"rasht_astara_opens": 2028, "road_cost_weight": 12.0}))
    assert closed.links.set_index("link_id").at[rail, "flow"] == pytest.approx(0)
    assert not closed.links.set_index("link_id").at[rail, "open"]
    assert opened.links.set_index("link_id").at[rail, "flow"] > 0
    check_invariants(graph, opened)


def test_russian_share_indicators_follow_the_definition(graph, ledger):
    a = baseline(ledger, 2025).assumptions.model_copy(update={"russia_to_azerbaijan": 2.0})
    result = solve(graph, a)
    europe = result.markets.at["europe", "delivered"]
    exports = sum(result.markets.at[m, "delivered"] for m in ("georgia", "turkiye", "europe", "syria"))
    assert result.indicators["russian_share_of_eu_exports"] == pytest.approx(2.0 / europe)
    assert result.indicators["russian_share_of_exports"] == pytest.approx(2.0 / exports)
    ind = result.indicators
    assert ind["gas_balance_residual"] == pytest.approx(
        ind["gas_production"] + ind["gas_imports"] - ind["gas_own_use"] - ind["gas_exports"]
    )


def test_transit_income_is_volume_times_tariff(graph, ledger):
    a = baseline(ledger, 2025).assumptions.model_copy(update={"az_transit_tariff": 12.5})
    ind = solve(graph, a).indicators
    assert ind["azerbaijan_transit_income"] == pytest.approx(ind["azerbaijan_transit"] * 12.5)


def test_branch_shares_that_add_up_to_more_than_one_are_refused():
    with pytest.raises(ValueError, match=r"western_share .* eastern_share"):
        Assumptions(western_share=0.8, eastern_share=0.4)


@pytest.mark.parametrize("name", sorted(shipped_scenarios()))
def test_each_shipped_scenario_solves(graph, ledger, name):
    scenario = shipped_scenarios()[name]
    result = solve(graph, scenario.assumptions(ledger))
    check_invariants(graph, result)
    assert result.assumptions.year == scenario.year


def assumption_sets():
    fields = {}
    for name in parameter_names():
        info = parameter_info(name)
        if isinstance(info["default"], int):
            fields[name] = st.integers(int(info["minimum"]), int(info["maximum"]))
        else:
            fields[name] = st.floats(float(info["minimum"]), float(info["maximum"]), allow_nan=False)
    fields["year"] = st.integers(2018, 2035)
    return st.fixed_dictionaries(fields).filter(lambda d: d["western_share"] + d["eastern_share"] <= 1.0)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])
@given(values=assumption_sets())
def test_invariants_hold_for_random_assumptions(graph, values):
    result = solve(graph, Assumptions(**values))
    check_invariants(graph, result)
    for key, value in result.indicators.items():
        assert math.isnan(value) or math.isfinite(value), key
