"""The Containerfile builds an image that serves the dashboard, where a container engine runs.

On a machine with only an engine's client (this project's CI has a `docker` client and no
daemon), the test says so and does not run: nothing else here can stand in for an engine.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent


def engine() -> str:
    """The first container engine that answers (podman, then docker), or a skip that says why none does."""
    reasons = []
    for tool in ("podman", "docker"):
        path = shutil.which(tool)
        if path is None:
            reasons.append(f"no {tool} on the PATH")
            continue
        done = subprocess.run([path, "info"], capture_output=True, text=True, timeout=30, check=False)
        if done.returncode == 0:
            return path
        reasons.append(f"`{tool} info` failed: {(done.stderr or done.stdout).strip().splitlines()[-1:]}")
    pytest.skip("no container engine runs here (" + "; ".join(reasons) + ")")


def test_the_containerfile_builds_and_serves_a_healthy_dashboard():
    tool = engine()
    tag = "corridors-test:latest"
    subprocess.run([tool, "build", "-t", tag, "-f", "Containerfile", "."], cwd=ROOT, check=True, timeout=1800)
    port = free_port()
    started = subprocess.run([tool, "run", "-d", "-p", f"127.0.0.1:{port}:8501", tag], capture_output=True, text=True, check=True)
    container = started.stdout.strip()
    try:
        deadline = time.monotonic() + 180
        health = b""
        while time.monotonic() < deadline and health != b"ok":
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=3) as response:
                    health = response.read()
            except OSError:
                time.sleep(2)
        assert health == b"ok"
        user = subprocess.run([tool, "exec", container, "id", "-u"], capture_output=True, text=True, check=True).stdout.strip()
        assert user != "0", "the dashboard must not run as root in the container"
    finally:
        subprocess.run([tool, "rm", "-f", container], capture_output=True, check=False)
