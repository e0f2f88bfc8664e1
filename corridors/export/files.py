"""Tables to files: CSV and XLSX, numbers tidied and text that a spreadsheet would run as a formula neutralised."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd

from corridors.ledger.wiring import AssumptionsBase as Assumptions
from corridors.model.baseline import Baseline

#: Characters that make a spreadsheet treat a text cell as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell neutralised (see :func:`neutralise`)."""
    out = frame.copy()
    for column in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[column]) or pd.api.types.is_bool_dtype(out[column])):
            out[column] = out[column].map(neutralise, na_action="ignore")
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


#: Decimals kept in exported tables (more for small values, which keep this many significant digits).
DECIMALS = 6
#: Solver residue below this is written as zero, not as ``-7.1e-15``.
ZERO_BELOW = 1e-9


def tidy_number(value: object) -> object:
    """A float as a reader expects it in a table: solver noise dropped, still a number.

    ``8.900000000000004`` becomes ``8.9`` and ``-7.105427357601002e-15`` becomes ``0.0``;
    values are rounded to :data:`DECIMALS` decimals, small ones to as many
    significant digits. Anything that is not a finite float is returned as is.
    """
    if isinstance(value, bool) or not isinstance(value, float | np.floating):
        return value
    number = float(value)
    if not math.isfinite(number):
        return number
    if abs(number) < ZERO_BELOW:
        return 0.0
    digits = max(DECIMALS, DECIMALS - 1 - math.floor(math.log10(abs(number))))
    return round(number, digits) + 0.0  # + 0.0 turns -0.0 into 0.0


def tidy_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every float cell passed through :func:`tidy_number`."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_float_dtype(series) or series.dtype == object:
            out[column] = series.map(tidy_number)
    return out


def _flatten(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].map(lambda v: isinstance(v, list | tuple)).any():
            out[column] = out[column].map(lambda v: ";".join(v) if isinstance(v, list | tuple) else v)
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with a byte-order mark, so Excel reads the accents), numbers tidied, formulas neutralised."""
    return safe_frame(tidy_numbers(_flatten(frame))).to_csv(index=False).encode("utf-8-sig")


def assumptions_table(assumptions: Assumptions, base: Baseline) -> pd.DataFrame:
    """Every assumption of a scenario: value, unit, its default and where the default came from."""
    rows = []
    for name, value in assumptions.model_dump().items():
        info = type(assumptions).wiring().parameter_info(name)
        prov = base.provenance.get(name)
        rows.append(
            {
                "assumption": name,
                "label": info["label"],
                "unit": info["unit"],
                "value": value,
                "default": getattr(base.assumptions, name),
                "changed": value != getattr(base.assumptions, name),
                "default_from": ("user-supplied" if prov.origin == "user" else prov.kind) if prov else "scenario year",
                "origin": prov.origin if prov else "ledger",
                "where_the_default_comes_from": prov.describe() if prov else "The year chosen for the scenario.",
            }
        )
    table = pd.DataFrame(rows)
    table.attrs = {"title": f"Assumptions of the scenario, {assumptions.year}"}
    return table


SHEET_NAME_MAX = 31


def xlsx_bytes(tables: dict[str, pd.DataFrame], sources: pd.DataFrame, assumptions: pd.DataFrame) -> bytes:
    """One workbook: a sheet per table, then ``sources`` and ``assumptions``.

    Every text cell is written as text (never as a formula), and text that a
    spreadsheet would run as a formula is neutralised as in the CSV export.
    Numbers are tidied as in the CSV export (:func:`tidy_number`) and stay numbers.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    source_columns = ["source_id", "publisher", "title", "url", "published", "kind", *(["origin"] if "origin" in sources else [])]
    sheets = {**tables, "sources": sources[source_columns], "assumptions": assumptions}
    for name, frame in sheets.items():
        sheet = workbook.create_sheet(name[:SHEET_NAME_MAX])
        safe = safe_frame(tidy_numbers(_flatten(frame)))
        sheet.append(list(safe.columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in safe.itertuples(index=False):
            sheet.append([None if (not isinstance(v, str) and pd.isna(v)) else (v.item() if hasattr(v, "item") else v) for v in row])
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text stays text, whatever it starts with
        for i, column in enumerate(safe.columns, start=1):
            width = min(60, max(10, len(str(column)) + 2, *(len(str(v)) + 2 for v in safe[column].head(200))))
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = "A2"
        title = frame.attrs.get("title")
        if title:
            sheet.sheet_properties.tabColor = "1F78B4"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
