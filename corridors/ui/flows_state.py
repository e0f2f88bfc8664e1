"""The Flows page's scenario state: widgets, URL and scenario name kept in step, through Streamlit callbacks.

Each assumption has two widgets, a slider (``a_<name>``) and a number input whose key
holds the slider's value (``n_<name>@<value>``). The slider is the one widget with state:
the box is made anew, showing the slider's value, whenever that value changes, and its
callback copies a typed value to the slider. Pushing each slider step into a box with a
fixed key raced with the browser: a box that had not yet received its new value reported
the old one with the next message, and that old value was copied back to the slider, undoing
a key press. A box now knows the value it was made for, and its callback drops a report
from a box made for a value the slider has since left.

Anything that sets the scenario from outside the widgets (a named scenario, Reset, an
uploaded file, a year change) runs as a widget callback: callbacks run before any widget is
drawn, the only time Streamlit lets a widget's value be set. The URL is written in the same run.

The browser sends every widget's value with each message. A key pressed while the run that
set new values is still on its way (before the sliders with those values were sent, or
reached the page) carries the old ones, and Streamlit takes them as the user's: the upload
or named scenario was undone, but for the URL. So the values a callback set are remembered
as pending, each with the value it replaced, until the browser reports them
(``undo_stale_reports``). Meanwhile a report of the replaced value is the browser's stale
copy, and the set value is put back. Any other value is a move of the user's, and it stays.
"""

from __future__ import annotations

import math

import streamlit as st

from corridors.ledger.wiring import AssumptionsBase as Assumptions
from corridors.ledger.wiring import Wiring
from corridors.model.baseline import Baseline, cached_baseline
from corridors.model.scenarios import ScenarioError, from_query, parse_scenario, same_assumptions, shipped_scenarios, to_query
from corridors.ui.common import MAP_EXTENT_PARAM, cached_ledger, data_dir, ledger_or_stop, session_ledger, user_layer_key

#: URL parameters of the page that are not the scenario: its widgets bound to the URL read and check them.
OTHER_PARAMS = (MAP_EXTENT_PARAM,)
PREFIX = "a_"
NUMBER_PREFIX = "n_"
FROM_LINK = "Custom (from link)"


def baseline_for(data_dir: str | None, year: int) -> Baseline:
    """The defaults of ``year`` for this session: the ledger's, or with the reader's own figures when they chose so.

    Shared by every session that sees the same ledger (a baseline is never changed once made).
    """
    return cached_baseline(session_ledger(data_dir), year)


def wiring_for(folder: str | None = None) -> Wiring:
    """The model wiring of the ledger shown (``folder``: its data folder, when a callback knows it)."""
    return cached_ledger(folder if folder is not None else data_dir()).wiring


def slider_key(name: str) -> str:
    return PREFIX + name


def group_key(group: str) -> str:
    """Key of the sidebar's expander for a group of assumptions (its state: open or closed)."""
    return f"flows_group:{group}"


def on_group_toggle(group: str, groups: tuple[str, ...]) -> None:
    """Opening a group of assumptions closes the others: the sidebar holds one group's widgets at a time.

    Why: the browser redraws every widget on the page at each slider step, before it
    redraws the map. Measured in Chromium (2026-12-07, medians of 15 steps, from the key
    press in the page), a Freight step redrew the map in 178 and 181 ms with the two gas
    groups closed, against 261 and 217 ms with them open.
    """
    if st.session_state.get(group_key(group)):
        for other in groups:
            if other != group:
                st.session_state[group_key(other)] = False


def number_key(name: str, value: float) -> str:
    """Key of the number box beside slider ``name`` while the slider stands at ``value``."""
    return f"{NUMBER_PREFIX}{name}@{value!r}"


def set_widgets(values: Assumptions) -> None:
    """Put a scenario into the sliders (the number boxes follow them). Only from a callback or before the widgets are drawn."""
    for name, value in values.model_dump().items():
        st.session_state[slider_key(name)] = value


