"""What a km costs in the freight model: a published rate where one exists, labelled weights elsewhere."""

from __future__ import annotations

import pandas as pd
import pytest

from corridors import validate_ledger
from corridors.ledger.wiring import split_ids
from corridors.model import solve
from corridors.model.assumptions import baseline
from tests.test_validate import edit_csv, located, set_cell

COSTS = "model_costs.csv"
#: The Kazakhstan-Turkmenistan-Iran line: the one stretch with a published rate per TEU-km.
KTI = ("e-bolashak-etrek-rail", "e-etrek-inchehborun-rail", "e-inchehborun-gorgan-rail")


@pytest.fixture(scope="module")
def base(ledger):
    return baseline(ledger, 2025).assumptions


def freight_costs(graph, assumptions) -> pd.DataFrame:
    costs = solve(graph, assumptions).routing_costs
    return costs[costs["network"] == "freight"].set_index("link_id")


def test_every_freight_link_is_priced_published_or_as_a_labelled_assumption(graph, base, ledger):
    costs = freight_costs(graph, base)
    assert set(costs["basis"]) == {"published", "assumption"}
    assert (costs["unit"] == "USD/TEU-km").all()
    assert (costs["cost_per_km"] > 0).all()
    published = costs[costs["basis"] == "published"]
    assert set(published.index) == set(KTI)
    known = set(ledger.sources["source_id"])
    for link, row in published.iterrows():
        ids = split_ids(row["source_ids"])
        assert ids and set(ids) <= known, link
        assert row["cost_per_km"] == pytest.approx(0.18)  # Interfax's central 2023 rate
    assumed = costs[costs["basis"] == "assumption"]
    assert assumed["note"].str.startswith("ASSUMPTION").all()


def test_the_sea_unit_moves_the_weighted_links_and_not_the_published_rate(graph, base):
    before = freight_costs(graph, base)
    doubled = freight_costs(graph, base.model_copy(update={"sea_cost_per_teu_km": 2 * base.sea_cost_per_teu_km}))
    assumed = before["basis"] == "assumption"
    pd.testing.assert_series_equal(doubled.loc[assumed, "cost_per_km"], 2 * before.loc[assumed, "cost_per_km"])
    pd.testing.assert_series_equal(doubled.loc[~assumed, "cost_per_km"], before.loc[~assumed, "cost_per_km"])
    rail = before[(before["mode"] == "rail") & assumed]
    assert rail["cost_per_km"].to_numpy() == pytest.approx(base.rail_cost_weight * base.sea_cost_per_teu_km)


def test_contestable_cargo_follows_the_published_rate_when_the_weighted_lines_cost_more(graph, base):
    free = base.model_copy(update={"contestable_share": 1.0})
    kti_flow = {}
    for unit in (0.10, 0.50):  # weighted rail at 0.25 and 1.25 USD/TEU-km, against the KTI line's 0.18
        links = solve(graph, free.model_copy(update={"sea_cost_per_teu_km": unit})).links.set_index("link_id")
        kti_flow[unit] = links.loc[list(KTI), "flow"].min()
    assert kti_flow[0.10] < 1e-6
    assert kti_flow[0.50] > 1.0


def test_the_baseline_keeps_every_branch_to_its_share_whatever_a_km_costs(graph, base):
    """With no cargo free to switch (the baseline, and the backtest), a km's cost only picks paths within a branch.

    So what each market receives and every indicator the backtest reads stay put, while the
    eastern branch's path does move: cheap enough weighted rail takes some of its cargo off the
    KTI line to Sarakhs.
    """
    assert base.contestable_share == 0
    results = [solve(graph, base.model_copy(update={"sea_cost_per_teu_km": unit})) for unit in (0.05, 0.26, 0.5)]
    for other in results[1:]:
        pd.testing.assert_frame_equal(other.markets, results[0].markets, atol=1e-6)
        assert other.indicators == pytest.approx(results[0].indicators, abs=1e-6, nan_ok=True)
    sarakhs = [r.links.set_index("link_id").at["e-bolashak-sarakhs-rail", "flow"] for r in results]
    assert sarakhs[0] > 0.1 and sarakhs[1] == pytest.approx(0, abs=1e-6)


def test_a_cost_row_naming_a_link_of_another_mode_is_reported(ledger_copy):
    line = 1 + next(i for i, row in enumerate(pd.read_csv(ledger_copy / COSTS).to_dict("records"), 1) if row["basis"] == "published")
    set_cell(ledger_copy, COSTS, line, "link_ids", "e-bolashak-etrek-rail;w-astara-rasht-road")
    problems = located(validate_ledger(ledger_copy), COSTS, line, "link_ids")
    assert problems and "w-astara-rasht-road" in problems[0].message and "road" in problems[0].message


def test_a_published_rate_without_sources_is_reported(ledger_copy):
    line = 1 + next(i for i, row in enumerate(pd.read_csv(ledger_copy / COSTS).to_dict("records"), 1) if row["basis"] == "published")
    set_cell(ledger_copy, COSTS, line, "source_ids", "")
    assert located(validate_ledger(ledger_copy), COSTS, line, "source_ids")


def test_costs_of_one_network_in_two_units_are_reported(ledger_copy):
    def add_row(rows: list[list[str]]) -> None:
        header = rows[0]
        row = dict.fromkeys(header, "")
        row.update(network="freight", mode="road", branch="western", weight="2", unit="USD/t-km", basis="assumption")
        rows.append([row[c] for c in header])

    edit_csv(ledger_copy, COSTS, add_row)
    lines = len(pd.read_csv(ledger_copy / COSTS)) + 1
    problems = located(validate_ledger(ledger_copy), COSTS, lines, "unit")
    assert problems and "USD/TEU-km" in problems[0].message
