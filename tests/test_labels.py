"""The map's hover text: one capacity per link, the one utilisation is measured against, and names, not ids."""

from __future__ import annotations

import re

import pytest

from corridors.export import scenario_figures
from corridors.model import solve
from corridors.model.assumptions import baseline
from corridors.views.maps import network_figure

CAPACITY = re.compile(r"Capacity: ([0-9.]+) (bcm/yr|Mt/yr)")
FLOW = re.compile(r"Flow: ([0-9.]+) (bcm/yr|Mt/yr)")
UTILISATION = re.compile(r"Utilisation: ([0-9]+)%")


@pytest.fixture(scope="module")
def eu_20(ledger, graph):
    """The analyst's scenario: TAP expanded to 20 bcm/yr and Europe asking for 20 bcm/yr in 2027."""
    base = baseline(ledger, 2027)
    assumptions = base.assumptions.model_copy(update={"tap_capacity": 20.0, "europe": 20.0})
    result = solve(graph, assumptions)
    figures = scenario_figures(ledger, graph, result, base, "EU asks for 20 bcm")
    return result, figures


def hover_texts(figure) -> list[str]:
    (details,) = [t for t in figure.data if t.name == "Link details (hover)"]
    return [str(t) for t in details.text]


def link_of(text: str, links) -> str:
    asset = re.match(r"<b>(.*?)</b>", text).group(1)
    (link_id,) = links.index[links["asset"] == asset]
    return link_id


def test_hover_capacity_flow_and_utilisation_agree_for_the_scenario(eu_20, graph):
    result, figures = eu_20
    links = result.links.set_index("link_id")
    texts = hover_texts(figures["flows"][1]())
    assert len(texts) == graph.number_of_edges()
    checked = 0
    for text in texts:
        link = links.loc[link_of(text, links)]
        flow = float(FLOW.search(text).group(1))
        assert flow == pytest.approx(link["flow"], abs=0.005), text
        utilisation = UTILISATION.search(text)
        capacity = CAPACITY.search(text)
        if link["capacity"] != link["capacity"]:  # NaN: the model does not limit the link
            assert capacity is None and utilisation is None, text
            assert "not limited in the model" in text, text
            continue
        assert capacity is not None and utilisation is not None, text
        shown_capacity = float(capacity.group(1))
        assert shown_capacity == pytest.approx(link["capacity"]), f"hover capacity is not the scenario's: {text}"
        # What the hover says must add up: utilisation = flow / capacity, to the rounding shown.
        assert int(utilisation.group(1)) / 100 == pytest.approx(flow / shown_capacity, abs=0.006), text
        checked += 1
    assert checked >= 15, "most links with a capacity were checked"


def test_hover_names_the_scenario_capacity_and_the_ledger_one_as_context(eu_20):
    result, figures = eu_20
    links = result.links.set_index("link_id")
    texts = {link_of(t, links): t for t in hover_texts(figures["flows"][1]())}
    tap = texts["tap-kipoi-komotini"]
    assert "Capacity: 20 bcm/yr (scenario; ledger 10)" in tap
    # TAP takes what TANAP's eastern section (17.3, the most it carried) brings beyond Türkiye's TANAP offtake
    # (5.6): 11.7 of its 20.
    assert "Flow: 11.70 bcm/yr" in tap and re.search(r"Utilisation: 5[89]%", tap)
    scp = texts["scp-sangachal-georgia"]
    assert "Capacity: 23.4 bcm/yr" in scp and "Utilisation: 100%" in scp and "bottleneck" in scp
    # Freight counts both directions against one capacity, and the hover says so.
    border = texts["w-astara-border-rail"]
    assert "Capacity: 2 Mt/yr" in border and "both directions" in border


def test_hover_shows_names_not_ids(eu_20, ledger, graph):
    _, figures = eu_20
    node_ids = [n for n in graph.nodes if "_" in n]
    link_ids = [k for _, _, k in graph.edges(keys=True)]
    source_ids = list(ledger.sources["source_id"])
    for name in ("flows", "network"):
        texts = hover_texts(figures[name][1]())
        joined = "\n".join(texts)
        for ident in [*node_ids, *link_ids]:
            assert ident not in joined, f"{name} map hover shows the id {ident!r}"
        for ident in source_ids:
            assert not re.search(rf"(?<![\w-]){re.escape(ident)}(?![\w-])", joined), f"{name} map hover shows the source id {ident!r}"
        # Publishers, node names, and mode and branch in words.
        assert "Mozdok → Gazi-Magomed" in joined
        assert "Gas pipeline · Russian gas imports" in joined
        publisher = ledger.sources.set_index("source_id").at[
            graph.edges["mozdok", "gazi_magomed", "g-mozdok-gazimagomed"]["source_ids"][0], "publisher"
        ]
        assert publisher in joined
        assert "russia import" not in joined and "_" not in joined.replace("<br>", "")


def test_without_flows_the_hover_gives_the_ledger_capacity(ledger, graph):
    texts = hover_texts(network_figure(graph, sources=ledger.sources))
    tap = next(t for t in texts if "Trans Adriatic Pipeline (TAP), Greek section" in t)
    assert "Capacity: 10 bcm/yr" in tap and "Flow:" not in tap and "Utilisation" not in tap
