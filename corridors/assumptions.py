"""What the user can change: the typed, bounded assumptions of the flow model.

Every field carries its unit, bounds, group and label (pydantic ``Field`` metadata),
so the sliders, the URL, scenario files and the exports all read one definition.
Defaults depend on the ledger and the year: :func:`baseline` computes them and says
where each came from (:class:`Provenance`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from corridors.io import Ledger

FIRST_YEAR, LAST_YEAR = 2018, 2035
#: Estimates that count as observations when a default is read from the ledger.
OBSERVED = ("reported", "estimate", "contract")
Kind = Literal["ledger", "carried", "derived", "assumption"]


def _f(default: float, lo: float, hi: float, unit: str, group: str, label: str, help: str, step: float = 0.1) -> Any:
    return Field(default, ge=lo, le=hi, description=help, json_schema_extra={"unit": unit, "group": group, "label": label, "step": step})


class Assumptions(BaseModel):
    """One scenario's inputs. Bounds are physical or documented limits, not forecasts."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    year: int = Field(
        2025,
        ge=FIRST_YEAR,
        le=LAST_YEAR,
        description="Year the network and demands refer to.",
        json_schema_extra={"unit": "year", "group": "General", "label": "Year", "step": 1},
    )
    # Gas supply
    shah_deniz: float = _f(27.9, 0, 40, "bcm/yr", "Gas supply", "Shah Deniz output", "Gas produced by Shah Deniz.")
    acg: float = _f(14.1, 0, 25, "bcm/yr", "Gas supply", "ACG output", "Gas produced by Azeri-Chirag-Gunashli (gross).")
    absheron: float = _f(1.6, 0, 8, "bcm/yr", "Gas supply", "Absheron output", "Gas produced by Absheron.")
    socar_fields: float = _f(7.9, 0, 15, "bcm/yr", "Gas supply", "SOCAR's own fields", "Gas produced by SOCAR's own fields.")
    russia_to_azerbaijan: float = _f(
        0.0,
        0,
        13,
        "bcm/yr",
        "Gas supply",
        "Russian gas into Azerbaijan",
        "Deliveries through Mozdok–Gazi-Magomed; bounded by its larger sourced capacity (13 bcm/yr).",
    )
    turkmen_swap: float = _f(
        0.0,
        0,
        2,
        "bcm/yr",
        "Gas supply",
        "Turkmen gas by swap via Iran",
        "Turkmen gas delivered at Astara by swap; contract volume 1.5–2 bcm/yr.",
    )
    iran_swap_fee: float = _f(
        0.15,
        0.15,
        0.30,
        "share",
        "Gas supply",
        "Iran's swap fee",
        "Share of swapped gas Iran keeps (15% to 30% in the sources).",
        step=0.01,
    )
    # Gas demand
    az_own_use: float = _f(
        26.3,
        0,
        40,
        "bcm/yr",
        "Gas demand",
        "Azerbaijan's own use",
        "Consumption, fuel, reinjection and losses inside Azerbaijan (mainland).",
    )
    nakhchivan: float = _f(0.0, 0, 1.5, "bcm/yr", "Gas demand", "Nakhchivan", "Gas for the Nakhchivan exclave (via Iran or Türkiye).")
    georgia: float = _f(2.3, 0, 5, "bcm/yr", "Gas demand", "Georgia", "Azerbaijani gas sold to Georgia.")
    turkiye: float = _f(9.6, 0, 20, "bcm/yr", "Gas demand", "Türkiye", "Azerbaijani gas sold to Türkiye.")
    europe: float = _f(12.8, 0, 32, "bcm/yr", "Gas demand", "Europe (via TANAP/TAP)", "Azerbaijani gas sold to European buyers.")
    syria: float = _f(0.0, 0, 2, "bcm/yr", "Gas demand", "Syria (via Kilis)", "Azerbaijani gas to Syria through Türkiye.")
    # Gas capacities that users most often ask about
    tap_capacity: float = _f(
        10.0, 0, 20, "bcm/yr", "Gas capacity", "TAP capacity", "Trans Adriatic Pipeline: 10 bcm/yr, +1.2 from 2026, up to 20 in stages."
    )
    tanap_capacity: float = _f(16.0, 0, 32, "bcm/yr", "Gas capacity", "TANAP capacity", "16 bcm/yr; expansion paths to 22–24, then 31–32.")
    scp_capacity: float = _f(
        23.4, 0, 31, "bcm/yr", "Gas capacity", "SCP capacity", "23–23.4 bcm/yr after SCPX; 25 (bp) or 31 (SGC) possible."
    )
    # Freight
    instc_total: float = _f(
        20.0, 0, 60, "Mt/yr", "Freight", "INSTC cargo, both directions", "All INSTC cargo, every branch, both directions."
    )
    southbound_share: float = _f(
        0.75,
        0.5,
        0.95,
        "share",
        "Freight",
        "Share moving north → south",
        "No source splits INSTC cargo by direction; an explicit assumption.",
        step=0.05,
    )
    india_share: float = _f(
        0.2,
        0.0,
        0.6,
        "share",
        "Freight",
        "Share to/from India (rest: Iran)",
        "No source splits INSTC cargo by destination; an explicit assumption.",
        step=0.05,
    )
    western_share: float = _f(
        0.54,
        0.0,
        1.0,
        "share",
        "Freight",
        "Western branch share (via Azerbaijan)",
        "Share of the cargo that is tied to the western branch (the rest of the tied cargo: eastern and trans-Caspian).",
        step=0.01,
    )
    eastern_share: float = _f(
        0.12,
        0.0,
        1.0,
        "share",
        "Freight",
        "Eastern branch share (via Central Asia)",
        "Share of the tied cargo on the eastern branch; trans-Caspian takes what western and eastern leave.",
        step=0.01,
    )
    contestable_share: float = _f(
        0.25,
        0.0,
        1.0,
        "share",
        "Freight",
        "Share free to switch branch",
        "Cargo that takes the cheapest open route whatever the branch; the rest keeps to the branch shares.",
        step=0.05,
    )
    rasht_astara_opens: int = Field(
        2028,
        ge=2026,
        le=2040,
        description="Year the Rasht–Astara railway opens; before it, cargo is trucked.",
        json_schema_extra={"unit": "year", "group": "Freight", "label": "Rasht–Astara railway opens", "step": 1},
    )
    rail_cost_weight: float = _f(
        2.5,
        1.0,
        5.0,
        "× sea",
        "Freight",
        "Rail cost per t-km (sea = 1)",
        "Relative cost that routes cargo; no public tariff set allows more.",
        step=0.1,
    )
    caspian_cost_weight: float = _f(
        2.0,
        1.0,
        6.0,
        "× sea",
        "Freight",
        "Caspian shipping cost per t-km (ocean = 1)",
        "Relative cost of the Caspian crossing (small ships, the shallow Volga–Caspian channel).",
        step=0.1,
    )
    road_cost_weight: float = _f(
        6.0,
        2.0,
        12.0,
        "× sea",
        "Freight",
        "Road cost per t-km (sea = 1)",
        "Relative cost that routes cargo; no public tariff set allows more.",
        step=0.5,
    )
    az_transit_tariff: float = _f(
        10.0,
        0,
        40,
        "USD/t",
        "Freight",
        "Azerbaijan transit tariff",
        "Income per tonne crossing Azerbaijan; no ADY tariff is published.",
        step=0.5,
    )

    @model_validator(mode="after")
    def _branch_shares_fit(self) -> Assumptions:
        if self.western_share + self.eastern_share > 1.0 + 1e-9:
            raise ValueError(
                f"western_share ({self.western_share:g}) + eastern_share ({self.eastern_share:g}) is more than 1: "
                "together they cannot take more than all of the tied cargo; lower one of them"
            )
        return self


