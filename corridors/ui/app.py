"""Dashboard entry: page set-up and navigation."""

from __future__ import annotations

import streamlit as st

from corridors.ui import flows_page, network_page, sources_page


def main() -> None:
    st.set_page_config(page_title="Corridors", page_icon="🛤️", layout="wide")
    pages = [
        st.Page(network_page.render, title="Network", url_path="network", default=True),
        st.Page(flows_page.render, title="Flows & what-if", url_path="flows"),
        st.Page(sources_page.render, title="Sources & estimates", url_path="sources"),
    ]
    st.navigation(pages).run()
