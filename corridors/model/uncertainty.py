"""Intervals on every answer: Monte Carlo over the ranges the sources leave open.

Every default read from conflicting figures keeps their range (see
:mod:`corridors.model.baseline`), every labelled assumption has one, and links in
``links.csv`` may give a low and high capacity. A Monte Carlo run draws all of them
at once with a Latin hypercube (``scipy.stats.qmc``), re-solves the built model for
each draw, and reports P10/P50/P90 of every indicator, how often each link binds,
and which inputs move each indicator most (the swing of each input alone, low to high).

Which assumptions are drawn, and from which distribution, is data: the
``distribution`` column of ``model_assumptions.csv`` (blank: never drawn). A value the
user has moved away from its default is the user's choice and is not drawn. Link
capacities are drawn from a triangular distribution with its mode at the capacity
``links.csv`` uses. Forecasts and targets widen nothing: the ranges come from outturns
and labelled assumptions only.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from corridors.ledger.expressions import variables
from corridors.ledger.load import Ledger
from corridors.ledger.wiring import AssumptionsBase
from corridors.model.baseline import Baseline
from corridors.model.flows import FlowModel

#: How a drawn input is spread between its low and high value.
DISTRIBUTIONS = ("uniform", "triangular")
#: Link capacities from ``links.csv`` (low, capacity, high): a triangle with its mode at the capacity used.
LINK_DISTRIBUTION = "triangular"
#: Monte Carlo defaults: draws and seed.
DEFAULT_DRAWS = 1000
DEFAULT_SEED = 7
#: The sampling design, as the page, the report and the JSON name it.
DESIGN = "Latin hypercube (scipy.stats.qmc)"
INPUT_COLUMNS = ["input", "kind", "label", "unit", "central", "low", "high", "distribution", "why"]


def uncertain_inputs(ledger: Ledger, base: Baseline, assumptions: AssumptionsBase, model: FlowModel) -> pd.DataFrame:
    """The inputs a Monte Carlo run draws, with their central value, range and distribution.

    Parameters
    ----------
    ledger
        The ledger (its wiring says which assumptions are drawn, its links which capacities).
    base
        The baseline of the scenario's year: each default's range comes from its provenance.
    assumptions
        The scenario. An assumption the user moved away from its default is held at their value.
    model
        The built flow model (which links an assumption's capacity already sets).

    Returns
    -------
    pandas.DataFrame
        One row per drawn input: ``input`` (assumption name or link id), ``kind``
        (``assumption`` or ``link``), ``label``, ``unit``, ``central``, ``low``, ``high``,
        ``distribution`` and ``why`` (where the range comes from). Inputs whose range
        has no width are left out: they add nothing.
    """
    wiring = ledger.wiring
    rows: list[dict[str, Any]] = []
    for name in wiring.parameter_names():
        info = wiring.parameter_info(name)
        found = base.provenance.get(name)
        value = float(getattr(assumptions, name))
        if not info["distribution"] or found is None or found.low is None or found.high is None:
            continue
        if value != float(getattr(base.assumptions, name)):
            continue  # the user's own value is not drawn
        low, high = _bounded(found.low, found.high, value, info["minimum"], info["maximum"])
        if high - low <= 0:
            continue
        why = "labelled assumption, its stated range" if found.kind == "assumption" and not found.source_ids else "the sources' range"
        rows.append(
            {
                "input": name,
                "kind": "assumption",
                "label": info["label"],
                "unit": info["unit"],
                "central": value,
                "low": low,
                "high": high,
                "distribution": info["distribution"],
                "why": why,
            }
        )
    governed = model.links_sized_by_assumptions()
    links = ledger.links.set_index("link_id")
    for link_id, link in links.iterrows():
        if link_id in governed or pd.isna(link["capacity_low"]) or pd.isna(link["capacity_high"]) or pd.isna(link["capacity"]):
            continue
        low, high = _bounded(float(link["capacity_low"]), float(link["capacity_high"]), float(link["capacity"]), 0.0, np.inf)
        if high - low <= 0:
            continue
        rows.append(
            {
                "input": str(link_id),
                "kind": "link",
                "label": f"{link['asset']}: capacity",
                "unit": str(link["unit"]),
                "central": float(link["capacity"]),
                "low": low,
                "high": high,
                "distribution": LINK_DISTRIBUTION,
                "why": "links.csv capacity_low–capacity_high",
            }
        )
    return pd.DataFrame(rows, columns=INPUT_COLUMNS)


def _bounded(low: float, high: float, central: float, minimum: float, maximum: float) -> tuple[float, float]:
    """A range clipped to an input's bounds and widened, if need be, to hold its central value."""
    return max(min(low, central), minimum), min(max(high, central), maximum)


def sample(inputs: pd.DataFrame, draws: int, seed: int) -> pd.DataFrame:
    """``draws`` values of every input from a Latin hypercube; the same seed gives the same values.

    A triangular input has its mode at its central value; a uniform one ignores it.
    """
    if inputs.empty:
        return pd.DataFrame(index=pd.RangeIndex(draws))
    unit = qmc.LatinHypercube(d=len(inputs), seed=np.random.default_rng(seed)).random(draws)
    columns = {}
    for j, row in enumerate(inputs.to_dict("records")):
        columns[row["input"]] = _quantile(unit[:, j], row["low"], row["central"], row["high"], row["distribution"])
    return pd.DataFrame(columns)


def _quantile(u: np.ndarray, low: float, mode: float, high: float, distribution: str) -> np.ndarray:
    """The inverse CDF of a uniform or triangular distribution on [low, high]."""
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"unknown distribution '{distribution}' (known: {', '.join(DISTRIBUTIONS)})")
    width = high - low
    if distribution == "uniform":
        return low + u * width
    c = (mode - low) / width
    left = u < c
    return np.where(left, low + np.sqrt(u * width * (mode - low)), high - np.sqrt((1 - u) * width * (high - mode)))


