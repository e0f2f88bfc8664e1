"""Command line: ``python -m corridors validate|run|bench|export``.

Every failure prints a message that says what is wrong and exits non-zero: 1 for a
ledger with problems, 2 for a bad scenario or argument, 3 for a failed export.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence

import pandas as pd

from corridors.ledger.load import resolve_data_dir
from corridors.ledger.validate import LedgerError, read_tables

EXIT_LEDGER, EXIT_INPUT, EXIT_EXPORT = 1, 2, 3


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_INPUT):
        super().__init__(message)
        self.code = code


def cmd_validate(args: argparse.Namespace) -> int:
    folder = resolve_data_dir(args.data)
    tables, problems = read_tables(folder)
    if not problems:
        counts = ", ".join(f"{len(frame)} {name}" for name, frame in tables.items())
        print(f"ledger OK: {folder} ({counts})")
        return 0
    print(f"{len(problems)} problem(s) in {folder}:", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return EXIT_LEDGER


def scenario_from_args(args: argparse.Namespace):
    """Ledger, graph, assumptions and scenario name from --data, --scenario and --year."""
    from corridors import build_graph, load_ledger
    from corridors.model.baseline import baseline
    from corridors.model.scenarios import Scenario, ScenarioError, load_scenario

    ledger = with_args_user_data(load_ledger(args.data), args)
    years = ledger.wiring.parameter_info("year")
    if args.year is not None and not years["minimum"] <= args.year <= years["maximum"]:
        raise CliError(f"--year {args.year} is outside {years['minimum']}–{years['maximum']}")
    try:
        if args.scenario:
            scenario = load_scenario(args.scenario, ledger.wiring)
            if args.year is not None:
                scenario = Scenario(scenario.name, args.year, scenario.overrides, scenario.description)
            assumptions, name = scenario.assumptions(ledger), scenario.name
        else:
            year = args.year if args.year is not None else years["default"]
            assumptions, name = baseline(ledger, year).assumptions, f"Baseline {year}"
    except ScenarioError as err:
        raise CliError(f"scenario refused: {err}") from None
    return ledger, build_graph(ledger), assumptions, name


def with_args_user_data(ledger, args: argparse.Namespace):
    """The ledger with the reader's files of ``--user-data`` beside it (as defaults with ``--user-defaults``)."""
    from corridors.ledger.user_data import UserDataError, read_user_paths, with_user_data

    paths = getattr(args, "user_data", None)
    if not paths:
        if getattr(args, "user_defaults", False):
            raise CliError("--user-defaults needs --user-data FILE: the figures it would use")
        return ledger
    try:
        user = read_user_paths(paths, ledger)
    except UserDataError as err:
        raise CliError(str(err)) from None
    return with_user_data(ledger, user, as_defaults=args.user_defaults)


def user_data_document(ledger, base) -> dict | None:
    """The ``user_data`` part of ``run --format json``: the reader's files, rows and the defaults taken from them."""
    if ledger.user is None:
        return None
    rows = ledger.user.estimates[["estimate_id", "metric", "subject", "branch", "year", "value", "unit", "basis", "source_id"]]
    return {
        "files": list(ledger.user.files),
        "used_as_defaults": ledger.user_defaults,
        "defaults_from_user": sorted(n for n, p in base.provenance.items() if p.origin == "user"),
        "estimates": json.loads(rows.assign(origin="user").to_json(orient="records")),
    }


