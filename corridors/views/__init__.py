"""Figures and tables of the ledger and of a solved scenario, each carrying its title, units and sources.

``style`` (template, source lines), ``maps`` (the network on its geography), ``charts``
(markets and indicator groups), ``series`` (published figures compared) and ``tables``
(the model's tables and the JSON contract). Pure plotly and pandas: no Streamlit.
"""