@dataclass(frozen=True)
class Uncertainty:
    """A Monte Carlo run: its inputs, draws, and what they give.

    Attributes
    ----------
    inputs
        What was drawn (see :func:`uncertain_inputs`).
    samples
        One row per draw, one column per input.
    indicators
        One row per draw, one column per indicator (NaN where a ratio is n/a).
    binding
        One row per draw, one column per link: whether it binds.
    central
        The indicators of the scenario itself.
    seed
        The seed of the draws.
    swings
        Per input, the indicators with that input alone at its low and at its high value.
    """

    inputs: pd.DataFrame
    samples: pd.DataFrame
    indicators: pd.DataFrame
    binding: pd.DataFrame
    central: dict[str, float]
    seed: int
    swings: dict[str, tuple[dict[str, float], dict[str, float]]] = field(default_factory=dict)

    @property
    def draws(self) -> int:
        return len(self.samples)

    def intervals(self) -> pd.DataFrame:
        """P10, P50 and P90 of every indicator, next to the scenario's own value (``central``); a copy to keep."""
        return self._intervals.copy()

    def binding_probability(self) -> pd.Series:
        """For every link, the share of draws in which it binds (0 to 1); a copy to keep."""
        return self._binding_probability.copy()

    # Computed once: a finished run is read on every rerun of every page that shows it.
    @cached_property
    def _intervals(self) -> pd.DataFrame:
        values = self.indicators.to_numpy(dtype=float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an indicator that is n/a in every draw
            p10, p50, p90 = np.nanpercentile(values, [10, 50, 90], axis=0) if len(values) else np.full((3, values.shape[1]), np.nan)
        return pd.DataFrame(
            {"central": [self.central.get(c, np.nan) for c in self.indicators.columns], "p10": p10, "p50": p50, "p90": p90},
            index=self.indicators.columns,
        )

    @cached_property
    def _binding_probability(self) -> pd.Series:
        return self.binding.mean(axis=0).rename("binding_probability")

    def sensitivity(self, indicator: str) -> pd.DataFrame:
        """The inputs that move ``indicator`` most, each alone from its low to its high value, largest swing first."""
        rows = []
        for name, (at_low, at_high) in self.swings.items():
            spec = self.inputs.set_index("input").loc[name]
            low_value, high_value = at_low.get(indicator, np.nan), at_high.get(indicator, np.nan)
            rows.append(
                {
                    "input": name,
                    "label": spec["label"],
                    "input_low": spec["low"],
                    "input_high": spec["high"],
                    "at_low": low_value,
                    "at_high": high_value,
                    "swing": abs(high_value - low_value) if np.isfinite(low_value) and np.isfinite(high_value) else np.nan,
                }
            )
        table = pd.DataFrame(rows, columns=["input", "label", "input_low", "input_high", "at_low", "at_high", "swing"])
        return table.sort_values("swing", ascending=False, na_position="last", kind="stable").reset_index(drop=True)


def monte_carlo(
    model: FlowModel,
    ledger: Ledger,
    base: Baseline,
    assumptions: AssumptionsBase,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> Uncertainty:
    """Draw the uncertain inputs ``draws`` times and re-solve the built model for each.

    Parameters
    ----------
    model, ledger
        The built flow model and its ledger.
    base
        The baseline of the scenario's year (the inputs' ranges).
    assumptions
        The scenario; values the user set are held.
    draws, seed
        How many draws, and the seed of the Latin hypercube: the same seed gives identical results.
    progress
        Called as ``progress(done, total)`` while the draws run (and the swings after them).
    workers
        Processes to spread the draws over (each builds its own model from the ledger's
        folder). Every draw starts from the central scenario's basis, never from the
        previous solve, so the results do not depend on it.

    Returns
    -------
    Uncertainty
        The draws and their indicators, binding links and per-input swings.
    """
    inputs = uncertain_inputs(ledger, base, assumptions, model)
    values = variables(assumptions.model_dump())
    samples = sample(inputs, draws, seed)
    central, _ = model.draw(values)
    specs = inputs.to_dict("records")
    changes = samples.to_dict("records") + [{s["input"]: s[end]} for s in specs for end in ("low", "high")]
    if workers > 1 and len(changes) >= MIN_PARALLEL_DRAWS:
        found = _in_processes(str(ledger.data_dir), assumptions.model_dump(), changes, workers, progress)
    else:
        found = evaluate(model, values, changes, progress)
    rows = [f[0] for f in found[:draws]]
    binding = [f[1] for f in found[:draws]]
    swings = {s["input"]: (found[draws + 2 * k][0], found[draws + 2 * k + 1][0]) for k, s in enumerate(specs)}
    link_ids = list(model.result_links["link_id"])
    return Uncertainty(
        inputs=inputs,
        samples=samples,
        indicators=pd.DataFrame(rows, columns=list(central)),
        binding=pd.DataFrame(np.array(binding, dtype=bool).reshape(len(binding), len(link_ids)), columns=link_ids),
        central=central,
        seed=seed,
        swings=swings,
    )


#: Progress is reported every this many draws (a caller may stop a run there by raising).
PROGRESS_EVERY = 5
#: Below this many solves, starting processes costs more than it saves.
MIN_PARALLEL_DRAWS = 200
#: Pieces a parallel run is cut into: more pieces, finer progress.
PIECES_PER_WORKER = 4


def evaluate(
    model: FlowModel,
    values: dict[str, float],
    changes: list[dict[str, float]],
    progress: Callable[[int, int], None] | None = None,
) -> list[tuple[dict[str, float], np.ndarray]]:
    """The indicators and binding links for each set of changes (assumption values, or link capacities by link id)."""
    link_position = _link_positions(model)
    base_capacity = {name: net.base_capacity for name, net in model.networks.items()}
    starts = model.warm_starts(values)
    found = []
    for i, change in enumerate(changes):
        drawn = {**values, **{k: v for k, v in change.items() if k in values}}
        capacities: dict[str, np.ndarray] = {}
        for link in (k for k in change if k not in values):
            network, index = link_position[link]
            capacities.setdefault(network, base_capacity[network].copy())[index] = change[link]
        found.append(model.draw(drawn, capacities, starts))
        if progress is not None and (i % PROGRESS_EVERY == 0 or i == len(changes) - 1):
            progress(i + 1, len(changes))
    return found


_WORKER_MODELS: dict[str, tuple[Ledger, FlowModel]] = {}


def worker_model(data_dir: str) -> tuple[Ledger, FlowModel]:
    """The ledger of a folder and its built model, read once per worker process (a pool's or a Dask cluster's)."""
    from corridors.ledger.graph import build_graph
    from corridors.ledger.load import load_ledger

    if data_dir not in _WORKER_MODELS:
        ledger = load_ledger(data_dir)
        _WORKER_MODELS[data_dir] = (ledger, FlowModel(build_graph(ledger), ledger.wiring))
    return _WORKER_MODELS[data_dir]


def _evaluate_piece(data_dir: str, scenario: dict, changes: list[dict[str, float]]) -> list[tuple[dict[str, float], np.ndarray]]:
    """One piece of a parallel run, in a worker process."""
    _, model = worker_model(data_dir)
    values = variables(model.wiring.assumption_model(**scenario).model_dump())
    return evaluate(model, values, changes)


def _in_processes(
    data_dir: str, scenario: dict, changes: list[dict[str, float]], workers: int, progress: Callable[[int, int], None] | None
) -> list[tuple[dict[str, float], np.ndarray]]:
    pieces = np.array_split(np.arange(len(changes)), workers * PIECES_PER_WORKER)
    done = 0
    results: dict[int, list] = {}
    pool = _pool(workers)
    futures = {pool.submit(_evaluate_piece, data_dir, scenario, [changes[i] for i in piece]): k for k, piece in enumerate(pieces)}
    try:
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            done += len(pieces[futures[future]])
            if progress is not None:
                progress(done, len(changes))
    except BaseException:
        # A caller stopping the run (its progress raised) leaves no piece queued behind it; running pieces finish.
        for future in futures:
            future.cancel()
        raise
    return [item for k in range(len(pieces)) for item in results[k]]


_POOLS: dict[int, Any] = {}
_POOL_LOCK = threading.Lock()


def _shutdown_pools() -> None:
    for pool in _POOLS.values():
        pool.shutdown(wait=True, cancel_futures=True)
    _POOLS.clear()


# Before the interpreter tears its modules down: a pool left to the garbage collector then complains.
atexit.register(_shutdown_pools)


#: How much lower the draw workers' scheduling priority is than the process that started them (``nice``).
WORKER_NICENESS = 10


def _yield_to_the_server() -> None:
    """Run the draws at a lower priority: on a small machine the page's own reruns come first, the draws take what is left."""
    with contextlib.suppress(OSError, AttributeError):  # not permitted, or no nice() on this platform
        os.nice(WORKER_NICENESS)


def _pool(workers: int) -> Any:
    """A process pool kept for the next run (its workers keep their built models), one per size."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with _POOL_LOCK:
        if workers not in _POOLS:
            # A fresh interpreter per worker ("spawn"): nothing is inherited from a threaded parent (the dashboard's server).
            _POOLS[workers] = ProcessPoolExecutor(
                max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=_yield_to_the_server
            )
        return _POOLS[workers]


def _link_positions(model: FlowModel) -> dict[str, tuple[str, int]]:
    """Each link id's network and its position among that network's links."""
    return {str(link): (name, i) for name, net in model.networks.items() for i, link in enumerate(net.links["link_id"])}
