"""The two CLI contracts of the years view and the comparison: ``timeline`` and ``compare``, run in-process."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

import corridors
from corridors.cli import main
from corridors.model.baseline import baseline
from corridors.model.compare import COMPARE_FORMAT, diff_documents
from corridors.model.scenarios import from_query, shipped_scenarios
from corridors.model.timeline import EVENT_KEYS, TIMELINE_FORMAT, cached_baseline, year_assumptions

SCENARIOS = Path(__file__).resolve().parent.parent / "data" / "scenarios"
BASELINE_2025 = str(SCENARIOS / "baseline-2025.yaml")
NO_RUSSIAN_GAS = str(SCENARIOS / "no-russian-gas.yaml")
TAP_EXPANDED = str(SCENARIOS / "tap-expanded.yaml")


@pytest.fixture(scope="module", autouse=True)
def one_ledger(ledger):
    """Every command here reads the session's ledger (loading it again would take most of these tests' time)."""
    load = corridors.load_ledger
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(corridors, "load_ledger", lambda data_dir=None: ledger if data_dir is None else load(data_dir))
        yield


def run_cli(*argv: str) -> tuple[int, str, str]:
    """``python -m corridors ARGV`` in this process: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def run_json(*argv: str) -> dict:
    code, out, err = run_cli(*argv, "--format", "json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture(scope="module")
def timeline() -> dict:
    return run_json("timeline")


def test_timeline_document_covers_2019_to_2035(timeline):
    assert set(timeline) == {"format", "years", "events"}
    assert timeline["format"] == TIMELINE_FORMAT == "corridors.timeline/1"
    assert [entry["year"] for entry in timeline["years"]] == list(range(2019, 2036))
    for entry in timeline["years"]:
        assert set(entry) == {"year", "indicators", "markets"}
        assert {m["market"] for m in entry["markets"]} >= {"europe", "georgia", "russia_to_iran"}
    # The ledger's outturns move the baseline: 35.6 bcm produced in 2019, 51.5 in 2025 and carried on.
    production = {entry["year"]: entry["indicators"]["gas_production"] for entry in timeline["years"]}
    assert production[2019] == pytest.approx(35.6)
    assert production[2025] == pytest.approx(51.5)
    assert production[2035] == pytest.approx(51.5)


def test_timeline_events_are_those_of_its_years_with_their_urls(timeline, ledger):
    events = timeline["events"]
    assert all(tuple(event) == EVENT_KEYS for event in events)
    dates = [event["date"] for event in events]
    assert dates == sorted(dates)
    in_span = ledger.events[ledger.events["date"].str.slice(0, 4).astype(int).between(2019, 2035)]
    assert len(events) == len(in_span) >= 25
    assert "2018-02-08" not in dates  # before --from 2019
    urls = dict(zip(ledger.sources["source_id"], ledger.sources["url"]))
    assert all(event["url"] == urls[event["source_id"]] for event in events)
    visit = [e for e in events if e["kind"] == "visit"]
    assert [(e["date"], e["source_id"]) for e in visit] == [("2024-08-19", "harici-putin-baku-2024")]


@pytest.mark.parametrize("year", [2022, 2030])
def test_a_timeline_year_is_what_run_gives_for_that_year(timeline, year):
    run = run_json("run", "--year", str(year))
    entry = next(e for e in timeline["years"] if e["year"] == year)
    assert entry["indicators"] == run["indicators"]
    assert entry["markets"] == run["markets"]


def test_a_scenario_timeline_sets_its_assumptions_on_every_year():
    document = run_json("timeline", "--scenario", TAP_EXPANDED, "--from", "2029", "--to", "2030")
    assert [e["year"] for e in document["years"]] == [2029, 2030]
    for entry in document["years"]:
        run = run_json("run", "--scenario", TAP_EXPANDED, "--year", str(entry["year"]))
        assert entry["indicators"] == run["indicators"]


def test_the_scenario_changes_the_years_it_is_set_on(timeline):
    document = run_json("timeline", "--scenario", TAP_EXPANDED, "--from", "2030", "--to", "2030")
    europe = {m["market"]: m for m in document["years"][0]["markets"]}["europe"]
    assert europe["demand"] == pytest.approx(20.0)  # the scenario's Europe, not the baseline's
    base = {m["market"]: m for m in timeline["years"][2030 - 2019]["markets"]}["europe"]
    assert base["demand"] != pytest.approx(20.0)


def test_timeline_csv_has_a_row_per_year_indicator_and_market_measure(timeline):
    code, out, err = run_cli("timeline", "--from", "2024", "--to", "2025", "--format", "csv")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0] == "year,table,key,measure,value,unit"
    entry = timeline["years"][2024 - 2019]
    assert len(lines) - 1 == 2 * (len(entry["indicators"]) + 3 * len(entry["markets"]))
    assert f"2024,indicators,gas_production,value,{entry['indicators']['gas_production']},bcm/yr" in lines


