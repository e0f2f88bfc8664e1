"""Table descriptions of the ledger, read from ``data/datapackage.json``.

The data package is the single description of every table: column names, types,
units, allowed values and references between tables. The validator, the loader and
the exports all read it, so a column is described once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from corridors.resources import shipped_data_dir

PACKAGE_FILE = "datapackage.json"

#: The unit of flow and capacity on each network, and the units its yearly estimates may use: the one place for them.
NETWORK_UNITS: dict[str, str] = {"gas": "bcm/yr", "freight": "Mt/yr"}
ESTIMATE_UNITS: dict[str, set[str]] = {"gas": {"bcm"}, "freight": {"Mt", "kt"}}

#: The ledger's own tables, in load order.
LEDGER_TABLES: tuple[str, ...] = ("sources", "nodes", "branches", "links", "estimates", "gaps", "series", "events")
#: Route economics: named routes, the days and cost per container of their legs, railway discounts.
ROUTE_TABLES: tuple[str, ...] = ("routes", "route_legs", "route_discounts")
#: Gas money: prices by market and year, the Russian import price, pipeline tariffs and taxes.
PRICE_TABLES: tuple[str, ...] = ("gas_prices",)
#: The model's wiring: roles of nodes, assumptions and their rules, route classes, costs, indicators.
WIRING_TABLES: tuple[str, ...] = ("model_assumptions", "model_flows", "model_routes", "model_costs", "model_indicators", "model_backtest")
#: Every table a ledger folder must have.
TABLES: tuple[str, ...] = (*LEDGER_TABLES, *ROUTE_TABLES, *PRICE_TABLES, *WIRING_TABLES)


@dataclass(frozen=True)
class FieldSpec:
    """One column of a table, as the data package describes it."""

    name: str
    type: str
    description: str
    required: bool = False
    unique: bool = False
    enum: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class ForeignKey:
    """A column whose values must exist in another table's key column."""

    column: str
    table: str
    key: str
    list_separator: str | None = None


@dataclass(frozen=True)
class TableSpec:
    """A table of the ledger: its file, title, columns and references."""

    name: str
    path: str
    title: str
    description: str
    primary_key: str
    fields: tuple[FieldSpec, ...]
    foreign_keys: tuple[ForeignKey, ...] = field(default_factory=tuple)

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(f"table {self.name!r} has no column {name!r}")


def _field_from_json(raw: dict) -> FieldSpec:
    constraints = raw.get("constraints", {})
    enum = constraints.get("enum")
    return FieldSpec(
        name=raw["name"],
        type=raw["type"],
        description=raw.get("description", ""),
        required=bool(constraints.get("required", False)),
        unique=bool(constraints.get("unique", False)),
        enum=tuple(enum) if enum is not None else None,
        minimum=constraints.get("minimum"),
        maximum=constraints.get("maximum"),
        pattern=constraints.get("pattern"),
        unit=raw.get("unit"),
    )


def read_package(package_path: Path) -> dict[str, TableSpec]:
    """Read a data package file into table specs keyed by table name.

    Parameters
    ----------
    package_path
        Path of a ``datapackage.json``.

    Returns
    -------
    dict
        ``{table name: TableSpec}`` in the order of the file.
    """
    raw = json.loads(package_path.read_text(encoding="utf-8"))
    specs: dict[str, TableSpec] = {}
    for resource in raw["resources"]:
        schema = resource["schema"]
        keys = tuple(
            ForeignKey(
                column=fk["fields"],
                table=fk["reference"]["resource"],
                key=fk["reference"]["fields"],
                list_separator=fk.get("list"),
            )
            for fk in resource.get("foreignKeys", [])
        )
        specs[resource["name"]] = TableSpec(
            name=resource["name"],
            path=resource["path"],
            title=resource.get("title", resource["name"]),
            description=resource.get("description", ""),
            primary_key=schema["primaryKey"],
            fields=tuple(_field_from_json(f) for f in schema["fields"]),
            foreign_keys=keys,
        )
    return specs


@cache
def table_specs() -> dict[str, TableSpec]:
    """Table specs of the shipped data package.

    The schema is part of the code's contract, so a ledger in another folder is
    validated against the shipped description, not against one it brings along.
    """
    return read_package(shipped_data_dir() / PACKAGE_FILE)


def __getattr__(name: str) -> Path:
    # The shipped ledger's folder, found when first asked for: a missing ledger must not break `import corridors`.
    if name == "DATA_DIR":
        return shipped_data_dir()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
