"""Many scenarios × years × draws: a sweep, in this process or on a Dask cluster.

``python -m corridors sweep --scenarios A.yaml B.yaml --years 2025-2030 --draws N``
runs one Monte Carlo per scenario and year. Each task is independent and seeded, and
every draw starts from its scenario's own central basis, so a sweep gives the same table in this process, on a
local two-worker cluster or on a remote one (``--scheduler tcp://host:8786``). The table
goes to Parquet: one row per scenario, year and indicator (central, P10, P50, P90) and
one per scenario, year and link (the share of draws in which it binds).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from corridors.model.uncertainty import DEFAULT_SEED

COLUMNS = ["scenario", "year", "kind", "key", "central", "p10", "p50", "p90", "probability", "draws", "seed"]


@dataclass(frozen=True)
class SweepTask:
    """One scenario in one year: what a worker needs to run its draws (plain data, so it travels to any worker)."""

    data_dir: str
    scenario: str
    overrides: dict[str, float]
    year: int
    draws: int
    seed: int


def run_task(task: SweepTask) -> pd.DataFrame:
    """Run one task's draws (building the ledger's model once per worker) and return its rows."""
    from corridors.model.baseline import baseline
    from corridors.model.scenarios import Scenario
    from corridors.model.uncertainty import monte_carlo, worker_model

    ledger, model = worker_model(task.data_dir)
    assumptions = Scenario(task.scenario, task.year, task.overrides).assumptions(ledger)
    run = monte_carlo(model, ledger, baseline(ledger, task.year), assumptions, draws=task.draws, seed=task.seed)
    intervals = run.intervals()
    rows = [
        {"kind": "indicator", "key": key, "central": r["central"], "p10": r["p10"], "p50": r["p50"], "p90": r["p90"]}
        for key, r in intervals.iterrows()
    ]
    rows += [{"kind": "binding", "key": key, "probability": p} for key, p in run.binding_probability().items()]
    table = pd.DataFrame(rows)
    table.insert(0, "year", task.year)
    table.insert(0, "scenario", task.scenario)
    return table.assign(draws=task.draws, seed=task.seed).reindex(columns=COLUMNS)


def tasks(
    data_dir: str, scenarios: Iterable[tuple[str, dict[str, float]]], years: Iterable[int], draws: int, seed: int = DEFAULT_SEED
) -> list[SweepTask]:
    """Every scenario in every year, all with the same seed (so a scenario's draws line up across years)."""
    return [SweepTask(data_dir, name, dict(overrides), int(year), draws, seed) for name, overrides in scenarios for year in years]


def sweep(task_list: list[SweepTask], client: Any | None = None, progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Run every task, here (``client`` None) or on a ``dask.distributed`` client, and gather one table in task order."""
    done: dict[int, pd.DataFrame] = {}
    if client is None:
        for i, task in enumerate(task_list):
            done[i] = run_task(task)
            if progress is not None:
                progress(i + 1, len(task_list))
    else:
        from distributed import as_completed

        futures = client.map(run_task, task_list, pure=False)
        order = {future.key: i for i, future in enumerate(futures)}
        for count, future in enumerate(as_completed(futures), start=1):
            done[order[future.key]] = future.result()
            if progress is not None:
                progress(count, len(task_list))
    frames = [done[i] for i in range(len(task_list))]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)


def parse_years(text: str) -> list[int]:
    """ "2025-2030" → 2025…2030; "2025,2027" → those; "2025" → that one."""
    years: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if "-" in part:
            first, last = (int(x) for x in part.split("-", 1))
            if first > last:
                raise ValueError(f"years '{part}': the first year is after the last")
            years += range(first, last + 1)
        elif part:
            years.append(int(part))
    if not years:
        raise ValueError("no years given")
    return years
