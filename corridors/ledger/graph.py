"""Build the corridor network as a networkx MultiDiGraph and read it back as tables.

One edge per ledger link, keyed by ``link_id``. Gas edges point in the direction of
flow; freight edges point north to south and carry ``bidirectional=True``, the flow
model adds the reverse direction itself.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
import numpy as np
import pandas as pd

from corridors.ledger.load import Ledger

OPERATING = "operating"


def build_graph(ledger: Ledger) -> nx.MultiDiGraph:
    """Turn the ledger's nodes and links into a graph.

    Parameters
    ----------
    ledger
        A validated ledger from :func:`corridors.load_ledger`.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes keyed by ``node_id`` with ``name``, ``country``, ``kind``,
        ``network``, ``x`` (lon) and ``y`` (lat); edges keyed by ``link_id`` with
        every column of ``links.csv`` and ``source_ids`` as a list.
    """
    graph = nx.MultiDiGraph(
        name="corridors",
        crs="EPSG:4326",
        data_dir=str(ledger.data_dir),
        wiring=ledger.wiring,
        branch_labels=dict(zip(ledger.branches["branch"], ledger.branches["label"])),
    )
    for row in ledger.nodes.to_dict("records"):
        attrs = {k: _plain(v) for k, v in row.items() if k != "node_id"}
        attrs["x"], attrs["y"] = attrs["lon"], attrs["lat"]
        attrs["source_ids"] = ledger.source_ids_of(row["source_ids"])
        graph.add_node(row["node_id"], **attrs)
    for row in ledger.links.to_dict("records"):
        attrs = {k: _plain(v) for k, v in row.items() if k not in ("link_id", "from_node", "to_node")}
        attrs["source_ids"] = ledger.source_ids_of(row["source_ids"])
        graph.add_edge(row["from_node"], row["to_node"], key=row["link_id"], link_id=row["link_id"], **attrs)
    return graph


def _plain(value: object) -> object:
    """pandas NA and numpy scalars become None and Python scalars on the graph."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def link_records(graph: nx.MultiDiGraph) -> list[dict]:
    """The graph's edges, one dict each (``link_id``, ``from_node``, ``to_node`` and their attributes), in the graph's order."""
    return [{"link_id": key, "from_node": u, "to_node": v, **data} for u, v, key, data in graph.edges(keys=True, data=True)]


def node_records(graph: nx.MultiDiGraph) -> list[dict]:
    """The graph's nodes, one dict each (``node_id`` and its attributes), in the graph's order."""
    return [{"node_id": node, **data} for node, data in graph.nodes(data=True)]


def links_frame(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """The graph's edges as a DataFrame indexed by ``link_id``."""
    frame = pd.DataFrame(link_records(graph)).set_index("link_id", drop=False)
    frame.index.name = None
    return frame


def nodes_frame(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """The graph's nodes as a DataFrame indexed by ``node_id``."""
    frame = pd.DataFrame(node_records(graph)).set_index("node_id", drop=False)
    frame.index.name = None
    return frame


def in_service_mask(first_year: np.ndarray, status: np.ndarray, year: int) -> np.ndarray:
    """Which links carry flow in ``year`` (arrays of first years, NaN when unknown, and statuses).

    A link counts from its first year of service; an operating link whose first
    year is not published counts as always there. Planned and under-construction
    links count once their (planned) first year is reached, which is how the model
    lets a user "open" Rasht–Astara in a year of their choice. Suspended links
    carry nothing.
    """
    first_year = np.asarray(first_year, dtype=float)
    status = np.asarray(status, dtype=str)
    return np.where(np.isnan(first_year), status == OPERATING, first_year <= year) & (status != "suspended")


def in_service(data: dict, year: int) -> bool:
    """Whether one link (its edge attributes) carries flow in ``year``; see :func:`in_service_mask`."""
    first = data.get("first_year")
    return bool(in_service_mask(np.array([np.nan if first is None else first]), np.array([data.get("status")]), year)[0])


def subgraph(
    graph: nx.MultiDiGraph,
    networks: Iterable[str] | None = None,
    branches: Iterable[str] | None = None,
    statuses: Iterable[str] | None = None,
    year: int | None = None,
) -> nx.MultiDiGraph:
    """A view of the graph restricted to some networks, branches, statuses or a year.

    Nodes left without any link are dropped. Every filter left as None keeps all.
    """
    networks = set(networks) if networks is not None else None
    branches = set(branches) if branches is not None else None
    statuses = set(statuses) if statuses is not None else None

    def keep(u: str, v: str, key: str) -> bool:
        data = graph.edges[u, v, key]
        return (
            (networks is None or data["network"] in networks)
            and (branches is None or data["branch"] in branches)
            and (statuses is None or data["status"] in statuses)
            and (year is None or data.get("first_year") is None or data["first_year"] <= year)
        )

    edges = nx.subgraph_view(graph, filter_edge=keep)
    used = {n for u, v in edges.edges() for n in (u, v)}
    return nx.subgraph_view(edges, filter_node=lambda n: n in used)
