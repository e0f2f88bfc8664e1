"""Shared pieces of the dashboard pages: cached data, error display."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping

import networkx as nx
import pandas as pd
import streamlit as st

from corridors.ledger.graph import build_graph
from corridors.ledger.load import Ledger, load_ledger
from corridors.ledger.user_data import UserData, with_user_data
from corridors.ledger.validate import LedgerError
from corridors.resources import DATA_ENV
from corridors.views.estimates import estimates_with_sources
from corridors.views.geo import WHOLE_CORRIDOR, map_extents
from corridors.views.style import plotly_config


@st.cache_resource(show_spinner="Loading the ledger…")
def cached_ledger(data_dir: str | None) -> Ledger:
    return load_ledger(data_dir)


@st.cache_resource(show_spinner=False)
def cached_graph(data_dir: str | None) -> nx.MultiDiGraph:
    return build_graph(cached_ledger(data_dir))


def data_dir() -> str | None:
    return os.environ.get(DATA_ENV) or None


#: Session keys of the reader's own figures (never written into data/, never in a shared link).
USER_DATA_KEY = "user_data"
USER_DEFAULTS_KEY = "user_defaults"


def md_escape(text: str) -> str:
    """Text from a file or link shown as itself, not as Markdown, LaTeX or a link."""
    # Only what can change meaning inside a line: emphasis, code, links, LaTeX, HTML, tables, strike-through.
    return re.sub(r"([\\`*_\[\]|$<>~])", r"\\\1", text)


def user_data() -> UserData | None:
    """The reader's own figures uploaded in this session (see corridors.ledger.user_data), or None."""
    return st.session_state.get(USER_DATA_KEY)


def user_layer_key() -> str:
    """What the model's defaults depend on besides the ledger: "" without a layer, else its digest and whether it is used."""
    user = user_data()
    if user is None:
        return ""
    return f"{user.key}:{'defaults' if st.session_state.get(USER_DEFAULTS_KEY) else 'shown'}"


@st.cache_resource(show_spinner=False, max_entries=32)
def _layered_ledger(data_dir: str | None, layer_key: str, _user: UserData, as_defaults: bool) -> Ledger:
    # Keyed by the files' digest: sessions that upload the same files share one immutable ledger, and no other.
    return with_user_data(cached_ledger(data_dir), _user, as_defaults)


def session_ledger(folder: str | None = None) -> Ledger:
    """The ledger this session sees: the shipped one, with the reader's own figures beside it when they uploaded some."""
    folder = folder if folder is not None else data_dir()
    user = user_data()
    if user is None:
        return cached_ledger(folder)
    return _layered_ledger(folder, user_layer_key(), user, bool(st.session_state.get(USER_DEFAULTS_KEY)))


@st.cache_data(show_spinner=False, max_entries=32)
def _estimates(data_dir: str | None, layer_key: str, _ledger: Ledger) -> pd.DataFrame:
    # Plain data, pickled per call: no session can change another's copy. The layer key names the reader's files.
    return estimates_with_sources(_ledger)


def session_estimates() -> pd.DataFrame:
    """Every estimate with its source (the reader's own figures included), as this session's ledger has them."""
    return _estimates(data_dir(), user_layer_key(), session_ledger())


def ledger_or_stop() -> tuple[Ledger, nx.MultiDiGraph]:
    """The ledger (with this session's own figures, if any) and graph; on bad data, the list of problems and a stop."""
    try:
        ledger = session_ledger(data_dir())
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


def _readable(labels: Mapping[str, str] | None) -> Callable[[str], str]:
    """Option code -> the text the reader sees: the given label, else the code with spaces."""
    names = dict(labels or {})
    return lambda code: names.get(code) or code.replace("_", " ")


def _seed_from_url(key: str, options: list[str], show: Callable[[str], str]) -> list[str]:
    """The selection a URL asks for, read once per session; values not among the options are warned about.

    Codes are the URL's form. The shown labels, and codes with spaces for underscores
    (what links shared before Corridors kept codes in the URL carried), are read too.
    """
    if key not in st.query_params:
        return list(options)
    lookup = {code.replace("_", " "): code for code in options} | {show(code): code for code in options} | {c: c for c in options}
    given = [value for value in st.query_params.get_all(key) if value != ""]
    chosen = list(dict.fromkeys(lookup[value] for value in given if value in lookup))
    refused = [value for value in given if value not in lookup]
    if refused:
        warn_refused_param(key, ", ".join(refused))
        if not chosen:
            # Nothing usable was asked for: show everything rather than an empty page.
            return list(options)
    return chosen


