"""A second corridor, the Middle Corridor, run end to end from its data folder alone.

``tests/data/middle_corridor`` is a small, sourced ledger with its own wiring: cargo from the
Chinese border (Altynkol/Khorgos) crosses the Caspian from Aktau or Kuryk to Alat and goes on by
rail to the Georgian port of Poti or over the Baku–Tbilisi–Kars line (BTK) to Kars. None of its
node or link ids is in the shipped ledger. If the engine still knew places by name, these tests
would fail: validation, baseline, flows, every dashboard page and the exports all run on it with
no code change.

The expected numbers are worked out by hand from the folder's CSV rows (cited in each test):
with capacities to spare, every tonne crosses the Caspian once, so the sea legs carry the whole
demand, split between the ports by the route shares.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import corridors
from corridors.export import ScenarioExport, export_all
from corridors.model.baseline import baseline
from corridors.model.flows import FlowResult, flow_model
from tests.conftest import ROOT

MIDDLE = Path(__file__).resolve().parent / "data" / "middle_corridor"
APP = str(ROOT / "app.py")
TOL = 1e-6

#: The route-wide figures in estimates.csv (transit_volume KZ>AZ, reported): 2024 has two sources, 4.48 and 4.5 Mt;
#: the default takes one of them by the wiring's conflict rule (blank ``choose``: the highest).
TOTAL_2024 = 4.5
TOTAL_2025 = 4.12
#: 2023: 2.76 (ministry) and 2.7 Mt (TITR association): the highest.
TOTAL_2023 = 2.76
#: Labelled assumptions of model_assumptions.csv: share bound for Kars, share shipped from Aktau.
KARS_SHARE = 0.29
AKTAU_SHARE = 0.5
#: Nodes that are neither origin nor destination of cargo: mass must balance there.
TRANSIT_NODES = ("aktau", "kuryk", "alat", "tbilisi_mc", "akhalkalaki")
KURYK_FERRY = "mc-kuryk-alat-sea"
BTK_LINKS = ("mc-tbilisi-akhalkalaki-rail", "mc-akhalkalaki-kars-rail")


@pytest.fixture(scope="module")
def middle() -> corridors.Ledger:
    return corridors.load_ledger(MIDDLE)


@pytest.fixture(scope="module")
def middle_graph(middle):
    return corridors.build_graph(middle)


def solve(ledger: corridors.Ledger, graph, year: int, **changes: float) -> FlowResult:
    """The baseline of ``year`` with some assumptions changed, solved by the real flow model."""
    values = {**baseline(ledger, year).assumptions.model_dump(), **changes}
    assumptions = ledger.wiring.assumption_model(**values)
    return flow_model(graph, ledger.wiring).solve(assumptions)


def link(result: FlowResult, link_id: str) -> pd.Series:
    return result.links.set_index("link_id").loc[link_id]


# -- (1) the folder is a valid ledger, and really another corridor ---------------------------------


def test_second_corridor_validates_against_the_shipped_data_package():
    assert corridors.validate_ledger(MIDDLE) == []


def test_second_corridor_shares_no_id_with_the_shipped_ledger(middle, ledger):
    # Disjoint ids are what make the test a proof: a place name left in the code would find nothing here.
    assert not set(middle.nodes["node_id"]) & set(ledger.nodes["node_id"])
    assert not set(middle.links["link_id"]) & set(ledger.links["link_id"])
    assert not set(middle.wiring.flows["flow_id"]) & set(ledger.wiring.flows["flow_id"])


# -- (2) defaults, flows, capacities and indicators, by hand ---------------------------------------


def test_baseline_reads_its_defaults_from_the_folder(middle):
    base = baseline(middle, 2024)
    a, why = base.assumptions, base.provenance
    assert a.titr_total == pytest.approx(TOTAL_2024)
    assert why["titr_total"].kind == "ledger"
    assert set(why["titr_total"].estimate_ids) == {"e-titr-2024-astanatimes", "e-titr-2024-vestikavkaza"}
    # links.csv gives BTK 1 Mt/yr; the 2024 capacity step in estimates.csv raises it to 5.
    assert a.btk_capacity == pytest.approx(5.0)
    assert why["btk_capacity"].estimate_ids == ("e-btk-cap-2024-trend",)
    assert baseline(middle, 2023).assumptions.btk_capacity == pytest.approx(1.0)
    assert baseline(middle, 2023).assumptions.titr_total == pytest.approx(TOTAL_2023)
    # The first year of the Akhalkalaki–Kars line in links.csv, and the Kuryk rail ferry berth.
    assert a.btk_opens == 2017 and why["btk_opens"].kind == "ledger"
    assert a.kuryk_ferry_capacity == pytest.approx(4.1)
    assert why["kars_share"].kind == "assumption" and (why["kars_share"].low, why["kars_share"].high) == (0.0, 0.29)


def test_baseline_flows_conserve_mass_and_match_hand_figures(middle, middle_graph):
    result = solve(middle, middle_graph, 2024)
    balance = result.nodes.set_index("node_id")["balance"]
    for node in TRANSIT_NODES:
        assert balance[node] == pytest.approx(0.0, abs=TOL), node
    # Cargo leaves its origin and arrives at the two destinations: the market split of model_flows.csv.
    assert balance["khorgos"] == pytest.approx(-TOTAL_2024)
    assert balance["kars"] == pytest.approx(TOTAL_2024 * KARS_SHARE)
    assert balance["poti"] == pytest.approx(TOTAL_2024 * (1 - KARS_SHARE))
    limited = result.links.dropna(subset=["capacity"])
    assert (limited["flow"] <= limited["capacity"] + TOL).all()
    assert not result.links["binding"].any()
    markets = result.markets
    assert (markets["delivered"] - markets["demand"]).abs().max() == pytest.approx(0.0, abs=TOL)
    ind = result.indicators
    # Demand is below every capacity, so each tonne crosses the Caspian once, half from each port.
    assert ind["caspian_crossing"] == pytest.approx(TOTAL_2024)
    assert ind["aktau_crossing"] == pytest.approx(TOTAL_2024 * AKTAU_SHARE)
    assert ind["kuryk_crossing"] == pytest.approx(TOTAL_2024 * (1 - AKTAU_SHARE))
    # Only the sea legs have one end in Kazakhstan; only Akhalkalaki–Kars joins Georgia and Türkiye.
    assert ind["kazakhstan_exit"] == pytest.approx(TOTAL_2024)
    assert ind["turkiye_rail"] == pytest.approx(TOTAL_2024 * KARS_SHARE)
    assert ind["freight_unmet"] == pytest.approx(0.0, abs=TOL)
    # BTK is the only way to Kars: without it, all of Kars' cargo is lost.
    assert ind["btk_effect"] == pytest.approx(TOTAL_2024 * KARS_SHARE)


def test_a_small_kuryk_ferry_binds_and_leaves_tied_cargo_unmet(middle, middle_graph):
    # All cargo tied to Kuryk, ferry at 1 Mt/yr: 1 Mt crosses, the rest cannot switch to Aktau.
    result = solve(middle, middle_graph, 2024, kuryk_ferry_capacity=1.0, aktau_share=0.0)
    assert link(result, KURYK_FERRY)["flow"] == pytest.approx(1.0)
    assert bool(link(result, KURYK_FERRY)["binding"])
    assert result.indicators["aktau_crossing"] == pytest.approx(0.0, abs=TOL)
    assert result.indicators["freight_unmet"] == pytest.approx(TOTAL_2024 - 1.0)
    assert set(result.bottlenecks["link_id"]) == {KURYK_FERRY}


def test_cargo_free_to_switch_takes_the_other_port(middle, middle_graph):
    result = solve(middle, middle_graph, 2024, kuryk_ferry_capacity=1.0, aktau_share=0.0, free_share=1.0)
    assert result.indicators["freight_unmet"] == pytest.approx(0.0, abs=TOL)
    assert result.indicators["caspian_crossing"] == pytest.approx(TOTAL_2024)
    assert link(result, KURYK_FERRY)["flow"] <= 1.0 + TOL


def test_btk_capacity_limits_cargo_to_kars_before_2024(middle, middle_graph):
    # 2023: BTK at 1 Mt/yr; with half the cargo bound for Kars (1.365 Mt), 0.365 Mt is not carried.
    result = solve(middle, middle_graph, 2023, kars_share=0.5)
    assert result.indicators["turkiye_rail"] == pytest.approx(1.0)
    assert result.indicators["freight_unmet"] == pytest.approx(TOTAL_2023 * 0.5 - 1.0)
    assert result.markets.loc["to_black_sea", "unmet"] == pytest.approx(0.0, abs=TOL)
    assert set(result.bottlenecks["link_id"]) <= set(BTK_LINKS) and len(result.bottlenecks)


def test_btk_not_yet_open_sends_nothing_to_kars(middle, middle_graph):
    result = solve(middle, middle_graph, 2024, btk_opens=2025)
    assert not bool(link(result, "mc-akhalkalaki-kars-rail")["open"])
    assert result.indicators["turkiye_rail"] == pytest.approx(0.0, abs=TOL)
    assert result.markets.loc["to_turkiye", "unmet"] == pytest.approx(TOTAL_2024 * KARS_SHARE)
    assert result.indicators["btk_effect"] == pytest.approx(TOTAL_2024 * KARS_SHARE)


# -- (3) every dashboard page renders the folder ----------------------------------------------------


def open_page(at: AppTest, name: str) -> AppTest:
    """Switch a run AppTest to the page served at ``/name`` ('network' is the default page)."""
    for page_hash, info in at._registered_pages.items():
        url = info.get("url_pathname")
        if url == name or (name == "network" and url == ""):
            script = info.get("script_path")
            if script:
                at.switch_page(os.path.relpath(script, Path(APP).parent))
            else:
                # A page given to st.Page as a function has no file, and AppTest.switch_page only takes files.
                at._page_hash = page_hash
            return at.run()
    raise AssertionError(f"no page at /{name}: {[i.get('url_pathname') for i in at._registered_pages.values()]}")


@pytest.fixture
def app(monkeypatch) -> AppTest:
    monkeypatch.setenv("CORRIDORS_DATA", str(MIDDLE))
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    return at


def page_text(at: AppTest) -> str:
    kinds = ("title", "header", "subheader", "caption", "markdown", "info", "warning", "error")
    parts = [e.value for kind in kinds for e in getattr(at, kind)]
    return " ".join([*map(str, parts), *(m.label for m in at.metric)])


@pytest.mark.parametrize("name", ["network", "flows", "sources"])
def test_every_page_renders_the_second_corridor(app, name, middle):
    at = open_page(app, name)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.title, "the page drew nothing"
    if name == "network":
        assert len(at.dataframe[0].value) == len(middle.links)
    elif name == "flows":
        # The default year is 2025: one source gives 4.12 Mt, all of it crosses the Caspian.
        metrics = {m.label: m.value for m in at.metric}
        assert metrics["Cargo across the Caspian"] == f"{TOTAL_2025:.2f} Mt/yr"
        assert metrics["Freight demand not met"] == "0.00 Mt/yr"
        assert {s.key for s in at.slider} >= {"a_titr_total", "a_kuryk_ferry_capacity", "a_btk_opens"}
    else:
        assert len(at.dataframe[0].value) == len(middle.estimates)


def test_flows_page_runs_the_folders_own_scenario(app):
    # scenarios/kuryk-ferry-cut.yaml: 2024, Kuryk ferry at 1 Mt/yr, all cargo tied to Kuryk.
    at = open_page(app, "flows")
    at.selectbox(key="flows_pick").set_value("kuryk-ferry-cut").run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Freight demand not met"] == f"{TOTAL_2024 - 1.0:.2f} Mt/yr"


@pytest.mark.parametrize("name", ["network", "flows", "sources"])
def test_pages_do_not_describe_the_shipped_corridor(app, name):
    # The shipped ledger is the INSTC; this folder never names it, so any mention comes from the code.
    at = open_page(app, name)
    assert "INSTC" not in page_text(at)


# -- (4) exports -------------------------------------------------------------------------------------


def test_exports_tables_and_workbook(middle, middle_graph, tmp_path):
    assumptions = baseline(middle, 2024).assumptions
    written = export_all(middle, middle_graph, assumptions, "Middle Corridor 2024", tmp_path, ["csv", "xlsx"], progress=False)
    assert written and all(p.is_file() and p.stat().st_size for p in written)
    flows = pd.read_csv(tmp_path / "tables" / "link_flows.csv")
    assert set(flows["link_id"]) == set(middle.links["link_id"])
    sheets = pd.read_excel(next(p for p in written if p.suffix == ".xlsx"), sheet_name=None)
    assert len(sheets) >= 2


@pytest.mark.export
def test_exports_charts_as_png(middle, middle_graph, tmp_path):
    assumptions = baseline(middle, 2024).assumptions
    written = export_all(middle, middle_graph, assumptions, "Middle Corridor 2024", tmp_path, ["png"], progress=False)
    assert {p.stem for p in written} >= {"network", "caspian_ports"}
    for path in written:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path


def test_exported_charts_do_not_describe_the_shipped_corridor(middle, middle_graph):
    bundle = ScenarioExport(middle, middle_graph, baseline(middle, 2024).assumptions, "Middle Corridor 2024")
    for name, (title, build) in bundle.figures().items():
        text = f"{title} {build().layout.title.text}"
        assert "INSTC" not in text, f"chart {name}: {text}"
