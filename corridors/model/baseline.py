"""Default assumptions for a year, read from the ledger by the rules in ``model_assumptions.csv``.

Each default records where its value came from: the estimate rows it used (by id),
the link whose capacity or opening year it took, or "labelled assumption" with its
range. Nothing is inferred from the wording of a note.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import pandas as pd

from corridors.ledger.load import Ledger
from corridors.ledger.wiring import AssumptionsBase, SeriesRef

#: Bases that count as outturns when a default is read from the ledger, most trusted first.
#: A contract, forecast or target is never an outturn.
OBSERVED = ("reported", "estimate")
#: A capacity step may also be contracted (a booked expansion).
CAPACITY_BASES = ("reported", "estimate", "contract")
#: Units converted to the model's units when a default is read (kt of cargo into Mt).
UNIT_SCALE = {"kt": 0.001}
#: How a default picks one figure when sources conflict (``choose`` in model_assumptions.csv).
#: Each first prefers the most trusted basis (a reported figure over a derived estimate).
CHOICES = {
    "highest": "the highest",
    "lowest": "the lowest",
    "latest_published": "the most recently published",
}
#: Field figures that add up to the national total within this much (bcm) make a complete breakdown.
BREAKDOWN_TOLERANCE = 0.15
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
    year: int | None = None
    #: ``user`` when the value was read from a reader's own figures (see corridors.ledger.user_data), else ``ledger``.
    origin: str = "ledger"

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


def _series_rows(ledger: Ledger, series: SeriesRef, bases: tuple[str, ...]) -> pd.DataFrame:
    rows = ledger.estimates_by_series.get((series.metric, series.subject))
    if rows is None:
        return ledger.estimates.iloc[0:0]
    rows = rows[rows["basis"].isin(bases)]
    if series.branch is not None:
        rows = rows[rows["branch"] == series.branch]
    return rows


def _pick(ledger: Ledger, rows: pd.DataFrame, choose: str) -> pd.Series:
    """The one row a default takes among conflicting rows of one year (see CHOICES)."""
    # A handful of rows: plain lists are far cheaper here than pandas' per-call overhead.
    rank = {basis: i for i, basis in enumerate(CAPACITY_BASES)}
    ranks = [rank.get(b, len(rank)) for b in rows["basis"].tolist()]
    scaled = [float(v) * UNIT_SCALE.get(str(u), 1.0) for v, u in zip(rows["value"].tolist(), rows["unit"].tolist())]
    trusted = [i for i, r in enumerate(ranks) if r == min(ranks)]
    if choose == "lowest":
        return rows.iloc[min(trusted, key=lambda i: scaled[i])]
    if choose == "latest_published":
        sources = ledger.all_sources
        published = {i: d for i, d in zip(sources["source_id"], sources["published"]) if isinstance(d, str)}
        when = [published.get(source, "") for source in rows["source_id"].tolist()]
        # Undated pages count as the oldest; a tie keeps the highest figure, and among equals the last row.
        return rows.iloc[max(reversed(trusted), key=lambda i: (when[i], scaled[i]))]
    return rows.iloc[max(trusted, key=lambda i: scaled[i])]


def ledger_figure(
    ledger: Ledger,
    series: SeriesRef,
    year: int,
    choose: str = "highest",
    before_first: str = "fallback",
    bases: tuple[str, ...] = OBSERVED,
) -> Provenance | None:
    """The ledger's figure for a series and year, or the latest before it.

    Where several sources give a figure for the same year, the default is one of
    their figures, picked by ``choose`` (see ``CHOICES``), and ``low``/``high`` span
    all of them (and their own ranges). Before the series' first figure it is None,
    unless ``before_first`` is ``"earliest"``: then the earliest figure is carried
    back as a labelled assumption whose range spans every figure of the series.
    """
    rows = _series_rows(ledger, series, bases)
    before = rows[rows["year"] <= year]
    if before.empty and (before_first != "earliest" or rows.empty):
        return None
    carried_back = before.empty
    at = int(rows["year"].min()) if carried_back else int(before["year"].max())
    same = rows[rows["year"] == at]
    chosen = _pick(ledger, same, choose)
    scale = same["unit"].map(UNIT_SCALE).fillna(1.0)
    span = rows if carried_back else same
    span_scale = span["unit"].map(UNIT_SCALE).fillna(1.0)
    value = float(chosen["value"]) * UNIT_SCALE.get(str(chosen["unit"]), 1.0)
    if carried_back:
        when = f"{at}, its first year, carried back to {year} (no earlier figure)"
    else:
        when = f"{at}" if at == year else f"{at}, the latest year with a figure (none for {year})"
    if len(same) > 1:
        low, high = float((same["value"] * scale).min()), float((same["value"] * scale).max())
        picked = f"{CHOICES[choose]} {chosen['basis']} figure ({chosen['estimate_id']})"
        many = f"{len(same)} sources give {low:g}–{high:g}; the default is {picked}"
    else:
        many = f"one source ({chosen['estimate_id']})"
    return Provenance(
        value=round(value, 3),
        kind="assumption" if carried_back else "ledger" if at == year else "carried",
        label=f"{'Assumption' if carried_back else 'Ledger'}: {ledger.title_of(series)} for {when}, {many}.",
        source_ids=tuple(dict.fromkeys(same["source_id"])),
        low=float((span["low"].fillna(span["value"]) * span_scale).min()),
        high=float((span["high"].fillna(span["value"]) * span_scale).max()),
        estimate_ids=tuple(same["estimate_id"]),
        year=at,
    )


def _figure(ledger: Ledger, info: dict[str, Any], series: SeriesRef, year: int) -> Provenance | None:
    """``ledger_figure`` with the assumption's own conflict and before-first rules."""
    return ledger_figure(ledger, series, year, info["choose"], info["before_first"])


