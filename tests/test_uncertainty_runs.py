"""The Flows page's background runs: one worker that outlives dropped and abandoned runs."""

from __future__ import annotations

import threading
import time

import pytest

from corridors.ui import uncertainty_panel
from corridors.ui.uncertainty_panel import Abandoned, Job, Runs


def wait_until_running(job: Job) -> None:
    """Until the worker has picked the job up (at most 10 s)."""
    deadline = time.monotonic() + 10
    while not job.future.running() and time.monotonic() < deadline:
        time.sleep(0.01)


def stepping(steps: int):
    """A run of ``steps`` steps of 10 ms, reporting each one (where an abandoned or stopped run ends)."""

    def work(progress):
        for i in range(steps):
            time.sleep(0.01)
            progress(i + 1, steps)
        return "done"

    return work


def test_the_worker_survives_a_run_both_dropped_and_abandoned_and_serves_the_next(monkeypatch):
    monkeypatch.setattr(uncertainty_panel, "KEPT_RUNS", 1)
    monkeypatch.setattr(uncertainty_panel, "ABANDON_AFTER", 0.2)
    monkeypatch.setattr(uncertainty_panel, "SETTLE", 0.0)  # abandoned after 0.2 s: it must start before that
    runs = Runs()
    release = threading.Event()
    first = runs.job("first", lambda progress: release.wait(10) and "first")
    wait_until_running(first)  # the worker is busy with it
    waiting = runs.job("second", lambda progress: "second")
    time.sleep(0.3)  # nobody asks for the second any more: abandoned
    third = runs.job("third", lambda progress: "third")  # one run is kept: the queued second is dropped
    assert waiting.future.cancelled()
    release.set()
    assert first.future.result(timeout=10) == "first"
    # The worker met a run both dropped and abandoned, lived, and served the next.
    assert third.future.result(timeout=10) == "third"
    again = runs.job("second", lambda progress: "second again")
    assert again is not waiting and again.future.result(timeout=10) == "second again"


def test_a_run_nobody_watches_stops_at_its_next_step(monkeypatch):
    monkeypatch.setattr(uncertainty_panel, "ABANDON_AFTER", 0.2)
    monkeypatch.setattr(uncertainty_panel, "SETTLE", 0.0)  # it starts at once, so it is stopped while running
    runs = Runs()
    with pytest.raises(Abandoned):
        runs.job("slow", stepping(200)).future.result(timeout=10)


def test_a_failing_run_reports_its_error_and_the_worker_goes_on():
    runs = Runs()

    def broken(progress):
        raise ValueError("the flow programme was not solved")

    assert isinstance(runs.job("broken", broken).future.exception(timeout=10), ValueError)
    assert runs.job("fine", lambda progress: 42).future.result(timeout=10) == 42


def test_stop_ends_a_running_run_and_the_worker_within_its_bound():
    runs = Runs()
    job = runs.job("endless", stepping(10_000))
    wait_until_running(job)
    started = time.monotonic()
    runs.stop(timeout=5)
    assert time.monotonic() - started < 2
    assert isinstance(job.future.exception(timeout=1), Abandoned)


def test_a_slider_step_passed_through_draws_nothing_and_the_scenario_kept_starts_once_settled(monkeypatch):
    monkeypatch.setattr(uncertainty_panel, "SETTLE", 0.3)
    runs = Runs()
    started: dict[str, float] = {}

    def work(name: str):
        def run(progress):
            started[name] = time.monotonic()
            return name

        return run

    queued = time.monotonic()
    passed = runs.job("step 1", work("step 1"))
    runs.release("step 1")  # the page moved on to the next step at once
    kept = runs.job("step 2", work("step 2"))
    assert kept.future.result(timeout=10) == "step 2"
    assert isinstance(passed.future.exception(timeout=10), Abandoned)
    assert list(started) == ["step 2"], "the step passed through was never drawn"
    assert started["step 2"] - queued >= 0.3, "a run waits until its scenario has stood SETTLE seconds"
    # A page that comes back to the passed step asks again, and gets a run of its own.
    assert runs.job("step 1", work("step 1")).future.result(timeout=10) == "step 1"