@dataclass(frozen=True)
class Provenance:
    """Where a default came from."""

    value: float
    kind: Kind
    label: str
    source_ids: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None

    def describe(self) -> str:
        text = self.label
        if self.low is not None and self.high is not None and self.low != self.high:
            text += f" Sources range {self.low:g}–{self.high:g}."
        if self.source_ids:
            text += " Source ids: " + ", ".join(self.source_ids) + "."
        return text


@dataclass(frozen=True)
class Baseline:
    """Default assumptions for a year, each with its provenance."""

    assumptions: Assumptions
    provenance: dict[str, Provenance] = field(default_factory=dict)


def parameter_info(name: str) -> dict[str, Any]:
    """Unit, group, label, step, bounds and help text of an assumption."""
    info = Assumptions.model_fields[name]
    extra = dict(info.json_schema_extra or {})
    bounds = {type(m).__name__: getattr(m, type(m).__name__.lower(), None) for m in info.metadata}
    extra.update(minimum=bounds.get("Ge"), maximum=bounds.get("Le"), help=info.description, default=info.default)
    return extra


def parameter_names(group: str | None = None) -> list[str]:
    names = [n for n in Assumptions.model_fields if n != "year"]
    return [n for n in names if group is None or parameter_info(n)["group"] == group]


def ledger_figure(ledger: Ledger, metric: str, subject: str, year: int, branch: str | None = None) -> Provenance | None:
    """The ledger's central figure for a metric and year, or the latest before it.

    Where several sources give a figure for the same year, the central value is
    their median and ``low``/``high`` span all of them (and their own ranges).
    Returns None when the ledger has no observation up to ``year``.
    """
    est = ledger.estimates
    rows = est[(est["metric"] == metric) & (est["subject"] == subject) & est["basis"].isin(OBSERVED) & (est["year"] <= year)]
    if branch is not None:
        rows = rows[rows["branch"] == branch]
    if rows.empty:
        return None
    latest = int(rows["year"].max())
    rows = rows[rows["year"] == latest]
    unit_scale = rows["unit"].map({"kt": 0.001}).fillna(1.0)
    values = rows["value"] * unit_scale
    lows = rows["low"].fillna(rows["value"]) * unit_scale
    highs = rows["high"].fillna(rows["value"]) * unit_scale
    central = float(values.median())
    when = f"{latest}" if latest == year else f"{latest}, the latest year with a figure (none for {year})"
    kind: Kind = "ledger" if latest == year else "carried"
    many = f"median of {len(rows)} sources" if len(rows) > 1 else "one source"
    return Provenance(
        value=round(central, 3),
        kind=kind,
        label=f"Ledger: {metric} {subject} for {when}, {many}.",
        source_ids=tuple(dict.fromkeys(rows["source_id"])),
        low=float(lows.min()),
        high=float(highs.max()),
    )


