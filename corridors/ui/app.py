"""Dashboard entry: page set-up and navigation."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import streamlit as st

#: Set (to anything) to print each script run's server-side time to stderr, as ``corridors-run 12.3 ms``: the load
#: check (scripts/bench_browser.py --load) reads them from the server's log.
RUN_LOG_ENV = "CORRIDORS_RUN_LOG"
PAGE_SCRIPTS = Path(__file__).resolve().parent / "page_scripts"
#: url path → (title, icon); the first page is served at the root URL as well.
PAGES = {
    "network": ("Network", ":material/hub:"),
    "flows": ("Flows & what-if", ":material/tune:"),
    "years": ("Through the years", ":material/timeline:"),
    "compare": ("Compare scenarios", ":material/compare_arrows:"),
    "sources": ("Sources & estimates", ":material/menu_book:"),
    "routes": ("Routes: days & dollars", ":material/route:"),
}


def main() -> None:
    st.set_page_config(page_title="Corridors", page_icon="🛤️", layout="wide")
    pages = [
        st.Page(PAGE_SCRIPTS / f"{url}.py", title=title, url_path=url, default=position == 0, icon=icon)
        for position, (url, (title, icon)) in enumerate(PAGES.items())
    ]
    started = time.perf_counter()
    try:
        st.navigation(pages).run()
    finally:  # st.rerun and st.stop end a run by raising: they are timed too
        if os.environ.get(RUN_LOG_ENV):
            print(f"corridors-run {(time.perf_counter() - started) * 1000:.1f} ms", file=sys.stderr, flush=True)
