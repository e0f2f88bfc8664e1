"""The real graph: each corridor connects where the sources say it does."""

from __future__ import annotations

import networkx as nx
import pytest

from corridors import links_frame, subgraph
from corridors.ledger.graph import in_service

SHARED_FREIGHT = {"iran_mainland", "sea_leg"}


def test_graph_mirrors_the_ledger(graph, ledger):
    assert isinstance(graph, nx.MultiDiGraph)
    assert graph.number_of_nodes() == len(ledger.nodes)
    assert graph.number_of_edges() == len(ledger.links)
    some = ledger.links.iloc[0]
    data = graph.edges[some["from_node"], some["to_node"], some["link_id"]]
    assert data["network"] == some["network"]
    assert data["source_ids"] == some["source_ids"].split(";")
    assert graph.nodes["moscow"]["x"] == pytest.approx(float(ledger.nodes.set_index("node_id").at["moscow", "lon"]))


@pytest.mark.parametrize("branch", ["western", "eastern", "trans_caspian"])
def test_each_instc_branch_reaches_india_from_moscow(graph, branch):
    view = subgraph(graph, networks=["freight"], branches={branch} | SHARED_FREIGHT)
    assert nx.has_path(view, "moscow", "nhava_sheva"), f"no {branch} path Moscow → Nhava Sheva"
    path = nx.shortest_path(view, "moscow", "nhava_sheva")
    branches_used = {d["branch"] for u, v in zip(path, path[1:]) for d in graph[u][v].values()}
    assert branch in branches_used


def test_western_branch_alone_cannot_skip_azerbaijan(graph):
    view = subgraph(graph, networks=["freight"], branches={"western"} | SHARED_FREIGHT)
    countries = {graph.nodes[n]["country"] for n in nx.shortest_path(view, "moscow", "nhava_sheva")}
    assert {"RU", "AZ", "IR", "IN"} <= countries


def test_shah_deniz_gas_reaches_italy_through_scp_tanap_tap(graph):
    gas = subgraph(graph, networks=["gas"])
    path = nx.shortest_path(gas, "shah_deniz", "melendugno")
    assets = " ".join(d["asset"] for u, v in zip(path, path[1:]) for d in gas[u][v].values())
    for name in ("South Caucasus", "TANAP", "TAP"):
        assert name in assets, f"{name} missing on {path}"


def test_russia_connects_to_azerbaijan_gas(graph):
    gas = subgraph(graph, networks=["gas"])
    assert nx.has_path(gas, "mozdok", "az_grid")
    assert graph.nodes["mozdok"]["country"] == "RU"
    assert graph.nodes["gazi_magomed"]["country"] == "AZ"


def test_rasht_astara_rail_is_missing_link_and_road_carries_cargo(graph):
    legs = links_frame(graph)
    legs = legs[(legs["from_node"] == "astara_ir") & (legs["to_node"] == "rasht")]
    rail = legs[legs["mode"] == "rail"]
    road = legs[legs["mode"] == "road"]
    assert len(rail) == 1 and rail.iloc[0]["status"] in {"planned", "under_construction"}
    assert len(road) == 1 and road.iloc[0]["status"] == "operating"
    assert not in_service(rail.iloc[0].to_dict(), 2025)
    assert in_service(rail.iloc[0].to_dict(), 2030)


def test_every_link_and_node_cites_sources(graph, ledger):
    known = set(ledger.sources["source_id"])
    for _, _, data in graph.edges(data=True):
        assert data["source_ids"] and set(data["source_ids"]) <= known
    for _, data in graph.nodes(data=True):
        assert data["source_ids"] and set(data["source_ids"]) <= known


def test_filters_drop_links_and_orphan_nodes(graph):
    gas_only = subgraph(graph, networks=["gas"])
    assert gas_only.number_of_edges() > 0
    assert {d["network"] for _, _, d in gas_only.edges(data=True)} == {"gas"}
    assert "moscow" not in gas_only
    operating = subgraph(graph, statuses=["operating"])
    assert all(d["status"] == "operating" for _, _, d in operating.edges(data=True))
    early = subgraph(graph, year=2010)
    assert all(d["first_year"] is None or d["first_year"] <= 2010 for _, _, d in early.edges(data=True))
