"""Benchmarks that print figures: ``python -m corridors bench``.

Timings are printed, never asserted: a benchmark that fails a test on a busy machine
helps nobody. Each line gives the median and the 95th percentile over repeated runs.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import numpy as np

from corridors.export import ScenarioExport, chart_bytes, renderer, report_pdf, report_zip
from corridors.export.render import IMAGE_FORMATS
from corridors.ledger.load import Ledger
from corridors.ledger.wiring import AssumptionsBase
from corridors.model.lp import Commodity, Market, NetworkLP


def _timed(fn: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def percentile(values: list[float], share: float) -> float:
    """The value at ``share`` (0.95: the 95th percentile) of the sorted values, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _report(label: str, times: list[float]) -> None:
    ms = [t * 1000 for t in times]
    p95 = percentile(ms, 0.95)
    print(f"  {label:<58} median {statistics.median(ms):9.2f} ms   p95 {p95:9.2f} ms   (n={len(ms)})", flush=True)


def synthetic_problem(n_nodes: int, seed: int = 0) -> tuple[NetworkLP, Callable[[], object]]:
    """A random connected network of ``n_nodes`` with ~3 arcs per node, 20 supplies and 20 markets."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n_nodes)))
    ids = np.arange(n_nodes)
    right = ids[(ids % side != side - 1) & (ids + 1 < n_nodes)]
    down = ids[ids + side < n_nodes]
    tail = np.concatenate([right, right + 1, down, down + side])
    head = np.concatenate([right + 1, right, down + side, down])
    extra = rng.integers(0, n_nodes, size=(n_nodes // 2, 2))
    extra = extra[extra[:, 0] != extra[:, 1]]
    tail, head = np.concatenate([tail, extra[:, 0]]), np.concatenate([head, extra[:, 1]])
    picks = rng.choice(n_nodes, size=40, replace=False)
    markets = tuple(Market(f"m{i}", (int(n),), 1e4) for i, n in enumerate(picks[20:]))
    commodity = Commodity("c", tuple(int(n) for n in picks[:20]), tuple([1.0] * 20), markets)
    lp = NetworkLP(n_nodes, tail, head, [commodity])
    capacity = rng.uniform(5, 50, size=len(tail))
    cost = rng.uniform(1, 10, size=len(tail))

    def solve_once() -> object:
        demand = rng.uniform(10, 40, size=len(markets))
        return lp.solve(capacity, np.ones(len(tail), dtype=bool), cost, [np.full(20, 60.0)], [demand])

    return lp, solve_once


def run_benchmarks(quick: bool = False, skip: set[str] | None = None) -> None:
    """Print every benchmark."""
    from corridors import build_graph, load_ledger
    from corridors.model import solve
    from corridors.model.assumptions import baseline
    from corridors.model.flows import FlowModel
    from corridors.model.scenarios import from_query

    skip = skip or set()
    repeat = 30 if quick else 200
    print("Corridors benchmarks (times per call)", flush=True)
    ledger = load_ledger()
    graph = build_graph(ledger)
    _report("load + validate the ledger", _timed(load_ledger, 3 if quick else 10))
    _report("build the flow model (both programmes)", _timed(lambda: FlowModel(graph, ledger.wiring), 3 if quick else 10))
    base = baseline(ledger, 2025).assumptions
    solve(graph, base)
    rng = np.random.default_rng(1)

    def one_solve() -> object:
        return solve(graph, base.model_copy(update={"europe": float(rng.uniform(8, 20)), "instc_total": float(rng.uniform(10, 40))}))

    _report(f"solve() on the shipped network ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} links)", _timed(one_solve, repeat))
    # A session's first view reads its link, and a named or uploaded scenario is read the same way: each needs its
    # year's baseline, which a ledger computes once (cached_baseline).
    _report("the year's baseline read from the ledger (once per year)", _timed(lambda: baseline(ledger, 2025), 3 if quick else 10))
    _report("a shared link read into a scenario (from_query)", _timed(lambda: from_query({"europe": "20", "year": "2027"}, ledger), repeat))
    timeline_benchmarks(ledger, graph, repeat)
    if "page" not in skip:
        from corridors.ui.bench_page import page_rerun_times, years_rerun_times

        # The years page first: the Flows page starts Monte Carlo draws in the background, which would share its CPU.
        _report("years page rerun after a growth slider move (AppTest; goal < 300 ms)", years_rerun_times(10 if quick else 19))
        _report("page rerun after a slider change (AppTest, Flows page)", page_rerun_times(10 if quick else 40))
    if "synthetic" not in skip:
        for n in (1_000, 10_000):
            build = []
            start = time.perf_counter()
            _, solve_once = synthetic_problem(n)
            build.append(time.perf_counter() - start)
            _report(f"synthetic network, {n:,} nodes: build", build)
            _report(f"synthetic network, {n:,} nodes: solve", _timed(solve_once, 3 if quick else 10))
    if "draws" not in skip:
        draw_benchmarks(ledger, graph, 250 if quick else 1000)
    if "export" not in skip:
        export_benchmarks(ledger, graph, base, _report, quick=quick)


def timeline_benchmarks(ledger: Ledger, graph: nx.MultiDiGraph, repeat: int) -> None:
    """The years view and the comparison: first calls (each year's baseline read once) and warm reruns."""
    from corridors.model.compare import compare_scenarios
    from corridors.model.scenarios import shipped_scenarios
    from corridors.model.timeline import events_frame, timeline_document, timeline_results, timeline_span

    first, last = timeline_span(ledger)
    named = shipped_scenarios(ledger)
    pair = [named[k] for k in ("baseline-2025", "eu-20-bcm-2027") if k in named]
    pair = pair if len(pair) == 2 else list(named.values())[:2]

    def whole_timeline() -> object:
        return timeline_document(timeline_results(ledger, graph, first, last), events_frame(ledger, first, last))

    if len(pair) == 2:
        _report(f"compare {pair[0].name} with {pair[1].name} (first call)", _timed(lambda: compare_scenarios(ledger, graph, *pair), 1))
    _report(f"timeline {first}-{last} (first call: reads {last - first + 1} baselines)", _timed(whole_timeline, 1))
    _report(f"timeline {first}-{last} (warm)", _timed(whole_timeline, max(3, repeat // 20)))
    if len(pair) == 2:
        _report("compare two named scenarios (warm)", _timed(lambda: compare_scenarios(ledger, graph, *pair), repeat // 4))


def process_memory_mb(pid: int | None, field: str = "VmHWM") -> float:
    """A live process's memory from Linux's /proc status: peak resident (VmHWM) or current (VmRSS); 0 where it does not say."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return 0.0
    found = re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) / 1024 if found else 0.0


def draw_benchmarks(ledger: Ledger, graph: nx.MultiDiGraph, draws: int) -> None:
    """Monte Carlo: the wall time of ``draws`` draws, against as many warm ``solve()`` calls, and peak memory."""
    import resource

    from corridors.model import solve
    from corridors.model.baseline import baseline
    from corridors.model.solve import model_of
    from corridors.model.uncertainty import monte_carlo

    base = baseline(ledger, 2025)
    model = model_of(graph)
    start = time.perf_counter()
    run = monte_carlo(model, ledger, base, base.assumptions, draws=draws, seed=7)
    single = time.perf_counter() - start
    workers = min(2, os.cpu_count() or 1)
    start = time.perf_counter()
    monte_carlo(model, ledger, base, base.assumptions, draws=draws, seed=7, workers=workers)
    cold = time.perf_counter() - start
    start = time.perf_counter()
    monte_carlo(model, ledger, base, base.assumptions, draws=draws, seed=7, workers=workers)
    drawing = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(draws):
        solve(graph, base.assumptions)
    solving = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_mb = max((process_memory_mb(child.pid) for child in multiprocessing.active_children()), default=0.0)
    print(f"  {draws:,} Monte Carlo draws, {len(run.inputs)} inputs, swings included:", flush=True)
    print("    in this process".ljust(60) + f" {single:9.2f} s", flush=True)
    print(f"    {workers} worker processes, started for this run".ljust(60) + f" {cold:9.2f} s", flush=True)
    print(f"    {workers} worker processes, already running (warm)".ljust(60) + f" {drawing:9.2f} s", flush=True)
    print(f"  {draws:,} warm solve() calls".ljust(60) + f" {solving:9.2f} s", flush=True)
    print("  ratio: warm draws / warm solves".ljust(60) + f" {drawing / solving:9.2f}", flush=True)
    print("  peak memory of this process so far".ljust(60) + f" {peak_mb:9.0f} MB", flush=True)
    print("  peak memory of the largest worker process".ljust(60) + f" {worker_mb:9.0f} MB", flush=True)


def export_benchmarks(
    ledger: Ledger, graph: nx.MultiDiGraph, assumptions: AssumptionsBase, report: Callable[[str, list[float]], None], quick: bool = False
) -> None:
    """Time chart exports (first and warm) and the whole report; printed by ``corridors bench``."""
    import time

    bundle = ScenarioExport(ledger, graph, assumptions, "Benchmark")
    flows_map = bundle.figures()["flows"][1]()
    bars = bundle.figures()["gas_markets"][1]()
    renderer.close()
    for fmt in IMAGE_FORMATS:
        start = time.perf_counter()
        chart_bytes(flows_map, fmt, bundle.context)
        first = time.perf_counter() - start
        report(f"export flows map {fmt.upper()} (first call{', starts the browser' if fmt == 'png' else ''})", [first])
        for label, fig in (("flows map", flows_map), ("bar chart", bars)):
            warm = []
            for _ in range(3 if quick else 8):
                start = time.perf_counter()
                chart_bytes(fig, fmt, bundle.context)
                warm.append(time.perf_counter() - start)
            report(f"export {label} {fmt.upper()} (warm)", warm)
    # Fresh bundles: a bundle keeps the charts it rendered, which would flatter the second timing.
    start = time.perf_counter()
    report_pdf(ScenarioExport(ledger, graph, assumptions, "Benchmark"))
    report("whole PDF report (6 charts + tables)", [time.perf_counter() - start])
    start = time.perf_counter()
    report_zip(ScenarioExport(ledger, graph, assumptions, "Benchmark"))
    report("ZIP of all charts (SVG + PNG) + XLSX + CSV", [time.perf_counter() - start])
