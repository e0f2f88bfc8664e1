"""The flow model on the real network: invariants, bottlenecks, scenarios."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridors.ledger.wiring import split_ids
from corridors.model import solve, wiring_of_graph
from corridors.model.assumptions import baseline, parameter_info, parameter_names
from corridors.model.scenarios import shipped_scenarios

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
    flows = wiring_of_graph(graph).flows
    ends = {n for cell in flows["nodes"] for n in split_ids(cell)} | {n for cell in flows["origin"] for n in split_ids(cell)}
    transit = nodes.drop(index=[n for n in ends if n in nodes.index])
    assert (transit["balance"].abs() < 1e-5).all(), transit[transit["balance"].abs() >= 1e-5]
    gas_markets = flows[(flows["network"] == "gas") & (flows["role"] == "market")]
    for market, cell in zip(gas_markets["flow_id"], gas_markets["nodes"]):
        at = nodes.loc[split_ids(cell), "balance"].sum()
        supplied_there = 0.0  # no delivery node is also a supply node
        assert at + supplied_there == pytest.approx(markets.at[market, "delivered"], abs=1e-5)
    # What the fields and imports put in equals what markets take plus swap fees.
    gas_nodes = nodes[nodes["network"] == "gas"]
    assert gas_nodes["balance"].sum() <= TOL
    assert set(result.indicators) <= set(wiring_of_graph(graph).indicators["indicator"])


def test_baseline_solves_with_invariants(graph, ledger):
    result = solve(graph, baseline(ledger, 2025).assumptions)
    check_invariants(graph, result)
    assert result.indicators["gas_exports"] > 0
    assert result.indicators["instc_western"] > 0


def estimate(ledger, estimate_id: str) -> tuple[float, str]:
    """One estimates.csv row's value and source, looked up by id (not through the model's own lookup)."""
    row = ledger.estimates.set_index("estimate_id").loc[estimate_id]
    return float(row["value"]), str(row["source_id"])


def link_row(ledger, link_id: str):
    return ledger.links.set_index("link_id").loc[link_id]


def test_every_baseline_default_says_where_it_came_from(ledger):
    base = baseline(ledger, 2025)
    known = set(ledger.sources["source_id"])
    for name in parameter_names():
        prov = base.provenance[name]
        assert prov.label, name
        assert prov.kind in {"ledger", "carried", "derived", "assumption"}
        assert set(prov.source_ids) <= known, name
        # No exceptions: a default that claims to come from the ledger names the sources it came from.
        if prov.kind in {"ledger", "carried", "derived"}:
            assert prov.source_ids, f"{name} is labelled {prov.kind} but cites no source"
    assert base.provenance["russia_to_azerbaijan"].kind == "carried", "2025 Russian deliveries are not public"
    assert base.provenance["az_transit_tariff"].kind == "assumption"


def test_2025_gas_defaults_are_the_2025_ledger_rows(ledger):
    base = baseline(ledger, 2025)
    a = base.assumptions
    # Each field's default is its 2025 row in estimates.csv, and cites that row's source.
    rows = {
        "shah_deniz": "e-field-sd-2025-dayaz",  # 27.9
        "acg": "e-field-acg-2025-dayaz",  # 14.1
        "absheron": "e-field-absheron-2025-dayaz",  # 1.6
        "socar_fields": "e-field-socar-2025-dayaz",  # 7.9
        "georgia": "e-gas-exp-ge-2025-dayaz",  # 2.3
        "turkiye": "e-gas-exp-tr-2025-dayaz",  # 9.6
        "europe": "e-gas-exp-eu-2025-dayaz",  # 12.8
        "syria": "e-gas-exp-sy-2025-dayaz",  # 0.5
    }
    for name, estimate_id in rows.items():
        value, source = estimate(ledger, estimate_id)
        assert getattr(a, name) == pytest.approx(value), name
        assert base.provenance[name].kind == "ledger", name
        assert source in base.provenance[name].source_ids, name
    # Own use is national production minus all exports minus Nakhchivan's use: 51.5 − 25.2 − 0.28 = 26.02.
    production, _ = estimate(ledger, "e-gas-prod-2025-dayaz")
    exports, _ = estimate(ledger, "e-gas-exp-2025-dayaz")
    nakhchivan, _ = estimate(ledger, "e-gas-cons-nakhchivan-2025-bakou24")
    assert (production, exports, nakhchivan) == pytest.approx((51.5, 25.2, 0.28))
    assert a.nakhchivan == pytest.approx(0.28) and base.provenance["nakhchivan"].kind == "ledger"
    assert a.az_own_use == pytest.approx(26.02)
    assert base.provenance["az_own_use"].kind == "derived"
    # The four fields' rows add up to the separately reported national total: 27.9 + 14.1 + 1.6 + 7.9 = 51.5.
    assert a.shah_deniz + a.acg + a.absheron + a.socar_fields == pytest.approx(production)


def test_rasht_astara_default_is_the_links_opening_year_with_its_sources(ledger):
    # links.csv gives the Astara–Rasht railway a first_year (2028) backed by its sources; the default must be
    # that year and cite those sources, not a number written in the code.
    rail = link_row(ledger, "w-astara-rasht-rail")
    base = baseline(ledger, 2025)
    assert base.assumptions.rasht_astara_opens == int(rail["first_year"])
    assert base.provenance["rasht_astara_opens"].kind == "ledger"
    assert set(base.provenance["rasht_astara_opens"].source_ids) == set(rail["source_ids"].split(";"))


def test_demand_beyond_capacity_is_unmet_and_names_the_bottleneck(graph, ledger):
    base = baseline(ledger, 2025).assumptions
    # SCP at its 31 bcm/yr maximum and own use at 20, so that only the routes into Europe can bind.
    heavy = base.model_copy(update={"europe": 30.0, "tap_capacity": 10.0, "scp_capacity": 31.0, "az_own_use": 20.0})
    result = solve(graph, heavy)
    check_invariants(graph, result)
    markets = result.markets
    # Europe is reached through TAP's first segment, Kipoi–Komotini (10 here; IGB leaves it after Komotini), and
    # through Türkiye's grid and Strandzha/Malkoçlar into Bulgaria (4, links.csv): it gets 14 of its 30, 16 unmet.
    strandzha = link_row(ledger, "ip-malkoclar-starazagora")
    assert strandzha["capacity"] == pytest.approx(4.0)
    assert markets.at["europe", "delivered"] == pytest.approx(14.0)
    assert markets.at["europe", "unmet"] == pytest.approx(16.0)
    # Everything else is served: the fields give 51.5 against 20 + 0.28 + 2.3 + 9.6 + 14 + 0.5 = 46.7,
    # and SCP carries at most 2.3 + 9.6 + 14 + 0.5 = 26.4 of its 31.
    gas_markets = markets[markets["network"] == "gas"].drop(index="europe")
    assert gas_markets["unmet"].abs().max() < 1e-6, gas_markets
    # So the gas bottlenecks are those two entries into Europe, and both are full.
    gas_bottlenecks = result.bottlenecks[result.bottlenecks["network"] == "gas"]
    assert set(gas_bottlenecks["link_id"]) == {"tap-kipoi-komotini", "ip-malkoclar-starazagora"}
    tap = result.links.set_index("link_id").loc["tap-kipoi-komotini"]
    assert tap["flow"] == pytest.approx(10.0)
    assert tap["utilisation"] == pytest.approx(1.0)
    assert tap["shadow_price"] > 0
    # Its shadow price is worth acting on: one more bcm/yr of TAP delivers one more to Europe.
    wider = solve(graph, heavy.model_copy(update={"tap_capacity": 11.0}))
    assert wider.markets.at["europe", "unmet"] == pytest.approx(15.0)


def test_more_tap_capacity_delivers_more_to_europe(graph, ledger):
    base = baseline(ledger, 2025).assumptions.model_copy(update={"europe": 20.0, "turkiye": 5.0, "az_own_use": 20.0})
    small = solve(graph, base.model_copy(update={"tap_capacity": 10.0}))
    large = solve(graph, base.model_copy(update={"tap_capacity": 20.0}))
    assert large.markets.at["europe", "delivered"] > small.markets.at["europe", "delivered"] + 1


def test_rasht_astara_rail_carries_nothing_before_it_opens(graph, ledger):
    rail = "w-astara-rasht-rail"
    a = baseline(ledger, 2030).assumptions
    closed = solve(graph, a.model_copy(update={"rasht_astara_opens": 2035}))
    opened = solve(graph, a.model_copy(update={"rasht_astara_opens": 2028, "road_cost_weight": 12.0}))
    assert closed.links.set_index("link_id").at[rail, "flow"] == pytest.approx(0)
    assert not closed.links.set_index("link_id").at[rail, "open"]
    assert opened.links.set_index("link_id").at[rail, "flow"] > 0
    check_invariants(graph, opened)


def test_gas_balance_indicators_match_hand_sums(graph, ledger):
    a = baseline(ledger, 2025).assumptions.model_copy(update={"russia_to_azerbaijan": 2.0})
    ind = solve(graph, a).indicators
    # Production is the four 2025 field rows: 27.9 + 14.1 + 1.6 + 7.9 = 51.5.
    assert ind["gas_production"] == pytest.approx(51.5)
    # Imports are used before production, so all 2 bcm/yr of Russian gas enter (the Turkmen swap is suspended: 0).
    assert ind["gas_imports"] == pytest.approx(2.0)
    # Own use is served in full: the mainland's 26.02 and Nakhchivan's 0.28.
    assert ind["gas_own_use"] == pytest.approx(26.3)
    # Exports in full: Georgia 2.3 + Türkiye 9.6 + Europe 12.8 + Syria 0.5 = 25.2.
    assert ind["gas_exports"] == pytest.approx(25.2)
    # Residual: 51.5 + 2 − 26.3 − 25.2 = 2.0: production left in the ground and Iran's fee on Nakhchivan's swap.
    assert ind["gas_balance_residual"] == pytest.approx(2.0)
    assert ind["gas_unmet"] == pytest.approx(0.0, abs=1e-9)
    # Russian gas over what Europe received, 2 / 12.8, and over all exports, 2 / 25.2.
    assert ind["russian_share_of_eu_exports"] == pytest.approx(2 / 12.8)
    assert ind["russian_share_of_exports"] == pytest.approx(2 / 25.2)


def test_own_use_is_served_before_exports(graph, ledger):
    # Without Shah Deniz and Russian gas (and Nakhchivan's small share set aside), the fields left give
    # 14.1 + 1.6 + 7.9 = 23.6, less than own use's 26.02.
    update = {"shah_deniz": 0.0, "russia_to_azerbaijan": 0.0, "nakhchivan": 0.0}
    result = solve(graph, baseline(ledger, 2025).assumptions.model_copy(update=update))
    markets = result.markets
    assert markets.at["az_own_use", "delivered"] == pytest.approx(23.6)  # every bcm goes home first
    assert markets.at["az_own_use", "unmet"] == pytest.approx(2.42)  # 26.02 − 23.6
    for export in ("georgia", "turkiye", "turkiye_tanap", "europe", "syria"):
        assert markets.at[export, "delivered"] == pytest.approx(0.0, abs=1e-9), export
    assert result.indicators["gas_exports"] == pytest.approx(0.0, abs=1e-9)


def test_swap_gas_is_imported_before_production_and_iran_keeps_its_fee(graph, ledger):
    # 1.5 bcm/yr of Turkmen gas by swap (under the swap link's 1.75) with a 20% fee and no Russian gas;
    # production (51.5) alone is more than the markets can take.
    swap = link_row(ledger, "swap-turkmenistan-astara")
    assert swap["capacity"] == pytest.approx(1.75)
    a = baseline(ledger, 2025).assumptions.model_copy(update={"turkmen_swap": 1.5, "iran_swap_fee": 0.2, "russia_to_azerbaijan": 0.0})
    result = solve(graph, a)
    links = result.links.set_index("link_id")
    # Imports before production: all 1.5 enter.
    assert links.at["swap-turkmenistan-astara", "flow"] == pytest.approx(1.5)
    assert result.indicators["gas_imports"] == pytest.approx(1.5)
    # Iran keeps 20%: 1.5 × 0.8 = 1.2 arrives at Astara. Of it, 0.28 / 0.8 = 0.35 goes straight back into Iran
    # for Nakhchivan's swap, and the rest goes on to the grid.
    assert links.at["g-astara-azgrid", "flow"] + links.at["g-astara-iran", "flow"] == pytest.approx(1.2)
    assert links.at["g-astara-iran", "flow"] == pytest.approx(0.35)
    # Residual: 51.5 + 1.5 − 26.3 − 25.2 = 1.5: the Turkmen fee (0.3), the fee on the 0.35 sent for Nakhchivan's
    # 0.28 (0.07, at the same 20%), and 1.13 of production left unused.
    assert links.at["swap-iran-nakhchivan", "flow"] == pytest.approx(0.28 / 0.8)
    assert result.indicators["gas_balance_residual"] == pytest.approx(1.5)


def test_transit_through_azerbaijan_is_the_western_branch_cargo(graph, ledger):
    a = baseline(ledger, 2025).assumptions.model_copy(update={"az_transit_tariff": 12.5})
    result = solve(graph, a)
    # At baseline every branch carries its published share of the corridor's cargo (no cargo switches branch):
    # the western branch is the cargo handled at ADY's Astara terminal (0.777 Mt in 2024) over the corridor
    # total (26.9 Mt), so 0.777 Mt of the 26.9 crosses Azerbaijan, both directions together.
    assert a.contestable_share == 0
    western = a.instc_total * a.western_share
    assert western == pytest.approx(0.777, abs=0.01)
    # The transit is the freight crossing the Russia–Azerbaijan border, summed from the link table.
    country = {n: graph.nodes[n]["country"] for n in graph.nodes}
    freight = result.links[result.links["network"] == "freight"]
    crossing = [{country[u], country[v]} == {"RU", "AZ"} for u, v in zip(freight["from_node"], freight["to_node"])]
    transit = float(freight.loc[crossing, "flow"].sum())
    assert transit == pytest.approx(western)
    ind = result.indicators
    assert ind["azerbaijan_transit"] == pytest.approx(transit)
    assert ind["instc_western"] == pytest.approx(transit)  # the same border crossing, counted as the branch's cargo
    assert ind["azerbaijan_transit_income"] == pytest.approx(12.5 * transit)
    # The tariff is an income, not a routing cost: it moves no cargo.
    cheaper = solve(graph, a.model_copy(update={"az_transit_tariff": 1.0}))
    np.testing.assert_allclose(cheaper.links["flow"].to_numpy(), result.links["flow"].to_numpy(), atol=1e-9)
    assert cheaper.indicators["azerbaijan_transit_income"] == pytest.approx(transit)


def test_branch_shares_that_add_up_to_more_than_one_are_refused(ledger):
    with pytest.raises(ValueError) as refused:
        ledger.wiring.assumption_model(western_share=0.8, eastern_share=0.4)
    assert "western_share (0.8)" in str(refused.value) and "eastern_share (0.4)" in str(refused.value)


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
def test_invariants_hold_for_random_assumptions(graph, ledger, values):
    result = solve(graph, ledger.wiring.assumption_model(**values))
    check_invariants(graph, result)
    for key, value in result.indicators.items():
        assert math.isnan(value) or math.isfinite(value), key
