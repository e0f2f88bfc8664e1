"""What limits a scenario, in words: corridors.model.explain on the real ledger and model."""

from __future__ import annotations

import re

import pytest

from corridors.model import solve
from corridors.model.assumptions import baseline
from corridors.model.explain import explain_unmet, format_indicator, indicator_delta, limiting_links, shortfalls


def scenario(ledger, year: int = 2025, **changes):
    return baseline(ledger, year).assumptions.model_copy(update=changes)


def links_named(result, asset_word: str):
    rows = result.links[result.links["asset"].str.contains(asset_word, regex=False)]
    assert len(rows) >= 1, f"no link named like {asset_word!r}"
    return rows


def test_tap_expansion_that_changes_nothing_names_scp_and_tanap_as_the_limits(ledger, graph):
    # The case: TAP at 20 with Europe asking for 20 still leaves Europe short, because the pipelines
    # upstream of TAP are full: SCP (23.4) into Türkiye, and TANAP's eastern section (17.3, the most it carried).
    result = solve(graph, scenario(ledger, tap_capacity=20.0, europe=20.0))
    scp_sections, tap_sections = links_named(result, "(SCP)"), links_named(result, "(TAP)")
    assert not tap_sections["binding"].any(), "TAP at 20 has room to spare"
    tanap_east = links_named(result, "TANAP (eastern section)").iloc[0]
    assert tanap_east["binding"]
    full = {*scp_sections.loc[scp_sections["binding"], "asset"], tanap_east["asset"]}
    europe = next(s for s in shortfalls(result, graph) if s.market == "europe")
    assert europe.unmet == pytest.approx(float(result.markets.at["europe", "unmet"]))
    assert {limit.asset for limit in europe.limits} == full
    sentence = next(s for s in explain_unmet(result, graph) if s.startswith("Europe"))
    assert f"{europe.unmet:,.2f} bcm/yr short" in sentence
    assert f"{tanap_east['asset']} ({tanap_east['capacity']:g} bcm/yr)" in sentence and "are full" in sentence
    assert "TAP" not in sentence.replace(europe.label, ""), "TAP has room: it must not be named as the limit"


def short_scenario(ledger):
    """Europe asking 20 bcm/yr and nine tenths of INSTC cargo tied to the eastern branch: both go short."""
    return scenario(ledger, europe=20.0, eastern_share=0.9, western_share=0.05)


def test_the_baseline_leaves_nothing_short(ledger, graph):
    result = solve(graph, scenario(ledger))
    assert shortfalls(result, graph) == []
    assert explain_unmet(result, graph) == ["Every demand is met: no capacity limits the result."]


def test_shortfalls_name_the_pipeline_and_the_railway_that_bind(ledger, graph):
    result = solve(graph, short_scenario(ledger))
    found = {s.market: s for s in shortfalls(result, graph)}
    assert {"europe", "russia_to_iran"} <= set(found)
    binding = set(result.links.loc[result.links["binding"], "asset"])
    for shortfall in found.values():
        assert shortfall.limits, f"{shortfall.market} is short but no limit is named"
        assert {limit.asset for limit in shortfall.limits} <= binding
        # A market's limits are on its own network: no railway explains a gas shortfall.
        networks = set(result.links.set_index("asset").loc[[limit.asset for limit in shortfall.limits], "network"])
        assert networks == {shortfall.network}
    sentences = explain_unmet(result, graph)
    for shortfall in found.values():  # every market left short is named, with its own shortfall
        assert any(shortfall.label in s and f"{shortfall.unmet:,.2f}" in s for s in sentences), shortfall.label
    # Markets held back by the same links share one sentence rather than repeating the list.
    assert len(sentences) == len({tuple(limit.link_id for limit in s.limits) for s in found.values()})
    assert any("Turkmen" in s and "Mt/yr" in s for s in sentences)
    assert limiting_links(result, graph)[0] in binding


def test_freight_markets_are_named_by_their_ends(ledger, graph):
    result = solve(graph, short_scenario(ledger))
    labels = [s.label for s in shortfalls(result, graph) if s.network == "freight"]
    assert labels and all(re.fullmatch(r".+ → .+ cargo", label) for label in labels), labels
    assert not any("_" in label for label in labels)


def test_ample_capacity_says_nothing_limits(ledger, graph):
    # Europe asks only what TAP carries, and freight is light: every demand is met.
    result = solve(graph, scenario(ledger, europe=5.0, instc_total=1.0))
    assert float(result.markets["unmet"].max()) < 1e-6
    assert shortfalls(result, graph) == []
    assert explain_unmet(result, graph) == ["Every demand is met: no capacity limits the result."]
    assert limiting_links(result, graph) == []


def test_supply_shortfall_with_no_full_link_says_so(ledger, graph):
    # No gas at all: Azerbaijan's own use goes short with no pipeline full; the sentence must not invent a limit.
    result = solve(graph, scenario(ledger, shah_deniz=0.0, acg=0.0, absheron=0.0, socar_fields=0.0, russia_to_azerbaijan=0.0))
    own = next(s for s in shortfalls(result, graph) if s.market == "az_own_use")
    assert own.limits == []
    assert "no capacity on its way is full" in explain_unmet(result, graph)[0]


def test_without_the_graph_every_binding_link_of_the_network_counts(ledger, graph):
    result = solve(graph, scenario(ledger, tap_capacity=20.0, europe=20.0))
    europe = next(s for s in shortfalls(result) if s.market == "europe")
    assert "South Caucasus" in " ".join(limit.asset for limit in europe.limits)


@pytest.mark.parametrize(
    ("value", "base", "unit", "expected"),
    [
        (0.036, 0.0, "share", "+3.6 pp"),
        (0.25, 0.30, "share", "-5.0 pp"),
        (0.30, 0.30, "share", None),
        (23.4, 22.2, "bcm/yr", "+1.20 bcm/yr"),
        (9.0, 9.004, "bcm/yr", None),
        (float("nan"), 0.1, "share", None),
        (1234.5, 0.0, "USD m/yr", "+1,234.50 USD m/yr"),
    ],
)
def test_indicator_deltas_are_signed_and_shares_are_in_points(value, base, unit, expected):
    assert indicator_delta(value, base, unit) == expected


def test_indicator_format():
    assert format_indicator(0.036, "share") == "4%"
    assert format_indicator(23.4, "bcm/yr") == "23.40 bcm/yr"
    assert format_indicator(float("nan"), "share") == "n/a"
    assert format_indicator(None, "Mt/yr") == "n/a"