def current_values() -> dict:
    return {
        name: st.session_state[slider_key(name)]
        for name in wiring_for().assumption_model.model_fields
        if slider_key(name) in st.session_state
    }


def write_url(assumptions: Assumptions, base: Assumptions) -> None:
    """The URL for ``assumptions``; sent only when it differs from the browser's (repeated keys count as different).

    Parameters that are not the scenario's (the maps' extent) are kept as they are.
    """
    wanted = to_query(assumptions, base)
    wanted.update({key: st.query_params[key] for key in OTHER_PARAMS if key in st.query_params})
    have = {key: st.query_params.get_all(key) for key in st.query_params}
    if have != {key: [value] for key, value in wanted.items()}:
        st.query_params.from_dict(wanted)


#: Session key of the values a callback set that the browser has not reported yet: name -> (replaced, set).
PENDING_KEY = "flows_pending"
#: Set by a callback that marked values pending: the run it starts holds the set values without any report of them.
FRESH_KEY = "flows_pending_fresh"


def _mark_pending(replaced: dict[str, float]) -> None:
    """Remember the sliders a callback just moved, with the values they had (see the module's docstring)."""
    pending = dict(st.session_state.get(PENDING_KEY, {}))
    for name, old in replaced.items():
        new = st.session_state.get(slider_key(name))
        if old is None or new is None:
            continue
        # Set twice before the browser caught up: its stale copy still holds the first value replaced.
        first = pending[name][0] if name in pending else old
        if first != new:
            pending[name] = (first, new)
        else:
            pending.pop(name, None)
    st.session_state[PENDING_KEY] = pending
    st.session_state[FRESH_KEY] = True


def undo_stale_reports() -> None:
    """Before the widgets are drawn: a slider the browser reports at the value a callback replaced gets the set one back.

    A report of the set value (after the callback's own run) ends the wait for that slider; a
    report of any other value is the user's own move and is kept. Sliders not drawn (a closed
    group) are not reported, and hold the set value: they end their wait one run later.
    """
    pending = st.session_state.get(PENDING_KEY)
    fresh = st.session_state.pop(FRESH_KEY, False)
    if not pending:
        return
    waiting = {}
    for name, (replaced, wanted) in pending.items():
        key = slider_key(name)
        value = st.session_state.get(key)
        if value == replaced:
            st.session_state[key] = wanted
            waiting[name] = (replaced, wanted)
        elif value == wanted and fresh:  # the callback's own run: the browser has reported nothing since
            waiting[name] = (replaced, wanted)
    st.session_state[PENDING_KEY] = waiting


def apply(values: Assumptions, name: str, data_dir: str | None) -> None:
    """Make ``values`` the scenario, named ``name``: widgets, name, URL. For callbacks."""
    replaced = current_values()
    set_widgets(values)
    _mark_pending(replaced)
    st.session_state["flows_year_seen"] = values.year
    st.session_state["flows_scenario_name"] = name
    st.session_state["flows_named_for"] = values.model_dump()
    st.session_state["flows_values"] = values.model_dump()
    write_url(values, baseline_for(data_dir, values.year).assumptions)


def init_state() -> None:
    """Scenario state: read from the URL on a session's first visit, then kept across pages.

    Streamlit forgets a widget's value when a page without that widget runs, so the
    scenario is also kept in ``flows_values`` (not a widget key) and restored from
    there when the user comes back to this page.
    """
    if "flows_values" not in st.session_state:
        ledger, _ = ledger_or_stop()
        # get_all: a parameter given twice is warned about, not silently resolved.
        assumptions, warnings = from_query({key: st.query_params.get_all(key) for key in st.query_params}, ledger, set(OTHER_PARAMS))
        st.session_state["flows_values"] = assumptions.model_dump()
        st.session_state["flows_warnings"] = warnings
        at_baseline = same_assumptions(assumptions, baseline_for(data_dir(), assumptions.year).assumptions)
        st.session_state["flows_scenario_name"] = "Baseline" if at_baseline else FROM_LINK
        st.session_state["flows_named_for"] = assumptions.model_dump()
    for name, value in st.session_state["flows_values"].items():
        if slider_key(name) not in st.session_state:
            st.session_state[slider_key(name)] = value


