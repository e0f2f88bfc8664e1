"""The model year by year: each year's baseline (or a scenario's changes on it) solved in turn, with the ledger's events.

This is what ``python -m corridors timeline`` prints and what a years view draws: the
same functions, so a chart and the command line never disagree. A year's answer is
exactly the ``run`` document's ``indicators`` and ``markets`` for that year.

Baselines are read once per ledger and year (:func:`cached_baseline`): the ledger does
not change while it is loaded, and a baseline is most of a year's cost (~150 ms, against
~10 ms for the solve), so a rerun of the whole span only solves.

Pure Python and pandas: no Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import networkx as nx
import pandas as pd

from corridors.ledger.load import Ledger
from corridors.ledger.wiring import AssumptionsBase
from corridors.model.baseline import cached_baseline
from corridors.model.flows import FlowResult
from corridors.model.scenarios import with_overrides
from corridors.model.solve import model_of
from corridors.views.tables import result_document

#: Version of the JSON document printed by ``python -m corridors timeline --format json``.
TIMELINE_FORMAT = "corridors.timeline/1"
#: The span the command shows when none is given (clipped to the model's own years).
DEFAULT_FIRST, DEFAULT_LAST = 2019, 2035
#: The keys of each event in the document.
EVENT_KEYS = ("date", "title", "kind", "source_id", "url")


def year_range(ledger: Ledger) -> tuple[int, int]:
    """The first and last year the model allows (``model_assumptions.csv``'s year bounds)."""
    info = ledger.wiring.parameter_info(ledger.wiring.year_name)
    return int(info["minimum"]), int(info["maximum"])


def timeline_span(ledger: Ledger, first: int | None = None, last: int | None = None) -> tuple[int, int]:
    """The years to show: those given, else 2019 and 2035 clipped to the model's years.

    Raises
    ------
    ValueError
        When a year given lies outside the model's years, or ``first`` is after ``last``;
        the message names the bounds.
    """
    low, high = year_range(ledger)
    for flag, year in (("--from", first), ("--to", last)):
        if year is not None and not low <= year <= high:
            raise ValueError(f"{flag} {year} is outside the model's years {low}–{high}")
    first = max(DEFAULT_FIRST, low) if first is None else first
    last = min(DEFAULT_LAST, high) if last is None else last
    if first > last:
        raise ValueError(f"--from {first} is after --to {last}")
    return first, last


def year_assumptions(ledger: Ledger, year: int, overrides: Mapping[str, float] | None = None) -> AssumptionsBase:
    """The baseline for ``year`` with ``overrides`` (a scenario's assumptions) set on it.

    Raises
    ------
    ScenarioError
        When the overrides do not fit that year's baseline (a cross-field bound).
    """
    base = cached_baseline(ledger, year).assumptions
    if not overrides:
        return base
    return with_overrides(base, dict(overrides), f"year {year}")


def timeline_results(
    ledger: Ledger, graph: nx.MultiDiGraph, first: int, last: int, overrides: Mapping[str, float] | None = None
) -> list[FlowResult]:
    """The model solved for every year from ``first`` to ``last``.

    Parameters
    ----------
    ledger, graph
        The ledger and its graph (:func:`corridors.build_graph`).
    first, last
        The span, both included (see :func:`timeline_span`).
    overrides
        A scenario's assumptions, set on each year's baseline; its own year is not used.

    Returns
    -------
    list[FlowResult]
        One result per year, in order.
    """
    model = model_of(graph)
    return [model.solve(year_assumptions(ledger, year, overrides)) for year in range(first, last + 1)]


def events_frame(ledger: Ledger, first: int | None = None, last: int | None = None) -> pd.DataFrame:
    """The ledger's events (``events.csv``) in the years given, by date, with each source's publisher and URL."""
    events = ledger.events
    years = events["date"].str.slice(0, 4).astype(int)
    keep = pd.Series(True, index=events.index)
    if first is not None:
        keep &= years >= first
    if last is not None:
        keep &= years <= last
    sources = ledger.sources.set_index("source_id")
    chosen = events[keep].copy()
    chosen["publisher"] = chosen["source_id"].map(sources["publisher"])
    chosen["url"] = chosen["source_id"].map(sources["url"])
    return chosen.sort_values(["date", "event_id"], kind="stable").reset_index(drop=True)


def event_records(events: pd.DataFrame) -> list[dict[str, Any]]:
    """Events as the timeline document lists them: date, title, kind, source_id and url."""
    return [{key: str(row[key]) for key in EVENT_KEYS} for row in events.to_dict("records")]


def timeline_document(results: list[FlowResult], events: pd.DataFrame, name: str = "Baseline") -> dict[str, Any]:
    """The stable JSON contract of ``python -m corridors timeline``.

    Parameters
    ----------
    results
        One solved year each (:func:`timeline_results`).
    events
        The events to list (:func:`events_frame`).
    name
        The scenario's name, used for each year's run document.

    Returns
    -------
    dict
        ``format`` (``corridors.timeline/1``); ``years``: for each year, ``year``,
        ``indicators`` and ``markets`` exactly as ``run --year Y --format json`` gives
        them; ``events``: ``date``, ``title``, ``kind``, ``source_id`` and ``url``.
    """
    years = []
    for result in results:
        document = result_document(result, name)
        years.append({"year": int(result.assumptions.year), "indicators": document["indicators"], "markets": document["markets"]})
    return {"format": TIMELINE_FORMAT, "years": years, "events": event_records(events)}


def timeline_rows(document: Mapping[str, Any], units: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The document's years as one long table: year, table (indicators or markets), key, measure, value, unit.

    ``units`` gives each indicator's unit (a run document's ``indicator_definitions``); blank without it.
    """
    units = units or {}
    rows: list[dict[str, Any]] = []
    for entry in document["years"]:
        for key, value in entry["indicators"].items():
            row = {"year": entry["year"], "table": "indicators", "key": key, "measure": "value", "value": value, "unit": units.get(key)}
            rows.append(row)
        for market in entry["markets"]:
            for measure in ("demand", "delivered", "unmet"):
                rows.append(
                    {
                        "year": entry["year"],
                        "table": "markets",
                        "key": market["market"],
                        "measure": measure,
                        "value": market[measure],
                        "unit": market["unit"],
                    }
                )
    return pd.DataFrame(rows, columns=["year", "table", "key", "measure", "value", "unit"])


__all__ = [
    "TIMELINE_FORMAT",
    "cached_baseline",
    "event_records",
    "events_frame",
    "timeline_document",
    "timeline_results",
    "timeline_rows",
    "timeline_span",
    "year_assumptions",
    "year_range",
]
