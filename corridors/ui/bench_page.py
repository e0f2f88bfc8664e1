"""Page-rerun timing through Streamlit's AppTest (used by ``python -m corridors bench``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

#: The dashboard's main script inside the package: the benchmark runs from a checkout and from an installed package alike.
MAIN = Path(__file__).resolve().parent / "main.py"


def _rerun_times(page: str, slider: str | None, values: Callable[[int], float], repeat: int) -> list[float]:
    """Seconds per rerun of ``page`` after setting ``slider`` (the first growth slider when None) to ``values(i)``."""
    at = AppTest.from_file(str(MAIN), default_timeout=60).run()
    at.switch_page(f"page_scripts/{page}.py").run()
    key = slider or next(s.key for s in at.slider if str(s.key).startswith("yr_growth_"))
    times = []
    for i in range(repeat):
        at.slider(key=key).set_value(values(i))
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        if at.exception:
            raise RuntimeError(f"the {page} page raised during the benchmark: {at.exception[0].message}")
    return times


def page_rerun_times(repeat: int) -> list[float]:
    """Seconds per full rerun of the Flows page after moving the Europe slider."""
    return _rerun_times("flows", "a_europe", lambda i: 10.0 + (i % 10), repeat)


def years_rerun_times(repeat: int) -> list[float]:
    """Seconds per rerun of the years page after moving a growth slider (each move a new rate: its years re-solve)."""
    return _rerun_times("years", None, lambda i: 0.5 + 0.5 * (i % 19), repeat)