def cmd_run(args: argparse.Namespace) -> int:
    from corridors.model import solve
    from corridors.model.baseline import baseline
    from corridors.views.tables import indicator_table, link_flow_table, market_table, result_document

    ledger, graph, assumptions, name = scenario_from_args(args)
    if args.draws < 0:
        raise CliError(f"--draws {args.draws} is negative: give 0 for a single run, or the number of Monte Carlo draws")
    result = solve(graph, assumptions)
    uncertainty = _draws(ledger, graph, assumptions, args) if args.draws else None
    user = user_data_document(ledger, baseline(ledger, assumptions.year)) if ledger.user is not None else None
    if args.format == "json":
        document = result_document(result, name, uncertainty)
        if user is not None:
            document["user_data"] = user
        json.dump(document, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    with pd.option_context(
        "display.width", 200, "display.max_rows", 500, "display.max_columns", 20, "display.float_format", "{:,.3f}".format
    ):
        print(f"Scenario: {name} (year {assumptions.year})\n")
        if user is not None:
            taken = ", ".join(user["defaults_from_user"]) or "none"
            mode = f"used as defaults for: {taken}" if user["used_as_defaults"] else "shown only (add --user-defaults to use them)"
            print(f"Your data (user-supplied, not the ledger's): {ledger.user.summary()}; {mode}\n")
        print("Flow on every link (capacity NaN: no published capacity, not limited)")
        print(link_flow_table(result).to_string(index=False))
        print("\nDemand, delivered and unmet")
        print(market_table(result).to_string(index=False))
        print("\nIndicators")
        table = indicator_table(result)[["indicator", "value", "unit"]]
        if uncertainty is not None:
            table = table.join(uncertainty.intervals()[["p10", "p50", "p90"]], on="indicator")
            print(f"\nIndicators ({uncertainty.draws} draws, seed {uncertainty.seed}: P10, P50, P90)")
        print(table.to_string(index=False))
    for note in result.notes:
        print(f"\nNote: {note}")
    return 0


def _draws(ledger, graph, assumptions, args: argparse.Namespace):
    """The Monte Carlo run of ``run --draws N --seed S``, with a progress line on stderr."""
    from corridors.model.baseline import baseline
    from corridors.model.solve import model_of
    from corridors.model.uncertainty import monte_carlo

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\rdraws: {done}/{total}", end="" if done < total else "\n", file=sys.stderr)

    base = baseline(ledger, assumptions.year)
    return monte_carlo(
        model_of(graph), ledger, base, assumptions, draws=args.draws, seed=args.seed, progress=progress, workers=args.workers
    )


def cmd_sweep(args: argparse.Namespace) -> int:
    """Monte Carlo over scenarios × years, here or on a Dask cluster, into one Parquet table."""
    import time

    from corridors import load_ledger
    from corridors.model.scenarios import ScenarioError, load_scenario
    from corridors.model.sweep import parse_years, sweep, tasks

    ledger = load_ledger(args.data)
    bounds = ledger.wiring.parameter_info("year")
    try:
        years = parse_years(args.years)
    except ValueError as err:
        raise CliError(f"--years {args.years}: {err}") from None
    outside = [y for y in years if not bounds["minimum"] <= y <= bounds["maximum"]]
    if outside:
        raise CliError(f"--years: {outside[0]} is outside {bounds['minimum']}–{bounds['maximum']}")
    if args.draws < 1:
        raise CliError(f"--draws {args.draws}: a sweep needs at least one draw")
    scenarios: list[tuple[str, dict[str, float]]] = []
    for path in args.scenarios or []:
        try:
            scenario = load_scenario(path, ledger.wiring)
        except ScenarioError as err:
            raise CliError(f"scenario refused: {err}") from None
        scenarios.append((scenario.name, dict(scenario.overrides)))
    scenarios = scenarios or [("Baseline", {})]
    todo = tasks(str(ledger.data_dir), scenarios, years, args.draws, args.seed)
    from tqdm import tqdm

    bar = tqdm(total=len(todo), desc="sweep", unit="task", disable=args.quiet)

    def progress(done: int, total: int) -> None:
        bar.update(done - bar.n)

    start = time.perf_counter()
    client, cluster = _dask_client(args)
    try:
        table = sweep(todo, client, progress)
    finally:
        bar.close()
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    try:
        table.to_parquet(args.out, index=False)
    except OSError as err:
        raise CliError(f"cannot write {args.out}: {err.strerror}", EXIT_EXPORT) from None
    where = "this process" if client is None else (args.scheduler or f"a local cluster of {args.workers} workers")
    print(
        f"wrote {len(table)} rows to {args.out}: {len(scenarios)} scenario(s) × {len(years)} year(s) × {args.draws} draws, "
        f"seed {args.seed}, on {where}, in {time.perf_counter() - start:.1f} s"
    )
    return 0


def _dask_client(args: argparse.Namespace):
    """(client, cluster): none for --scheduler none, the cluster at --scheduler, or a local one of --workers processes."""
    if args.scheduler == "none":
        return None, None
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise CliError("the sweep needs dask.distributed: run `make setup` (or pip install -r requirements.txt)") from None
    if args.scheduler:
        try:
            return Client(args.scheduler, timeout="30s"), None
        except OSError as err:
            raise CliError(f"cannot reach the Dask scheduler at {args.scheduler}: {err}") from None
    cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None)
    return Client(cluster, timeout="30s"), cluster