# Which ledger series feeds which assumption.
LEDGER_DEFAULTS: dict[str, tuple[str, str] | tuple[str, str, str]] = {
    "shah_deniz": ("field_production", "shah_deniz"),
    "acg": ("field_production", "acg"),
    "absheron": ("field_production", "absheron"),
    "socar_fields": ("field_production", "socar_fields"),
    "russia_to_azerbaijan": ("gas_imports", "RU>AZ"),
    "turkmen_swap": ("gas_imports", "TM>AZ"),
    "georgia": ("gas_exports", "AZ>GE"),
    "turkiye": ("gas_exports", "AZ>TR"),
    "europe": ("gas_exports", "AZ>Europe"),
    "syria": ("gas_exports", "AZ>SY"),
    "instc_total": ("instc_volume", "INSTC", "overall"),
}

ASSUMPTION_NOTES: dict[str, str] = {
    "iran_swap_fee": "Assumption: the sources give about 15% (2016 Turkmen deal), about one fifth "
    "(Nakhchivan swap) and 20–30% (SOCAR, 2022).",
    "nakhchivan": "Assumption: no annual volume for Nakhchivan is public (Iran's swap deliveries are left out of export statistics).",
    "tap_capacity": "Ledger: TAP's capacity (10 bcm/yr); the expansion steps are in the link's note.",
    "tanap_capacity": "Ledger: TANAP's capacity (16 bcm/yr).",
    "scp_capacity": "Ledger: SCP's capacity after SCPX.",
    "southbound_share": "Assumption: no source splits INSTC cargo by direction (Caspian ports report "
    "~90% Iran-bound, a single-branch figure).",
    "india_share": "Assumption: no source splits INSTC cargo between Iran and India.",
    "rasht_astara_opens": "Ledger: 2028, the completion year given by Russia's deputy prime minister Overchuk (Oct "
    "2023); construction had not started by Dec 2025.",
    "contestable_share": "Assumption: no source measures how much cargo would switch branch; 0.25 is a neutral starting point.",
    "caspian_cost_weight": "Assumption: relative routing cost; no public Caspian freight rate per t-km was found.",
    "rail_cost_weight": "Assumption: relative routing cost; no comparable public rail/road/sea tariffs for these legs.",
    "road_cost_weight": "Assumption: relative routing cost; no comparable public rail/road/sea tariffs for these legs.",
    "az_transit_tariff": "Assumption: no ADY transit tariff is published. 10 USD/t sits in the range implied by the "
    "eastern route's 0.15–0.24 USD/TEU-km over ~500 km at 10 t/TEU.",
}


def _capacity(ledger: Ledger, asset_word: str) -> Provenance | None:
    links = ledger.links
    rows = links[links["asset"].str.contains(asset_word, case=False, regex=False) & (links["network"] == "gas") & links["capacity"].notna()]
    if rows.empty:
        return None
    row = rows.iloc[0]
    ids = tuple(s for s in row["source_ids"].split(";"))
    return Provenance(
        float(row["capacity"]),
        "ledger",
        f"Ledger: capacity of {row['asset']} ({row['link_id']}).",
        ids,
        None if pd.isna(row["capacity_low"]) else float(row["capacity_low"]),
        None if pd.isna(row["capacity_high"]) else float(row["capacity_high"]),
    )


BRANCH_FIGURES = {  # branch -> the ledger series that best measures its cargo
    "western": ("crossing_volume", "yalama"),
    "eastern": ("crossing_volume", "bolashak"),
    "trans_caspian": ("port_throughput", "astrakhan"),
}


