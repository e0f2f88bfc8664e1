"""Scenario files and URL parameters: what is accepted, and how the rest is refused."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from corridors.model.assumptions import baseline
from corridors.model.scenarios import (
    ScenarioError,
    dump_scenario,
    from_query,
    parse_scenario,
    scenario_label,
    shipped_scenarios,
    to_query,
)

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


def test_url_without_v_is_read_as_the_current_version(ledger):
    a, warnings = from_query({"europe": "20"}, ledger)
    assert warnings == []
    assert a == baseline(ledger).assumptions.model_copy(update={"europe": 20.0})
    a, warnings = from_query({"year": "2027", "europe": "20"}, ledger)
    assert warnings == [] and a.year == 2027 and a.europe == 20


def test_a_parameter_given_twice_warns_naming_it_and_the_value_used(ledger):
    a, warnings = from_query({"v": ["1"], "europe": ["20", "15"], "year": ["2027"]}, ledger)
    assert a.europe == 15 and a.year == 2027
    assert len(warnings) == 1
    assert "'europe'" in warnings[0] and "2 times" in warnings[0] and "'20'" in warnings[0] and "using the last one, '15'" in warnings[0]
    # The value kept still goes through the checks: a bad last value is dropped with its own warning.
    a, warnings = from_query({"europe": ["20", "lots"]}, ledger)
    assert a.europe == baseline(ledger).assumptions.europe
    assert len(warnings) == 2 and all("'europe'" in w for w in warnings)


def test_url_values_that_fit_alone_but_not_together_warn_instead_of_failing(ledger):
    a, warnings = from_query({"year": "2027", "western_share": "0.9", "eastern_share": "0.5"}, ledger)
    assert a == baseline(ledger, 2027).assumptions
    assert len(warnings) == 1 and "western_share" in warnings[0] and "eastern_share" in warnings[0]


def test_a_file_with_four_problems_lists_all_four_naming_each_key():
    text = (
        "corridors_scenario: 2\n"  # wrong format version
        "year: 2027\n"
        "colour: red\n"  # unknown top-level key
        "assumptions:\n"
        "  europe: lots\n"  # not a number
        "  tap_capacity: 99\n"  # out of bounds (0-20)
    )
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "four.yaml")
    problems = caught.value.problems
    assert len(problems) == 4, problems
    joined = "\n".join(problems)
    for key in ("'corridors_scenario: 1' is required", "unknown key(s) colour", "'europe' must be a finite number", "'tap_capacity'"):
        assert key in joined, f"{key!r} missing from {problems}"
    message = str(caught.value)
    assert message.startswith("four.yaml: 4 problems") and all(p in message for p in problems)


def test_problems_in_every_part_of_a_file_are_collected():
    text = "name: 7\nyear: '2027'\nassumptions:\n  europa: 1\n  europe: .inf\n  acg: 99\n  rasht_astara_opens: 1990\n"
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "many.yaml")
    joined = "\n".join(caught.value.problems)
    for key in (
        "corridors_scenario",
        "'year' must be a whole number",
        "unknown assumption(s) europa",
        "'europe'",
        "'acg'",
        "'rasht_astara_opens'",
        "'name'",
    ):
        assert key in joined, f"{key!r} missing from {caught.value.problems}"


def test_scenario_name_follows_the_state(ledger):
    base = baseline(ledger, 2027).assumptions
    eu20 = shipped_scenarios()["eu-20-bcm-2027"]
    loaded = eu20.assumptions(ledger)
    assert scenario_label(eu20.name, loaded, loaded, base) == "EU 20 bcm by 2027"
    moved = loaded.model_copy(update={"tap_capacity": 15.0})
    assert scenario_label(eu20.name, loaded, moved, base) == "EU 20 bcm by 2027 (edited)"
    # Moving back to what the name was given for restores the name; a float slider's rounding does not count as a change.
    assert scenario_label(eu20.name, loaded, loaded.model_copy(update={"europe": 20.0 + 1e-12}), base) == "EU 20 bcm by 2027"
    baseline_2025 = baseline(ledger, 2025).assumptions
    assert scenario_label("Baseline", baseline_2025, baseline_2025, baseline_2025) == "Baseline"
    edited = baseline_2025.model_copy(update={"europe": 20.0, "tap_capacity": 20.0})
    assert scenario_label("Baseline", baseline_2025, edited, baseline_2025) == "Baseline (edited)"
    # Another year's baseline is still the baseline, and an edited file's name is not edited twice.
    assert scenario_label("Baseline", baseline_2025, base, base) == "Baseline"
    assert scenario_label("Mine (edited)", loaded, moved, base) == "Mine (edited)"


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
    assert doc["format"] == "corridors.run/2"
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
