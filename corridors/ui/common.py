"""Shared pieces of the dashboard pages: cached data, error display."""

from __future__ import annotations

import os

import networkx as nx
import streamlit as st

from corridors.graph import build_graph
from corridors.io import Ledger, load_ledger
from corridors.validate import LedgerError

#: Environment variable naming another ledger folder (used by tests and by people editing data).
DATA_ENV = "CORRIDORS_DATA"


@st.cache_resource(show_spinner="Loading the ledger…")
def cached_ledger(data_dir: str | None) -> Ledger:
    return load_ledger(data_dir)


@st.cache_resource(show_spinner=False)
def cached_graph(data_dir: str | None) -> nx.MultiDiGraph:
    return build_graph(cached_ledger(data_dir))


def data_dir() -> str | None:
    return os.environ.get(DATA_ENV) or None


def ledger_or_stop() -> tuple[Ledger, nx.MultiDiGraph]:
    """The ledger and graph; on bad data, the list of problems and a stop."""
    try:
        ledger = cached_ledger(data_dir())
    except LedgerError as err:
        st.error(
            f"The ledger in `{data_dir() or 'data/'}` has {len(err.problems)} problem(s), so the dashboard cannot "
            "show it. Fix them (or run `python -m corridors validate`) and reload."
        )
        st.dataframe(
            [{"file": p.file, "line": p.row, "column": p.column, "problem": p.message} for p in err.problems],
            width="stretch",
            hide_index=True,
        )
        st.stop()
    return ledger, cached_graph(data_dir())


def multiselect_all(label: str, options: list[str], key: str, help: str | None = None) -> list[str]:
    """A multiselect that starts with every option selected; its value lives in the URL."""
    return st.multiselect(
        label, options, default=options, key=key, help=help, format_func=lambda s: s.replace("_", " "), bind="query-params"
    )


def url_snapshot() -> dict[str, str]:
    """The query parameters as the page received them, before widgets bound to the URL read them."""
    return {k: str(v) for k, v in st.query_params.to_dict().items()}


def warn_dropped_params(incoming: dict[str, str], keys: list[str]) -> None:
    """Warn about URL parameters that a bound widget refused (Streamlit drops them silently).

    Streamlit also removes a parameter whose value is the widget's default; that one
    matches the widget's value and is not warned about.
    """
    for key in keys:
        if key not in incoming or key in st.query_params:
            continue
        value = st.session_state.get(key)
        given = incoming[key]
        if isinstance(value, list | tuple):
            same = {str(v) for v in value} == {
                p for p in given.replace("[", "").replace("]", "").replace("'", "").replace(" ", "").split(",") if p
            }
        else:
            same = str(value) == given
        if not same:
            st.warning(f"URL parameter '{key[:40]}'={given[:40]!r} is not a valid value here and was ignored.", icon=":material/link_off:")
