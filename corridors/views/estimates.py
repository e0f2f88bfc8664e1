"""The estimates joined to their sources, with disagreements between sources marked, and as a table.

The chart of one series is in :mod:`corridors.views.series`.
"""

from __future__ import annotations

import pandas as pd

from corridors.ledger.load import Ledger

#: Rows that describe the same quantity: sources disagree when these match and values differ.
SERIES_KEY = ["topic", "metric", "subject", "branch"]
GROUP_KEY = [*SERIES_KEY, "year"]
#: Within a group, outturns are compared with outturns, contract ceilings with contract ceilings, and
#: forecasts and targets with each other: a ceiling above the outturn, or a missed forecast, is not a dispute.
OUTLOOK_BASES = ("forecast", "target")
#: Figures of what actually flowed; every other basis (a ceiling, a forecast, a target) is not an outturn.
OUTTURN_BASES = ("reported", "estimate")
#: Readable name of each basis, as the legend and the table say it.
BASIS_LABELS = {
    "reported": "reported",
    "estimate": "estimate",
    "contract": "contract ceiling",
    "forecast": "forecast",
    "target": "target",
}
#: Readable name of each metric code, as charts, tables and the report say it.
METRIC_LABELS = {
    "gas_production": "Gas production",
    "field_production": "Gas production by field",
    "gas_exports": "Gas exports",
    "gas_imports": "Gas imports",
    "gas_consumption": "Gas consumption",
    "pipeline_flow": "Pipeline flow",
    "instc_volume": "INSTC cargo volume",
    "crossing_volume": "Cargo through a crossing",
    "port_throughput": "Port throughput",
    "transit_volume": "Transit cargo",
}


def series_label(row: pd.Series | dict, titles: dict[tuple[str, str], str] | None = None, branches: dict[str, str] | None = None) -> str:
    """Human name of a series: its title in series.csv (else metric and subject), and its branch's name."""
    label = (titles or {}).get((row["metric"], row["subject"])) or f"{METRIC_LABELS.get(row['metric'], row['metric'])} · {row['subject']}"
    branch = row.get("branch")
    if branch is not None and not pd.isna(branch):
        label += f" · {(branches or {}).get(branch, branch.replace('_', ' '))}"
    return label


def _basis_kind(basis: pd.Series) -> pd.Series:
    """Which figures may be compared: outturn, contract or outlook (forecast, target)."""
    kind = pd.Series("outturn", index=basis.index, dtype=object)
    kind[basis == "contract"] = "contract"
    kind[basis.isin(OUTLOOK_BASES)] = "outlook"
    return kind


def estimates_with_sources(ledger: Ledger) -> pd.DataFrame:
    """Every estimate with its source's publisher, title, URL, date and kind, the reader's own figures included.

    ``origin`` says whose figure a row is: ``ledger`` or ``user`` (uploaded by the reader,
    see :mod:`corridors.ledger.user_data`). Adds ``series`` (a readable name of what is measured), ``n_sources`` (how many
    rows give a figure for the same series and year), ``disagree`` (True when those
    rows give different values) and ``spread`` (max − min of those values).
    Outturns (reported, estimate) are compared among themselves, contract ceilings
    among themselves, and forecasts and targets among themselves: a ceiling above the
    outturn, or a forecast that missed, is not a dispute.
    """
    sources = ledger.all_sources.drop(columns="origin").rename(
        columns={"note": "source_note", "title": "source_title", "url": "source_url", "kind": "source_kind"}
    )
    frame = ledger.all_estimates.merge(sources, on="source_id", how="left", validate="many_to_one")
    frame["branch"] = frame["branch"].astype("object")
    kind = _basis_kind(frame["basis"]).rename("basis_kind")
    grouped = frame.groupby([*(frame[k] for k in GROUP_KEY), kind], dropna=False)["value"]
    frame["n_sources"] = grouped.transform("size").astype(int)
    frame["spread"] = grouped.transform("max") - grouped.transform("min")
    frame["disagree"] = frame["spread"] > 1e-9
    branches = dict(zip(ledger.branches["branch"], ledger.branches["label"]))
    frame["series"] = [series_label(r, ledger.series_titles, branches) for r in frame[SERIES_KEY].to_dict("records")]
    frame = frame.sort_values(["topic", "series", "year", "value"], kind="stable").reset_index(drop=True)
    frame.attrs = {
        "title": "Flow estimates with their sources",
        "description": ledger.estimates.attrs.get("description", ""),
        "units": {"value": "see unit column", "low": "see unit column", "high": "see unit column"},
    }
    return frame


def _range_text(low: float, high: float) -> str:
    """A source's own range in words; blank when it gives none."""
    if pd.notna(low) and pd.notna(high):
        return f"{low:g}–{high:g}"
    if pd.notna(high):
        return f"up to {high:g}"
    if pd.notna(low):
        return f"at least {low:g}"
    return ""


#: Columns of :func:`estimates_table`, in the order the page shows them.
TABLE_COLUMNS = [
    "disagree",
    "origin",
    "series",
    "year",
    "value",
    "range",
    "unit",
    "basis",
    "publisher",
    "source_title",
    "source_url",
    "published",
    "note",
    "estimate_id",
]


def estimates_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The estimates as a reader sees them in a table.

    Parameters
    ----------
    frame
        Rows of :func:`estimates_with_sources`.

    Returns
    -------
    pandas.DataFrame
        :data:`TABLE_COLUMNS`: ``disagree`` is "⚠" or blank, ``range`` puts the
        source's low and high in words, ``basis`` is readable ("contract ceiling").
        A missing text is an empty string: a grid shows a missing value as "None".
    """
    table = pd.DataFrame(
        {
            "disagree": frame["disagree"].map({True: "⚠", False: ""}),
            "origin": frame["origin"],
            "series": frame["series"],
            "year": frame["year"],
            "value": frame["value"],
            "range": [_range_text(lo, hi) for lo, hi in zip(frame["low"], frame["high"])],
            "unit": frame["unit"],
            "basis": frame["basis"].map(BASIS_LABELS).fillna(frame["basis"]),
            **{c: frame[c] for c in ("publisher", "source_title", "source_url", "published", "note", "estimate_id")},
        },
        index=frame.index,
    )
    numeric = {"year", "value"}
    for column in TABLE_COLUMNS:
        if column not in numeric:
            table[column] = table[column].astype(object).where(table[column].notna(), "").astype(str)
    return table
