"""Scenario files and URL parameters: what is accepted, and how the rest is refused."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from corridors.assumptions import baseline
from corridors.scenarios import ScenarioError, dump_scenario, from_query, parse_scenario, shipped_scenarios, to_query

GOOD = "corridors_scenario: 1\nname: Test\nyear: 2027\nassumptions:\n  europe: 18.5\n  rasht_astara_opens: 2030\n"


def test_good_file_applies_overrides_on_the_years_baseline(ledger):
    scenario = parse_scenario(GOOD, "good.yaml")
    a = scenario.assumptions(ledger)
    assert a.year == 2027 and a.europe == 18.5 and a.rasht_astara_opens == 2030
    assert a.shah_deniz == baseline(ledger, 2027).assumptions.shah_deniz


def test_download_format_round_trips(ledger):
    a = baseline(ledger, 2026).assumptions.model_copy(update={"tap_capacity": 17.0})
    back = parse_scenario(dump_scenario(a, "Mine", "a note"), "mine.yaml")
    assert back.name == "Mine" and back.assumptions(ledger) == a


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("corridors_scenario: 1\nyear: 2027\nassumptions: {europe: lots}\n", "'europe' must be a finite number"),
        ("corridors_scenario: 1\nyear: 2027\nassumptions: {europe: 99}\n", "assumption 'europe'"),
        ("corridors_scenario: 1\nyear: 2027\nassumptions: {europe: .nan}\n", "must be a finite number"),
        ("corridors_scenario: 1\nyear: 2027\nassumptions: {europa: 10}\n", "unknown assumption(s) europa"),
        ("corridors_scenario: 1\nyear: 2027\nrun: rm -rf /\n", "unknown key(s) run"),
        ("corridors_scenario: 1\nyear: '2027'\n", "'year' must be a whole number"),
        ("corridors_scenario: 1\nyear: 1900\n", "assumption 'year'"),
        ("corridors_scenario: 2\nyear: 2027\n", "'corridors_scenario: 1' is required"),
        ("- just\n- a list\n", "expected a mapping"),
        ("corridors_scenario: 1\nyear: !!python/object/apply:os.system ['id']\n", "YAML tags are not allowed"),
        ("corridors_scenario: 1\nyear: 2027\nassumptions: {europe: !!float 3}\n", "YAML tags are not allowed"),
        ("a: &x [1, 2]\nb: *x\n", "anchors and aliases are not allowed"),
        ("corridors_scenario: 1\nyear: [unclosed\n", "not valid YAML"),
        ("corridors_scenario: 1\nyear: 2027\nassumptions: {western_share: 0.9, eastern_share: 0.5}\n", "western_share"),
    ],
)
def test_bad_files_are_refused_with_a_message_naming_the_problem(text, message):
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "upload.yaml")
    assert message in str(caught.value)
    assert "upload.yaml" in str(caught.value) or "assumption" in str(caught.value)


def test_huge_and_binary_files_are_refused():
    with pytest.raises(ScenarioError, match="at most 65,536 bytes"):
        parse_scenario(GOOD + "#" * 70_000, "big.yaml")
    with pytest.raises(ScenarioError, match="not UTF-8"):
        parse_scenario(b"\xff\xfe\x00garbage", "bin.yaml")


def test_url_round_trip_and_defaults_are_not_written(ledger):
    base = baseline(ledger, 2027).assumptions
    a = base.model_copy(update={"europe": 20.0, "rasht_astara_opens": 2031})
    query = to_query(a, base)
    assert query == {"v": "1", "year": "2027", "europe": "20", "rasht_astara_opens": "2031"}
    back, warnings = from_query(query, ledger)
    assert back == a and warnings == []


def test_url_from_another_version_is_ignored_with_a_warning(ledger):
    a, warnings = from_query({"v": "9", "europe": "20"}, ledger)
    assert a == baseline(ledger).assumptions
    assert "'v'" in warnings[0]


def test_each_bad_url_parameter_is_dropped_alone(ledger):
    a, warnings = from_query(
        {"v": "1", "europe": "20", "acg": "NaN", "tap_capacity": "1e400", "rasht_astara_opens": "2030.5", "x": "1"}, ledger
    )
    assert a.europe == 20
    names = " ".join(warnings)
    for name in ("acg", "tap_capacity", "rasht_astara_opens", "'x'"):
        assert name in names


def test_every_shipped_scenario_parses():
    scenarios = shipped_scenarios()
    assert {"baseline-2025", "eu-20-bcm-2027", "no-russian-gas", "rasht-astara-2028", "tap-expanded"} <= set(scenarios)
    assert scenarios["eu-20-bcm-2027"].overrides == {"europe": 20.0}


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "corridors", *args], capture_output=True, text=True, timeout=120, check=False)


def test_cli_run_json_contract():
    done = run_cli("run", "--scenario", "data/scenarios/eu-20-bcm-2027.yaml", "--format", "json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["format"] == "corridors.run/1"
    assert doc["scenario"]["year"] == 2027 and doc["scenario"]["assumptions"]["europe"] == 20
    for link in doc["links"]:
        assert {"id", "network", "capacity", "flow", "unit"} <= set(link)
        if link["capacity"] is not None:
            assert 0 <= link["flow"] <= link["capacity"] + 1e-6
    assert all("balance" in n and "id" in n for n in doc["nodes"])
    assert set(doc["unmet"]) >= {"europe", "georgia", "turkiye", "russia_to_iran"}
    assert doc["unmet"]["georgia"] == 0 and doc["unmet"]["europe"] > 0
    assert set(doc["indicators"]) == set(doc["indicator_definitions"])


def test_cli_run_table_and_year():
    done = run_cli("run", "--year", "2030")
    assert done.returncode == 0, done.stderr
    assert "Scenario: Baseline 2030" in done.stdout and "Indicators" in done.stdout


def test_cli_run_refuses_a_hostile_scenario_file(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("corridors_scenario: 1\nyear: !!python/object/apply:os.system ['touch /tmp/pwned']\n")
    done = run_cli("run", "--scenario", str(path))
    assert done.returncode == 2
    assert "YAML tags are not allowed" in done.stderr and "Traceback" not in done.stderr


def test_cli_run_on_a_broken_ledger_lists_problems(ledger_copy):
    from tests.test_validate import set_cell

    set_cell(ledger_copy, "links.csv", 2, "capacity", "lots")
    done = run_cli("run", "--data", str(ledger_copy))
    assert done.returncode == 1
    assert "links.csv, line 2, column 'capacity'" in done.stderr and "Traceback" not in done.stderr
