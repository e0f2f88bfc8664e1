"""Monte Carlo over the ranges the sources leave open: intervals, binding probabilities, swings."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridors.ledger.expressions import variables
from corridors.model.baseline import baseline
from corridors.model.solve import model_of
from corridors.model.uncertainty import monte_carlo, sample, uncertain_inputs

DRAWS = 64
TOL = 1e-6


@pytest.fixture(scope="module")
def base(ledger):
    return baseline(ledger, 2025)


@pytest.fixture(scope="module")
def run(ledger, graph, base):
    return monte_carlo(model_of(graph), ledger, base, base.assumptions, draws=DRAWS, seed=7)


def test_inputs_are_the_sources_ranges_and_the_labelled_ones(run):
    inputs = run.inputs.set_index("input")
    # Russian gas 2025: the 2023 figures carried forward, 0 and 0.8 bcm; the default is 0.8 (published last).
    assert tuple(inputs.loc["russia_to_azerbaijan", ["low", "central", "high"]]) == (0.0, 0.8, 0.8)
    assert inputs.loc["russia_to_azerbaijan", "distribution"] == "triangular"
    # INSTC 2024 (carried to 2025): 20 and 26.9 Mt.
    assert tuple(inputs.loc["instc_total", ["low", "high"]]) == (20.0, 26.9)
    # A labelled assumption is drawn over its stated range, uniformly.
    assert tuple(inputs.loc["iran_swap_fee", ["low", "high", "distribution"]]) == (0.15, 0.3, "uniform")
    # A link's capacity range from links.csv; the TAP, TANAP and SCP capacities are their assumptions' business.
    assert tuple(inputs.loc["w-rasht-qazvin-rail", ["low", "central", "high", "kind"]]) == (5.0, 5.0, 7.5, "link")
    assert "tap-kipoi-komotini" not in inputs.index and "scp-sangachal-georgia" not in inputs.index
    assert (inputs["low"] <= inputs["central"]).all() and (inputs["central"] <= inputs["high"]).all()


def test_percentiles_are_ordered_and_the_draws_hold_the_central_value(run):
    intervals = run.intervals().dropna()
    assert len(intervals) >= 10
    assert (intervals["p10"] <= intervals["p50"] + TOL).all() and (intervals["p50"] <= intervals["p90"] + TOL).all()
    # The scenario itself lies within what its inputs allow: the draws, and each input alone at its low and
    # high end. (An 80 % interval may leave out a central value at the edge of its sources' range, as Russian
    # gas's 0.8 bcm is: the draws come near that edge, the swing reaches it.)
    for name, row in intervals.iterrows():
        ends = [value.get(name, np.nan) for pair in run.swings.values() for value in pair]
        reach = np.concatenate([run.indicators[name].to_numpy(dtype=float), np.array(ends, dtype=float)])
        assert np.nanmin(reach) - TOL <= row["central"] <= np.nanmax(reach) + TOL, name


def test_an_input_without_a_range_gives_a_zero_width_interval(run):
    intervals = run.intervals()
    # National output is the ledger's single 2025 figure, split into fields: nothing to draw.
    assert intervals.loc["gas_production", "p10"] == pytest.approx(51.5) == intervals.loc["gas_production", "p90"]


def test_a_value_the_user_moved_is_held(ledger, graph, base):
    mine = base.assumptions.model_copy(update={"russia_to_azerbaijan": 0.5})
    held = monte_carlo(model_of(graph), ledger, base, mine, draws=16, seed=7)
    assert "russia_to_azerbaijan" not in set(held.inputs["input"])
    assert held.intervals().loc["russian_imports", ["p10", "p90"]].tolist() == pytest.approx([0.5, 0.5])


def test_binding_probabilities_are_shares_of_draws(run):
    probability = run.binding_probability()
    assert ((probability >= 0) & (probability <= 1)).all()
    # SCP and TAP are full at the 2025 baseline whatever the draw.
    assert probability["scp-sangachal-georgia"] == 1.0 and probability["tap-kipoi-komotini"] == 1.0
    assert probability["g-mozdok-gazimagomed"] == 0.0


def test_the_same_seed_gives_identical_results_and_another_seed_does_not(ledger, graph, base, run):
    again = monte_carlo(model_of(graph), ledger, base, base.assumptions, draws=DRAWS, seed=7)
    np.testing.assert_array_equal(again.samples.to_numpy(), run.samples.to_numpy())
    np.testing.assert_array_equal(again.indicators.to_numpy(), run.indicators.to_numpy())
    other = monte_carlo(model_of(graph), ledger, base, base.assumptions, draws=DRAWS, seed=8)
    assert not np.array_equal(other.samples.to_numpy(), run.samples.to_numpy())


def test_two_worker_processes_give_what_one_process_gives(ledger, graph, base):
    # 180 draws and 26 inputs' two ends: enough solves to go to the process pool.
    single = monte_carlo(model_of(graph), ledger, base, base.assumptions, draws=180, seed=11)
    spread = monte_carlo(model_of(graph), ledger, base, base.assumptions, draws=180, seed=11, workers=2)
    np.testing.assert_array_equal(single.indicators.to_numpy(), spread.indicators.to_numpy())
    np.testing.assert_array_equal(single.binding.to_numpy(), spread.binding.to_numpy())
    assert single.swings == spread.swings


def test_a_run_spread_over_processes_stops_when_its_caller_says_so(ledger, graph, base, monkeypatch):
    # The page stops an abandoned run by raising from its progress: no piece may stay queued behind it, holding the
    # processes from the next run (pieces already handed to a process end on their own, within a second).
    from corridors.model import uncertainty

    pool = uncertainty._pool(2)
    submitted = []
    real_submit = pool.submit
    monkeypatch.setattr(pool, "submit", lambda *args: submitted.append(real_submit(*args)) or submitted[-1])

    class Stop(Exception):
        pass

    def stop_at_first_piece(done: int, total: int) -> None:
        raise Stop

    with pytest.raises(Stop):
        monte_carlo(model_of(graph), ledger, base, base.assumptions, draws=1000, seed=11, progress=stop_at_first_piece, workers=2)
    assert len(submitted) == 8
    queued = [f for f in submitted if not (f.done() or f.running())]
    assert not queued, f"{len(queued)} pieces still queued after the run was stopped"
    assert any(f.cancelled() for f in submitted)
    again = monte_carlo(model_of(graph), ledger, base, base.assumptions, draws=180, seed=11, workers=2)
    assert len(again.indicators) == 180


def test_the_swing_ranks_russian_gas_first_for_the_russian_share(run):
    ranking = run.sensitivity("russian_share_of_eu_exports")
    top = ranking.iloc[0]
    assert top["input"] == "russia_to_azerbaijan"
    # Alone at 0 the share is 0; alone at 0.8 it is 0.8 / 12.8.
    assert (top["at_low"], top["at_high"]) == pytest.approx((0.0, 0.8 / 12.8))


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), row=st.integers(0, 7))
def test_every_draw_keeps_capacities_and_balances_demand(ledger, graph, base, seed, row):
    model = model_of(graph)
    inputs = uncertain_inputs(ledger, base, base.assumptions, model)
    drawn = sample(inputs, 8, seed).iloc[row].to_dict()
    values = variables(base.assumptions.model_dump())
    values.update({k: v for k, v in drawn.items() if k in values})
    for name, net in model.networks.items():
        capacity = net.base_capacity.copy()
        ids = list(net.links["link_id"])
        for link, value in drawn.items():
            if link in ids:
                capacity[ids.index(link)] = value
        solved = model.solve_network(net, values, capacity=capacity)
        assert (solved["flow"] >= -TOL).all()
        limited = np.isfinite(solved["capacity"]) & solved["open"]
        assert (solved["flow"][limited] <= solved["capacity"][limited] + 1e-6).all(), name
        assert (solved["flow"][~solved["open"]] <= TOL).all(), name
        for market, wanted in solved["demand"].items():
            assert solved["delivered"][market] + solved["unmet"][market] == pytest.approx(wanted, abs=1e-6), market


def test_cli_run_with_draws_adds_the_documented_fields_and_keeps_the_single_run_ones():
    command = [sys.executable, "-m", "corridors", "run", "--year", "2025", "--format", "json"]
    single = json.loads(subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout)
    drawn = json.loads(
        subprocess.run([*command, "--draws", "40", "--seed", "7"], capture_output=True, text=True, timeout=300, check=True).stdout
    )
    assert single["format"] == drawn["format"] == "corridors.run/2"
    assert set(single) == set(drawn) and {"uncertainty", "intervals", "binding_probability"} <= set(drawn)
    # Every field of /1 is there, with the same single-run values.
    for key in ("scenario", "links", "nodes", "unmet", "markets", "indicators", "indicator_definitions", "notes"):
        assert drawn[key] == single[key], key
    assert single["intervals"] == {} and single["uncertainty"]["draws"] == 0
    assert drawn["uncertainty"]["draws"] == 40 and drawn["uncertainty"]["seed"] == 7
    share = drawn["intervals"]["russian_share_of_eu_exports"]
    assert 0 <= share["p10"] <= share["p50"] <= share["p90"] <= 0.8 / 12.8 + TOL
    assert all(0 <= p <= 1 for p in drawn["binding_probability"].values())


def test_cli_refuses_negative_draws():
    done = subprocess.run([sys.executable, "-m", "corridors", "run", "--draws", "-3"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "--draws -3 is negative" in done.stderr
