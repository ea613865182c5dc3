"""The workbook export: sheets, tables, validation, names, safety of untrusted text."""

from __future__ import annotations

import shutil
import subprocess
import zipfile

import pytest
from openpyxl import load_workbook

from exporters import get
from exporters.escaping import EXCEL_CELL_LIMIT, TRUNCATION_MARKER
from exporters.xlsx import SHEETS, name_of_codes, write
from exporters.xlsx_layout import PROTOCOL_COLUMNS
from protocols.mapping import record_ref
from protocols.model import Dosage, Entry, Intensity, Outcome, Population, Provenance, Reporting
from protocols.store import Catalogue
from protocols.vocabulary import KINDS, default_vocabulary
from tests.xlsx_helpers import sample_record


def _entries():
    first = sample_record("r000000000001", doi="10.1000/xyz.1", pmid="123456")
    second = sample_record("r000000000002", title='=HYPERLINK("http://evil","click")')
    return [first, second], [
        Entry(
            entry_id="r000000000001-1",
            record=record_ref(first),
            exercise_types=("motor_control", "pilates"),
            comparators=("usual_care",),
            population=Population("low_back_pain", "chronic", "nonspecific", "adults", 41),
            outcomes=(
                Outcome("pain_intensity", "VAS"),
                Outcome("hypoalgesia", "pressure pain threshold"),
            ),
            design="rct",
            dosage=Dosage(
                weeks=8,
                sessions_per_week=(2, 3),
                minutes_per_session=45.5,
                intensity=Intensity("rpe", 12, 14, "moderate"),
            ),
            reporting=Reporting(cert_reported=("1", "13"), cert_missing=("2",)),
            provenance=(
                Provenance("outcomes", "hypoalgesia", "abstract", 3, 26, "pressure pain threshold"),
            ),
            arm="+core group",
        ),
        Entry(entry_id="r000000000002-1", record=record_ref(second), arm="-@\tarm\x01 腰痛 🏃"),
    ]


@pytest.fixture
def catalogue(tmp_path):
    records, entries = _entries()
    by_id = {}
    for entry in entries:
        by_id.setdefault(entry.record.id, []).append(entry)
    with Catalogue(tmp_path / "c.sqlite") as catalogue:
        catalogue.ingest(records, lambda r: by_id[r.id], ["tests.ris"])
        yield catalogue


def test_registered_and_writes_six_sheets_with_tables(catalogue, tmp_path):
    assert get("xlsx").write is write
    path = tmp_path / "out.xlsx"
    report = write(catalogue, path)
    assert report.rows == 2
    book = load_workbook(path)
    assert book.sheetnames == list(SHEETS)
    for sheet in book:
        assert len(sheet.tables) == 1, sheet.title
        table = next(iter(sheet.tables.values()))
        headers = [cell.value for cell in sheet[1]]
        assert [c.name for c in table.tableColumns] == headers
        assert table.ref.startswith("A1:")
        assert sheet.freeze_panes in ("A2", "B2", "D2")
    protocols = book["Protocols"]
    assert [c.value for c in protocols[1]] == [c.header for c in PROTOCOL_COLUMNS]
    assert next(iter(protocols.tables.values())).ref.endswith("3")
    assert protocols.column_dimensions["C"].width > 10  # the title column is fitted
    assert book["Outcomes"].max_row == 3
    assert book["Records"].max_row == 3
    assert len(book["Evidence map"]._charts) == 1


def test_vocabulary_defined_names_and_validations(catalogue, tmp_path):
    path = tmp_path / "out.xlsx"
    write(catalogue, path)
    book = load_workbook(path)
    vocabulary = default_vocabulary()
    for kind in KINDS:
        name = book.defined_names[name_of_codes(kind)]
        ((sheet_name, ref),) = name.destinations
        cells = book[sheet_name][ref.replace("$", "")]
        assert [row[0].value for row in cells] == list(vocabulary.codes(kind))
        labels = {row[0].value: row[0].offset(column=2).value for row in cells}
        assert labels[vocabulary.codes(kind)[0]] == vocabulary.label(
            kind, vocabulary.codes(kind)[0], "zh"
        )
    validations = book["Protocols"].data_validations.dataValidation
    by_formula = {v.formula1: v for v in validations}
    letters = {c.header: i for i, c in enumerate(PROTOCOL_COLUMNS, 1)}
    design = by_formula[name_of_codes("design")]
    assert design.type == "list"
    from openpyxl.utils import get_column_letter

    assert str(design.sqref).startswith(f"{get_column_letter(letters['Design'])}2:")
    for column in PROTOCOL_COLUMNS:
        if (
            column.kind is not None
            and column.vocab
            and column.header
            not in (
                "Exercise types",
                "Comparators",
                "CERT reported",
                "CERT missing",
                "TIDieR reported",
                "TIDieR missing",
            )
        ):
            assert name_of_codes(column.vocab) in by_formula, column.header
    # Lists of codes cannot be checked by a list validation: they get a prompt instead.
    prompts = [v for v in validations if v.type is None]
    assert prompts and all(v.prompt for v in prompts)
    colour_ranges = [str(r.sqref) for r in book["Protocols"].conditional_formatting]
    assert len(colour_ranges) == 2


