"""How defaults are read from the ledger: conflicts, years before a first figure, parts of a total, capacities."""

from __future__ import annotations

import pandas as pd
import pytest

from corridors.ledger.load import LedgerError, load_ledger
from corridors.model.baseline import baseline


def test_a_conflict_takes_one_sources_figure_by_the_wiring_rule_and_keeps_the_range(ledger):
    # Georgia 2020: 1.2 (pipeline deliveries only) and 2.4 bcm (ministry annual report); rule 'highest'.
    georgia = baseline(ledger, 2020).provenance["georgia"]
    assert (georgia.value, georgia.low, georgia.high) == (2.4, 1.2, 2.4)
    assert "the highest reported figure (e-gas-exp-ge-2020-caspianbarrel)" in georgia.label
    # Russian gas 2023: 0 (undated) and 0.8 bcm (Turan, Oct 2024); rule 'latest_published'. Never their median.
    russia = baseline(ledger, 2023).provenance["russia_to_azerbaijan"]
    assert (russia.value, russia.low, russia.high) == (0.8, 0.0, 0.8)
    assert "most recently published" in russia.label


def test_a_contract_is_never_an_outturn(ledger):
    # 2022 Russian gas: one estimate of 1 bcm and two contract ceilings; only the estimate is read.
    russia = baseline(ledger, 2022).provenance["russia_to_azerbaijan"]
    assert russia.estimate_ids == ("e-gas-imp-ru-2022-ang-trend",)
    # The Turkmen swap has only contract volumes: its default is 0, and the label says why.
    swap = baseline(ledger, 2023).provenance["turkmen_swap"]
    assert swap.value == 0 and swap.kind == "assumption" and "contract is not an outturn" in swap.label


def test_before_the_first_figure_a_default_is_carried_back_or_explained(ledger):
    base = baseline(ledger, 2019)
    # Nakhchivan's only figure (2025, 0.28 with a 0.26–0.30 range) is carried back, labelled, with its range.
    nakhchivan = base.provenance["nakhchivan"]
    assert (nakhchivan.value, nakhchivan.kind, nakhchivan.low, nakhchivan.high) == (0.28, "assumption", 0.26, 0.3)
    assert "carried back to 2019" in nakhchivan.label
    # Europe before TAP: 0, and the label says why rather than being silent.
    europe = base.provenance["europe"]
    assert europe.value == 0 and europe.kind == "assumption" and "TAP started on 31 Dec 2020" in europe.label


def test_no_default_is_a_silent_zero(ledger):
    for year in range(2019, 2026):
        base = baseline(ledger, year)
        for name, found in base.provenance.items():
            if getattr(base.assumptions, name) == 0:
                assert found.source_ids or len(found.label) > 60, f"{year} {name}: {found.label}"


def test_fields_add_up_to_national_output_every_year(ledger):
    fields = ("shah_deniz", "acg", "absheron", "socar_fields")
    totals = {2019: 35.6, 2020: 37.1, 2021: 43.9, 2022: 46.7, 2023: 48.3, 2024: 50.3, 2025: 51.5}
    for year, total in totals.items():
        a = baseline(ledger, year).assumptions
        assert sum(getattr(a, f) for f in fields) == pytest.approx(total, abs=0.01), year
    # 2023: Shah Deniz has its own figure (26); ACG and SOCAR share the rest (22.3) as in 2020 (11.7 : 7.3).
    base = baseline(ledger, 2023)
    assert base.assumptions.shah_deniz == 26 and base.provenance["shah_deniz"].kind == "ledger"
    assert base.assumptions.acg == pytest.approx(22.3 * 11.7 / 19.0, abs=0.001)
    assert "its share in 2020" in base.provenance["acg"].label


def test_a_pipeline_capacity_is_never_below_a_flow_it_carried(ledger):
    assert baseline(ledger, 2021).assumptions.tap_capacity == 10  # nameplate; 8.1 carried
    tap = baseline(ledger, 2022).provenance["tap_capacity"]
    assert tap.value == 11.5 and "e-flow-tap-2022-trend" in tap.estimate_ids
    # 2026: the contracted step to 11.2 does not lower what TAP already carried.
    assert baseline(ledger, 2026).assumptions.tap_capacity == 11.5


def test_a_fallback_before_the_first_figure_needs_its_reason(ledger_copy):
    path = ledger_copy / "model_assumptions.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    line = int(table.index[table["name"] == "europe"][0]) + 2
    table.loc[table["name"] == "europe", "note"] = ""
    table.to_csv(path, index=False)
    with pytest.raises(LedgerError) as refused:
        load_ledger(ledger_copy)
    assert f"model_assumptions.csv, line {line}, column 'note'" in str(refused.value)
