"""A play control that steps a map through the years, redrawing only the map (a fragment on a timer)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

#: Seconds each year stays on screen while playing.
STEP_SECONDS = 1.5


def play_control(key: str, first: int, last: int, draw: Callable[[int], None], label: str = "Play the years") -> bool:
    """A Play/Stop button; while playing, ``draw(year)`` runs for each year from ``first`` to ``last`` in turn.

    Parameters
    ----------
    key
        Prefix of this control's session keys (one control per key).
    first, last
        The years stepped through, both included.
    draw
        Draws the frame of one year (a map); called inside a fragment, so only it reruns.
    label
        The Play button's text.

    Returns
    -------
    bool
        True while playing: the caller then draws nothing of its own in the frame's place.
    """
    playing_key, at_key = f"{key}_playing", f"{key}_at"
    playing = bool(st.session_state.get(playing_key))

    def toggle() -> None:
        st.session_state[playing_key] = not st.session_state.get(playing_key)
        st.session_state[at_key] = first

    st.button(
        "Stop" if playing else f"{label} ({first}–{last})",
        key=f"{key}_button",
        on_click=toggle,
        icon=":material/stop:" if playing else ":material/play_arrow:",
        help=f"Steps through {first}–{last}, one year every {STEP_SECONDS:g} s; the rest of the page stays as it is.",
    )
    if not playing:
        return False

    def frame() -> None:
        year = int(st.session_state.get(at_key, first))
        st.caption(f"Playing: **{year}** ({first}–{last})")
        draw(year)
        if year >= last:
            # The last year shown: stop the timer (a full rerun takes the page back to its own view).
            st.session_state[playing_key] = False
            st.rerun()
        st.session_state[at_key] = year + 1

    st.fragment(frame, run_every=STEP_SECONDS)()
    return True
