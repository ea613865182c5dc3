"""The way back: a person's edits in the Protocols sheet, checked and applied to the catalogue.

Each row is compared with the catalogue column by column, in cell terms: a cell
counts as edited when what it reads as differs from what protocat would write for
the stored entry (so text protocat had to clean or cut on the way out is not taken
for an edit). A row with any bad cell, an unknown or missing id is reported with
sheet, row, column and reason, and nothing of it is applied; the other rows are,
in one transaction (``Catalogue.put_entries``). Edited entries become ``curated``
and list the edited fields in ``curated_fields``, which a later ingest keeps.

Normalisation on the way back (also what the round-trip tests hold it to): text is
stripped of surrounding spaces and an empty cell is ``None``; an empty one-code
cell of a field that always has a value is its default (``unspecified``,
``unknown``); numbers keep 15 significant digits; line breaks inside an outcome's
measure become spaces.
"""

from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import attrs
from attrs import frozen
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from exporters.xlsx_layout import (
    ID_HEADER,
    INTENSITY_PREFIX,
    PROTOCOL_COLUMNS,
    CellError,
    Column,
    canonical,
    expected,
    get_path,
    with_field,
    written,
)
from protocols.errors import UnreadableFile
from protocols.model import Entry, Intensity, Outcome

SHEET = "Protocols"
_COLUMNS = {column.header: column for column in PROTOCOL_COLUMNS}


@frozen
class RowError:
    """Why a row of the workbook was not applied."""

    sheet: str
    row: int
    column: str
    reason: str

    def render(self) -> str:
        return f"{self.sheet} row {self.row}, column {self.column!r}: {self.reason}"


@frozen
class WorkbookImport:
    """What an import found and changed."""

    path: str
    changed: tuple[Entry, ...] = ()
    errors: tuple[RowError, ...] = ()
    rows: int = 0  # rows with an entry id or any value
    unchanged: int = 0
    rejected: int = 0  # rows with at least one error, applied nowhere
    fields: dict[str, int] = attrs.field(factory=dict)  # edited column → rows
    stored: int = 0  # entries the catalogue stored as changed

    def render(self) -> str:
        """The summary ``protocat import`` prints: counts, edited columns, entries, errors."""
        changed = _plural(len(self.changed), "entry", "entries")
        lines = [
            f"{self.path}: {self.rows} row(s) read; {changed} changed, {self.unchanged} "
            f"unchanged, {self.rejected} row(s) rejected"
            + (" (nothing of them applied)" if self.rejected else "")
        ]
        for header, count in sorted(self.fields.items()):
            lines.append(f"  edited {header}: {_plural(count, 'row', 'rows')}")
        for entry in self.changed:
            fields = ", ".join(entry.curated_fields) or "marked reviewed"
            lines.append(f"  curated {entry.entry_id}: {fields}")
        for error in self.errors:
            lines.append(f"  error: {error.render()}")
        return "\n".join(lines)


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


class _ColumnError(ValueError):
    def __init__(self, header: str, reason: str) -> None:
        super().__init__(reason)
        self.header = header
        self.reason = reason


def _open(path: Path):
    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile(str(path), f"not a workbook protocat can read ({exc})") from None
    if SHEET not in book.sheetnames:
        book.close()
        raise UnreadableFile(str(path), f"no {SHEET!r} sheet (is it a protocat workbook?)")
    return book


def _read_rows(path: Path):
    """The header map and ``(row number, {header: (value, is_formula)})`` of the sheet."""
    book = _open(path)
    try:
        rows = book[SHEET].iter_rows()
        header_row = next(rows, None)
        headers = [c.value if isinstance(c.value, str) else None for c in header_row or ()]
        if ID_HEADER not in headers:
            raise UnreadableFile(str(path), f"the {SHEET} sheet has no {ID_HEADER!r} column")
        for number, row in enumerate(rows, 2):
            cells = {}
            for header, cell in zip(headers, row, strict=False):
                if header in _COLUMNS:
                    cells[header] = (cell.value, getattr(cell, "data_type", None) == "f")
            yield number, cells
    finally:
        book.close()


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _row_changes(
    stored: Entry, cells: dict[str, tuple[Any, bool]], number: int, errors: list[RowError]
) -> dict[Column, Any]:
    """The edited editable columns of a row, with their new values; errors appended."""
    changes: dict[Column, Any] = {}
    for header, (value, is_formula) in cells.items():
        column = _COLUMNS[header]
        if not column.editable:
            continue  # computed columns are ignored on the way back
        if is_formula:
            errors.append(RowError(SHEET, number, header, "a formula; type the value instead"))
            continue
        rendered = written(column.kind.render(get_path(stored, column.field)))
        if value == rendered or (rendered is None and _is_empty(value)):
            continue  # the cell as protocat wrote it: no need to read it
        try:
            new = column.kind.parse(value, column.vocab)
        except CellError as exc:
            errors.append(RowError(SHEET, number, header, str(exc)))
            continue
        if new is None and column.default is not None:
            new = column.default
        if canonical(new) != expected(column, stored):
            changes[column] = new
    return changes


