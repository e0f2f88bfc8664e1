"""Checks of the model's wiring tables that a column description cannot express.

The data package checks each cell (types, allowed values, references to nodes and
links). These checks look across cells and tables: formulas that name unknown
assumptions, a rule without the series it reads, a market whose nodes are of
another network. Each problem names the file, line and column, like every other
problem of the ledger.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from corridors.ledger.expressions import Call, check
from corridors.ledger.wiring import ALL_BRANCHES, SeriesRef, split_ids

ProblemSink = Callable[[str, int | None, str | None, str], None]

RULE_SERIES = {"latest": (1, 1), "difference": (2, None), "share": (2, None), "ratio": (2, 2), "apportion": (2, 2)}
SUPPLY_KINDS = {"production", "import"}
MARKET_KINDS = {"own_use", "export", "freight"}


def _line(index: object) -> int:
    return int(index) + 2  # line 1 is the header


def check_wiring(tables: dict[str, pd.DataFrame], metrics: set[str], report: ProblemSink) -> None:
    """Report every cross-cell problem of the wiring tables present in ``tables``."""
    assumptions = tables.get("model_assumptions")
    names = set(assumptions["name"].dropna()) if assumptions is not None else set()
    if assumptions is not None:
        _check_assumptions(assumptions, tables.get("links"), metrics, report)
    flows = tables.get("model_flows")
    if flows is not None:
        _check_flows(flows, names, tables.get("nodes"), report)
    branches = set(tables["links"]["branch"].dropna()) if tables.get("links") is not None else None
    routes = tables.get("model_routes")
    if routes is not None:
        for index, row in routes.iterrows():
            _formula(report, "model_routes.csv", index, "share", row["share"], names)
            for branch in split_ids(row["branches"]):
                if branch != ALL_BRANCHES and branches is not None and branch not in branches:
                    report("model_routes.csv", _line(index), "branches", f"no link in links.csv is on branch '{branch}'")
    costs = tables.get("model_costs")
    if costs is not None:
        _check_costs(costs, names, tables.get("links"), report)
    link_ids = set(tables["links"]["link_id"].dropna()) if tables.get("links") is not None else None
    indicators = tables.get("model_indicators")
    if indicators is not None:
        _check_indicators(indicators, names, flows, tables.get("nodes"), branches, link_ids, report)
    backtest = tables.get("model_backtest")
    if backtest is not None and indicators is not None:
        every_indicator = set(indicators["indicator"].dropna())
        _check_indicators(
            backtest.rename(columns={"series": "indicator"}),
            names | every_indicator,
            flows,
            tables.get("nodes"),
            branches,
            link_ids,
            report,
            "model_backtest.csv",
        )
        for index, cell in backtest["published_series"].items():
            try:
                ref = SeriesRef.parse(str(cell))
            except ValueError as err:
                report("model_backtest.csv", _line(index), "published_series", str(err))
                continue
            if ref.metric not in metrics:
                report("model_backtest.csv", _line(index), "published_series", f"unknown metric '{ref.metric}'")


def _formula(report: ProblemSink, file: str, index: object, column: str, text: object, names: set[str], functions=None) -> None:
    if not isinstance(text, str):
        return
    for message in check(text, names, functions):
        report(file, _line(index), column, message)


def _check_costs(costs: pd.DataFrame, names: set[str], links: pd.DataFrame | None, report: ProblemSink) -> None:
    """One row per (network, mode, branch, links); named links fit the row; a published rate names its sources."""
    seen: set[tuple] = set()
    units: dict[str, str] = {}
    kinds = {} if links is None else {row["link_id"]: (row["network"], row["mode"]) for row in links.to_dict("records")}
    for index, row in costs.iterrows():
        _formula(report, "model_costs.csv", index, "weight", row["weight"], names)
        named = split_ids(row["link_ids"])
        key = (row["network"], row["mode"], row["branch"] if isinstance(row["branch"], str) else "", ";".join(sorted(named)))
        if key in seen:
            report("model_costs.csv", _line(index), "mode", f"a second cost row for {'/'.join(k for k in key if k)}")
        seen.add(key)
        for link in named:
            if link in kinds and kinds[link] != (row["network"], row["mode"]):
                network, mode = kinds[link]
                report(
                    "model_costs.csv",
                    _line(index),
                    "link_ids",
                    f"link '{link}' is a {network} {mode} link, not {row['network']} {row['mode']}: name it in a row of its own mode",
                )
        if row["basis"] == "published" and not split_ids(row["source_ids"]):
            report("model_costs.csv", _line(index), "source_ids", "a published rate needs the ids of its sources")
        if row["basis"] != "tie_break":
            unit = row["unit"] if isinstance(row["unit"], str) else ""
            first = units.setdefault(row["network"], unit)
            if unit != first:
                wanted = f"the unit '{first}'" if first else "no unit"
                message = f"{row['network']} costs are added along a route: this row needs {wanted}, as the first"
                report("model_costs.csv", _line(index), "unit", message)


def _check_assumptions(frame: pd.DataFrame, links: pd.DataFrame | None, metrics: set[str], report: ProblemSink) -> None:
    file = "model_assumptions.csv"
    first_year = dict(zip(links["link_id"], links["first_year"])) if links is not None else {}
    if (frame["rule"] == "year").sum() != 1:
        report(file, None, "rule", "exactly one assumption must have the rule 'year' (the scenario year)")
    for index, row in frame.iterrows():
        line = _line(index)
        lo, hi, fallback = row["minimum"], row["maximum"], row["fallback"]
        if pd.notna(lo) and pd.notna(hi) and lo > hi:
            report(file, line, "minimum", f"minimum {lo:g} is greater than maximum {hi:g}")
        if pd.notna(fallback) and pd.notna(lo) and pd.notna(hi) and not lo <= fallback <= hi:
            report(file, line, "fallback", f"fallback {fallback:g} is outside {lo:g}–{hi:g}")
        if pd.notna(row["low"]) and pd.notna(row["high"]) and row["low"] > row["high"]:
            report(file, line, "low", f"low {row['low']:g} is greater than high {row['high']:g}")
        for bound in ("low", "high"):
            if pd.notna(row[bound]) and pd.notna(lo) and pd.notna(hi) and not lo <= row[bound] <= hi:
                report(file, line, bound, f"{bound} {row[bound]:g} is outside the bounds {lo:g}–{hi:g}")
        if row["integer"] and pd.notna(fallback) and fallback % 1:
            report(file, line, "fallback", f"fallback {fallback:g} is not a whole number, but the assumption is")
        rule, series, link_ids = row["rule"], split_ids(row["series"]), split_ids(row["link_ids"])
        if rule in RULE_SERIES:
            least, most = RULE_SERIES[rule]
            if len(series) < least or (most is not None and len(series) > most):
                wanted = f"exactly {least}" if least == most else f"at least {least}"
                report(file, line, "series", f"rule '{rule}' reads {wanted} series (metric:subject), got {len(series)}")
        for text in series:
            try:
                ref = SeriesRef.parse(text)
            except ValueError as err:
                report(file, line, "series", str(err))
                continue
            if ref.metric not in metrics:
                report(file, line, "series", f"unknown metric '{ref.metric}' in series '{text}'")
        silent = not isinstance(row.get("before_first"), str) or row["before_first"] == "fallback"
        if rule in RULE_SERIES and silent and not (isinstance(row["note"], str) and row["note"].strip()):
            report(
                file,
                line,
                "note",
                "before the series' first figure the default is the fallback: say why in note, or set before_first to 'earliest'",
            )
        if rule == "assumption" and (pd.isna(row["low"]) or pd.isna(row["high"])):
            report(file, line, "low", "a labelled assumption needs its range: fill low and high")
        if rule in ("link_capacity", "link_first_year") and not link_ids:
            report(file, line, "link_ids", f"rule '{rule}' reads a link: name it in link_ids")
        if rule == "link_first_year" and link_ids and link_ids[0] in first_year and pd.isna(first_year[link_ids[0]]):
            report(file, line, "link_ids", f"link '{link_ids[0]}' has no first_year in links.csv")
        if isinstance(row["effect"], str) and not link_ids:
            report(file, line, "link_ids", f"effect '{row['effect']}' moves links: name them in link_ids")


def _check_flows(frame: pd.DataFrame, names: set[str], nodes: pd.DataFrame | None, report: ProblemSink) -> None:
    file = "model_flows.csv"
    node_network = dict(zip(nodes["node_id"], nodes["network"])) if nodes is not None else {}
    for index, row in frame.iterrows():
        line = _line(index)
        _formula(report, file, index, "quantity", row["quantity"], names)
        kinds = SUPPLY_KINDS if row["role"] == "supply" else MARKET_KINDS
        if pd.notna(row["kind"]) and row["kind"] not in kinds:
            report(file, line, "kind", f"a {row['role']} is one of {', '.join(sorted(kinds))}, not '{row['kind']}'")
        node_ids = split_ids(row["nodes"])
        if row["role"] == "supply" and len(node_ids) != 1:
            report(file, line, "nodes", "a supply enters at exactly one node")
        needs_origin = row["kind"] == "freight"
        if needs_origin and pd.isna(row["origin"]):
            report(file, line, "origin", "a freight market needs the node its cargo starts from")
        if not needs_origin and pd.notna(row["origin"]):
            report(file, line, "origin", "only freight markets have an origin")
        for node in [*node_ids, *([row["origin"]] if pd.notna(row["origin"]) else [])]:
            network = node_network.get(node)
            if network is not None and network not in ("both", row["network"]):
                report(file, line, "nodes", f"node '{node}' is a {network} node, but the flow is {row['network']}")


def _check_indicators(
    frame: pd.DataFrame,
    assumptions: set[str],
    flows: pd.DataFrame | None,
    nodes: pd.DataFrame | None,
    branches: set[str] | None,
    link_ids: set[str] | None,
    report: ProblemSink,
    file: str = "model_indicators.csv",
) -> None:
    flow_ids = set(flows["flow_id"]) if flows is not None else set()
    kinds = set(flows["kind"]) if flows is not None else set()
    networks = set(flows["network"]) if flows is not None else set()
    countries = set(nodes["country"].dropna()) if nodes is not None else set()
    known_indicators: set[str] = set()

    def selector(*allowed: str, positional: set[str] | None = None) -> Callable[[Call], str | None]:
        def check_call(call: Call) -> str | None:
            if len(call.args) > (1 if positional is not None else 0):
                return f"{call.function}() takes {'one id and ' if positional is not None else ''}keywords {', '.join(allowed)}"
            for arg in call.args:
                if positional is not None and arg not in positional:
                    return f"{call.function}(): unknown id '{arg}' (not in model_flows.csv)"
            for key, value in call.kwargs:
                if key not in allowed:
                    return f"{call.function}(): unknown keyword '{key}' (allowed: {', '.join(allowed)})"
                valid = {"kind": kinds, "network": networks, "branch": branches, "crosses": countries, "link": link_ids}.get(key)
                if key == "between" and not set(value.split()) <= countries:
                    return f"{call.function}(): between='{value}' must name two countries of nodes.csv"
                if valid is not None and value not in valid:
                    return f"{call.function}(): {key}='{value}' matches nothing"
            return None

        return check_call

    def opening_effect(call: Call) -> str | None:
        if len(call.args) != 2 or call.kwargs:
            return "opening_effect() takes an assumption with the effect 'opening_year' and an earlier indicator"
        if call.args[0] not in assumptions:
            return f"opening_effect(): unknown assumption '{call.args[0]}'"
        if call.args[1] not in known_indicators:
            return f"opening_effect(): '{call.args[1]}' is not an earlier indicator"
        return None

    functions = {
        "used": selector("kind", "network", positional=flow_ids),
        "offered": selector("kind", "network", positional=flow_ids),
        "delivered": selector("kind", "network", positional=flow_ids),
        "unmet": selector("kind", "network", positional=flow_ids),
        "flow": selector("network", "branch", "mode", "crosses", "between", "link"),
        "opening_effect": opening_effect,
    }
    for index, row in frame.iterrows():
        _formula(report, file, index, "formula", row["formula"], assumptions | known_indicators, functions)
        known_indicators.add(row["indicator"])
