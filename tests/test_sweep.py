"""Sweeps: scenarios × years × draws, in this process and on a local two-worker Dask cluster."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from distributed import Client, LocalCluster

from corridors.model.sweep import COLUMNS, parse_years, sweep, tasks
from tests.conftest import ROOT


def test_years_are_read_as_spans_and_lists():
    assert parse_years("2025-2027") == [2025, 2026, 2027]
    assert parse_years("2025, 2030") == [2025, 2030]
    with pytest.raises(ValueError, match="first year is after the last"):
        parse_years("2030-2025")


def test_a_local_two_worker_cluster_gives_the_same_table_as_this_process(ledger):
    todo = tasks(str(ledger.data_dir), [("Baseline", {}), ("EU 20", {"europe": 20.0})], [2024, 2025], draws=12, seed=3)
    here = sweep(todo)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
        there = sweep(todo, client)
    assert list(here.columns) == COLUMNS
    pd.testing.assert_frame_equal(here, there)
    # One row per scenario, year and indicator, and per scenario, year and link.
    indicators = here[here["kind"] == "indicator"]
    assert set(indicators["scenario"]) == {"Baseline", "EU 20"} and set(indicators["year"]) == {2024, 2025}
    europe_share = indicators[(indicators["key"] == "russian_share_of_eu_exports") & (indicators["year"] == 2025)].set_index("scenario")
    # Europe asking 20 cannot get it all, but gets more than the baseline's 12.8: Russian gas weighs less against it.
    assert europe_share.at["EU 20", "central"] < europe_share.at["Baseline", "central"]
    binding = here[here["kind"] == "binding"]
    assert binding["probability"].between(0, 1).all()


def test_cli_sweep_writes_parquet_and_refuses_bad_years(tmp_path):
    out = tmp_path / "sweep.parquet"
    scenario = ROOT / "data" / "scenarios" / "eu-20-bcm-2027.yaml"
    command = [sys.executable, "-m", "corridors", "sweep", "--scenarios", str(scenario), "--years", "2026-2027", "--draws", "8"]
    done = subprocess.run([*command, "--scheduler", "none", "--out", str(out), "--quiet"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    table = pd.read_parquet(out)
    assert set(table["scenario"]) == {"EU 20 bcm by 2027"} and set(table["year"]) == {2026, 2027}
    assert "wrote" in done.stdout and "2 year(s) × 8 draws" in done.stdout
    bad = subprocess.run([*command[:7], "1990-1991", "--scheduler", "none"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "1990 is outside" in bad.stderr
