"""Report-ready files: charts (PNG, SVG, PDF), tables (CSV, XLSX), the PDF report and a ZIP.

``render`` turns a figure into a file through kaleido and Chromium; ``files`` writes
tables; ``bundle`` gathers a scenario's figures and tables and writes them all;
``report`` lays out the PDF.
"""

from corridors.export.bundle import (
    ScenarioExport,
    export_all,
    parse_formats,
    permalink,
    public_base_url,
    render_charts,
    report_pdf,
    report_zip,
    scenario_figures,
    scenario_tables,
)
from corridors.export.files import assumptions_table, csv_bytes, neutralise, safe_frame, tidy_number, tidy_numbers, xlsx_bytes
from corridors.export.render import (
    ALL_FORMATS,
    IMAGE_FORMATS,
    MIME,
    NO_PERMALINK,
    PRESETS,
    PUBLIC_URL_ENV,
    ExportContext,
    ExportError,
    ImageRenderer,
    Preset,
    chart_bytes,
    find_chart_browser,
    renderer,
    report_figure,
)

__all__ = [
    "ALL_FORMATS",
    "IMAGE_FORMATS",
    "MIME",
    "NO_PERMALINK",
    "PRESETS",
    "PUBLIC_URL_ENV",
    "ExportContext",
    "ExportError",
    "ImageRenderer",
    "Preset",
    "ScenarioExport",
    "assumptions_table",
    "chart_bytes",
    "csv_bytes",
    "export_all",
    "find_chart_browser",
    "neutralise",
    "parse_formats",
    "permalink",
    "public_base_url",
    "render_charts",
    "renderer",
    "report_figure",
    "report_pdf",
    "report_zip",
    "safe_frame",
    "scenario_figures",
    "scenario_tables",
    "tidy_number",
    "tidy_numbers",
    "xlsx_bytes",
]
