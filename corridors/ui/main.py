"""The dashboard's main script inside the package, for ``corridors dashboard`` (``streamlit run`` on this file).

The checkout's ``app.py`` does the same; this one travels with ``pip install .``, and
Streamlit serves the map outlines from the ``static/`` folder installed beside it.
"""

from corridors.ui.app import main

main()
