"""Intervals on the Flows page: Monte Carlo runs in a background thread, per scenario, never blocking the sliders.

A run depends only on its scenario, draws and seed, so finished runs are shared by every
session that asks for the same scenario (and kept for the last few scenarios). Runs go
one at a time through one worker thread, which spreads a run's draws over PAGE_WORKERS
processes; a page never waits for one: a fragment shows the progress and reruns the
page once the run is done.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

import networkx as nx
import pandas as pd
import streamlit as st

from corridors.export import ExportContext
from corridors.ledger.load import Ledger
from corridors.ledger.wiring import AssumptionsBase
from corridors.model.baseline import Baseline
from corridors.model.solve import model_of
from corridors.model.uncertainty import DEFAULT_DRAWS, DEFAULT_SEED, Uncertainty, monte_carlo
from corridors.ui.common import chart_config
from corridors.ui.downloads import chart_download_panel
from corridors.views.uncertainty import distribution_figure, format_interval, method_line, tornado_figure

#: Environment variable a deployment sets to draw fewer (or more) scenarios per page than DEFAULT_DRAWS.
PAGE_DRAWS_ENV = "CORRIDORS_PAGE_DRAWS"
#: Worker processes a page's draws are spread over (kept for the server's life; one run uses them at a time): the
#: server's own process stays free for the pages while draws run.
PAGE_WORKERS = min(2, os.cpu_count() or 1)
#: Finished or running Monte Carlo runs kept (oldest dropped first).
KEPT_RUNS = 12
#: A run nobody has looked at for this long (seconds) is abandoned: its page moved on or closed.
ABANDON_AFTER = 15.0
#: After a page moves on, how long (seconds) another page watching the same run has to say so.
RELEASE_GRACE = 2.5
#: A run starts once its scenario has stood this long (seconds): stepping a slider queues a run per step, and the draws
#: of the steps passed through would only take the cores from the page being redrawn.
SETTLE = 1.0


class Abandoned(RuntimeError):
    """No page has asked for a run for ABANDON_AFTER seconds, so it stops."""


@dataclass
class Job:
    """One Monte Carlo run: its result (a future), how far it has got, and when a page last asked for it."""

    future: Future = field(default_factory=Future)
    done: int = 0
    total: int = 1
    seen: float = field(default_factory=time.monotonic)
    queued: float = field(default_factory=time.monotonic)
    #: The page that asked for it has moved on to another scenario (and no page has asked since).
    released: bool = False
    stopping: threading.Event = field(default_factory=threading.Event)

    def touch(self) -> None:
        self.seen = time.monotonic()
        self.released = False

    @property
    def abandoned(self) -> bool:
        return time.monotonic() - self.seen > ABANDON_AFTER

    def progress(self, done: int, total: int) -> None:
        if self.stopping.is_set():
            raise Abandoned("the server is shutting down")
        if self.abandoned:
            raise Abandoned(f"no page asked for these draws for {ABANDON_AFTER:g} s")
        self.done, self.total = done, total


class Runs:
    """Monte Carlo runs by scenario key, computed one at a time by one daemon thread (it never holds up shutdown)."""

    def __init__(self) -> None:
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._queue: queue.Queue[tuple[Job, Callable]] = queue.Queue()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._work, name="corridors-draws", daemon=True)
        self._thread.start()
        # A solver still running when the interpreter exits aborts it: stop the draws first (bounded wait).
        atexit.register(self.stop)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the running draws at their next step and end the worker (waits at most ``timeout`` seconds)."""
        self._stopping.set()
        self._queue.put((None, None))
        self._thread.join(timeout)

    def job(self, key: str, work: Callable[[Callable[[int, int], None]], Uncertainty]) -> Job:
        """The run for ``key``, queued now if there is none (or the last one was abandoned)."""
        with self._lock:
            job = self._jobs.get(key)
            if job is not None and not _ended_early(job):
                self._jobs.move_to_end(key)
                job.touch()
                return job
            job = self._jobs[key] = Job(stopping=self._stopping)
            while len(self._jobs) > KEPT_RUNS:
                self._jobs.popitem(last=False)[1].future.cancel()
        self._queue.put((job, work))
        return job

    def kept(self, key: str) -> Job | None:
        """The run kept for ``key``, finished or not; never starts one."""
        with self._lock:
            return self._jobs.get(key)

    def release(self, key: str) -> None:
        """A page no longer shows this run: unless another page asks for it within a poll or two, it stops."""
        with self._lock:
            job = self._jobs.get(key)
            if job is not None:
                job.seen = min(job.seen, time.monotonic() - ABANDON_AFTER + RELEASE_GRACE)
                job.released = True

    def _work(self) -> None:
        while True:
            job, work = self._queue.get()
            if job is None:  # stop() was called
                return
            if self._stopping.wait(max(0.0, job.queued + SETTLE - time.monotonic())):
                job.future.cancel()
                return
            # A dropped (cancelled) run is skipped; from here on the future is ours alone to settle.
            if not job.future.set_running_or_notify_cancel():
                continue
            if job.abandoned or job.released:
                job.future.set_exception(Abandoned("nobody asked for these draws any more"))
                continue
            try:
                job.future.set_result(work(job.progress))
            except Exception as err:  # reported on the page, which shows the message rather than a traceback
                job.future.set_exception(err)


def _ended_early(job: Job) -> bool:
    """Whether a run stopped without its result (dropped or abandoned): asking again starts it anew."""
    future = job.future
    return future.cancelled() or (future.done() and isinstance(future.exception(), Abandoned))


@st.cache_resource(show_spinner=False)
def _runs() -> Runs:
    return Runs()


