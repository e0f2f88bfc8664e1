"""Scenario B against A as tables a reader can read: indicators, markets, links, assumptions, each with A, B and B − A.

The numbers are those of :func:`corridors.model.compare.compare_document`, so the page,
the files and ``python -m corridors compare`` never disagree; here they get names and units.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from corridors.ledger.wiring import AssumptionsBase, Wiring
from corridors.model.compare import diff_documents


def _titled(frame: pd.DataFrame, title: str) -> pd.DataFrame:
    frame.attrs = {"title": title}
    return frame


def comparison_tables(
    a: Mapping[str, Any], b: Mapping[str, Any], wiring: Wiring, assets: Mapping[str, str] | None = None
) -> dict[str, pd.DataFrame]:
    """The comparison's tables, named for readers.

    Parameters
    ----------
    a, b
        Two run documents (:func:`corridors.views.tables.result_document`).
    wiring
        The ledger's wiring: indicator labels and units, market labels.
    assets
        Link id → asset name, for the links table.

    Returns
    -------
    dict of DataFrame
        ``indicators`` (indicator, label, unit, a, b, delta), ``markets`` (market, label,
        network, unit, then demand, delivered and unmet for A, B and B − A), ``links``
        (every link: id, asset, flow A, flow B, delta, binding A and B, and whether its
        binding state changes) and ``binding_changes`` (those whose state changes). Each
        carries its title in ``attrs``.
    """
    diff = diff_documents(a, b)
    names = f"{b['scenario']['name']} against {a['scenario']['name']}"
    definitions = wiring.indicators.set_index("indicator")
    indicators = pd.DataFrame(
        [
            {
                "indicator": key,
                "label": str(definitions.loc[key, "label"]) if key in definitions.index else key,
                "unit": str(definitions.loc[key, "unit"]) if key in definitions.index else "",
                "a": value,
                "b": b["indicators"].get(key),
                "delta": diff["indicators"][key],
            }
            for key, value in a["indicators"].items()
        ]
    )
    labels = dict(zip(wiring.flows["flow_id"], wiring.flows["label"]))
    markets = pd.DataFrame(diff["markets"])
    markets.insert(1, "label", markets["market"].map(labels).fillna(markets["market"]))
    links = pd.DataFrame(diff["links"]).rename(columns={"id": "link_id"})
    names = dict(assets or {})
    links.insert(1, "asset", [names.get(link, "") for link in links["link_id"]])
    links["binding_changes"] = links["binding_a"] != links["binding_b"]
    return {
        "indicators": _titled(indicators, f"Indicators: {names} (delta = B − A)"),
        "markets": _titled(markets, f"Demand, delivered and unmet by market: {names}"),
        "links": _titled(links, f"Flow on every link: {names}"),
        "binding_changes": _titled(links[links["binding_changes"]].reset_index(drop=True), f"Links whose binding state changes: {names}"),
    }


def assumptions_comparison(a: AssumptionsBase, b: AssumptionsBase) -> pd.DataFrame:
    """Every assumption of A and B, and which differ (the files' assumptions sheet of a comparison)."""
    wiring = type(a).wiring()
    rows = []
    for name, value in a.model_dump().items():
        info = wiring.parameter_info(name)
        other = getattr(b, name)
        rows.append({"assumption": name, "label": info["label"], "unit": info["unit"], "a": value, "b": other, "differs": value != other})
    return _titled(pd.DataFrame(rows), "Assumptions of A and B")


__all__ = ["assumptions_comparison", "comparison_tables"]
