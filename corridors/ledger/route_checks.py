"""Checks of the route tables (routes.csv, route_legs.csv, route_discounts.csv) beyond their columns' types.

The data package already checks each cell (types, enums, references). These rules span
cells and rows: ranges that come as a triple, a leg that switches with a link but names
none, two legs that share an input with different ranges, a route without legs. Each
problem is reported with file, line and column, like every other rule of the validator.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

#: ``report(file, line, column, message)``: where the checks put what they find.
ProblemSink = Callable[[str, int | None, str | None, str], None]

LEGS, ROUTES, DISCOUNTS = "route_legs.csv", "routes.csv", "route_discounts.csv"
#: The two figures a leg may carry, each as a low/central/high triple.
FIGURES: tuple[str, ...] = ("days", "cost")


def _line(index: object) -> int:
    # Row 0 of the frame is line 2 of the file: line 1 is the header.
    return int(index) + 2  # type: ignore[call-overload]


def has_figure(row: dict, figure: str) -> bool:
    """Whether a leg row gives its days (``figure="days"``) or its cost."""
    return pd.notna(row[f"{figure}_central"])


def check_routes(tables: dict[str, pd.DataFrame], report: ProblemSink) -> None:
    """Check the route tables that could be read; absent ones are reported elsewhere."""
    legs, routes, discounts = tables.get("route_legs"), tables.get("routes"), tables.get("route_discounts")
    if legs is not None:
        _check_legs(legs, report)
    if routes is not None and legs is not None:
        _check_routes(routes, legs, report)
    if discounts is not None:
        for index, row in discounts.iterrows():
            low, high = row["announced_low"], row["announced_high"]
            if pd.notna(low) and pd.notna(high) and low > high:
                report(DISCOUNTS, _line(index), "announced_low", f"announced_low {low:g} is greater than announced_high {high:g}")


def _check_legs(legs: pd.DataFrame, report: ProblemSink) -> None:
    inputs: dict[str, tuple[int, str, tuple[float, float, float]]] = {}
    seqs: set[tuple[str, int]] = set()
    for index, row in legs.iterrows():
        line = _line(index)
        for figure in FIGURES:
            given = [pd.notna(row[f"{figure}_{level}"]) for level in ("low", "central", "high")]
            if any(given) and not all(given):
                report(LEGS, line, f"{figure}_central", f"give {figure}_low, {figure}_central and {figure}_high together, or none of them")
        figures = [figure for figure in FIGURES if has_figure(row, figure)]
        if figures and pd.isna(row["basis"]):
            report(LEGS, line, "basis", "a leg with figures needs a basis (published, derived, proxy or assumption)")
        if (row["applies"] == "always") == pd.notna(row["switch_link"]):
            always = row["applies"] == "always"
            wanted = "must be blank when applies is always" if always else f"is required when applies is {row['applies']}"
            report(LEGS, line, "switch_link", f"switch_link {wanted}")
        if pd.notna(row["input"]) != pd.notna(row["input_sets"]):
            report(LEGS, line, "input_sets", "give input and input_sets together (input_sets: days or cost)")
        elif pd.notna(row["input"]):
            _check_input(row, line, inputs, report)
        if pd.notna(row["discount_id"]) and "cost" not in figures:
            report(LEGS, line, "discount_id", "a discount needs the leg's cost (cost_low, cost_central, cost_high)")
        if row["kind"] == "through" and row["included"]:
            report(LEGS, line, "included", "a through row is the route's own figure: included must be false")
        key = (str(row["route_id"]), int(row["seq"])) if pd.notna(row["seq"]) else None
        if key is not None and key in seqs:
            report(LEGS, line, "seq", f"route '{key[0]}' already has a leg with seq {key[1]}")
        if key is not None:
            seqs.add(key)


def _check_input(row: pd.Series, line: int, inputs: dict[str, tuple[int, str, tuple[float, float, float]]], report: ProblemSink) -> None:
    """An input sets a figure the leg has; every leg sharing it has the same range."""
    name, sets = str(row["input"]), str(row["input_sets"])
    if not has_figure(row, sets):
        report(LEGS, line, "input_sets", f"input '{name}' sets the leg's {sets}, but the leg gives no {sets}_central")
        return
    span = tuple(float(row[f"{sets}_{level}"]) for level in ("low", "central", "high"))
    first = inputs.setdefault(name, (line, sets, span))  # type: ignore[arg-type]
    if first[1:] != (sets, span):
        report(LEGS, line, "input", f"input '{name}' has another range or figure on line {first[0]}; legs sharing an input must agree")


def _check_routes(routes: pd.DataFrame, legs: pd.DataFrame, report: ProblemSink) -> None:
    by_route = {str(route): rows for route, rows in legs.groupby("route_id")}
    for index, row in routes.iterrows():
        mine = by_route.get(str(row["route_id"]))
        if mine is None:
            report(ROUTES, _line(index), "route_id", f"route '{row['route_id']}' has no legs in {LEGS}")
            continue
        through = mine[mine["kind"] == "through"]
        if len(through) > 1:
            report(LEGS, _line(through.index[1]), "kind", f"route '{row['route_id']}' has more than one through row")
        if through.empty and mine["included"].fillna(False).any():
            first = mine.index[mine["included"].fillna(False)][0]
            report(LEGS, _line(first), "included", f"route '{row['route_id']}' has no through row for this leg to be part of")
    benchmarks = routes.index[routes["benchmark"].fillna(False)]
    for index in benchmarks[1:]:
        report(ROUTES, _line(index), "benchmark", "only one route can be the benchmark")
