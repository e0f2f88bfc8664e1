"""Checks of ``gas_prices.csv`` beyond its columns' types.

The data package already checks each cell (types, enums, references to flows, links and
sources) and the validator checks that low <= value <= high. These rules span cells: a
price names the flows it is for and no link, a tariff names links and no flow, the flows
a price names play the role its kind needs, an assumption gives its range, and only an
import price says at which market the volume it frees up is valued. Each problem is
reported with file, line and column, like every other rule of the validator.
"""

from __future__ import annotations

import pandas as pd

from corridors.ledger.route_checks import ProblemSink
from corridors.ledger.wiring import split_ids

PRICES = "gas_prices.csv"
#: Kinds charged per volume carried on links, and kinds that are prices of flows.
LINK_KINDS: frozenset[str] = frozenset({"transit_tariff", "transit_tax"})
#: The flows each price kind may name: (role, kinds of flow) in model_flows.csv; None: any kind of that role.
FLOW_ROLES: dict[str, tuple[str, frozenset[str] | None]] = {
    "export_price": ("market", frozenset({"export"})),
    "hub_price": ("market", None),
    "import_price": ("supply", frozenset({"import"})),
}


def _line(index: object) -> int:
    # Row 0 of the frame is line 2 of the file: line 1 is the header.
    return int(index) + 2  # type: ignore[call-overload]


def check_prices(tables: dict[str, pd.DataFrame], report: ProblemSink) -> None:
    """Check ``gas_prices.csv`` if it could be read (an absent table is reported elsewhere)."""
    prices = tables.get("gas_prices")
    if prices is None:
        return
    flows = tables.get("model_flows")
    roles = {} if flows is None else {str(f): (str(r), str(k)) for f, r, k in zip(flows["flow_id"], flows["role"], flows["kind"])}
    for index, row in prices.iterrows():
        line, kind = _line(index), str(row["kind"])
        flow_ids, link_ids = split_ids(row["flow_ids"]), split_ids(row["link_ids"])
        if kind in LINK_KINDS:
            if not link_ids:
                report(PRICES, line, "link_ids", f"a {kind} names the links it is charged on")
            if flow_ids:
                report(PRICES, line, "flow_ids", f"a {kind} is charged on links: leave flow_ids blank")
        else:
            if link_ids:
                report(PRICES, line, "link_ids", f"'{kind}' is a price, not a charge on links: leave link_ids blank")
            if kind == "export_average" and flow_ids:
                report(PRICES, line, "flow_ids", "an export_average is over all export markets: leave flow_ids blank")
            if kind in FLOW_ROLES and not flow_ids:
                report(PRICES, line, "flow_ids", f"'{kind}' names the flows of model_flows.csv it is the price of")
            _check_roles(kind, flow_ids, roles, line, report)
        _check_margin_market(row, kind, roles, line, report)
        if row["basis"] == "assumption" and (pd.isna(row["low"]) or pd.isna(row["high"])):
            report(PRICES, line, "low", "an assumption gives its range: low and high are required")


def _check_roles(kind: str, flow_ids: list[str], roles: dict[str, tuple[str, str]], line: int, report: ProblemSink) -> None:
    """The flows a price names play the role its kind needs (unknown ids are the references' problem)."""
    if kind not in FLOW_ROLES:
        return
    role, kinds = FLOW_ROLES[kind]
    for flow_id in flow_ids:
        found = roles.get(flow_id)
        if found is None:
            continue
        if found[0] != role or (kinds is not None and found[1] not in kinds):
            wanted = f"{role} ({', '.join(sorted(kinds))})" if kinds else role
            article = "an" if kind[0] in "aeiou" else "a"
            report(PRICES, line, "flow_ids", f"'{flow_id}' is a {found[0]} ({found[1]}); {article} {kind} is for a {wanted}")


def _check_margin_market(row: pd.Series, kind: str, roles: dict[str, tuple[str, str]], line: int, report: ProblemSink) -> None:
    """Only an import price names a margin market, and it is an export market."""
    market = row["margin_market"]
    if pd.isna(market):
        return
    if kind != "import_price":
        report(PRICES, line, "margin_market", "only an import_price names the market its freed-up volume is valued at")
        return
    found = roles.get(str(market))
    if found is not None and found != ("market", "export"):
        report(PRICES, line, "margin_market", f"'{market}' is a {found[0]} ({found[1]}), not an export market")