def test_timeline_table_lists_indicators_by_year_and_the_events():
    code, out, err = run_cli("timeline", "--from", "2022", "--to", "2023")
    assert code == 0, err
    assert "Baseline, 2022–2023" in out
    assert "2022-11-15  delivery" in out and "italiaglobale-11941" in out
    assert "2024-08-19" not in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--from", "2010"], "--from 2010 is outside the model's years 2018–2035"),
        (["--to", "2040"], "--to 2040 is outside the model's years 2018–2035"),
        (["--from", "2030", "--to", "2020"], "--from 2030 is after --to 2020"),
        (["--scenario", "no-such-file.yaml"], "no-such-file.yaml: no such scenario file"),
    ],
)
def test_timeline_refuses_bad_years_and_files_with_exit_2(argv, message):
    code, out, err = run_cli("timeline", *argv)
    assert code == 2
    assert message in err and out == ""
    assert "Traceback" not in err


@pytest.fixture(scope="module")
def comparison() -> dict:
    return run_json("compare", BASELINE_2025, NO_RUSSIAN_GAS)


def test_compare_document_holds_both_run_documents_and_their_difference(comparison):
    assert set(comparison) == {"format", "a", "b", "diff"}
    assert comparison["format"] == COMPARE_FORMAT == "corridors.compare/1"
    assert comparison["a"] == run_json("run", "--scenario", BASELINE_2025)
    assert comparison["b"] == run_json("run", "--scenario", NO_RUSSIAN_GAS)
    assert set(comparison["diff"]) == {"indicators", "links", "markets"}
    assert all(set(link) == {"id", "flow_a", "flow_b", "delta", "binding_a", "binding_b"} for link in comparison["diff"]["links"])


def test_compare_diff_is_b_minus_a_for_every_indicator_link_and_market(comparison):
    a, b, diff = comparison["a"], comparison["b"], comparison["diff"]
    for key, delta in diff["indicators"].items():
        if a["indicators"][key] is None or b["indicators"][key] is None:
            assert delta is None
        else:
            assert delta == pytest.approx(b["indicators"][key] - a["indicators"][key], abs=1e-9)
    flows_a = {link["id"]: link for link in a["links"]}
    flows_b = {link["id"]: link for link in b["links"]}
    assert [link["id"] for link in diff["links"]] == list(flows_a)
    for link in diff["links"]:
        assert link["flow_a"] == flows_a[link["id"]]["flow"] and link["flow_b"] == flows_b[link["id"]]["flow"]
        assert link["delta"] == pytest.approx(link["flow_b"] - link["flow_a"], abs=1e-9)
        assert (link["binding_a"], link["binding_b"]) == (flows_a[link["id"]]["binding"], flows_b[link["id"]]["binding"])
    markets_b = {m["market"]: m for m in b["markets"]}
    for market in diff["markets"]:
        for measure in ("demand", "delivered", "unmet"):
            assert market[f"{measure}_b"] == markets_b[market["market"]][measure]
            assert market[f"{measure}_delta"] == pytest.approx(market[f"{measure}_b"] - market[f"{measure}_a"], abs=1e-9)
    # Real values: without Russian gas, the Mozdok line carries nothing and Russian gas used falls by all of it.
    russian = a["indicators"]["russian_imports"]
    assert russian > 0 and diff["indicators"]["russian_imports"] == pytest.approx(-russian)
    mozdok = next(link for link in diff["links"] if link["id"] == "g-mozdok-gazimagomed")
    assert mozdok["flow_a"] == pytest.approx(russian) and mozdok["flow_b"] == 0.0


def test_a_scenario_compared_with_itself_changes_nothing():
    document = run_json("compare", TAP_EXPANDED, TAP_EXPANDED, "--year", "2028")
    assert document["a"]["scenario"]["year"] == document["b"]["scenario"]["year"] == 2028
    diff = document["diff"]
    assert all(delta in (0.0, None) for delta in diff["indicators"].values())
    assert all(link["delta"] == 0.0 and link["binding_a"] == link["binding_b"] for link in diff["links"])
    assert all(market[f"{m}_delta"] == 0.0 for market in diff["markets"] for m in ("demand", "delivered", "unmet"))
    assert any(link["flow_a"] > 0 for link in diff["links"])


