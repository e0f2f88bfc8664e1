"""Links back to a view: the address the dashboard was opened at, or CORRIDORS_PUBLIC_URL; never this computer's."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from corridors.export import NO_PERMALINK, PUBLIC_URL_ENV, ScenarioExport, public_base_url, report_pdf
from corridors.export.bundle import scenario_export, zip_readme
from corridors.model.baseline import baseline

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("opened_at", "base_path", "expected"),
    [
        ("https://corridors.example.org/flows?v=1&year=2025", "", "https://corridors.example.org"),
        ("https://example.org/corridors/flows?v=1", "corridors", "https://example.org/corridors"),
        ("http://10.1.2.3:8501/", "/corridors/", "http://10.1.2.3:8501/corridors"),
        ("http://localhost:8501/flows", "", None),
        ("http://127.0.0.1:8501/flows", "", None),
        ("http://[::1]:8501/", "", None),
        ("http://0.0.0.0:8501/", "", None),
        (None, "", None),
        ("", "", None),
    ],
)
def test_the_address_a_file_links_back_to(monkeypatch, opened_at, base_path, expected):
    monkeypatch.delenv(PUBLIC_URL_ENV, raising=False)
    assert public_base_url(opened_at, base_path) == expected


def test_the_deployments_public_address_wins(monkeypatch):
    monkeypatch.setenv(PUBLIC_URL_ENV, "https://corridors.example.org/corridors/")
    assert public_base_url("http://localhost:8501/flows") == "https://corridors.example.org/corridors"
    assert public_base_url(None) == "https://corridors.example.org/corridors"


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def test_without_a_public_address_files_say_so_and_name_no_local_host(ledger, graph):
    bundle = ScenarioExport(ledger, graph, baseline(ledger, 2025).assumptions, "Baseline", exported_on=date(2026, 11, 30))
    assert bundle.context.permalink == ""
    for text in (text_of(report_pdf(bundle, {})), zip_readme(bundle)):
        assert " ".join(NO_PERMALINK.split()) in " ".join(text.split())
        for local in ("localhost", "127.0.0.1", "0.0.0.0"):
            assert local not in text


def test_the_command_line_links_back_only_to_the_address_it_is_given(ledger, graph, monkeypatch):
    monkeypatch.delenv(PUBLIC_URL_ENV, raising=False)
    refused = subprocess.run(
        [sys.executable, "-m", "corridors", "export", "--out", "unused", "--formats", "report", "--public-url", "corridors.example.org"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert refused.returncode != 0 and "is not an http(s) address" in refused.stderr
    assumptions = baseline(ledger, 2025).assumptions
    # What `export` builds its report from (export_all calls it with --public-url's value).
    given = scenario_export(ledger, graph, assumptions, "Baseline", public_url="https://corridors.example.org/corridors")
    assert "Open this view again: https://corridors.example.org/corridors/flows?" in text_of(report_pdf(given, {}))
    assert scenario_export(ledger, graph, assumptions, "Baseline").context.permalink == ""
    monkeypatch.setenv(PUBLIC_URL_ENV, "https://mirror.example.org")
    assert scenario_export(ledger, graph, assumptions, "Baseline").context.permalink.startswith("https://mirror.example.org/flows?")
