"""The model's wiring, read from the ledger's ``model_*.csv`` tables.

Which nodes supply and which take delivery, how freight demand splits into route
classes, what a km costs, which links a slider moves and how each indicator is
computed: all of it is data. The flow model reads it from here and knows no place
by name, so another corridor is another data folder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from corridors.ledger.expressions import parse, variables
from corridors.ledger.schema import WIRING_TABLES

#: Priority of each kind of supply and market in the flow programme (a larger reward is used first, a larger penalty served first).
SUPPLY_REWARD = {"import": 2.0, "production": 1.0}
MARKET_PENALTY = {"own_use": 1e5, "export": 1e4, "freight": 1e8}
ALL_BRANCHES = "*"


def split_ids(cell: object) -> list[str]:
    """The ids of a semicolon-separated cell (``a;b; c``), spaces stripped; [] for an empty cell.

    The one rule for every list-valued cell of the ledger (``source_ids``, ``nodes``,
    ``link_ids``, ``branches``, ``series``).
    """
    if cell is None or (not isinstance(cell, str) and pd.isna(cell)):
        return []
    return [part.strip() for part in str(cell).split(";") if part.strip()]


@dataclass(frozen=True)
class SeriesRef:
    """One ledger series a default reads: metric, subject and, for freight, branch."""

    metric: str
    subject: str
    branch: str | None = None

    @classmethod
    def parse(cls, text: str) -> SeriesRef:
        parts = text.split(":")
        if len(parts) not in (2, 3) or not all(parts):
            raise ValueError(f"series '{text}' is not metric:subject or metric:subject:branch")
        return cls(parts[0], parts[1], parts[2] if len(parts) == 3 else None)

    def __str__(self) -> str:
        return f"{self.metric} {self.subject}" + (f" ({self.branch})" if self.branch else "")


class AssumptionsBase(BaseModel):
    """Base of every corridor's assumption model; its fields come from ``model_assumptions.csv``."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)
    #: Checks of the whole scenario (no negative route share or demand), set by the wiring.
    _scenario_checks: ClassVar[tuple[Callable[[dict[str, float]], str | None], ...]] = ()
    #: The wiring the model was built from: units, labels, bounds and rules of each field.
    _wiring: ClassVar[Wiring | None] = None

    @classmethod
    def wiring(cls) -> Wiring:
        """The wiring this scenario's fields come from."""
        if cls._wiring is None:
            raise TypeError("AssumptionsBase has no fields: build a model with Wiring.assumption_model")
        return cls._wiring

    @model_validator(mode="after")
    def _fits_together(self) -> AssumptionsBase:
        values = variables(self.model_dump())
        problems = [message for check in self._scenario_checks if (message := check(values))]
        if problems:
            raise ValueError("; ".join(problems))
        return self


