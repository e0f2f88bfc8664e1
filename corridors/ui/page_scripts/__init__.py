"""One small script per dashboard page, given to ``st.Page`` by :mod:`corridors.ui.app`.

Files rather than functions, so that Streamlit's test runner can open each page; kept
inside the package (not in a top-level ``pages/`` folder, which Streamlit would also
list in its old file-name navigation).
"""
