"""A reader's own figures: checked like the ledger, kept apart from it, labelled wherever they travel."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from corridors.cli import main
from corridors.export import ScenarioExport, csv_bytes
from corridors.ledger.user_data import (
    MAX_USER_ROWS,
    USER_FOOTER,
    UserDataError,
    read_user_files,
    read_user_paths,
    with_user_data,
)
from corridors.model.baseline import baseline
from corridors.views.series import estimates_with_sources, series_figure

FILES = Path(__file__).parent / "data" / "user_figures"
ESTIMATES, SOURCES, BROKEN = FILES / "my-estimates.csv", FILES / "my-sources.csv", FILES / "broken-estimates.csv"


def _footer(figure) -> str:
    """The figure's annotations as one line of text (the source line wraps with <br>)."""
    return " ".join(str(a.text).replace("<br>", " ") for a in figure.layout.annotations)


@pytest.fixture(scope="module")
def user(ledger):
    return read_user_paths([ESTIMATES, SOURCES], ledger)


def test_the_files_become_a_layer_marked_user(ledger, user):
    assert list(user.estimates["estimate_id"]) == ["my-ru-az-2025", "my-exports-2025"]
    assert set(user.estimates["origin"]) == {"user"} and set(user.sources["origin"]) == {"user"}
    assert user.summary().startswith("2 estimate(s), 1 source(s) from ")
    # The same bytes give the same key, in whatever order the files come; other bytes another.
    estimates, sources = ESTIMATES.read_bytes(), SOURCES.read_bytes()
    key = read_user_files({ESTIMATES.name: estimates, SOURCES.name: sources}, ledger).key
    assert read_user_files({SOURCES.name: sources, ESTIMATES.name: estimates}, ledger).key == key
    other = estimates.replace(b"2.1,1.8", b"2.2,1.8")
    assert read_user_files({ESTIMATES.name: other, SOURCES.name: sources}, ledger).key != key
    # The ledger itself is untouched.
    assert "my-ru-az-2025" not in set(ledger.estimates["estimate_id"]) and ledger.user is None


def test_every_problem_is_named_by_file_line_and_column(ledger):
    with pytest.raises(UserDataError) as err:
        read_user_paths([BROKEN, SOURCES], ledger)
    found = {(p.file, p.row, p.column) for p in err.value.problems}
    name = str(BROKEN)
    assert (name, 2, "year") in found
    assert (name, 3, "estimate_id") in found  # the ledger's own id: a reader's row needs one of its own
    assert (name, 3, "source_id") in found  # a source neither the ledger nor the reader's files have
    assert "line 2, column 'year': '20x5' is not an integer" in str(err.value)


def test_the_limits_are_stated_when_exceeded(ledger):
    header = ESTIMATES.read_text().splitlines()[0]
    big = (header + "\n" + "x" * 5_000_001).encode()
    with pytest.raises(UserDataError, match=r"more than the 5,000,000 \(5 MB\) allowed"):
        read_user_files({"big.csv": big}, ledger)
    row = "r{},gas,gas_imports,RU>AZ,,2025,1,,,bcm,estimate,apa-293086,n"
    many = "\n".join([header, *(row.format(i) for i in range(MAX_USER_ROWS + 1))]).encode()
    with pytest.raises(UserDataError, match=r"20,001 rows, more than the 20,000 allowed"):
        read_user_files({"many.csv": many}, ledger)


def test_a_file_of_another_kind_or_no_estimates_is_refused(ledger):
    with pytest.raises(UserDataError, match="not that of an estimates, sources or links file"):
        read_user_files({"notes.csv": b"a,b\n1,2\n"}, ledger)
    with pytest.raises(UserDataError, match="no estimates file among them"):
        read_user_files({SOURCES.name: SOURCES.read_bytes()}, ledger)


def test_defaults_take_the_readers_figure_only_when_asked(ledger, user):
    plain = baseline(ledger, 2025)
    shown = baseline(with_user_data(ledger, user, as_defaults=False), 2025)
    used = baseline(with_user_data(ledger, user, as_defaults=True), 2025)
    assert shown.assumptions == plain.assumptions
    assert plain.assumptions.russia_to_azerbaijan != 2.1
    assert used.assumptions.russia_to_azerbaijan == 2.1
    provenance = used.provenance["russia_to_azerbaijan"]
    assert provenance.origin == "user"
    assert provenance.describe().startswith("User-supplied (your data, my-ru-az-2025)")
    assert (provenance.low, provenance.high) == (1.8, 2.4)
    # Defaults that read no figure of the reader's keep the ledger's provenance.
    assert used.provenance["tap_capacity"].origin == "ledger"