def multiselect_all(
    label: str, options: list[str], key: str, labels: Mapping[str, str] | None = None, help: str | None = None
) -> list[str]:
    """A multiselect that starts with every option selected; the reader sees labels, the URL keeps codes.

    Parameters
    ----------
    label : str
        The widget's label.
    options : list of str
        Option codes, in the order shown.
    key : str
        Widget key; also the URL parameter's name (``?key=code&key=code``; absent means all, empty means none).
    labels : mapping of str to str, optional
        Readable names by code; codes without one are shown with spaces for underscores.
    help : str, optional
        The widget's tooltip.

    Returns
    -------
    list of str
        The chosen codes.

    Notes
    -----
    Streamlit 1.67's ``bind="query-params"`` writes a multiselect's *shown* labels to the URL,
    so a readable label would become the shared link's value and a link naming codes would be
    refused. This widget is synced by hand instead: the URL seeds it once per session, its
    codes go back to the URL in the same run that changes it, and it keeps its value while
    the reader visits another page.
    """
    show = _readable(labels)
    if key not in st.session_state:
        st.session_state[key] = _seed_from_url(key, options, show)
    elif any(code not in options for code in st.session_state[key]):
        # Options can change under a kept selection (another ledger); drop what no longer exists.
        st.session_state[key] = [code for code in st.session_state[key] if code in options]
    # persist_state: like a bound widget, the choice outlives a visit to another page.
    chosen = st.multiselect(label, options, key=key, help=help, format_func=show, persist_state="session")
    if set(chosen) == set(options):
        wanted: list[str] | None = None  # the default stays out of the URL, as with bound widgets
    else:
        wanted = list(chosen) or [""]  # ``?key=`` means an empty selection
    if wanted is None:
        st.query_params.pop(key, None)
    elif st.query_params.get_all(key) != wanted:
        st.query_params[key] = wanted
    return chosen


def coded_selectbox(
    label: str, options: list[str], key: str, format_func: Callable[[str], str], default: str | None = None, help: str | None = None
) -> str:
    """A selectbox whose reader sees names while the URL keeps the option's code (``?key=code``).

    A selectbox bound to the URL writes its *shown* label there, so this one is synced by
    hand: a code from the URL seeds it once per visit (an unknown one is warned about), and
    its code goes back to the URL in the same run; the default stays out of the URL.
    """
    default = default if default in options else options[0]
    given = st.query_params.get(key)
    if key not in st.session_state and given is not None:
        if given in options:
            st.session_state[key] = given
        else:
            warn_refused_param(key, given)
    if st.session_state.get(key) not in options:
        # Options can change under a kept choice (a filter above it left the choice without rows).
        st.session_state[key] = default
    choice = st.selectbox(label, options, key=key, format_func=format_func, help=help)
    if choice == default:
        st.query_params.pop(key, None)
    elif st.query_params.get(key) != choice:
        st.query_params[key] = choice
    return choice


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
            warn_refused_param(key, given)


def warn_refused_param(key: str, given: str) -> None:
    """Tell the reader that a URL parameter's value was not used (both cut short: they come from the URL)."""
    st.warning(f"URL parameter '{key[:40]}'={given[:40]!r} is not a valid value here and was ignored.", icon=":material/link_off:")


def chart_config(filename: str) -> dict:
    """Plotly's config for a chart of this dashboard, with the map outlines under the path it is served at."""
    return plotly_config(filename, st.get_option("server.baseUrlPath") or "")


#: The URL parameter (and widget key) of the maps' extent, shared by the Network and Flows pages.
MAP_EXTENT_PARAM = "map_extent"


def extent_picker(graph) -> str | None:
    """The maps' extent: the whole corridor or a close-up the ledger names, kept in the URL (None: whole corridor)."""
    options = map_extents(graph)
    if len(options) < 2:
        return None
    incoming = url_snapshot()
    choice = st.segmented_control(
        "Map extent",
        options,
        default=WHOLE_CORRIDOR,
        key=MAP_EXTENT_PARAM,
        bind="query-params",
        help="The whole corridor, or a close-up framed on its places. Chart downloads and the report show the same extent.",
    )
    warn_dropped_params(incoming, [MAP_EXTENT_PARAM])
    return None if choice in (None, WHOLE_CORRIDOR) else str(choice)
