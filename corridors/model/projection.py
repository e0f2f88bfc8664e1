"""Years after the last outturn: the latest figures carried forward, grown at rates the reader sets.

No source publishes a forecast the model could take for every supply and demand, so the
baseline of a later year carries the latest published figures forward unchanged. A years
view may grow them instead: each wiring group of quantities (supplies, demands, freight)
grows at its own yearly rate from the last full year on. The rates are labelled
assumptions with a range, zero by default (the baseline's own flat carry-forward).

Pure Python: no Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from corridors.ledger.load import Ledger
from corridors.ledger.schema import NETWORK_UNITS
from corridors.ledger.wiring import AssumptionsBase, Wiring

#: Rules whose default is a quantity read from the ledger's yearly figures: these are carried forward, so these grow.
QUANTITY_RULES = ("latest", "difference", "apportion")
#: The range a reader may set for a group's growth, in % a year, and its default (the baseline's flat carry-forward).
GROWTH_RANGE = (-5.0, 10.0)
GROWTH_DEFAULT = 0.0
GROWTH_NOTE = (
    "Assumption: no source publishes a forecast for every supply and demand, so years after the last full year carry the "
    "latest figures forward; each group's figures then grow at the rate set here ({low:g} to {high:g} % a year; default 0, "
    "the flat carry-forward). Capacities and opening years do not grow."
)


@dataclass(frozen=True)
class Projection:
    """How the years after ``start`` are projected: a yearly growth rate (%) per wiring group."""

    start: int
    growth: Mapping[str, float]

    def describe(self) -> str:
        rates = ", ".join(f"{group} {rate:+g} %/yr" for group, rate in self.growth.items())
        return f"Years after {self.start} are projections: latest figures carried forward" + (f", grown: {rates}" if rates else "") + "."


def last_full_year(today: date | None = None) -> int:
    """The latest year that is over: the last one an outturn could have been published for."""
    return (today or date.today()).year - 1


def growing_assumptions(wiring: Wiring) -> dict[str, list[str]]:
    """Wiring group → the assumptions that grow with it: quantities in a network's flow unit read from yearly figures."""
    units = set(NETWORK_UNITS.values())
    groups: dict[str, list[str]] = {}
    for name in wiring.parameter_names():
        info = wiring.parameter_info(name)
        if info["rule"] in QUANTITY_RULES and info["unit"] in units:
            groups.setdefault(str(info["group"]), []).append(name)
    return groups


def projected(wiring: Wiring, assumptions: AssumptionsBase, projection: Projection) -> AssumptionsBase:
    """``assumptions`` of a year after the projection's start, each growing quantity grown at its group's rate.

    A value is compounded from the start year, ``value × (1 + rate)^(year − start)``, and
    kept within its assumption's bounds. Years up to the start, and rates of zero, change
    nothing.

    Raises
    ------
    pydantic.ValidationError
        When the grown values break one of the model's cross-field rules.
    """
    years = int(assumptions.year) - projection.start
    if years <= 0:
        return assumptions
    changed: dict[str, float] = {}
    for group, names in growing_assumptions(wiring).items():
        rate = float(projection.growth.get(group, 0.0))
        if rate == 0.0:
            continue
        for name in names:
            info = wiring.parameter_info(name)
            value = float(getattr(assumptions, name)) * (1 + rate / 100) ** years
            changed[name] = round(min(max(value, info["minimum"]), info["maximum"]), 4)
    # Validated again: a grown value must still meet the model's cross-field rules (a share of a total stays below it).
    return type(assumptions)(**{**assumptions.model_dump(), **changed}) if changed else assumptions


def growth_groups(ledger: Ledger) -> list[str]:
    """The groups a reader may set a growth rate for, in the wiring's order."""
    return list(growing_assumptions(ledger.wiring))


__all__ = [
    "GROWTH_DEFAULT",
    "GROWTH_NOTE",
    "GROWTH_RANGE",
    "Projection",
    "growing_assumptions",
    "growth_groups",
    "last_full_year",
    "projected",
]