def run_key(data_dir: str | None, assumptions: AssumptionsBase, draws: int, seed: int, layer: str = "") -> str:
    # ``layer``: the reader's own figures change the defaults' ranges, so runs with and without them differ.
    return json.dumps([data_dir, assumptions.model_dump(), draws, seed, layer], sort_keys=True)


def page_draws() -> int:
    """Draws per page: ``CORRIDORS_PAGE_DRAWS`` when it is a whole number from 10 to 100,000, else DEFAULT_DRAWS."""
    text = os.environ.get(PAGE_DRAWS_ENV, "")
    return int(text) if text.isdigit() and 10 <= int(text) <= 100_000 else DEFAULT_DRAWS


def start(
    ledger: Ledger, graph: nx.MultiDiGraph, base: Baseline, assumptions: AssumptionsBase, data_dir: str | None, layer: str = ""
) -> Job:
    """The scenario's Monte Carlo run (started in the background if it is not running or done)."""
    draws = page_draws()

    def work(progress: Callable[[int, int], None]) -> Uncertainty:
        return monte_carlo(model_of(graph), ledger, base, assumptions, draws, DEFAULT_SEED, progress, workers=PAGE_WORKERS)

    key = run_key(data_dir, assumptions, draws, DEFAULT_SEED, layer)
    previous = st.session_state.get("mc_key")
    if previous is not None and previous != key:
        _runs().release(previous)
    st.session_state["mc_key"] = key
    return _runs().job(key, work)


def kept_run(data_dir: str | None, assumptions: AssumptionsBase, layer: str = "") -> Uncertainty | None:
    """A finished page run of exactly these assumptions, if some page has drawn them (the years view shows its interval)."""
    job = _runs().kept(run_key(data_dir, assumptions, page_draws(), DEFAULT_SEED, layer))
    return None if job is None else finished(job)


def finished(job: Job) -> Uncertainty | None:
    """The run's result once it is done (None while it runs or when it failed)."""
    if not job.future.done() or job.future.cancelled():
        return None
    return None if job.future.exception() is not None else job.future.result()


def progress(job: Job) -> None:
    """While the scenario's draws run: a progress bar, which reruns the page once they are done (nothing after that)."""
    if not job.future.done():
        _progress(job)


@st.fragment(run_every=1.0)
def _progress(job: Job) -> None:
    """A progress bar while the draws run; once they are done, one rerun of the page to show the intervals."""
    job.touch()
    if job.future.done():
        st.rerun()
    st.progress(
        min(job.done / max(job.total, 1), 1.0),
        text=f"Intervals: drawing {page_draws():,} scenarios over the sources' ranges… {job.done:,} of {job.total:,} solves. "
        "The sliders stay live; the intervals follow.",
    )


def interval_text(run: Uncertainty | None, indicator: str, central: float, unit: str) -> str:
    """A metric's value: the central figure, and its 80 % interval once the draws are done."""
    if run is None or indicator not in run.indicators.columns:
        return format_interval(central, None, None, unit)
    row = run.intervals().loc[indicator]
    return format_interval(central, row["p10"], row["p90"], unit)


def section(
    job: Job, wiring_indicators: pd.DataFrame, headline: list[str], year: int, context: ExportContext, assets: dict[str, str]
) -> None:
    """The uncertainty section: once the draws are done (progress shows under the metrics), the distribution, the
    tornado and the tables."""
    st.subheader("How sure is this? Intervals from where the sources disagree")
    if not job.future.done():
        st.caption("The draws are running (their progress is shown under the metrics); the charts appear here when they end.")
        return
    if job.future.cancelled() or job.future.exception() is not None:
        reason = "it was cancelled" if job.future.cancelled() else str(job.future.exception())
        st.warning(f"The intervals could not be computed: {reason}. The central answer above is unaffected.", icon=":material/error:")
        return
    run: Uncertainty = job.future.result()
    st.caption(
        method_line(run) + " Each headline metric above shows its 80 % interval (P10–P90) in brackets. A value you set with a "
        "slider is held, not drawn."
    )
    definitions = wiring_indicators.set_index("indicator")
    choices = [k for k in headline if k in run.indicators.columns]
    picked = st.selectbox(
        "Indicator", choices, format_func=lambda k: str(definitions.loc[k, "label"]), key="mc_indicator", help="Shown in both charts."
    )
    label, unit = str(definitions.loc[picked, "label"]), str(definitions.loc[picked, "unit"])
    left, right = st.columns(2)
    for column, (name, figure) in zip(
        (left, right),
        (
            ("distribution", distribution_figure(run, picked, label, unit, year)),
            ("tornado", tornado_figure(run, picked, label, unit, year)),
        ),
    ):
        with column:
            st.plotly_chart(figure, theme=None, config=chart_config(f"corridors-{name}"), key=f"mc_{name}")
            chart_download_panel(figure, name, context, f"dl_mc_{name}")
    intervals = run.intervals().join(definitions[["label", "unit"]])
    st.dataframe(
        intervals.reset_index(names="indicator")[["label", "central", "p10", "p50", "p90", "unit"]],
        hide_index=True,
        width="stretch",
        column_config={c: st.column_config.NumberColumn(format="%.3f") for c in ("central", "p10", "p50", "p90")},
    )
    probability = run.binding_probability()
    binding = probability[probability > 0].sort_values(ascending=False)
    with st.expander(f"Links that bind in some draws ({len(binding)}), and the inputs drawn ({len(run.inputs)})"):
        st.dataframe(
            pd.DataFrame({"link": [assets.get(k, k) for k in binding.index], "share of draws": binding.to_numpy()}),
            hide_index=True,
            width="stretch",
            column_config={"share of draws": st.column_config.ProgressColumn(min_value=0, max_value=1, format="percent")},
        )
        st.dataframe(run.inputs, hide_index=True, width="stretch")