def test_the_estimates_carry_an_origin_and_the_chart_a_marker_of_its_own(ledger, user):
    frame = estimates_with_sources(with_user_data(ledger, user))
    assert set(frame["origin"]) == {"ledger", "user"}
    mine = frame[frame["origin"] == "user"]
    assert set(mine["publisher"]) == {"Example Consultancy <b>bold</b>"}
    rows = frame[(frame["metric"] == "gas_imports") & (frame["subject"] == "RU>AZ")]
    figure = series_figure(rows)
    user_traces = [t for t in figure.data if t.name and t.name.startswith("Your data")]
    assert len(user_traces) == 1
    assert user_traces[0].marker.symbol == "x" and list(user_traces[0].y) == [2.1]
    ledger_symbols = {t.marker.symbol for t in figure.data if t not in user_traces}
    assert "x" not in ledger_symbols
    footer = _footer(figure)
    assert USER_FOOTER in footer
    # Plotly reads <b> and the like: the reader's text is escaped, so it shows as written and runs nothing.
    shown = [str(t.name) + str(t.hovertemplate) + str(t.customdata) for t in figure.data] + [_footer(figure)]
    assert not [text for text in shown if "<b>bold</b>" in text]
    assert "&lt;b&gt;bold&lt;/b&gt;" in user_traces[0].name and "&lt;b&gt;bold&lt;/b&gt;" in user_traces[0].hovertemplate
    assert USER_FOOTER not in _footer(series_figure(frame[frame["origin"] == "ledger"].head(3)))


@pytest.fixture(scope="module")
def bundle(ledger, graph, user):
    layered = with_user_data(ledger, user, as_defaults=True)
    return ScenarioExport(layered, graph, baseline(layered, 2025).assumptions, "Baseline 2025 with my figures")


def test_the_csv_and_xlsx_label_the_readers_rows_and_neutralise_formulas(bundle):
    rows = list(csv.DictReader(io.StringIO(csv_bytes(bundle.tables()["estimates"]).decode("utf-8-sig"))))
    assert {r["estimate_id"] for r in rows if r["origin"] == "user"} == {"my-ru-az-2025", "my-exports-2025"}
    assert all(r["origin"] == "ledger" for r in rows if not r["estimate_id"].startswith("my-"))
    mine = next(r for r in rows if r["estimate_id"] == "my-exports-2025")
    assert mine["source_title"] == '\'=HYPERLINK("https://example.org","click")'
    assert not [cell for r in rows for cell in r.values() if cell.startswith(("=", "+", "@"))]
    book = load_workbook(io.BytesIO(bundle.xlsx()))
    sources = list(book["sources"].values)
    assert sources[0][-1] == "origin"
    user_rows = [r for r in sources if r[0] == "my-consultancy-2026"]
    assert user_rows and user_rows[0][-1] == "user"
    assert user_rows[0][2].startswith("'=HYPERLINK")  # a title a spreadsheet would run is neutralised
    assumptions = list(book["assumptions"].values)
    header = assumptions[0]
    row = next(r for r in assumptions if r[0] == "russia_to_azerbaijan")
    assert row[header.index("origin")] == "user" and row[header.index("default_from")] == "user-supplied"


def test_the_report_has_a_section_for_the_readers_figures(bundle):
    from corridors.export import report_pdf

    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(report_pdf(bundle, {}))).pages).split())
    assert "Your data: user-supplied figures (2), not from the ledger" in text
    assert "my-ru-az-2025" in text and "The model's defaults take these figures" in text
    assert "<script>window.__hostile = 1</script>" in text  # printed as text, not read as markup
    assert "User-supplied (your data, my-ru-az-2025)" in text


def test_charts_that_rest_on_the_readers_figures_say_so(bundle):
    flows = bundle.figures()["gas_markets"][1]()
    assert USER_FOOTER in _footer(flows)
    network = bundle.figures()["network"][1]()
    assert USER_FOOTER not in _footer(network)


def test_cli_run_takes_the_same_files(capsys):
    code = main(
        ["run", "--year", "2025", "--user-data", str(ESTIMATES), "--user-data", str(SOURCES), "--user-defaults", "--format", "json"]
    )
    assert code == 0
    document = json.loads(capsys.readouterr().out)
    assert document["scenario"]["assumptions"]["russia_to_azerbaijan"] == 2.1
    assert document["user_data"]["used_as_defaults"] is True
    assert "russia_to_azerbaijan" in document["user_data"]["defaults_from_user"]
    assert {row["origin"] for row in document["user_data"]["estimates"]} == {"user"}


def test_cli_refuses_a_malformed_file_with_exit_2_and_no_traceback(capsys):
    code = main(["run", "--user-data", str(BROKEN), "--user-data", str(SOURCES)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{BROKEN}, line 2, column 'year'" in err and "Traceback" not in err
    assert main(["run", "--user-defaults"]) == 2
    assert "--user-defaults needs --user-data" in capsys.readouterr().err


def test_cli_export_labels_the_readers_rows(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(
        [
            "export",
            "--year",
            "2025",
            "--user-data",
            str(ESTIMATES),
            "--user-data",
            str(SOURCES),
            "--formats",
            "csv,xlsx",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == 0, capsys.readouterr().err
    rows = list(csv.DictReader(io.StringIO((out / "tables" / "estimates.csv").read_text(encoding="utf-8-sig"))))
    assert sorted(r["estimate_id"] for r in rows if r["origin"] == "user") == ["my-exports-2025", "my-ru-az-2025"]
    sheet = load_workbook(next(out.glob("*.xlsx")))["estimates"]
    header = [c.value for c in sheet[1]]
    origins = [row[header.index("origin")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert origins.count("user") == 2 and origins.count("ledger") == len(origins) - 2
