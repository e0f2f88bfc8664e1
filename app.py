"""Corridors dashboard: ``streamlit run app.py``."""

from corridors.ui.app import main

main()
