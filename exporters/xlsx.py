"""The workbook: Protocols, Outcomes, Records, Evidence map, Vocabulary and About.

Written in openpyxl's write-only mode whatever the size of the catalogue: rows
stream to disk as the catalogue yields them, so memory stays flat (a 50,000-entry
catalogue is measured by ``bench/xlsx.py``). Write-only mode still takes tables,
data validation, conditional formatting, defined names, frozen panes, column
widths and charts, as long as the widths and panes are set before the first row
and the table columns are named by hand. The columns are data
(``exporters.xlsx_layout``); the way back is ``exporters.xlsx_import``.

Untrusted text is data: text a spreadsheet could take for a formula (a leading
``=``, ``+``, ``-``, ``@``, tab or carriage return) is stored as a string cell with
Excel's quote prefix, so it is shown as text and stays text when edited; control
characters XML forbids are removed and counted; text over Excel's cell limit is
cut with a visible marker. Every change is reported in ``ExportReport.notes``.
"""

from __future__ import annotations

import os
import re
import shutil
import warnings
import zipfile
from collections import Counter
from datetime import datetime
from itertools import islice
from pathlib import Path
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference, Series
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.writer.excel import ExcelWriter

from exporters.escaping import EXCEL_CELL_LIMIT, clean_cell_text, is_formula_like
from exporters.files import ExportReport, atomic_write
from exporters.xlsx_import import WorkbookImport, import_workbook
from exporters.xlsx_layout import (
    PROTOCOL_COLUMNS,
    SEPARATOR,
    CellValue,
    Column,
    cell_value,
    doi_url,
    pmid_url,
)
from protocols import __version__
from protocols.errors import ExportError
from protocols.model import Entry, Record
from protocols.vocabulary import KINDS, default_vocabulary

__all__ = ["NAME", "SUFFIX", "SHEETS", "WorkbookImport", "import_workbook", "write"]

NAME = "xlsx"
SUFFIX = ".xlsx"
SHEETS = ("Protocols", "Outcomes", "Records", "Evidence map", "Vocabulary", "About")
MAX_ROWS = 1_048_576  # Excel's rows per sheet
WIDTH_SAMPLE = 200  # widths are fitted to the first rows: a streamed sheet sets widths first
MIN_WIDTH = 6
# Excel refuses a text constant in a formula longer than this: longer links are plain text.
FORMULA_TEXT_LIMIT = 255
LAST_ROW = MAX_ROWS
COMPLETENESS_COLOURS = ("F8696B", "FFEB84", "63BE7B")  # Excel's red-yellow-green scale
COUNT_COLOURS = ("FFFFFF", "5A8AC6")


def name_of_codes(kind: str) -> str:
    """The defined name of a vocabulary kind's code list (data validation refers to it)."""
    return f"codes_{kind}"


# --------------------------------------------------------------------------- cells


# The main blocks of wide (two-column) characters: CJK, Hangul, full-width forms, emoji.
# A regex rather than unicodedata.east_asian_width per character: this runs on every
# long cell, and a width is an estimate anyway.
_WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
    "\U0001f300-\U0001f64f\U0001f900-\U0001f9ff\U00020000-\U0003fffd]"
)


def display_width(text: str) -> int:
    """Columns the longest line takes: wide characters count twice."""
    longest = 0
    for line in text.split("\n"):
        width = len(line) if line.isascii() else len(line) + len(_WIDE.findall(line))
        longest = max(longest, width)
    return longest


