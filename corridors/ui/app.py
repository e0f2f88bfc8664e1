"""Dashboard entry: page set-up and navigation."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

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
    st.navigation(pages).run()