def test_untrusted_text_stays_text(catalogue, tmp_path):
    path = tmp_path / "out.xlsx"
    report = write(catalogue, path)
    book = load_workbook(path)
    protocols = book["Protocols"]
    arm = [c.header for c in PROTOCOL_COLUMNS].index("Arm") + 1
    title = [c.header for c in PROTOCOL_COLUMNS].index("Title") + 1
    cell = protocols.cell(row=2, column=arm)
    assert cell.value == "+core group" and cell.data_type == "s" and cell.quotePrefix
    cell = protocols.cell(row=3, column=arm)
    assert cell.value == "-@\tarm 腰痛 🏃" and cell.data_type == "s" and cell.quotePrefix
    cell = protocols.cell(row=3, column=title)
    assert cell.value.startswith("=HYPERLINK(") and cell.data_type == "s" and cell.quotePrefix
    assert any("removed 1 control character" in note for note in report.notes)
    # In the XML the only formulas are protocat's own links.
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = archive.read(name).decode()
                for formula in xml.split("<f>")[1:]:
                    assert formula.startswith('HYPERLINK("https://'), formula[:60]


def test_links_to_doi_and_pubmed(catalogue, tmp_path):
    path = tmp_path / "out.xlsx"
    write(catalogue, path)
    protocols = load_workbook(path)["Protocols"]
    headers = [c.header for c in PROTOCOL_COLUMNS]
    doi = protocols.cell(row=2, column=headers.index("DOI") + 1)
    pmid = protocols.cell(row=2, column=headers.index("PMID") + 1)
    assert doi.value == '=HYPERLINK("https://doi.org/10.1000/xyz.1","10.1000/xyz.1")'
    assert pmid.value == '=HYPERLINK("https://pubmed.ncbi.nlm.nih.gov/123456/","123456")'


def test_long_text_is_cut_with_a_marker_and_reported(tmp_path):
    record = sample_record("r000000000009")
    entry = Entry(entry_id="r000000000009-1", record=record_ref(record), arm="x" * 40_000)
    with Catalogue(tmp_path / "c.sqlite") as catalogue:
        catalogue.ingest([record], lambda r: [entry])
        report = write(catalogue, tmp_path / "out.xlsx")
    value = load_workbook(tmp_path / "out.xlsx")["Protocols"]["D2"].value
    assert len(value) == EXCEL_CELL_LIMIT and value.endswith(TRUNCATION_MARKER)
    assert any("Protocols!D2" in note and "cut 1 cell" in note for note in report.notes)


def test_empty_catalogue_still_gives_every_sheet(tmp_path):
    with Catalogue(tmp_path / "c.sqlite") as catalogue:
        report = write(catalogue, tmp_path / "out.xlsx")
    assert report.rows == 0
    book = load_workbook(tmp_path / "out.xlsx")
    assert book.sheetnames == list(SHEETS)
    assert next(iter(book["Protocols"].tables.values())).ref.endswith("2")


def test_same_catalogue_same_workbook_byte_for_byte(catalogue, tmp_path, monkeypatch):
    write(catalogue, tmp_path / "a.xlsx")
    # A later clock must not show: openpyxl would stamp the save time and zip dates.
    import time

    later = time.time() + 3 * 86400
    monkeypatch.setattr(time, "time", lambda: later)
    monkeypatch.setattr(time, "localtime", lambda secs=None: time.gmtime(later))
    write(catalogue, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.xlsx") as archive:
        assert archive.testzip() is None
        assert {info.date_time[:3] for info in archive.infolist()} == {
            tuple(int(part) for part in catalogue.as_of().split("-"))
        }


def test_about_sheet(catalogue, tmp_path):
    write(catalogue, tmp_path / "out.xlsx")
    about = {
        row[0]: row[1]
        for row in load_workbook(tmp_path / "out.xlsx")["About"].iter_rows(
            min_row=2, values_only=True
        )
    }
    assert about["Catalogue as of"] == catalogue.as_of()
    assert about["Entries"] == 2 and about["Records"] == 2
    assert about["Input"] == "tests.ris"
    assert "protocat import" in about["Re-import"]


@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_workbook(catalogue, tmp_path):
    write(catalogue, tmp_path / "out.xlsx")
    done = subprocess.run(
        [
            "libreoffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "out.xlsx"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "out.csv").read_text("utf-8")
    assert "r000000000001-1" in text
    assert "-@\tarm 腰痛 🏃" in text  # shown as text, not run
    assert "10.1000/xyz.1" in text


def test_a_link_excel_could_not_hold_is_plain_text(tmp_path):
    # Excel limits a text constant in a formula to 255 characters.
    long_doi = "10.1000/" + "x" * 300
    record = sample_record("r000000000008", doi=long_doi, pmid="=1+1")
    entry = Entry(entry_id="r000000000008-1", record=record_ref(record))
    with Catalogue(tmp_path / "c.sqlite") as catalogue:
        catalogue.ingest([record], lambda r: [entry])
        write(catalogue, tmp_path / "out.xlsx")
    protocols = load_workbook(tmp_path / "out.xlsx")["Protocols"]
    headers = [c.header for c in PROTOCOL_COLUMNS]
    doi = protocols.cell(row=2, column=headers.index("DOI") + 1)
    assert doi.value == long_doi and doi.data_type == "s"
    pmid = protocols.cell(row=2, column=headers.index("PMID") + 1)
    # Quoted into a string constant: the formula is the link, never the text.
    assert pmid.value == '=HYPERLINK("https://pubmed.ncbi.nlm.nih.gov/=1%2B1/","=1+1")'
