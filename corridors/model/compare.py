"""Two scenarios side by side: both run documents and what changes from A to B.

``python -m corridors compare A.yaml B.yaml`` prints :func:`compare_document`; a
comparison view draws the same document. The difference is always B minus A, taken
from the two run documents themselves, so it matches what each of them prints.

Pure Python: no Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import networkx as nx

from corridors.ledger.load import Ledger
from corridors.ledger.wiring import AssumptionsBase
from corridors.model.scenarios import Scenario
from corridors.model.solve import model_of
from corridors.model.timeline import year_assumptions
from corridors.views.tables import result_document

#: Version of the JSON document printed by ``python -m corridors compare --format json``.
COMPARE_FORMAT = "corridors.compare/1"
#: What each market row of the difference gives for A, B and B − A.
MARKET_MEASURES = ("demand", "delivered", "unmet")


def scenario_assumptions(ledger: Ledger, scenario: Scenario, year: int | None = None) -> AssumptionsBase:
    """A scenario's assumptions: its overrides on the baseline of ``year`` (its own year when None).

    Raises
    ------
    ScenarioError
        When the overrides do not fit that year's baseline.
    """
    return year_assumptions(ledger, scenario.year if year is None else year, scenario.overrides)


def _delta(a: float | None, b: float | None) -> float | None:
    """B − A, rounded as the run document rounds; None when either is missing (a ratio shown as n/a)."""
    return None if a is None or b is None else round(b - a, 6)


def diff_documents(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """What changes from run document A to run document B.

    Parameters
    ----------
    a, b
        Two documents of :func:`corridors.views.tables.result_document` for the same ledger.

    Returns
    -------
    dict
        ``indicators``: ``{key: b − a}`` for every indicator of A; ``links``: for every
        link, ``id``, ``flow_a``, ``flow_b``, ``delta`` (B − A) and ``binding_a``,
        ``binding_b``; ``markets``: for every market, ``market``, ``network``, ``unit``
        and each of demand, delivered and unmet for A, B and B − A (``demand_a``,
        ``demand_b``, ``demand_delta``…). An indicator, link or market only one side has
        gets None for the other side and the delta.
    """
    indicators = {key: _delta(value, b["indicators"].get(key)) for key, value in a["indicators"].items()}
    links_b = {link["id"]: link for link in b["links"]}
    links = []
    for link in a["links"]:
        other = links_b.get(link["id"], {})
        links.append(
            {
                "id": link["id"],
                "flow_a": link["flow"],
                "flow_b": other.get("flow"),
                "delta": _delta(link["flow"], other.get("flow")),
                "binding_a": link["binding"],
                "binding_b": other.get("binding"),
            }
        )
    markets_b = {market["market"]: market for market in b["markets"]}
    markets = []
    for market in a["markets"]:
        other = markets_b.get(market["market"], {})
        row: dict[str, Any] = {"market": market["market"], "network": market["network"], "unit": market["unit"]}
        for measure in MARKET_MEASURES:
            row[f"{measure}_a"] = market[measure]
            row[f"{measure}_b"] = other.get(measure)
            row[f"{measure}_delta"] = _delta(market[measure], other.get(measure))
        markets.append(row)
    return {"indicators": indicators, "links": links, "markets": markets}


def compare_document(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """The stable JSON contract of ``python -m corridors compare``: ``format``, ``a``, ``b`` and ``diff`` (B − A)."""
    return {"format": COMPARE_FORMAT, "a": dict(a), "b": dict(b), "diff": diff_documents(a, b)}


def compare_scenarios(ledger: Ledger, graph: nx.MultiDiGraph, a: Scenario, b: Scenario, year: int | None = None) -> dict[str, Any]:
    """Solve two scenarios and compare them.

    Parameters
    ----------
    ledger, graph
        The ledger and its graph (:func:`corridors.build_graph`).
    a, b
        The scenarios (as :func:`corridors.model.scenarios.load_scenario` reads them).
    year
        The year both are run for; each its own year when None.

    Returns
    -------
    dict
        :func:`compare_document` of the two run documents.
    """
    model = model_of(graph)
    documents = [result_document(model.solve(scenario_assumptions(ledger, s, year)), s.name) for s in (a, b)]
    return compare_document(*documents)


__all__ = ["COMPARE_FORMAT", "compare_document", "compare_scenarios", "diff_documents", "scenario_assumptions"]