def _labelled(info: dict[str, Any], why: str) -> Provenance:
    note = info["note"] or "no public figure."
    return Provenance(float(info["default"]), "assumption", f"Assumption: {why}{note}", low=info["low"], high=info["high"])


def _rule_latest(ledger: Ledger, info: dict[str, Any], year: int) -> Provenance:
    series = info["series"][0]
    found = _figure(ledger, info, series, year)
    if found is None:
        return _labelled(info, f"the ledger has no figure of {ledger.title_of(series)} up to {year}; ")
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
    figures = [_figure(ledger, info, s, year) for s in info["series"]]
    return None if any(f is None for f in figures) else figures  # type: ignore[return-value]


def _merge(figures: list[Provenance]) -> dict[str, tuple[str, ...]]:
    return {
        "source_ids": tuple(dict.fromkeys(i for f in figures for i in f.source_ids)),
        "estimate_ids": tuple(i for f in figures for i in f.estimate_ids),
    }


def _rule_difference(ledger: Ledger, info: dict[str, Any], year: int) -> Provenance:
    figures = _figures(ledger, info, year)
    if figures is None:
        return _labelled(info, f"the ledger lacks one of {', '.join(map(ledger.title_of, info['series']))} up to {year}; ")
    value = round(max(figures[0].value - sum(f.value for f in figures[1:]), 0.0), 3)
    parts = " minus ".join(f"{ledger.title_of(s)} ({f.value:g})" for s, f in zip(info["series"], figures))
    return Provenance(value, "derived", f"Derived: {parts}. {info['note']}".strip(), **_merge(figures))


def _rule_share(ledger: Ledger, info: dict[str, Any], year: int) -> Provenance:
    figures = _figures(ledger, info, year)
    if figures is None or any(f.value <= 0 for f in figures):
        return _labelled(info, f"the ledger lacks a positive figure for one of {', '.join(map(str, info['series']))} up to {year}; ")
    value = round(figures[0].value / sum(f.value for f in figures), 2)
    label = f"Derived: the first over the sum of {_used(ledger, info['series'], figures)}. {info['note']}".strip()
    return Provenance(value, "derived", label, **_merge(figures))


def _used(ledger: Ledger, series: list[SeriesRef], figures: list[Provenance]) -> str:
    """The series and figures a derived default read, with their years: "Cargo through Astara (Iran)… 0.777 (2024)"."""
    return "; ".join(
        f"{ledger.title_of(s)} {f.value:g} ({f.year}{', carried back' if f.kind == 'assumption' else ''})" for s, f in zip(series, figures)
    )


def _rule_ratio(ledger: Ledger, info: dict[str, Any], year: int) -> Provenance:
    figures = _figures(ledger, info, year)
    if figures is None or figures[1].value <= 0:
        return _labelled(info, f"the ledger lacks {' or '.join(map(str, info['series']))} up to {year}; ")
    value = round(figures[0].value / figures[1].value, 3)
    kind: Kind = "assumption" if any(f.kind == "assumption" for f in figures) else "derived"
    over = f"{_used(ledger, info['series'][:1], figures[:1])} over {_used(ledger, info['series'][1:], figures[1:])}"
    label = f"Derived: {over}. {info['note']}".strip()
    return Provenance(value, kind, label, **_merge(figures))