def test_compare_year_runs_both_scenarios_for_that_year(timeline):
    document = run_json("compare", BASELINE_2025, NO_RUSSIAN_GAS, "--year", "2030")
    assert document["a"]["scenario"]["year"] == document["b"]["scenario"]["year"] == 2030
    # Scenario A overrides nothing, so in 2030 it is the baseline of 2030.
    assert document["a"]["indicators"] == timeline["years"][2030 - 2019]["indicators"]


def test_compare_table_names_both_scenarios_and_the_changed_links():
    code, out, err = run_cli("compare", BASELINE_2025, NO_RUSSIAN_GAS)
    assert code == 0, err
    assert "A: Baseline 2025 (2025)   B: No Russian gas to Azerbaijan (2025)" in out
    assert "g-mozdok-gazimagomed" in out and "B − A" in out


def test_compare_refuses_a_missing_or_malformed_file_naming_it(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("corridors_scenario: 1\nyear: [2025\n", encoding="utf-8")
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("corridors_scenario: 1\nyear: 2025\nassumptions:\n  warp_drive: 3\n", encoding="utf-8")
    for path, problem in (
        (tmp_path / "missing.yaml", "no such scenario file"),
        (broken, "not valid YAML"),
        (unknown, "unknown assumption(s) warp_drive"),
    ):
        code, out, err = run_cli("compare", BASELINE_2025, str(path))
        assert code == 2, err
        assert path.name in err and problem in err and out == ""
        assert "Traceback" not in err


def test_compare_refuses_a_year_outside_the_model():
    code, _, err = run_cli("compare", BASELINE_2025, NO_RUSSIAN_GAS, "--year", "2050")
    assert code == 2 and "--year 2050 is outside the model's years 2018–2035" in err


def test_diff_documents_is_pure_and_reads_only_the_documents():
    a = {
        "indicators": {"x": 1.0, "y": None},
        "links": [{"id": "l", "flow": 2.0, "binding": False}],
        "markets": [{"market": "m", "network": "gas", "unit": "bcm/yr", "demand": 5.0, "delivered": 4.0, "unmet": 1.0}],
    }
    b = {
        "indicators": {"x": 3.5, "y": 2.0},
        "links": [{"id": "l", "flow": 0.5, "binding": True}],
        "markets": [{"market": "m", "network": "gas", "unit": "bcm/yr", "demand": 5.0, "delivered": 5.0, "unmet": 0.0}],
    }
    diff = diff_documents(a, b)
    assert diff["indicators"] == {"x": 2.5, "y": None}
    assert diff["links"] == [{"id": "l", "flow_a": 2.0, "flow_b": 0.5, "delta": -1.5, "binding_a": False, "binding_b": True}]
    assert diff["markets"][0]["delivered_delta"] == 1.0 and diff["markets"][0]["unmet_delta"] == -1.0


def test_baselines_are_read_once_per_ledger_and_year(ledger):
    first = cached_baseline(ledger, 2027)
    assert cached_baseline(ledger, 2027) is first
    assert first.assumptions == baseline(ledger, 2027).assumptions
    assert year_assumptions(ledger, 2027, {"europe": 20.0}).europe == 20.0
    assert cached_baseline(ledger, 2027).assumptions.europe != 20.0  # the shared baseline is not changed
    default_year = int(ledger.wiring.parameter_info("year")["default"])
    assert cached_baseline(ledger) is cached_baseline(ledger, default_year)  # no year: the year assumption's default


def test_a_link_and_a_named_scenario_start_from_the_shared_baseline_of_their_year(ledger):
    base = cached_baseline(ledger, 2027).assumptions
    linked, warnings = from_query({"year": "2027", "europe": "20"}, ledger)
    assert not warnings
    assert linked.model_dump() == {**base.model_dump(), "europe": 20.0}
    named = shipped_scenarios(ledger)["eu-20-bcm-2027"]
    assert named.assumptions(ledger).model_dump() == {**base.model_dump(), **named.overrides, "year": 2027}


def test_another_corridor_has_its_own_timeline_and_events():
    middle = str(Path(__file__).resolve().parent / "data" / "middle_corridor")
    document = run_json("timeline", "--data", middle, "--from", "2024", "--to", "2024")
    (year,) = document["years"]
    assert year["year"] == 2024
    assert year["indicators"]["caspian_crossing"] == pytest.approx(4.5)  # the 2024 total its ledger publishes
    assert {m["network"] for m in year["markets"]} == {"freight"}
    assert [e["source_id"] for e in document["events"]] == ["trend-3895822", "trend-3982954"]