def cmd_bench(args: argparse.Namespace) -> int:
    from corridors.bench import run_benchmarks

    run_benchmarks(quick=args.quick, skip=set(args.skip or []))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from corridors.export import ExportError, export_all, parse_formats
    from corridors.views.geo import WHOLE_CORRIDOR, map_extents

    try:
        formats = parse_formats(args.formats)
    except ValueError as err:
        raise CliError(str(err)) from None
    ledger, graph, assumptions, name = scenario_from_args(args)
    try:
        if args.draws < 0:
            raise CliError(f"--draws {args.draws} is negative: give 0 for no intervals, or the number of Monte Carlo draws")
        extents = map_extents(graph)
        if args.extent is not None and args.extent not in extents:
            raise CliError(f"--extent {args.extent!r} is not a map extent of this ledger; choose one of: {', '.join(extents)}")
        if args.public_url and not args.public_url.startswith(("http://", "https://")):
            raise CliError(f"--public-url {args.public_url!r} is not an http(s) address, e.g. https://corridors.example.org")
        written = export_all(
            ledger,
            graph,
            assumptions,
            name,
            args.out,
            formats,
            progress=not args.quiet,
            draws=args.draws,
            seed=args.seed,
            public_url=args.public_url,
            extent=None if args.extent == WHOLE_CORRIDOR else args.extent,
        )
    except ExportError as err:
        raise CliError(f"export failed: {err}", EXIT_EXPORT) from None
    print(f"wrote {len(written)} file(s) to {args.out}")
    return 0


