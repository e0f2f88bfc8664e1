"""Default assumptions for a year, read from the ledger by the rules in ``model_assumptions.csv``.

Each default records where its value came from: the estimate rows it used (by id),
the link whose capacity or opening year it took, or "labelled assumption" with its
range. Nothing is inferred from the wording of a note.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from corridors.ledger.load import Ledger
from corridors.ledger.wiring import AssumptionsBase, SeriesRef

#: Estimates that count as observations when a default is read from the ledger.
OBSERVED = ("reported", "estimate", "contract")
#: Units converted to the model's units when a default is read (kt of cargo into Mt).
UNIT_SCALE = {"kt": 0.001}
Kind = Literal["ledger", "carried", "derived", "assumption"]


@dataclass(frozen=True)
class Provenance:
    """Where a default came from.

    Attributes
    ----------
    value
        The default.
    kind
        ``ledger`` (a figure for the year), ``carried`` (the latest earlier figure),
        ``derived`` (computed from ledger figures) or ``assumption`` (labelled, no figure).
    label
        The rule in words.
    source_ids, estimate_ids
        The sources, and the rows of ``estimates.csv``, the value was read from.
    low, high
        The range the sources (or the labelled assumption) allow.
    """

    value: float
    kind: Kind
    label: str
    source_ids: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    estimate_ids: tuple[str, ...] = ()

    def describe(self) -> str:
        text = self.label
        if self.low is not None and self.high is not None and self.low != self.high:
            text += f" {'Sources range' if self.kind != 'assumption' else 'Range'} {self.low:g}–{self.high:g}."
        if self.source_ids:
            text += " Source ids: " + ", ".join(self.source_ids) + "."
        return text


@dataclass(frozen=True)
class Baseline:
    """Default assumptions for a year, each with its provenance."""

    assumptions: AssumptionsBase
    provenance: dict[str, Provenance] = field(default_factory=dict)


def ledger_figure(ledger: Ledger, series: SeriesRef, year: int) -> Provenance | None:
    """The ledger's central figure for a series and year, or the latest before it.

    Where several sources give a figure for the same year, the central value is
    their median and ``low``/``high`` span all of them (and their own ranges).
    Returns None when the ledger has no observation up to ``year``.
    """
    est = ledger.estimates
    rows = est[(est["metric"] == series.metric) & (est["subject"] == series.subject) & est["basis"].isin(OBSERVED) & (est["year"] <= year)]
    if series.branch is not None:
        rows = rows[rows["branch"] == series.branch]
    if rows.empty:
        return None
    latest = int(rows["year"].max())
    rows = rows[rows["year"] == latest]
    scale = rows["unit"].map(UNIT_SCALE).fillna(1.0)
    values = rows["value"] * scale
    when = f"{latest}" if latest == year else f"{latest}, the latest year with a figure (none for {year})"
    many = f"median of {len(rows)} sources" if len(rows) > 1 else "one source"
    return Provenance(
        value=round(float(values.median()), 3),
        kind="ledger" if latest == year else "carried",
        label=f"Ledger: {series.metric} {series.subject} for {when}, {many}.",
        source_ids=tuple(dict.fromkeys(rows["source_id"])),
        low=float((rows["low"].fillna(rows["value"]) * scale).min()),
        high=float((rows["high"].fillna(rows["value"]) * scale).max()),
        estimate_ids=tuple(rows["estimate_id"]),
    )


def _labelled(info: dict[str, Any], why: str) -> Provenance:
    note = info["note"] or "no public figure."
    return Provenance(float(info["default"]), "assumption", f"Assumption: {why}{note}", low=info["low"], high=info["high"])


def _rule_latest(ledger: Ledger, info: dict[str, Any], year: int) -> Provenance:
    series = info["series"][0]
    found = ledger_figure(ledger, series, year)
    if found is None:
        return _labelled(info, f"the ledger has no {series} figure up to {year}; ")
    suspended = _suspended(ledger, info["link_ids"])
    if found.kind == "carried" and suspended:
        return Provenance(
            0.0,
            "derived",
            f"{found.label} Not carried forward: links.csv marks {suspended} as suspended.",
            found.source_ids,
            found.low,
            found.high,
            found.estimate_ids,
        )
    return found


def _suspended(ledger: Ledger, link_ids: list[str]) -> str | None:
    links = ledger.links
    hit = links[links["link_id"].isin(link_ids) & (links["status"] == "suspended")]
    return None if hit.empty else str(hit.iloc[0]["link_id"])


def _figures(ledger: Ledger, info: dict[str, Any], year: int) -> list[Provenance] | None:
    figures = [ledger_figure(ledger, s, year) for s in info["series"]]
    return None if any(f is None for f in figures) else figures  # type: ignore[return-value]


def _merge(figures: list[Provenance]) -> dict[str, tuple[str, ...]]:
    return {
        "source_ids": tuple(dict.fromkeys(i for f in figures for i in f.source_ids)),
        "estimate_ids": tuple(i for f in figures for i in f.estimate_ids),
    }


def _rule_difference(ledger: Ledger, info: dict[str, Any], year: int) -> Provenance:
    figures = _figures(ledger, info, year)
    if figures is None:
        return _labelled(info, f"the ledger lacks one of {', '.join(map(str, info['series']))} up to {year}; ")
    value = round(max(figures[0].value - sum(f.value for f in figures[1:]), 0.0), 3)
    parts = " minus ".join(f"{s} ({f.value:g})" for s, f in zip(info["series"], figures))
    return Provenance(value, "derived", f"Derived: {parts}. {info['note']}".strip(), **_merge(figures))


def _rule_share(ledger: Ledger, info: dict[str, Any], year: int) -> Provenance:
    figures = _figures(ledger, info, year)
    if figures is None or any(f.value <= 0 for f in figures):
        return _labelled(info, f"the ledger lacks a positive figure for one of {', '.join(map(str, info['series']))} up to {year}; ")
    value = round(figures[0].value / sum(f.value for f in figures), 2)
    used = "; ".join(f"{s} {f.value:g} ({f.label.split(' for ')[1].split(',')[0]})" for s, f in zip(info["series"], figures))
    return Provenance(value, "derived", f"Derived: the first over the sum of {used}. {info['note']}".strip(), **_merge(figures))


def _link(ledger: Ledger, info: dict[str, Any]) -> dict[str, Any]:
    links = ledger.links.set_index("link_id", drop=False)
    return links.loc[info["link_ids"][0]].to_dict()


def _rule_link_capacity(ledger: Ledger, info: dict[str, Any], year: int) -> Provenance:
    link = _link(ledger, info)
    if pd.isna(link["capacity"]):
        return _labelled(info, f"links.csv gives no capacity for {link['link_id']}; ")
    sources = tuple(ledger.source_ids_of(link["source_ids"]))
    low = None if pd.isna(link["capacity_low"]) else float(link["capacity_low"])
    high = None if pd.isna(link["capacity_high"]) else float(link["capacity_high"])
    base = Provenance(float(link["capacity"]), "ledger", f"Ledger: capacity of {link['asset']} ({link['link_id']}).", sources, low, high)
    steps = [f for s in info["series"] if (f := ledger_figure(ledger, s, year)) is not None]
    if not steps:
        return base
    step = steps[0]
    return Provenance(
        step.value,
        "ledger",
        f"{base.label} Raised to {step.value:g} by the capacity step in estimates.csv ({', '.join(step.estimate_ids)}).",
        tuple(dict.fromkeys(sources + step.source_ids)),
        low,
        high,
        step.estimate_ids,
    )


def _rule_link_first_year(ledger: Ledger, info: dict[str, Any], year: int) -> Provenance:
    link = _link(ledger, info)
    sources = tuple(ledger.source_ids_of(link["source_ids"]))
    note = f" {info['note']}" if info["note"] else ""
    return Provenance(float(link["first_year"]), "ledger", f"Ledger: first year of {link['asset']} ({link['link_id']}).{note}", sources)


def _rule_assumption(ledger: Ledger, info: dict[str, Any], year: int) -> Provenance:
    return _labelled(info, "")


RULES: dict[str, Callable[[Ledger, dict[str, Any], int], Provenance]] = {
    "latest": _rule_latest,
    "difference": _rule_difference,
    "share": _rule_share,
    "link_capacity": _rule_link_capacity,
    "link_first_year": _rule_link_first_year,
    "assumption": _rule_assumption,
}


def baseline(ledger: Ledger, year: int | None = None) -> Baseline:
    """Default assumptions for ``year``, each read from the ledger by its rule in ``model_assumptions.csv``.

    Parameters
    ----------
    ledger
        The validated ledger.
    year
        The scenario year; the year assumption's fallback when None.

    Returns
    -------
    Baseline
        The assumptions and, for each, where its default came from: a ledger figure
        for the year, one carried forward from the latest year with data, a figure
        derived from ledger figures, or an explicit labelled assumption.
    """
    wiring = ledger.wiring
    year_name = wiring.year_name
    year = int(wiring.parameter_info(year_name)["default"]) if year is None else int(year)
    values: dict[str, Any] = {year_name: year}
    provenance: dict[str, Provenance] = {}
    for name in wiring.parameter_names():
        info = wiring.parameter_info(name)
        found = RULES[info["rule"]](ledger, info, year)
        value = min(max(found.value, info["minimum"]), info["maximum"])
        if value != found.value:
            found = Provenance(value, "derived", f"{found.label} Clipped to the bound {value:g}.", *_tail(found))
        values[name] = round(value) if info["integer"] else value
        provenance[name] = found
    return Baseline(wiring.assumption_model(**values), provenance)


def _tail(found: Provenance) -> tuple:
    return (found.source_ids, found.low, found.high, found.estimate_ids)
