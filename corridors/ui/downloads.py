"""Download controls for charts, tables and the report.

Chart files are rendered on request inside a fragment, so preparing one reruns only
the download panel: the page, its sliders and its charts stay as they are. Table
files are built lazily by the download button itself (``data`` is a callable) and
clicking never reruns the page (``on_click="ignore"``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from corridors.export import (
    IMAGE_FORMATS,
    MIME,
    PRESETS,
    ExportContext,
    ExportError,
    ScenarioExport,
    chart_bytes,
    csv_bytes,
    report_pdf,
    report_zip,
    xlsx_bytes,
)

#: The page waits at most this long for a chart; the first one of a session starts Chromium (~4 s).
UI_TIMEOUT_S = 45.0


def _signature(*parts: object) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:12]


@st.fragment
def chart_download_panel(fig: go.Figure, name: str, context: ExportContext, key: str, version: str = "") -> None:
    """PNG / SVG / PDF of one chart, in report sizes, with its sources and scenario in the footer.

    ``version`` identifies what the chart shows (filters, scenario): a file prepared
    for another version is not offered for saving.
    """
    # Built only while open: a page has a panel per chart, and every element of a run delays the browser's first chart.
    panel = st.expander("Download this chart (PNG, SVG, PDF)", icon=":material/download:", key=f"{key}_panel", on_change="rerun")
    if not panel.open:
        return
    with panel:
        cols = st.columns([1, 1, 1])
        fmt = cols[0].radio("Format", [f.upper() for f in IMAGE_FORMATS], key=f"{key}_fmt", horizontal=True)
        preset = cols[1].selectbox(
            "Size", list(PRESETS), key=f"{key}_preset", format_func=lambda p: f"{PRESETS[p].label} ({PRESETS[p].width}×{PRESETS[p].height})"
        )
        signature = _signature(name, fmt, preset, context, version)
        if cols[2].button("Prepare file", key=f"{key}_go", icon=":material/image:"):
            with st.spinner(f"Rendering {fmt} with Chromium… (the first chart of a session takes about 4 s)"):
                try:
                    st.session_state[f"{key}_file"] = (signature, chart_bytes(fig, fmt.lower(), context, preset, timeout=UI_TIMEOUT_S))
                    st.session_state.pop(f"{key}_error", None)
                except ExportError as err:
                    st.session_state.pop(f"{key}_file", None)
                    st.session_state[f"{key}_error"] = str(err)
        if st.session_state.get(f"{key}_error"):
            st.error(f"The chart could not be exported: {st.session_state[f'{key}_error']}", icon=":material/error:")
        prepared = st.session_state.get(f"{key}_file")
        if prepared and prepared[0] == signature:
            st.download_button(
                f"Save {name}.{fmt.lower()}",
                data=prepared[1],
                file_name=f"{name}-{context.year}.{fmt.lower()}",
                mime=MIME[fmt.lower()],
                on_click="ignore",
                key=f"{key}_save",
                icon=":material/save:",
                type="primary",
            )


def table_downloads(tables: dict[str, pd.DataFrame], sources: pd.DataFrame, assumptions: pd.DataFrame, stem: str, key: str) -> None:
    """CSV per table and one XLSX with every table, the sources and the assumptions."""
    with st.container(horizontal=True):
        for name, frame in tables.items():
            st.download_button(
                f"{name}.csv",
                data=_lazy(csv_bytes, frame),
                file_name=f"{stem}-{name}.csv",
                mime=MIME["csv"],
                on_click="ignore",
                key=f"{key}_{name}_csv",
                icon=":material/table:",
            )
        st.download_button(
            f"{stem}.xlsx (all tables + sources + assumptions)",
            data=_lazy(xlsx_bytes, tables, sources, assumptions),
            file_name=f"{stem}.xlsx",
            mime=MIME["xlsx"],
            on_click="ignore",
            key=f"{key}_xlsx",
            icon=":material/grid_on:",
        )


def _lazy(fn: Callable[..., bytes], *args: object) -> Callable[[], bytes]:
    return lambda: fn(*args)


@st.fragment
def report_panel(make_bundle: Callable[[], ScenarioExport], signature: str, year: int, key: str = "report") -> None:
    """One-click report (PDF) and a ZIP of every chart (SVG + PNG), the XLSX and the CSVs.

    ``make_bundle`` is only called when the user asks for a file: building the bundle
    solves the scenario again and is not needed on every rerun.
    """
    cols = st.columns(2)
    actions = {"pdf": (cols[0], "Prepare the report (PDF)", report_pdf), "zip": (cols[1], "Prepare everything (ZIP)", report_zip)}
    for kind, (col, label, build) in actions.items():
        if col.button(label, key=f"{key}_{kind}_go", icon=":material/description:" if kind == "pdf" else ":material/folder_zip:"):
            bundle = make_bundle()
            n_charts = len(bundle.figures()) * (1 if kind == "pdf" else 2)
            with st.status(f"Preparing the {kind.upper()}…", expanded=True) as status:
                bar = st.progress(0.0, text="Starting Chromium for the charts")
                done = [0]

                def step(name: str, bar: st.delta_generator.DeltaGenerator = bar, done: list[int] = done, total: int = n_charts) -> None:
                    done[0] += 1
                    bar.progress(min(done[0] / (total + 1), 1.0), text=f"Rendering {name}")

                try:
                    data = build(bundle, on_step=step)
                    st.session_state[f"{key}_{kind}"] = (signature, data)
                    st.session_state.pop(f"{key}_error", None)
                    bar.progress(1.0, text="Done")
                    status.update(label=f"The {kind.upper()} is ready", state="complete", expanded=False)
                except ExportError as err:
                    st.session_state[f"{key}_error"] = str(err)
                    status.update(label=f"The {kind.upper()} could not be made", state="error")
    if st.session_state.get(f"{key}_error"):
        st.error(f"Export failed: {st.session_state[f'{key}_error']}", icon=":material/error:")
    stem = f"corridors-{year}"
    for kind, col in (("pdf", cols[0]), ("zip", cols[1])):
        prepared = st.session_state.get(f"{key}_{kind}")
        if prepared and prepared[0] == signature:
            col.download_button(
                f"Save {stem}-report.{kind}" if kind == "pdf" else f"Save {stem}.zip",
                data=prepared[1],
                file_name=f"{stem}-report.pdf" if kind == "pdf" else f"{stem}.zip",
                mime=MIME[kind],
                on_click="ignore",
                key=f"{key}_{kind}_save",
                icon=":material/save:",
                type="primary",
            )