def _yearly(ledger: Ledger, series: SeriesRef, choose: str) -> dict[int, float]:
    """The chosen outturn of a series for each year that has one."""
    rows = _series_rows(ledger, series, OBSERVED)
    found = {}
    for year, same in rows.groupby("year", sort=True):
        chosen = _pick(ledger, same, choose)
        found[int(year)] = float(chosen["value"]) * UNIT_SCALE.get(str(chosen["unit"]), 1.0)
    return found


def _rule_apportion(ledger: Ledger, info: dict[str, Any], year: int) -> Provenance:
    """A part of a published total (a field of national output) for a year.

    The part's own figure for the total's year when it has one; otherwise what the
    total leaves after the parts published for that year, shared among the other parts
    in their proportions of the latest year (else the earliest) whose published parts add
    up to the total (a complete breakdown). Parts are the assumptions with this rule and
    the same total series.
    """
    own, whole = info["series"]
    own_title, whole_title = ledger.title_of(own), ledger.title_of(whole)
    wiring = ledger.wiring
    parts = {
        name: p["series"][0]
        for name in wiring.parameter_names()
        if (p := wiring.parameter_info(name))["rule"] == "apportion" and p["series"][1] == whole
    }
    total = _figure(ledger, info, whole, year)
    if total is None or total.year is None:
        return _labelled(info, f"the ledger has no figure of {whole_title} up to {year}; ")
    at = total.year
    by_part = {name: _yearly(ledger, ref, info["choose"]) for name, ref in parts.items()}
    mine = by_part[info["name"]].get(at)
    if mine is not None:
        kind: Kind = "ledger" if at == year else "carried"
        when = f"{at}" if at == year else f"{at}, the year of the latest figure of {whole_title}"
        rows = _series_rows(ledger, own, OBSERVED)
        rows = rows[rows["year"] == at]
        sources = tuple(dict.fromkeys(rows["source_id"]))
        return Provenance(
            round(mine, 3), kind, f"Ledger: {own_title} for {when}.", sources, estimate_ids=tuple(rows["estimate_id"]), year=at
        )
    published = {name: figures[at] for name, figures in by_part.items() if at in figures}
    rest = max(total.value - sum(published.values()), 0.0)
    complete = _breakdown_years(_yearly(ledger, whole, info["choose"]), by_part)
    if not complete:
        return _labelled(info, f"no year has field figures that add up to {whole_title}; ")
    earlier = [y for y in complete if y <= at]
    ref_year = earlier[-1] if earlier else complete[0]
    weights = {name: figures.get(ref_year, 0.0) for name, figures in by_part.items() if name not in published}
    share = weights[info["name"]] / sum(weights.values()) if sum(weights.values()) > 0 else 0.0
    named = ", ".join(f"{ledger.title_of(parts[n])} {v:g}" for n, v in published.items()) or "none"
    label = (
        f"Derived: {whole_title} for {at} ({total.value:g}) minus the parts published for {at} ({named}) leaves {rest:g}; "
        f"this part takes {share:.0%} of it, its share in {ref_year}, the {'latest' if earlier else 'earliest'} year whose "
        f"published parts add up to the total."
    )
    return Provenance(round(rest * share, 3), "derived", label, total.source_ids, estimate_ids=total.estimate_ids, year=at)


def _breakdown_years(totals: dict[int, float], by_part: dict[str, dict[int, float]]) -> list[int]:
    """Years whose published parts add up to the published total (parts without a figure count as 0)."""
    years = []
    for at, total in sorted(totals.items()):
        found = [figures[at] for figures in by_part.values() if at in figures]
        if len(found) >= 2 and abs(sum(found) - total) <= BREAKDOWN_TOLERANCE:
            years.append(at)
    return years


def _link(ledger: Ledger, info: dict[str, Any]) -> dict[str, Any]:
    links = ledger.links.set_index("link_id", drop=False)
    return links.loc[info["link_ids"][0]].to_dict()