class _Cells:
    """Makes cells for one workbook: shared styles, and a count of what text had to lose."""

    def __init__(self, book: Workbook) -> None:
        probe = book.create_sheet("_styles")
        self.styles = {
            "wrap": self._style(probe, alignment=Alignment(wrap_text=True, vertical="top")),
            "quoted": self._style(probe, quotePrefix=True),
            "quoted_wrap": self._style(
                probe, quotePrefix=True, alignment=Alignment(wrap_text=True, vertical="top")
            ),
            "link": self._style(probe, font=Font(color="0563C1", underline="single")),
        }
        book.remove(probe)
        self.removed_chars = 0
        self.removed_cells = 0
        self.truncated: list[str] = []

    @staticmethod
    def _style(sheet, **style):
        cell = WriteOnlyCell(sheet)
        for name, value in style.items():
            setattr(cell, name, value)
        return cell._style

    def styled(self, sheet, value, style: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value)
        cell._style = self.styles[style]
        return cell

    def text(self, sheet: _Sheet, value: str | None, width: int, column: int):
        """A text cell: cleaned, kept as text, wrapped when longer than its column."""
        if not value:
            return None
        text = value
        # Printable text holds no character XML forbids: most cells skip the cleaning.
        if not value.isprintable() or len(value) > EXCEL_CELL_LIMIT:
            clean = clean_cell_text(value)
            if clean.removed:
                self.removed_chars += clean.removed
                self.removed_cells += 1
            if clean.truncated:
                self.truncated.append(sheet.where(column))
            text = clean.text
            if not text:
                return None
        wrap = "\n" in text or (len(text) > width // 2 and display_width(text) > width)
        if is_formula_like(text):
            cell = self.styled(sheet.sheet, None, "quoted_wrap" if wrap else "quoted")
            # Assigned after creation: openpyxl would take a leading "=" for a formula.
            cell._value = text
            cell.data_type = "s"
            return cell
        if wrap:
            return self.styled(sheet.sheet, text, "wrap")
        return text

    def link(self, sheet: _Sheet, url: str | None, label: str | None, column: int):
        """A HYPERLINK formula built from quoted text only; plain text when it cannot be one.

        A formula rather than a cell hyperlink: openpyxl keeps every cell hyperlink in
        memory until the sheet is closed, and a formula streams like any other cell.
        """
        if not url or not label:
            return None
        clean = clean_cell_text(label).text
        target = quote(url, safe=":/;()._-~%?=&")
        if (
            max(len(target), len(clean)) > FORMULA_TEXT_LIMIT
            or clean != label
            or not clean.isprintable()
        ):
            return self.text(sheet, label, 200, column)
        formula = f'=HYPERLINK("{target}","{clean.replace(chr(34), chr(34) * 2)}")'
        return self.styled(sheet.sheet, formula, "link")

    def notes(self) -> list[str]:
        notes = []
        if self.removed_chars:
            notes.append(
                f"removed {self.removed_chars} control character(s) XML forbids "
                f"from {self.removed_cells} cell(s)"
            )
        if self.truncated:
            shown = ", ".join(self.truncated[:10]) + (" …" if len(self.truncated) > 10 else "")
            notes.append(
                f"cut {len(self.truncated)} cell(s) over Excel's 32,767 characters, "
                f"marked '[…truncated by protocat]': {shown}"
            )
        return notes


# --------------------------------------------------------------------------- sheets


class _Sheet:
    """A streamed sheet of rows that ends as an Excel Table with a frozen header."""

    def __init__(
        self,
        book: Workbook,
        title: str,
        headers: list[str],
        widths: list[int],
        freeze: str = "A2",
    ) -> None:
        self.sheet = book.create_sheet(title)
        self.title = title
        self.headers = headers
        for index, width in enumerate(widths, 1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.sheet.freeze_panes = freeze
        self.sheet.append(headers)
        self.rows = 1

    def where(self, column: int) -> str:
        return f"{self.title}!{get_column_letter(column)}{self.rows + 1}"

    def append(self, row: list) -> None:
        if self.rows >= MAX_ROWS:
            raise ExportError(f"sheet {self.title} would have more than Excel's {MAX_ROWS} rows")
        self.sheet.append(row)
        self.rows += 1

    def last_row(self) -> int:
        """The table's last row: a table needs one data row, even an empty one."""
        return max(self.rows, 2)

    def column_range(self, index: int) -> str:
        letter = get_column_letter(index)
        return f"{letter}2:{letter}{self.last_row()}"

    def finish(self, table_name: str) -> None:
        ref = f"A1:{get_column_letter(len(self.headers))}{self.last_row()}"
        table = Table(displayName=table_name, ref=ref)
        # Write-only sheets cannot be read back, so openpyxl cannot name the columns itself.
        table.tableColumns = [
            TableColumn(id=index, name=header) for index, header in enumerate(self.headers, 1)
        ]
        table.autoFilter = AutoFilter(ref=ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        with warnings.catch_warnings():
            # openpyxl warns that write-only tables need their columns named: they are, above.
            warnings.simplefilter("ignore", UserWarning)
            self.sheet.add_table(table)


def _fit(headers: list[str], caps: list[int], sample: list[list[CellValue]]) -> list[int]:
    """Widths from the header (plus the filter button) and the sampled values, capped."""
    widths = []
    for index, (header, cap) in enumerate(zip(headers, caps, strict=True)):
        width = display_width(header) + 3
        for row in sample:
            value = row[index]
            if value is not None:
                width = max(width, display_width(str(value)) + 1)
        widths.append(max(MIN_WIDTH, min(width, max(cap, display_width(header) + 3))))
    return widths


def _protocol_cell(cells: _Cells, sheet: _Sheet, index: int, column: Column, value, width: int):
    if column.link:
        url = doi_url(value) if column.header == "DOI" else pmid_url(value)
        return cells.link(sheet, url, value, index)
    if isinstance(value, str):
        return cells.text(sheet, value, width, index)
    return value


class _RecordCache:
    """The record of the entry before: entries come in id order, grouped by record."""

    def __init__(self, view) -> None:
        self.view = view
        self.record: Record | None = None

    def get(self, entry: Entry) -> Record | None:
        if self.record is None or self.record.id != entry.record.id:
            self.record = self.view.record(entry.record.id)
        return self.record


def _write_protocols(
    book, cells, view, evidence: Counter, exercise_records: set, outcomes_sheet, tally: Counter
):
    headers = [column.header for column in PROTOCOL_COLUMNS]
    records = _RecordCache(view)
    sample = [
        [cell_value(column, entry, records.get(entry)) for column in PROTOCOL_COLUMNS]
        for entry in islice(view.entries(), WIDTH_SAMPLE)
    ]
    widths = _fit(headers, [column.width for column in PROTOCOL_COLUMNS], sample)
    sheet = _Sheet(book, "Protocols", headers, widths, freeze="B2")
    vocabulary = default_vocabulary()
    for entry in view.entries():
        record = records.get(entry)
        sheet.append(
            [
                _protocol_cell(
                    cells, sheet, index, column, cell_value(column, entry, record), width
                )
                for index, (column, width) in enumerate(
                    zip(PROTOCOL_COLUMNS, widths, strict=True), 1
                )
            ]
        )
        tally["entries"] += 1
        if entry.exercise_types:
            tally["exercise_entries"] += 1
            exercise_records.add(entry.record.id)
        for outcome in entry.outcomes:
            for exercise_type in entry.exercise_types:
                evidence[exercise_type, outcome.domain] += 1
            _append_outcome(cells, outcomes_sheet, entry, outcome, vocabulary)
        for exercise_type in entry.exercise_types:
            evidence[exercise_type, None] += 1
    return sheet


OUTCOME_HEADERS = [
    "Entry ID",
    "Exercise types",
    "Outcome domain",
    "Domain (English)",
    "Domain (中文)",
    "Measure",
    "Evidence (source: words)",
]
OUTCOME_WIDTHS = [24, 30, 22, 30, 16, 40, 60]


def _append_outcome(cells: _Cells, sheet: _Sheet, entry: Entry, outcome, vocabulary) -> None:
    evidence = "\n".join(
        f"{p.source}: {p.text}"
        for p in entry.provenance
        if p.field.split(".")[0] == "outcomes" and p.value == outcome.domain
    )
    values = [
        entry.entry_id,
        SEPARATOR.join(entry.exercise_types),
        outcome.domain,
        vocabulary.label("outcomes", outcome.domain, "en"),
        vocabulary.label("outcomes", outcome.domain, "zh"),
        outcome.measure,
        evidence or None,
    ]
    sheet.append(
        [
            cells.text(sheet, value, width, index)
            for index, (value, width) in enumerate(zip(values, OUTCOME_WIDTHS, strict=True), 1)
        ]
    )


RECORD_HEADERS = [
    "Record ID",
    "Exercise study",
    "Authors",
    "Year",
    "Title",
    "Journal",
    "Volume",
    "Issue",
    "Pages",
    "Article number",
    "Language",
    "DOI",
    "PMID",
    "Source IDs",
    "Keywords",
    "Publication types",
    "Times cited",
    "Read from",
    "Reader warnings",
]
RECORD_CAPS = [18, 10, 40, 6, 60, 30, 8, 8, 12, 12, 10, 28, 12, 30, 40, 24, 8, 50, 40]


def _record_values(record: Record, exercise: bool) -> list[CellValue]:
    return [
        record.id,
        "yes" if exercise else "no",
        SEPARATOR.join(f"{a.family} {a.given}".strip() for a in record.authors) or None,
        record.year,
        record.title,
        record.journal,
        record.volume,
        record.issue,
        record.pages,
        record.article_number,
        record.language,
        record.doi,
        record.pmid,
        SEPARATOR.join(f"{s.scheme}:{s.value}" for s in record.source_ids) or None,
        SEPARATOR.join(record.keywords) or None,
        SEPARATOR.join(record.publication_types) or None,
        record.times_cited,
        "\n".join(f"{o.file}:{o.line} ({o.format}, {o.encoding})" for o in record.origins) or None,
        "\n".join(record.warnings) or None,
    ]


def _write_records(book, cells, view, exercise_records: set, tally: Counter) -> _Sheet:
    sample = [
        _record_values(record, record.id in exercise_records)
        for record in islice(view.records(), WIDTH_SAMPLE)
    ]
    widths = _fit(RECORD_HEADERS, RECORD_CAPS, sample)
    sheet = _Sheet(book, "Records", RECORD_HEADERS, widths, freeze="B2")
    doi_column, pmid_column = RECORD_HEADERS.index("DOI"), RECORD_HEADERS.index("PMID")
    for record in view.records():
        tally["records"] += 1
        row = []
        for index, (value, width) in enumerate(
            zip(_record_values(record, record.id in exercise_records), widths, strict=True)
        ):
            if index == doi_column:
                row.append(cells.link(sheet, doi_url(value), value, index + 1))
            elif index == pmid_column:
                row.append(cells.link(sheet, pmid_url(value), value, index + 1))
            elif isinstance(value, str):
                row.append(cells.text(sheet, value, width, index + 1))
            else:
                row.append(value)
        sheet.append(row)
    return sheet


def _write_evidence_map(book, evidence: Counter) -> _Sheet:
    vocabulary = default_vocabulary()
    types = vocabulary.codes("exercise_types")
    domains = vocabulary.codes("outcomes")
    headers = ["Exercise type", "Label", "Entries", *domains]
    widths = [18, 30, 9, *(max(MIN_WIDTH, len(d) + 3) for d in domains)]
    sheet = _Sheet(book, "Evidence map", headers, widths, freeze="D2")
    for code in types:
        sheet.append(
            [code, vocabulary.label("exercise_types", code, "en"), evidence[code, None]]
            + [evidence[code, domain] for domain in domains]
        )
    first, last = get_column_letter(4), get_column_letter(len(headers))
    sheet.sheet.conditional_formatting.add(
        f"{first}2:{last}{sheet.last_row()}",
        ColorScaleRule(
            start_type="num",
            start_value=0,
            start_color=COUNT_COLOURS[0],
            end_type="max",
            end_color=COUNT_COLOURS[1],
        ),
    )
    used = [
        index
        for index, domain in enumerate(domains, 4)
        if any(evidence[code, domain] for code in types)
    ]
    if used:
        chart = BarChart()
        chart.type = "bar"
        chart.grouping = "stacked"
        chart.overlap = 100
        chart.title = "Entries by exercise type and outcome domain"
        chart.y_axis.title = "Entries"
        chart.width, chart.height = 28, 16
        for index in used:
            values = Reference(sheet.sheet, min_col=index, min_row=1, max_row=len(types) + 1)
            chart.series.append(Series(values, title_from_data=True))
        chart.set_categories(Reference(sheet.sheet, min_col=1, min_row=2, max_row=len(types) + 1))
        sheet.sheet.add_chart(chart, f"B{len(types) + 4}")
    return sheet


def _write_vocabulary(book) -> _Sheet:
    vocabulary = default_vocabulary()
    sheet = _Sheet(book, "Vocabulary", ["Kind", "Code", "English", "中文"], [18, 22, 44, 30])
    ranges = {}
    for kind in KINDS:
        start = sheet.rows + 1
        for code in vocabulary.codes(kind):
            term = vocabulary.term(kind, code)
            sheet.append([kind, code, term.labels["en"], term.labels["zh"]])
        ranges[kind] = f"{quote_sheetname('Vocabulary')}!$B${start}:$B${sheet.rows}"
    for kind, ref in ranges.items():
        book.defined_names[name_of_codes(kind)] = DefinedName(name_of_codes(kind), attr_text=ref)
    return sheet


def _validations(sheet: _Sheet) -> None:
    """Drop-down lists for one-code columns; prompts where a list cannot be checked."""
    for index, column in enumerate(PROTOCOL_COLUMNS, 1):
        letter = get_column_letter(index)
        if not column.editable:
            continue
        if column.vocab and column.header not in _MULTI_CODE_HEADERS:
            rule = DataValidation(
                type="list",
                formula1=name_of_codes(column.vocab),  # OOXML formulas carry no "="
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Not a code",
                error=f"Pick a {column.vocab} code from the list (Vocabulary sheet).",
            )
        elif column.field == "review_status":
            rule = DataValidation(
                type="list", formula1='"auto,curated"', allow_blank=True, showErrorMessage=True
            )
        elif column.field == "population.sample_size":
            rule = DataValidation(
                type="whole",
                operator="greaterThanOrEqual",
                formula1="0",
                allow_blank=True,
                showErrorMessage=True,
                error="A whole number of participants.",
            )
        elif column.field in ("dosage.intensity.low", "dosage.intensity.high"):
            rule = DataValidation(
                type="decimal",
                operator="between",
                formula1="-1E+300",
                formula2="1E+300",
                allow_blank=True,
                showErrorMessage=True,
                error="A number.",
            )
        elif column.prompt:
            # Lists and ranges: a cell validation cannot check them; the import does.
            rule = DataValidation(allow_blank=True)
        else:
            continue
        if column.prompt:
            rule.showInputMessage = True
            rule.promptTitle = column.header[:32]
            rule.prompt = column.prompt[:255]
        rule.add(f"{letter}2:{letter}{LAST_ROW}")
        sheet.sheet.data_validations.append(rule)


_MULTI_CODE_HEADERS = {
    c.header
    for c in PROTOCOL_COLUMNS
    if c.kind is not None and c.prompt and "Codes separated" in c.prompt
}


def _completeness_colours(sheet: _Sheet) -> None:
    for index, column in enumerate(PROTOCOL_COLUMNS, 1):
        if column.colour_scale:
            sheet.sheet.conditional_formatting.add(
                sheet.column_range(index),
                ColorScaleRule(
                    start_type="num",
                    start_value=0,
                    start_color=COMPLETENESS_COLOURS[0],
                    mid_type="num",
                    mid_value=50,
                    mid_color=COMPLETENESS_COLOURS[1],
                    end_type="num",
                    end_value=100,
                    end_color=COMPLETENESS_COLOURS[2],
                ),
            )


ABOUT_EDITING = (
    (
        "How to edit",
        "Edit the Protocols sheet only; the other sheets are views and are not read back.",
    ),
    (
        "How to edit",
        "Editable columns: Arm, the codes, sample size, dose, intensity, outcomes, "
        "CERT and TIDieR items and Review status. Entry ID, title, author, DOI, PMID, "
        "Record ID and the completeness percentages are computed and ignored on import.",
    ),
    (
        "Several codes",
        f"Cells with several codes separate them with {SEPARATOR!r} (a semicolon and a space; "
        "a line break also works). Codes, English or Chinese labels are accepted.",
    ),
    (
        "What Excel checks",
        "Columns with one code have a drop-down list from the Vocabulary sheet (defined names "
        "codes_<kind>); Sample size takes a whole number, Intensity low and high a number, "
        "Review status auto or curated.",
    ),
    (
        "Checked on import",
        "Excel cannot check lists of codes, dose ranges or the outcomes cell, so "
        "protocat checks every cell when the workbook comes back: a row with an unknown code, a "
        "number that is not a number or a missing Entry ID is reported (sheet, row, column, "
        "reason) and nothing of it is applied.",
    ),
    (
        "Doses",
        "A number, or a range written 2–3 (2-3 and '2 to 3' also read). Type a range as "
        "text: Excel turns 2-3 into a date, which the import reports.",
    ),
    (
        "Outcomes",
        "One outcome a line: domain code, a colon, the measure (e.g. 'pain_intensity: VAS').",
    ),
    (
        "Review status",
        "Set 'curated' to mark an entry as checked. Every edited entry becomes "
        "curated; a later ingest never overwrites a value a person set. Setting a curated "
        "entry back to 'auto' here is ignored.",
    ),
    (
        "Re-import",
        "protocat import protocols.xlsx --db catalogue.sqlite  (importing the same "
        "workbook again changes nothing).",
    ),
)
SHEET_NOTES = (
    ("Protocols", "One row an intervention entry: population, design, dose, outcomes, reporting."),
    (
        "Outcomes",
        "One row an entry and outcome domain, with the measure and the words it came from.",
    ),
    ("Records", "The bibliographic records, their source ids and the files they were read from."),
    (
        "Evidence map",
        "Entries by exercise type and outcome domain, coloured by count, with a chart.",
    ),
    ("Vocabulary", "Every code with its English and Chinese label."),
)


def _write_about(book, cells: _Cells, view, report_notes: list[str], tally: Counter) -> _Sheet:
    # Counted while the rows were written: view.counts() would read every entry again.
    rows: list[tuple[str, CellValue]] = [
        ("protocat version", __version__),
        ("Catalogue as of", view.as_of()),
        ("Records", tally["records"]),
        ("Entries", tally["entries"]),
        ("Exercise entries", tally["exercise_entries"]),
    ]
    rows += [("Input", name) for name in view.inputs()]
    rows += [(f"Sheet: {name}", text) for name, text in SHEET_NOTES]
    rows += list(ABOUT_EDITING)
    rows += [("Export note", note) for note in report_notes]
    sheet = _Sheet(book, "About", ["Item", "Value"], [22, 100])
    for item, value in rows:
        if isinstance(value, str):
            value = cells.text(sheet, value, 100, 2)
        sheet.append([item, value])
    return sheet


# --------------------------------------------------------------------------- write


def write(view, path: str | Path, **_options) -> ExportReport:
    """Write the six-sheet workbook of ``view`` to ``path`` (atomically)."""
    book = Workbook(write_only=True)
    book.properties.creator = f"protocat {__version__}"
    # The catalogue's date, not today's: the same catalogue gives the same workbook.
    book.properties.created = datetime.fromisoformat(view.as_of())
    cells = _Cells(book)
    evidence: Counter = Counter()
    exercise_records: set[str] = set()
    tally: Counter = Counter()

    outcomes = _Sheet(book, "Outcomes", OUTCOME_HEADERS, OUTCOME_WIDTHS, freeze="B2")
    protocols = _write_protocols(book, cells, view, evidence, exercise_records, outcomes, tally)
    # Sheets keep the order they were created in; Protocols comes first.
    book.move_sheet("Protocols", offset=-book.sheetnames.index("Protocols"))
    records = _write_records(book, cells, view, exercise_records, tally)
    evidence_map = _write_evidence_map(book, evidence)
    vocabulary = _write_vocabulary(book)
    _validations(protocols)
    _completeness_colours(protocols)
    notes = cells.notes()
    about = _write_about(book, cells, view, notes, tally)

    for sheet, name in (
        (protocols, "Protocols"),
        (outcomes, "Outcomes"),
        (records, "Records"),
        (evidence_map, "EvidenceMap"),
        (vocabulary, "Vocabulary"),
        (about, "About"),
    ):
        sheet.finish(f"{name}Table")
    with atomic_write(path) as tmp:
        save_reproducibly(book, tmp, book.properties.created)
    return ExportReport(path=str(path), rows=protocols.rows - 1, notes=tuple(notes))


class _DatedZipFile(zipfile.ZipFile):
    """A zip archive whose members all carry one date, so the bytes do not follow the clock."""

    def __init__(self, path: str | Path, when: datetime) -> None:
        super().__init__(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        # Zip dates start in 1980; an empty catalogue is dated 1970.
        self._when = max(when, datetime(1980, 1, 1)).timetuple()[:6]

    def _member(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self._when)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    def writestr(self, name, data, *args, **kwargs) -> None:
        name = name.filename if isinstance(name, zipfile.ZipInfo) else name
        super().writestr(self._member(name), data)

    def write(self, filename, arcname=None, *args, **kwargs) -> None:
        # Write-only sheets arrive as temporary files: streamed in, never held in memory.
        member = self._member(arcname)
        member.file_size = os.path.getsize(filename)  # lets zipfile choose Zip64 when needed
        with open(filename, "rb") as source, self.open(member, "w") as target:
            shutil.copyfileobj(source, target, 1 << 20)


def save_reproducibly(book: Workbook, path: str | Path, when: datetime) -> None:
    """Save ``book`` as openpyxl's ``save_workbook`` does, but dated ``when`` throughout.

    openpyxl stamps the "modified" property and every zip member with the current time,
    so two exports of one catalogue would differ; ExcelWriter is given an archive that
    dates everything with the catalogue's own date instead.
    """
    book.properties.modified = when
    with _DatedZipFile(path, when) as archive:
        ExcelWriter(book, archive).write_data()
