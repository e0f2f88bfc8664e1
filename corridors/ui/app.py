"""Dashboard entry: page set-up and navigation."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES_DIR = Path(__file__).resolve().parent.parent.parent / "pages"


def main() -> None:
    st.set_page_config(page_title="Corridors", page_icon="🛤️", layout="wide")
    pages = [
        st.Page(PAGES_DIR / "network.py", title="Network", url_path="network", default=True, icon=":material/hub:"),
        st.Page(PAGES_DIR / "flows.py", title="Flows & what-if", url_path="flows", icon=":material/tune:"),
        st.Page(PAGES_DIR / "sources.py", title="Sources & estimates", url_path="sources", icon=":material/menu_book:"),
    ]
    st.navigation(pages).run()