def _rule_link_capacity(ledger: Ledger, info: dict[str, Any], year: int) -> Provenance:
    """A link's capacity: links.csv, raised by any capacity step up to the year, and never below a flow it carried.

    A published flow through a pipeline shows what it can carry: where one exceeds the
    nameplate (TAP carried 11.5 bcm in 2022 against 10), the highest flow published up
    to the year is the capacity.
    """
    link = _link(ledger, info)
    if pd.isna(link["capacity"]):
        return _labelled(info, f"links.csv gives no capacity for {link['link_id']}; ")
    sources = tuple(ledger.source_ids_of(link["source_ids"]))
    low = None if pd.isna(link["capacity_low"]) else float(link["capacity_low"])
    high = None if pd.isna(link["capacity_high"]) else float(link["capacity_high"])
    value, label, used = float(link["capacity"]), f"Ledger: capacity of {link['asset']} ({link['link_id']}).", []
    for series in info["series"]:
        bases = OBSERVED if series.metric == "pipeline_flow" else CAPACITY_BASES
        rows = _series_rows(ledger, series, bases)
        rows = rows[rows["year"] <= year]
        if series.metric != "pipeline_flow":
            rows = rows[rows["year"] == rows["year"].max()]  # a capacity step holds until the next one
        if rows.empty or float(rows["value"].max()) <= value:
            continue
        top = rows.loc[rows["value"].idxmax()]
        value = float(top["value"])
        used.append(top)
        if series.metric == "pipeline_flow":
            carried = f"the flow it carried in {int(top['year'])} ({top['estimate_id']})"
            label += f" Raised to {value:g}, {carried}: no pipeline carries more than it can."
        else:
            label += f" Raised to {value:g} by the capacity step of {int(top['year'])} in estimates.csv ({top['estimate_id']})."
    return Provenance(
        value,
        "ledger",
        label,
        tuple(dict.fromkeys([*sources, *(str(r["source_id"]) for r in used)])),
        low,
        high,
        tuple(str(r["estimate_id"]) for r in used),
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
    "ratio": _rule_ratio,
    "apportion": _rule_apportion,
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
    user_ids = set(ledger.user.estimates["estimate_id"]) if ledger.user_defaults and ledger.user is not None else set()
    for name in wiring.parameter_names():
        info = wiring.parameter_info(name)
        found = RULES[info["rule"]](ledger, info, year)
        value = min(max(found.value, info["minimum"]), info["maximum"])
        if value != found.value:
            found = Provenance(value, "derived", f"{found.label} Clipped to the bound {value:g}.", *_tail(found))
        values[name] = round(value) if info["integer"] else value
        provenance[name] = _user_supplied(found, user_ids) if user_ids & set(found.estimate_ids) else found
    return Baseline(wiring.assumption_model(**values), provenance)


#: How a default read from a reader's own figures is labelled, wherever its provenance is shown.
USER_SUPPLIED = "User-supplied"


def _user_supplied(found: Provenance, user_ids: set[str]) -> Provenance:
    """``found`` relabelled: it rests on the reader's own figures, not on the ledger's."""
    label = found.label.removeprefix("Ledger: ")
    mine = ", ".join(i for i in found.estimate_ids if i in user_ids)
    return replace(found, origin="user", label=f"{USER_SUPPLIED} (your data, {mine}): {label}")


def _tail(found: Provenance) -> tuple:
    return (found.source_ids, found.low, found.high, found.estimate_ids)


_BASELINES: dict[int, tuple[weakref.ref, dict[int, Baseline]]] = {}
_LOCK = threading.Lock()


def cached_baseline(ledger: Ledger, year: int | None = None) -> Baseline:
    """The ledger's baseline for ``year``, computed once per loaded ledger and year.

    Parameters
    ----------
    ledger
        A loaded ledger. It is immutable, so its baselines never go stale; they are
        dropped with it.
    year
        The scenario year; the year assumption's fallback when None.

    Returns
    -------
    Baseline
        What :func:`corridors.model.baseline.baseline` returns; shared, so callers must
        not change it (assumptions are copied with ``model_copy``).
    """
    year = int(ledger.wiring.parameter_info(ledger.wiring.year_name)["default"] if year is None else year)
    key = id(ledger)
    with _LOCK:
        entry = _BASELINES.get(key)
        if entry is None or entry[0]() is not ledger:
            # A ledger's id is only reused after it is gone, and then its entry goes with it.
            entry = (weakref.ref(ledger, lambda _ref, key=key: _BASELINES.pop(key, None)), {})
            _BASELINES[key] = entry
        found = entry[1].get(year)
    if found is None:
        found = baseline(ledger, year)
        with _LOCK:
            entry[1][year] = found
    return found