def on_number(name: str, made_for: float) -> None:
    """A value typed into the box made for slider ``name`` at ``made_for`` moves the slider.

    The browser can still report a box made for an earlier value of the slider, while its
    message about the slider's newer value is on the way: such a report is dropped, or it
    would move the slider back. An emptied box shows the slider's value again.
    """
    current = st.session_state[slider_key(name)]
    if current != made_for:
        return
    key = number_key(name, made_for)
    value = st.session_state.get(key)
    if value is None:  # a blank box: keep the slider's value rather than a blank assumption
        st.session_state[key] = current
    elif value != current:
        st.session_state[slider_key(name)] = value


def on_year_change(data_dir: str | None) -> None:
    """Fields still at the old year's baseline follow the new year; the user's own changes stay."""
    new_year = st.session_state[slider_key("year")]
    pending = st.session_state.get(PENDING_KEY, {})
    if "year" in pending and new_year == pending["year"][0]:
        return  # the browser's stale copy of a year a callback set: undo_stale_reports puts it back
    old_year = st.session_state.get("flows_year_seen", new_year)
    old, new = baseline_for(data_dir, old_year).assumptions, baseline_for(data_dir, new_year).assumptions
    # A closed group's widgets were not drawn last run, so Streamlit may have forgotten them: their values are kept here.
    kept = st.session_state.get("flows_values", {})
    names = wiring_for(data_dir).parameter_names()
    # Not the year: the user moved it, the browser knows.
    replaced = {name: st.session_state.get(slider_key(name)) for name in names}
    for name in names:
        value = st.session_state.get(slider_key(name), kept.get(name))
        if value is not None and math.isclose(value, getattr(old, name), abs_tol=1e-9):
            st.session_state[slider_key(name)] = getattr(new, name)
    _mark_pending(replaced)
    st.session_state["flows_year_seen"] = new_year


def follow_layer(base: Baseline) -> None:
    """When the reader's figures come, go or are switched on or off, fields still at the old defaults take the new ones.

    The user's own changes stay, as with a change of year. Runs before the widgets are drawn.
    """
    layer = user_layer_key()
    seen = st.session_state.get("flows_layer_seen")
    old = st.session_state.get("flows_base_seen")
    if seen is not None and seen != layer and old is not None and old.get("year") == base.assumptions.year:
        for name in wiring_for().parameter_names():
            if slider_key(name) in st.session_state and math.isclose(st.session_state[slider_key(name)], old[name], abs_tol=1e-9):
                st.session_state[slider_key(name)] = getattr(base.assumptions, name)
    st.session_state["flows_layer_seen"] = layer
    st.session_state["flows_base_seen"] = base.assumptions.model_dump()


def reset(data_dir: str | None) -> None:
    apply(baseline_for(data_dir, st.session_state[slider_key("year")]).assumptions, "Baseline", data_dir)


def load_named(data_dir: str | None) -> None:
    choice = st.session_state["flows_pick"]
    if choice == "—":
        return
    ledger = session_ledger(data_dir)
    scenario = shipped_scenarios(ledger)[choice]
    try:
        values = scenario.assumptions(ledger)
    except ScenarioError as err:  # a shipped file that no longer fits the ledger's bounds: say so, change nothing
        st.session_state["flows_file_error"] = (err.where, err.problems)
        return
    apply(values, scenario.name, data_dir)


def on_upload(data_dir: str | None) -> None:
    """Apply an uploaded scenario as a whole, or keep everything as it was and record why not."""
    st.session_state.pop("flows_file_error", None)
    upload = st.session_state.get("flows_upload")
    if upload is None:  # the file was removed from the uploader: nothing to apply
        return
    try:
        scenario = parse_scenario(upload.getvalue(), upload.name, wiring_for(data_dir))
        values = scenario.assumptions(session_ledger(data_dir))
    except ScenarioError as err:
        st.session_state["flows_file_error"] = (err.where, err.problems)
        return
    apply(values, scenario.name, data_dir)