def cmd_routes(args: argparse.Namespace) -> int:
    """Days and USD per TEU of every route (low, central, high), its legs and sources, and the gap to the benchmark."""
    from corridors.model.routes import (
        RouteError,
        benchmark_of,
        default_parameters,
        legs_table,
        route_results,
        routes_document,
        routes_table,
        select_routes,
    )

    ledger, _graph, assumptions, name = scenario_from_args(args)
    params = default_parameters(ledger, int(assumptions.year), assumptions)
    results = route_results(ledger, params)
    benchmark = benchmark_of(results)
    try:
        chosen = select_routes(ledger, results, args.origin, args.destination)
    except RouteError as err:
        raise CliError(str(err)) from None
    if args.format == "json":
        json.dump(routes_document(chosen, params, benchmark), sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    opened = ", ".join(f"{link} {year}" for link, year in params.openings.items()) or "none"
    print(f"Routes, {name} (year {params.year}; links that switch legs open: {opened})")
    if not chosen:
        print("This ledger has no routes (routes.csv is empty).")
        return 0
    if benchmark is not None:
        print(f"vs_bench: central days and USD/TEU minus those of the benchmark, {benchmark.name} (negative: faster or cheaper)\n")
    with pd.option_context("display.width", 250, "display.max_columns", 20, "display.max_colwidth", 70, "display.max_rows", 500):
        print(routes_table(chosen, benchmark).to_string(index=False))
        names = dict(zip(ledger.nodes["node_id"], ledger.nodes["name"]))
        for result in chosen:
            print(f"\n{result.name} ({result.route_id}): legs")
            print(legs_table(result, names).to_string(index=False))
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    """Hold the baseline against the published record; exit 1 when any series with a figure misses."""
    from corridors import build_graph, load_ledger
    from corridors.model.backtest import backtest, backtest_document

    if args.from_year > args.to_year:
        raise CliError(f"--from {args.from_year} is after --to {args.to_year}")
    ledger = with_args_user_data(load_ledger(args.data), args)
    years = ledger.wiring.parameter_info("year")
    if args.from_year < years["minimum"] or args.to_year > years["maximum"]:
        raise CliError(f"years must lie within {years['minimum']}–{years['maximum']}")
    table = backtest(ledger, build_graph(ledger), args.from_year, args.to_year)
    document = backtest_document(table)
    if args.format == "json":
        json.dump(document, sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        shown = table.assign(inside=table["inside"].map({True: "yes", False: "NO", None: "no figure"}))
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 250, "display.max_colwidth", 90):
            print(shown.drop(columns=["source_ids"]).to_string(index=False))
        print(
            f"\n{document['inside']} of {document['checked']} series-years with a published figure are inside; {document['misses']} miss."
        )
    return 0 if document["misses"] == 0 else 1


def cmd_timeline(args: argparse.Namespace) -> int:
    """The model year by year (each year's baseline, or a scenario's changes on it) and the ledger's events."""
    from corridors import build_graph, load_ledger
    from corridors.model.scenarios import ScenarioError, load_scenario
    from corridors.model.timeline import events_frame, timeline_document, timeline_results, timeline_rows, timeline_span

    ledger = load_ledger(args.data)
    try:
        first, last = timeline_span(ledger, args.from_year, args.to_year)
    except ValueError as err:
        raise CliError(str(err)) from None
    try:
        scenario = load_scenario(args.scenario, ledger.wiring) if args.scenario else None
        overrides = scenario.overrides if scenario is not None else None
        results = timeline_results(ledger, build_graph(ledger), first, last, overrides)
    except ScenarioError as err:
        raise CliError(f"scenario refused: {err}") from None
    name = scenario.name if scenario is not None else "Baseline"
    events = events_frame(ledger, first, last)
    document = timeline_document(results, events, name)
    if args.format == "json":
        json.dump(document, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    units = dict(zip(results[0].definitions["indicator"], results[0].definitions["unit"]))
    if args.format == "csv":
        timeline_rows(document, units).to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0
    labels = dict(zip(results[0].definitions["indicator"], results[0].definitions["label"]))
    table = pd.DataFrame({entry["year"]: entry["indicators"] for entry in document["years"]})
    table.index = [f"{labels.get(key, key)} ({units.get(key, '')})" for key in table.index]
    with _wide_display(2):
        print(f"{name}, {first}–{last}: each year's baseline{' with the scenario’s assumptions' if scenario else ''}\n")
        print(table.to_string())
        print(f"\nEvents {first}–{last} ({len(events)})")
        for row in events.itertuples(index=False):
            print(f"  {row.date}  {row.kind:<10} {row.title} [{row.source_id}]")
    return 0


def _wide_display(decimals: int) -> pd.option_context:
    """pandas print options for the wide tables of ``timeline`` and ``compare``."""
    number = f"{{:,.{decimals}f}}".format
    return pd.option_context("display.width", 250, "display.max_rows", 500, "display.max_columns", 40, "display.float_format", number)


def cmd_compare(args: argparse.Namespace) -> int:
    """Two scenarios side by side: both run documents and B minus A."""
    from corridors import build_graph, load_ledger
    from corridors.model.compare import compare_scenarios
    from corridors.model.scenarios import ScenarioError, load_scenario
    from corridors.model.timeline import year_range

    ledger = load_ledger(args.data)
    low, high = year_range(ledger)
    if args.year is not None and not low <= args.year <= high:
        raise CliError(f"--year {args.year} is outside the model's years {low}–{high}")
    try:
        a, b = (load_scenario(path, ledger.wiring) for path in (args.a, args.b))
        document = compare_scenarios(ledger, build_graph(ledger), a, b, args.year)
    except ScenarioError as err:
        raise CliError(f"scenario refused: {err}") from None
    if args.format == "json":
        json.dump(document, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    _print_comparison(document)
    return 0


def _print_comparison(document: dict) -> None:
    """The table form of ``compare``: indicators, markets and the links whose flow or binding changes."""
    a, b, diff = document["a"], document["b"], document["diff"]
    definitions = a["indicator_definitions"]
    indicators = pd.DataFrame(
        {
            "indicator": [definitions.get(k, {}).get("label", k) for k in diff["indicators"]],
            "unit": [definitions.get(k, {}).get("unit", "") for k in diff["indicators"]],
            "A": [a["indicators"][k] for k in diff["indicators"]],
            "B": [b["indicators"].get(k) for k in diff["indicators"]],
            "B − A": list(diff["indicators"].values()),
        }
    )
    links = pd.DataFrame(diff["links"])
    changed = links[(links["delta"].abs() > 1e-6) | (links["binding_a"] != links["binding_b"])]
    with _wide_display(3):
        print(f"A: {a['scenario']['name']} ({a['scenario']['year']})   B: {b['scenario']['name']} ({b['scenario']['year']})\n")
        print(indicators.to_string(index=False))
        print("\nMarkets (A, B and B − A)")
        print(pd.DataFrame(diff["markets"]).to_string(index=False))
        print(f"\nLinks whose flow or binding changes ({len(changed)} of {len(links)})")
        print(changed.to_string(index=False) if len(changed) else "  none")


#: Streamlit settings the dashboard needs wherever it is started from (the checkout also has .streamlit/config.toml).
DASHBOARD_SETTINGS = {
    "server.enableStaticServing": "true",
    "server.headless": "true",
    "server.fileWatcherType": "none",
    "browser.gatherUsageStats": "false",
    "client.showErrorDetails": "none",
    "client.toolbarMode": "minimal",
    "theme.base": "light",
}


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Serve the dashboard from the installed package (``streamlit run`` on its main script)."""
    import subprocess
    from pathlib import Path

    import corridors.ui

    script = Path(corridors.ui.__file__).resolve().parent / "main.py"
    settings = {**DASHBOARD_SETTINGS, "server.port": str(args.port), "server.address": args.address}
    command = [sys.executable, "-m", "streamlit", "run", str(script), *(f"--{key}={value}" for key, value in settings.items())]
    env = {**os.environ, **({"CORRIDORS_DATA": str(Path(args.data).resolve())} if args.data else {})}
    print(f"Corridors on http://{args.address}:{args.port} (Ctrl+C to stop)", file=sys.stderr)
    return subprocess.call(command, env=env)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m corridors", description="Corridors: ledger, flow model and exports.")
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check every table of the ledger and list all problems")
    validate.add_argument("--data", metavar="DIR", help="ledger folder (default: the shipped data/)")
    validate.set_defaults(handler=cmd_validate)

    def scenario_args(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--scenario", metavar="FILE", help="scenario YAML (the dashboard's download format)")
        sub.add_argument("--year", type=int, help="scenario year (default: the scenario's, or 2025)")
        sub.add_argument("--data", metavar="DIR", help="ledger folder (default: the shipped data/)")

    def user_data_args(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--user-data",
            metavar="FILE",
            action="append",
            help="your own figures: an estimates CSV (repeat for its sources CSV and a links CSV), labelled as yours",
        )
        sub.add_argument("--user-defaults", action="store_true", help="let the model's defaults take your figures where you give one")

    run = commands.add_parser("run", help="solve a scenario and print flows, unmet demand and indicators")
    scenario_args(run)
    user_data_args(run)
    run.add_argument("--format", choices=["table", "json"], default="table")
    run.add_argument("--draws", type=int, default=0, help="Monte Carlo draws over the sources' ranges (0: a single run)")
    run.add_argument("--seed", type=int, default=7, help="seed of the draws: the same seed gives identical results")
    run.add_argument(
        "--workers", type=int, default=min(2, os.cpu_count() or 1), help="processes for the draws (results do not depend on it)"
    )
    run.set_defaults(handler=cmd_run)

    bench = commands.add_parser("bench", help="print timings: solve, page rerun, synthetic networks, exports")
    bench.add_argument("--quick", action="store_true", help="fewer repetitions")
    bench.add_argument("--skip", nargs="*", choices=["page", "synthetic", "draws", "export"], help="parts to skip")
    bench.set_defaults(handler=cmd_bench)

    export = commands.add_parser("export", help="write charts, tables and the report for a scenario")
    scenario_args(export)
    user_data_args(export)
    export.add_argument("--out", metavar="DIR", required=True, help="folder to write into (created if missing)")
    export.add_argument("--formats", default="png,svg,pdf,csv,xlsx,report", help="comma-separated: png,svg,pdf,csv,xlsx,report,zip")
    export.add_argument("--quiet", action="store_true", help="no progress bar")
    export.add_argument("--draws", type=int, default=0, help="Monte Carlo draws: adds P10/P50/P90 and the Uncertainty section")
    export.add_argument("--seed", type=int, default=7, help="seed of the draws")
    export.add_argument("--extent", metavar="NAME", help="what the maps show: a close-up the ledger names (default: the whole corridor)")
    export.add_argument(
        "--public-url",
        metavar="URL",
        help="address the dashboard is reached at, for the report's link back (default: CORRIDORS_PUBLIC_URL; none: no link)",
    )
    export.set_defaults(handler=cmd_export)

    routes = commands.add_parser("routes", help="days and USD per container of each route, its legs and sources, against the benchmark")
    scenario_args(routes)
    routes.add_argument("--from", dest="origin", metavar="NODE", help="routes starting at this node (either end; default: all)")
    routes.add_argument("--to", dest="destination", metavar="NODE", help="routes ending at this node (default: all)")
    routes.add_argument("--format", choices=["table", "json"], default="table")
    routes.set_defaults(handler=cmd_routes)

    backtest = commands.add_parser("backtest", help="hold the baseline against the published record, year by year")
    backtest.add_argument("--data", metavar="DIR", help="ledger folder (default: CORRIDORS_DATA, else the shipped one)")
    backtest.add_argument("--from", dest="from_year", type=int, default=2019, metavar="YEAR")
    backtest.add_argument("--to", dest="to_year", type=int, default=2025, metavar="YEAR")
    backtest.add_argument("--format", choices=["table", "json"], default="table")
    backtest.set_defaults(handler=cmd_backtest)

    sweep = commands.add_parser("sweep", help="Monte Carlo over scenarios × years, in this process or on a Dask cluster")
    sweep.add_argument("--scenarios", nargs="*", metavar="FILE", help="scenario YAML files (default: the baseline)")
    sweep.add_argument("--years", default="2025", help="years: 2025-2030, 2025,2027 or 2025 (default 2025)")
    sweep.add_argument("--draws", type=int, default=1000, help="draws per scenario and year (default 1000)")
    sweep.add_argument("--seed", type=int, default=7, help="seed of every task's draws")
    sweep.add_argument("--scheduler", metavar="ADDRESS", help="a running Dask scheduler (tcp://host:8786), or 'none' for this process")
    sweep.add_argument("--workers", type=int, default=2, help="worker processes of the local cluster (default 2)")
    sweep.add_argument("--out", default="sweep.parquet", metavar="FILE", help="Parquet file to write (default sweep.parquet)")
    sweep.add_argument("--data", metavar="DIR", help="ledger folder (default: CORRIDORS_DATA, else the shipped one)")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.set_defaults(handler=cmd_sweep)

    timeline = commands.add_parser("timeline", help="the model year by year, with the ledger's events")
    timeline.add_argument("--from", dest="from_year", type=int, metavar="YEAR", help="first year (default 2019, or the model's first)")
    timeline.add_argument("--to", dest="to_year", type=int, metavar="YEAR", help="last year (default 2035, or the model's last)")
    timeline.add_argument(
        "--scenario", metavar="FILE", help="scenario YAML: its assumptions set on every year's baseline (its own year is not used)"
    )
    timeline.add_argument(
        "--format", choices=["table", "json", "csv"], default="table", help="csv: one row per year, table, key, measure, value, unit"
    )
    timeline.add_argument("--data", metavar="DIR", help="ledger folder (default: CORRIDORS_DATA, else the shipped one)")
    timeline.set_defaults(handler=cmd_timeline)

    compare = commands.add_parser("compare", help="two scenarios side by side: both results and B minus A")
    compare.add_argument("a", metavar="A.yaml", help="scenario A (YAML, the dashboard's download format)")
    compare.add_argument("b", metavar="B.yaml", help="scenario B")
    compare.add_argument("--year", type=int, help="run both for this year (default: each scenario's own)")
    compare.add_argument("--format", choices=["table", "json"], default="table")
    compare.add_argument("--data", metavar="DIR", help="ledger folder (default: CORRIDORS_DATA, else the shipped one)")
    compare.set_defaults(handler=cmd_compare)

    dashboard = commands.add_parser("dashboard", help="serve the dashboard (from any folder, also after pip install)")
    dashboard.add_argument("--port", type=int, default=8501)
    dashboard.add_argument("--address", default="127.0.0.1")
    dashboard.add_argument("--data", metavar="DIR", help="ledger folder (default: CORRIDORS_DATA, else the shipped one)")
    dashboard.set_defaults(handler=cmd_dashboard)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except LedgerError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_LEDGER
    except CliError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.code
    except FileNotFoundError as err:  # the shipped ledger or map outlines are not where the install put them
        print(f"error: {err}", file=sys.stderr)
        return EXIT_LEDGER
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silences the interpreter's own flush at exit
        return 0
