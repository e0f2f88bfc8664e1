"""Days and dollars per container by route (issue 14): the route tables, their totals, the command line.

The expected numbers are read off data/route_legs.csv (cited in each test), so a change to
the data that breaks a rule shows here: the western through figure is 15–22–32 days and
USD 3,000–3,400–3,882 per TEU; the Astara truck transfer adds 2 days (a labelled
assumption, 1–3) until the Rasht–Astara railway opens (2028 in links.csv); the KTI leg of
the eastern route is 917.5 km at USD 0.15–0.18–0.24 per TEU-km, so 165.2 at the centre.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import corridors
from corridors import validate_ledger
from corridors.cli import main
from corridors.ledger.schema import DATA_DIR
from corridors.model.routes import FORMAT, Range, RouteParameters, default_parameters, route_inputs, route_results
from corridors.views.routes import route_view
from tests.conftest import ROOT
from tests.test_validate import set_cell

MIDDLE = Path(__file__).resolve().parent / "data" / "middle_corridor"
RASHT_ASTARA = "w-astara-rasht-rail"
#: data/route_legs.csv: the transfer's central days (assumption, 1–3), and the KTI leg's central cost.
TRANSFER_LEG, TRANSFER_DAYS = "western-5-astara-transfer", 2.0
KTI_LEG, KTI_COST = "eastern-6-kti-rail", 165.2
WESTERN_2025 = Range(15, 22, 32)
SUEZ_DAYS, SUEZ_COST = Range(23, 40, 60), Range(3133, 4900, 5000)


#: Ledgers the command line has read in this module, by folder: the CLI tests check the command, not the loading.
_READ: dict[str, object] = {}


@pytest.fixture(autouse=True)
def read_each_ledger_once(monkeypatch):
    real = corridors.load_ledger

    def load_once(data_dir=None):
        key = str(data_dir)
        if key not in _READ:
            _READ[key] = real(data_dir)
        return _READ[key]

    monkeypatch.setattr(corridors, "load_ledger", load_once)


def by_id(results) -> dict:
    return {r.route_id: r for r in results}


def run_json(capsys, *args: str) -> dict:
    assert main(["routes", "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def legs_csv() -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / "route_legs.csv")


# -- totals ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        RouteParameters(2025),
        RouteParameters(2030),
        RouteParameters(2025).with_values(astara_transfer_days=3, gauge_change_days=2, kti_railways=40, sea_freight_rate=3133),
    ],
    ids=["defaults", "railway-open", "inputs-moved"],
)
def test_route_totals_are_the_sum_of_their_legs(ledger, params):
    params = RouteParameters(params.year, default_parameters(ledger, params.year).openings, params.values)
    for route in route_results(ledger, params):
        for figure, total in (("days", route.days), ("cost", route.cost)):
            parts = [leg.counted[figure] for leg in route.legs if leg.counted[figure] is not None]
            summed = sum((p for p in parts), Range(0, 0, 0)).floored()
            assert total == pytest.approx(summed), (route.route_id, figure)


def test_at_the_defaults_each_total_is_its_published_through_figure(ledger):
    routes = by_id(route_results(ledger, default_parameters(ledger, 2025)))
    assert routes["western"].days == WESTERN_2025
    assert routes["western"].cost == Range(3000, 3400, 3882)
    assert routes["suez"].days == SUEZ_DAYS and routes["suez"].cost == SUEZ_COST
    assert routes["eastern"].days == Range(15, 16.5, 18)
    for route in routes.values():
        through = [leg for leg in route.legs if leg.kind == "through"]
        assert len(through) == 1
        assert (route.days, route.cost) == (through[0].figures["days"], through[0].figures["cost"])


def test_every_figure_has_a_source_that_exists(ledger, capsys):
    known = set(ledger.sources["source_id"])
    doc = run_json(capsys)
    for route in doc["routes"]:
        assert route["source_ids"] and set(route["source_ids"]) <= known, route["id"]
        for leg in route["legs"]:
            if leg["days"] or leg["cost_usd_per_teu"]:
                assert leg["source_ids"] and set(leg["source_ids"]) <= known, leg["id"]
                assert leg["basis"] in {"published", "derived", "proxy", "assumption"}
    for item in route_inputs(ledger):
        assert item.source_ids and set(item.source_ids) <= known, item.name


def test_a_figure_no_source_gives_is_a_labelled_assumption_with_a_range(legs_csv):
    assumed = legs_csv[legs_csv["basis"] == "assumption"]
    assert TRANSFER_LEG in set(assumed["leg_id"])
    assert (assumed["days_low"] < assumed["days_high"]).all()
    assert assumed["note"].str.contains("ASSUMPTION").all()


# -- inputs -----------------------------------------------------------------------------------------


def test_a_discount_lowers_its_route_cost_and_no_other(ledger):
    base = default_parameters(ledger, 2025)
    before = by_id(route_results(ledger, base))
    discounts = [i for i in route_inputs(ledger) if i.kind == "discount"]
    assert [d.name for d in discounts] == ["kti_railways"]
    for discount in discounts:
        after = by_id(route_results(ledger, base.with_values(**{discount.name: discount.maximum})))
        moved = {r for r in after if after[r].cost != before[r].cost}
        assert moved == {"eastern"}
        assert all(after[r].days == before[r].days for r in after)
    # 50 % off the KTI leg's central USD 165.2 per TEU.
    assert after["eastern"].cost.central == pytest.approx(3400 - 0.5 * KTI_COST)
    assert after["eastern"].cost.low < before["eastern"].cost.low


def test_a_dwell_time_moves_the_routes_that_stop_there_by_its_change(ledger):
    base = default_parameters(ledger, 2025)
    before = by_id(route_results(ledger, base))
    after = by_id(route_results(ledger, base.with_values(bandar_abbas_port_days=4)))
    for route_id, route in after.items():
        expected = 0.0 if route_id == "suez" else 2.0  # every INSTC route calls at Bandar Abbas; 4 - 2 (central)
        assert route.days.central - before[route_id].days.central == pytest.approx(expected)


def test_the_sea_freight_rate_sets_the_benchmark_cost(ledger):
    params = default_parameters(ledger, 2025).with_values(sea_freight_rate=3133)
    routes = by_id(route_results(ledger, params))
    assert routes["suez"].cost.central == 3133
    assert routes["western"].cost.central == 3400


def test_opening_rasht_astara_shortens_the_western_route_by_the_transfer_time(capsys, legs_csv):
    transfer = legs_csv.set_index("leg_id").loc[TRANSFER_LEG]
    assert transfer["days_central"] == TRANSFER_DAYS and transfer["switch_link"] == RASHT_ASTARA
    before = {r["id"]: r for r in run_json(capsys, "--year", "2027")["routes"]}
    after = {r["id"]: r for r in run_json(capsys, "--year", "2028")["routes"]}
    for level, value in before["western"]["days"].items():
        assert value - after["western"]["days"][level] == pytest.approx(TRANSFER_DAYS)
    assert {r: after[r]["days"] for r in after if r != "western"} == {r: before[r]["days"] for r in before if r != "western"}
    legs = {leg["id"]: leg for leg in after["western"]["legs"]}
    assert not legs[TRANSFER_LEG]["active"] and legs["western-6-rasht-astara-rail"]["active"]


def test_a_scenario_sets_the_opening_year(ledger, capsys, tmp_path):
    scenario = tmp_path / "early.yaml"
    scenario.write_text("corridors_scenario: 1\nname: Early\nyear: 2026\nassumptions:\n  rasht_astara_opens: 2026\n", encoding="utf-8")
    doc = run_json(capsys, "--scenario", str(scenario))
    assert doc["year"] == 2026 and doc["parameters"]["openings"] == {RASHT_ASTARA: 2026}
    western = next(r for r in doc["routes"] if r["id"] == "western")
    assert western["days"]["central"] == WESTERN_2025.central - TRANSFER_DAYS


def test_inputs_have_sourced_defaults_and_ranges(ledger):
    inputs = {i.name: i for i in route_inputs(ledger)}
    transfer = inputs["astara_transfer_days"]
    assert (transfer.minimum, transfer.default, transfer.maximum) == (1, 2, 3) and transfer.basis == "assumption"
    assert (inputs["sea_freight_rate"].minimum, inputs["sea_freight_rate"].maximum) == (3133, 5000)
    assert inputs[RASHT_ASTARA].default == 2028 and inputs[RASHT_ASTARA].kind == "opening_year"
    assert len(inputs["bandar_abbas_port_days"].leg_ids) == 4


# -- the command line -------------------------------------------------------------------------------


def test_json_document_shape(capsys):
    doc = run_json(capsys)
    assert doc["format"] == FORMAT == "corridors.routes/1"
    routes = {r["id"]: r for r in doc["routes"]}
    assert {"suez", "western", "eastern", "caspian_anzali_astrakhan"} <= routes.keys()
    for route in routes.values():
        assert {"id", "name", "days", "cost_usd_per_teu", "legs", "vs_suez", "source_ids"} <= route.keys()
        for figure in ("days", "cost_usd_per_teu"):
            assert route[figure]["low"] <= route[figure]["central"] <= route[figure]["high"]
        assert route["legs"] and set(route["vs_suez"]) == {"days", "cost"}
    assert routes["suez"]["vs_suez"] == {"days": 0, "cost": 0}
    assert routes["western"]["vs_suez"] == {"days": 22 - 40, "cost": 3400 - 4900}


def test_from_and_to_select_and_turn_the_routes(capsys):
    doc = run_json(capsys, "--from", "moscow", "--to", "nhava_sheva")
    western = next(r for r in doc["routes"] if r["id"] == "western")
    assert (western["from"], western["to"]) == ("moscow", "nhava_sheva")
    assert western["legs"][-1]["kind"] == "through" and western["legs"][0]["to"] == "astara_ir"
    assert western["days"]["central"] == WESTERN_2025.central


def test_table_format_lists_every_route(capsys):
    assert main(["routes"]) == 0
    out = capsys.readouterr().out
    assert "Western branch via Azerbaijan" in out and "vs_bench_days" in out and "Rasht - Astara by truck" in out


@pytest.mark.parametrize(
    "args, named",
    [(["--from", "atlantis"], "atlantis"), (["--to", "astrakhan"], "astrakhan"), (["--year", "1990"], "1990")],
)
def test_bad_node_or_year_exits_2_naming_it(capsys, args, named):
    assert main(["routes", *args]) == 2
    err = capsys.readouterr().err
    assert named in err and err.startswith("error:")


def test_another_corridor_without_routes_lists_none(capsys):
    doc = run_json(capsys, "--data", str(MIDDLE))
    assert doc["routes"] == [] and doc["benchmark"] is None
    assert main(["routes", "--data", str(MIDDLE)]) == 0
    assert "has no routes" in capsys.readouterr().out


# -- the validator ----------------------------------------------------------------------------------


def test_a_broken_leg_row_is_reported_with_file_line_and_column(ledger_copy, legs_csv, capsys):
    line = int(legs_csv.index[legs_csv["leg_id"] == "western-1-through"][0]) + 2
    set_cell(ledger_copy, "route_legs.csv", line, "days_low", "30")
    set_cell(ledger_copy, "route_legs.csv", line + 4, "switch_link", "")
    problems = [str(p) for p in validate_ledger(ledger_copy)]
    assert f"route_legs.csv, line {line}, column 'days_low': days_low 30 is greater than days_central 22" in problems
    assert any(p.startswith(f"route_legs.csv, line {line + 4}, column 'switch_link'") for p in problems)
    assert main(["validate", "--data", str(ledger_copy)]) == 1
    assert f"route_legs.csv, line {line}, column 'days_low'" in capsys.readouterr().err


# -- the Routes page --------------------------------------------------------------------------------


def test_routes_page_renders_and_its_sliders_move_the_totals():
    at = AppTest.from_file(str(ROOT / "corridors/ui/page_scripts/routes.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) == 4  # time-cost, days by leg, cost by leg, the chosen route's map
    table = at.dataframe[0].value.set_index("route")
    assert table.loc["western", "days_central"] == WESTERN_2025.central
    at.sidebar.slider(key="rt_year").set_value(2028)
    at.sidebar.slider(key="rt_kti_railways").set_value(50.0).run()
    moved = at.dataframe[0].value.set_index("route")
    assert moved.loc["western", "days_central"] == WESTERN_2025.central - TRANSFER_DAYS
    assert moved.loc["eastern", "usd_teu_central"] == pytest.approx(3400 - 0.5 * KTI_COST, abs=0.05)
    assert moved.loc["suez", "usd_teu_central"] == table.loc["suez", "usd_teu_central"]


def test_routes_page_of_a_corridor_without_routes_says_so(monkeypatch):
    monkeypatch.setenv("CORRIDORS_DATA", str(MIDDLE))
    at = AppTest.from_file(str(ROOT / "corridors/ui/page_scripts/routes.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert any("no routes" in i.value for i in at.info)


def test_the_map_of_a_route_shows_the_links_it_runs_on(ledger, graph):
    def links(year: int) -> set[str]:
        western = by_id(route_results(ledger, default_parameters(ledger, year)))["western"]
        return {key for _, _, key in route_view(graph, western).edges(keys=True)}

    assert {"w-astara-rasht-road", "s-bandarabbas-nhavasheva-sea"} <= links(2025) and RASHT_ASTARA not in links(2025)
    assert RASHT_ASTARA in links(2028) and "w-astara-rasht-road" not in links(2028)
