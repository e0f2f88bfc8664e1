"""What the user can change: the typed, bounded assumptions of the flow model.

The fields, their units, bounds, groups, labels and the rule behind each default
are data (``model_assumptions.csv``, read by :mod:`corridors.ledger.wiring`); the defaults
for a year come from :func:`corridors.model.baseline.baseline`. This module gives the
shipped corridor's model the names the rest of the package and its users know.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from corridors.ledger.wiring import AssumptionsBase, Wiring
from corridors.model.baseline import OBSERVED, Baseline, Kind, Provenance, baseline, ledger_figure


@cache
def shipped_wiring() -> Wiring:
    """The wiring of the shipped ledger (read once)."""
    from corridors.ledger.load import load_ledger

    return load_ledger().wiring


def wiring_of(wiring: Wiring | None) -> Wiring:
    return wiring if wiring is not None else shipped_wiring()


def parameter_info(name: str, wiring: Wiring | None = None) -> dict[str, Any]:
    """Unit, group, label, step, bounds, help text and rule of an assumption (of the shipped corridor by default)."""
    return wiring_of(wiring).parameter_info(name)


def parameter_names(group: str | None = None, wiring: Wiring | None = None) -> list[str]:
    """The assumptions a user sets, optionally of one group (of the shipped corridor by default)."""
    return wiring_of(wiring).parameter_names(group)


def __getattr__(name: str) -> Any:
    # The shipped corridor's model is built from its data on first use, not at import.
    if name == "Assumptions":
        return shipped_wiring().assumption_model
    if name in ("FIRST_YEAR", "LAST_YEAR"):
        info = shipped_wiring().parameter_info("year")
        return info["minimum"] if name == "FIRST_YEAR" else info["maximum"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "OBSERVED",
    "AssumptionsBase",
    "Baseline",
    "Kind",
    "Provenance",
    "baseline",
    "ledger_figure",
    "parameter_info",
    "parameter_names",
    "shipped_wiring",
]
