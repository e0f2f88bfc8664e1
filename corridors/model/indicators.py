"""The model's answers: indicator formulas (and any wiring formula) evaluated on a solved scenario.

The functions a formula may call read the solved networks: ``used()`` and ``offered()``
(supplies), ``delivered()`` and ``unmet()`` (markets), ``flow()`` (links selected by
network, branch, mode, country crossed, pair of countries, or link id) and
``opening_effect()`` (the same indicator with a link's opening year flipped).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from corridors.ledger.expressions import parse, variables

if TYPE_CHECKING:
    from corridors.model.flows import FlowResult

EPS = 1e-7


class IndicatorsMixin:
    """Formula evaluation for :class:`corridors.model.flows.FlowModel` (which provides the networks and link arrays)."""

    def _selectors(self, solved: dict[str, dict[str, Any]], link_flow: np.ndarray) -> dict[str, Callable]:
        kinds, networks = self._flow_kinds, self._flow_networks

        def pick(key: str) -> Callable[..., float]:
            def total(flow_id: str | None = None, kind: str | None = None, network: str | None = None) -> float:
                return sum(
                    value
                    for net_solved in solved.values()
                    for fid, value in net_solved[key].items()
                    if (flow_id is None or fid == flow_id)
                    and (kind is None or kinds[fid] == kind)
                    and (network is None or networks[fid] == network)
                )

            return total

        def flow(network=None, branch=None, mode=None, crosses=None, between=None, link=None) -> float:
            return float(link_flow[self._selection(network, branch, mode, crosses, between, link)].sum())

        return {"used": pick("used"), "offered": pick("offered"), "delivered": pick("delivered"), "unmet": pick("unmet"), "flow": flow}

    def _selection(self, *key: str | None) -> np.ndarray:
        """Links (in result order) that a ``flow(network, branch, mode, crosses, between, link)`` call sums; built once per call."""
        network, branch, mode, crosses, between, link = key
        if key not in self._selections:
            mask = np.ones(len(self.result_links), dtype=bool)
            if link is not None:
                mask &= self.result_links["link_id"].to_numpy() == link
            for column, wanted in (("network", network), ("branch", branch), ("mode", mode)):
                if wanted is not None:
                    mask &= self._link_columns[column] == wanted
            start, end = self._from_country, self._to_country
            if crosses is not None:
                mask &= (start == crosses) ^ (end == crosses)
            if between is not None:
                a, b = between.split()
                mask &= ((start == a) & (end == b)) | ((start == b) & (end == a))
            self._selections[key] = mask
        return self._selections[key]

    def _evaluate_indicators(
        self,
        values: dict[str, float],
        solved: dict,
        link_flow: np.ndarray,
        notes: list[str],
        capacities: dict[str, np.ndarray] | None = None,
        starts: Any = None,
    ) -> dict[str, float]:
        functions = self._selectors(solved, link_flow)
        capacities = capacities or {}
        results: dict[str, float] = {}

        def opening_effect(assumption: str, indicator: str) -> float:
            year = values[self.wiring.year_name]
            is_open = values[assumption] <= year
            flipped_value = year + 1 if is_open else year
            flipped = {
                name: (
                    self.solve_network(net, values, {assumption: flipped_value}, capacities.get(name), starts)
                    if self._moves(assumption, name)
                    else solved[name]
                )
                for name, net in self.networks.items()
            }
            flipped_flow = np.clip(np.concatenate([flipped[n]["flow"] for n in self.networks]), 0, None)
            other = self._formula_value(indicator, values, self._selectors(flipped, flipped_flow), results)
            here = results[indicator]
            return here - other if is_open else other - here

        functions["opening_effect"] = opening_effect
        for row, expression in self._indicators:
            floor = float(row["floor"]) if pd.notna(row["floor"]) else EPS
            value = expression.evaluate({**values, **results}, functions, floor)
            results[row["indicator"]] = value
            if math.isnan(value) and pd.notna(row["floor"]):
                notes.append(f"{row['label']}: n/a, because what it divides by is under {row['floor']:g}: the ratio would say nothing.")
        return results

    def _formula_value(self, indicator: str, values: dict[str, float], functions: dict[str, Callable], earlier: dict[str, float]) -> float:
        for row, expression in self._indicators:
            if row["indicator"] == indicator:
                floor = float(row["floor"]) if pd.notna(row["floor"]) else EPS
                return expression.evaluate({**values, **earlier}, functions, floor)
        raise KeyError(indicator)

    def evaluate(self, formula: str, result: FlowResult) -> float:
        """The value of any wiring formula (an indicator's, a backtest series') on a solved scenario."""
        values = {**variables(result.assumptions.model_dump()), **result.indicators}
        return parse(formula).evaluate(values, self._selectors(result.solved, result.links["flow"].to_numpy()), EPS)

    def _moves(self, assumption: str, network: str) -> bool:
        return any(name == assumption and masks[network].any() for name, _, masks in self._effects)