def _branch_shares(ledger: Ledger, year: int, values: dict[str, Any], provenance: dict[str, Provenance]) -> None:
    """Branch shares derived from the latest cargo figure of each branch."""
    figures = {b: ledger_figure(ledger, m, s, year) for b, (m, s) in BRANCH_FIGURES.items()}
    if any(f is None or f.value <= 0 for f in figures.values()):
        return
    total = sum(f.value for f in figures.values())
    used = "; ".join(f"{b.replace('_', '-')} {f.value:g} Mt ({f.label.split(' for ')[1].split(',')[0]})" for b, f in figures.items())
    ids = tuple(i for f in figures.values() for i in f.source_ids)
    for branch in ("western", "eastern"):
        share = round(figures[branch].value / total, 2)
        values[f"{branch}_share"] = share
        provenance[f"{branch}_share"] = Provenance(
            share,
            "derived",
            f"Derived: each branch's latest cargo figure over their sum ({used}). Years and definitions differ, so this is a rough split.",
            ids,
        )


def _suspended_swap(ledger: Ledger, values: dict[str, Any], provenance: dict[str, Provenance]) -> None:
    """A swap volume carried forward from an earlier year is not used while the swap is suspended."""
    prov = provenance.get("turkmen_swap")
    links = ledger.links
    suspended = links[(links["from_node"] == "turkmenistan") & (links["status"] == "suspended")]
    if prov is None or prov.kind != "carried" or suspended.empty:
        return
    values["turkmen_swap"] = 0.0
    provenance["turkmen_swap"] = Provenance(
        0.0,
        "derived",
        f"{prov.label} Not carried forward: links.csv marks the swap ({suspended.iloc[0]['link_id']}) as suspended.",
        prov.source_ids,
        prov.low,
        prov.high,
    )


def baseline(ledger: Ledger, year: int = 2025) -> Baseline:
    """Default assumptions for ``year``, read from the ledger wherever it has a figure.

    Parameters
    ----------
    ledger
        The validated ledger.
    year
        The scenario year (2018–2035).

    Returns
    -------
    Baseline
        The assumptions and, for each field, where its default came from: a
        ledger figure for the year, one carried forward from the latest year with
        data, a figure derived from ledger figures, or an explicit assumption.
    """
    values: dict[str, Any] = {"year": year}
    provenance: dict[str, Provenance] = {}
    for name, spec in LEDGER_DEFAULTS.items():
        metric, subject = spec[0], spec[1]
        found = ledger_figure(ledger, metric, subject, year, spec[2] if len(spec) > 2 else None)
        info = parameter_info(name)
        if found is None:
            found = Provenance(
                0.0, "assumption", f"Assumption: the ledger has no {metric} {subject} figure up to {year}; 0 until a source says otherwise."
            )
        clipped = min(max(found.value, info["minimum"]), info["maximum"])
        values[name] = clipped
        provenance[name] = (
            found
            if clipped == found.value
            else Provenance(
                clipped, "derived", found.label + f" Clipped to the bound {clipped:g}.", found.source_ids, found.low, found.high
            )
        )
    _suspended_swap(ledger, values, provenance)
    production = ledger_figure(ledger, "gas_production", "AZ", year)
    exports = ledger_figure(ledger, "gas_exports", "AZ>all", year)
    if production is not None and exports is not None:
        own = round(max(production.value - exports.value, 0.0), 3)
        values["az_own_use"] = own
        provenance["az_own_use"] = Provenance(
            own,
            "derived",
            f"Derived: production ({production.value:g}) minus exports ({exports.value:g}); includes "
            f"consumption, reinjection, fuel and losses. No public consumption series.",
            production.source_ids + exports.source_ids,
        )
    _branch_shares(ledger, year, values, provenance)
    for name, word in (("tap_capacity", "TAP"), ("tanap_capacity", "TANAP"), ("scp_capacity", "South Caucasus")):
        found = _capacity(ledger, word)
        if found is not None:
            values[name] = found.value
            provenance[name] = found
    if year >= 2026 and "tap_capacity" in provenance:
        values["tap_capacity"] = round(values["tap_capacity"] + 1.2, 3)
        base = provenance["tap_capacity"]
        provenance["tap_capacity"] = Provenance(
            values["tap_capacity"], "derived", base.label + " Plus the 1.2 bcm/yr committed from 1 Jan 2026.", base.source_ids
        )
    for name in Assumptions.model_fields:
        if name not in provenance and name != "year":
            default = Assumptions.model_fields[name].default
            values.setdefault(name, default)
            note = ASSUMPTION_NOTES.get(name, "Assumption: no public figure.")
            kind: Kind = "ledger" if note.startswith("Ledger") else "assumption"
            provenance[name] = Provenance(float(default), kind, note)
    return Baseline(Assumptions(**values), provenance)