@dataclass(frozen=True, eq=False)
class Wiring:
    """The wiring tables of one ledger, and what is built from them.

    Attributes
    ----------
    assumptions, flows, routes, costs, indicators
        The ``model_*.csv`` tables as validated DataFrames.
    """

    assumptions: pd.DataFrame
    flows: pd.DataFrame
    routes: pd.DataFrame
    costs: pd.DataFrame
    indicators: pd.DataFrame
    backtest: pd.DataFrame

    @classmethod
    def from_tables(cls, tables: dict[str, pd.DataFrame]) -> Wiring:
        return cls(*(tables[name].reset_index(drop=True) for name in WIRING_TABLES))

    # -- assumptions ---------------------------------------------------------------------

    @cached_property
    def _rows(self) -> dict[str, dict[str, Any]]:
        return {row["name"]: row for row in self.assumptions.to_dict("records")}

    def parameter_info(self, name: str) -> dict[str, Any]:
        """Unit, group, label, step, bounds, help, note, rule and default fallback of an assumption."""
        return dict(self._infos[name])

    @cached_property
    def _infos(self) -> dict[str, dict[str, Any]]:
        # Read in every page run, dozens of times: parsed once per wiring.
        return {name: self._parse_info(name) for name in self._rows}

    def _parse_info(self, name: str) -> dict[str, Any]:
        row = self._rows[name]
        integer = bool(row["integer"])
        cast = int if integer else float
        return {
            "name": name,
            "unit": row["unit"],
            "group": row["group"],
            "label": row["label"],
            "step": cast(row["step"]),
            "minimum": cast(row["minimum"]),
            "maximum": cast(row["maximum"]),
            "default": cast(row["fallback"]),
            "integer": integer,
            "help": row["help"],
            "note": row["note"] if isinstance(row["note"], str) else "",
            "rule": row["rule"],
            "choose": row["choose"] if isinstance(row.get("choose"), str) else "highest",
            "before_first": row["before_first"] if isinstance(row.get("before_first"), str) else "fallback",
            "distribution": row["distribution"] if isinstance(row.get("distribution"), str) else None,
            "effect": row["effect"] if isinstance(row["effect"], str) else None,
            "link_ids": split_ids(row["link_ids"]),
            "series": [SeriesRef.parse(s) for s in split_ids(row["series"])],
            "low": None if pd.isna(row["low"]) else float(row["low"]),
            "high": None if pd.isna(row["high"]) else float(row["high"]),
        }

    @cached_property
    def year_name(self) -> str:
        """The assumption that holds the scenario year (read in every solve, so looked up once)."""
        return str(self.assumptions.loc[self.assumptions["rule"] == "year", "name"].iloc[0])

    def parameter_names(self, group: str | None = None) -> list[str]:
        """The assumptions a user sets (not the year), optionally of one group, in table order."""
        return list(self._names_by_group.get(group, ()))

    @cached_property
    def _names_by_group(self) -> dict[str | None, tuple[str, ...]]:
        rows = self.assumptions[self.assumptions["rule"] != "year"]
        by_group: dict[str | None, tuple[str, ...]] = {None: tuple(rows["name"])}
        for group in dict.fromkeys(rows["group"]):
            by_group[group] = tuple(rows.loc[rows["group"] == group, "name"])
        return by_group

    @property
    def groups(self) -> list[str]:
        """Sidebar groups in the order they first appear."""
        return [group for group in self._names_by_group if group is not None]

    @cached_property
    def assumption_model(self) -> type[AssumptionsBase]:
        """The pydantic model of one scenario's inputs: typed, bounded, checked as a whole."""
        fields: dict[str, Any] = {}
        for name in self.assumptions["name"]:
            info = self.parameter_info(name)
            kind = int if info["integer"] else float
            extra = {"unit": info["unit"], "group": info["group"], "label": info["label"], "step": info["step"]}
            bounded = Field(info["default"], ge=info["minimum"], le=info["maximum"], description=info["help"], json_schema_extra=extra)
            fields[name] = (kind, bounded)
        model = create_model("Assumptions", __base__=AssumptionsBase, __module__=__name__, **fields)
        model._scenario_checks = tuple(self._scenario_checks())
        model._wiring = self
        return model

    def _scenario_checks(self) -> list[Callable[[dict[str, float]], str | None]]:
        checks = []
        for kind, table, label_column, formula_column in (
            ("route class", self.routes, "label", "share"),
            ("demand of", self.flows, "label", "quantity"),
        ):
            for row in table.to_dict("records"):
                checks.append(_non_negative(kind, row[label_column], parse(row[formula_column])))
        return checks

    # -- flows, routes, costs, indicators ---------------------------------------------------

    def supplies(self, network: str) -> pd.DataFrame:
        return self.flows[(self.flows["network"] == network) & (self.flows["role"] == "supply")]

    def markets(self, network: str | None = None) -> pd.DataFrame:
        markets = self.flows[self.flows["role"] == "market"]
        return markets if network is None else markets[markets["network"] == network]

    @cached_property
    def networks(self) -> tuple[str, ...]:
        """Networks with at least one market, in table order."""
        # Kept (the wiring never changes): the page asks for it on every run.
        return tuple(dict.fromkeys(self.markets()["network"]))

    @cached_property
    def market_ends(self) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
        """Each market's origin (freight; empty for pooled supplies) and its delivery nodes."""
        return {
            row["flow_id"]: (frozenset([row["origin"]] if pd.notna(row["origin"]) else []), frozenset(split_ids(row["nodes"])))
            for row in self.markets().to_dict("records")
        }

    def market_label(self, market: str) -> str:
        labels = dict(zip(self.flows["flow_id"], self.flows["label"]))
        return str(labels.get(market, market))

    def assumptions_of_network(self, network: str | None = None) -> set[str]:
        """Assumptions that set a network's supplies, demands and route shares, or move its links (all when None)."""
        if network is None:
            return set(self.parameter_names())
        names: set[str] = set()
        for table, column in ((self.flows, "quantity"), (self.routes, "share"), (self.costs, "weight")):
            for formula in table.loc[table["network"] == network, column]:
                names |= parse(formula).names
        return names

    def indicator_rows(self) -> list[dict[str, Any]]:
        return self.indicators.to_dict("records")

    @cached_property
    def headline(self) -> tuple[str, ...]:
        """Indicators shown as the page's headline metrics, in order."""
        rows = self.indicators[self.indicators["headline"].notna()].sort_values("headline")
        return tuple(rows["indicator"])


def _non_negative(kind: str, label: str, expression: Any) -> Callable[[dict[str, float]], str | None]:
    def check(values: dict[str, float]) -> str | None:
        if not expression.names <= values.keys():
            return None
        value = expression.evaluate(values)
        if value >= -1e-9:
            return None
        used = ", ".join(f"{n} ({values[n]:g})" for n in sorted(expression.names))
        return (
            f"{kind} '{label}' would be {value:.2f} ({expression.text}); these assumptions cannot be used together: {used}. "
            "Lower one of them"
        )

    return check