def _apply(stored: Entry, changes: dict[Column, Any]) -> Entry:
    """The stored entry with the edited values set; raises ValueError if the model refuses."""
    entry = stored
    intensity: dict[str, Any] = {}
    for column, value in changes.items():
        if column.field == "review_status":
            continue
        if column.field.startswith(INTENSITY_PREFIX):
            intensity[column.field.removeprefix(INTENSITY_PREFIX)] = value
        else:
            try:
                if column.field == "outcomes":
                    value = tuple(Outcome(d, m) for d, m in value)
                entry = with_field(entry, column.field, value)
            except (ValueError, TypeError) as exc:
                # The model's own checks, named by the column that broke them.
                raise _ColumnError(column.header, str(exc)) from None
    if intensity:
        old = stored.dosage.intensity
        fields = {
            name: intensity.get(name, getattr(old, name) if old else None)
            for name in ("metric", "low", "high", "class_")
        }
        if all(v is None for v in fields.values()):
            new_intensity = None
        elif fields["metric"] is None:
            raise _ColumnError(
                "Intensity metric", "an intensity needs a metric when low, high or class is given"
            )
        else:
            try:
                new_intensity = Intensity(**fields)
            except (ValueError, TypeError) as exc:
                raise _ColumnError("Intensity metric", str(exc)) from None
        entry = with_field(entry, "dosage.intensity", new_intensity)
    return entry


def _curated(stored: Entry, changes: dict[Column, Any]) -> Entry:
    edited = {column.field.split(".")[0] for column in changes if column.field != "review_status"}
    status = changes.get(_COLUMNS["Review status"], stored.review_status)
    if not edited and status != "curated":
        # Marking a curated entry 'auto' in a sheet is ignored: a sheet exported before an
        # import still says 'auto', and importing it again must change nothing.
        return stored
    entry = _apply(stored, changes)
    return attrs.evolve(
        entry,
        review_status="curated",
        curated_fields=tuple(sorted(set(stored.curated_fields) | edited)),
    )


def read_workbook(path: str | Path, catalogue) -> WorkbookImport:
    """Compare the Protocols sheet with the catalogue; nothing is written."""
    path = Path(path)
    changed: list[Entry] = []
    errors: list[RowError] = []
    fields: Counter = Counter()
    seen: set[str] = set()
    rows = unchanged = rejected = 0
    for number, cells in _read_rows(path):
        if all(_is_empty(value) for value, _ in cells.values()):
            continue
        rows += 1
        row_errors: list[RowError] = []
        entry_id, _ = cells.get(ID_HEADER, (None, False))
        entry_id = str(entry_id).strip() if not _is_empty(entry_id) else None
        stored = catalogue.entry(entry_id) if entry_id else None
        if entry_id is None:
            row_errors.append(RowError(SHEET, number, ID_HEADER, "missing entry id"))
        elif entry_id in seen:
            row_errors.append(
                RowError(SHEET, number, ID_HEADER, f"entry id {entry_id!r} appears twice")
            )
        elif stored is None:
            row_errors.append(
                RowError(SHEET, number, ID_HEADER, f"no entry {entry_id!r} in the catalogue")
            )
        if entry_id:
            seen.add(entry_id)
        changes = _row_changes(stored, cells, number, row_errors) if stored is not None else {}
        entry = stored
        if not row_errors and changes:
            try:
                entry = _curated(stored, changes)
            except _ColumnError as exc:
                row_errors.append(RowError(SHEET, number, exc.header, exc.reason))
        if row_errors:
            errors.extend(row_errors)
            rejected += 1
        elif entry != stored:
            changed.append(entry)
            for column in changes:
                fields[column.header] += 1
        else:
            unchanged += 1
    return WorkbookImport(
        path=str(path),
        changed=tuple(changed),
        errors=tuple(errors),
        rows=rows,
        unchanged=unchanged,
        rejected=rejected,
        fields=dict(fields),
    )


def import_workbook(path: str | Path, catalogue) -> WorkbookImport:
    """Apply the edits of a workbook to the catalogue in one transaction, and log it.

    Nothing is written (and no history row is added) when no row changes anything,
    so importing the same workbook twice changes nothing the second time.
    """
    result = read_workbook(path, catalogue)
    if result.changed:
        stored = catalogue.put_entries(result.changed, "import", str(path))
        result = attrs.evolve(result, stored=stored)
    return result
