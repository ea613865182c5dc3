"""Untrusted text is data: escaping it for Excel cells and for reportlab markup."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape as _xml_escape

from attrs import frozen

# Characters XML 1.0 forbids (openpyxl refuses them in cells); lone surrogates cannot be encoded.
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
EXCEL_CELL_LIMIT = 32767
TRUNCATION_MARKER = " […truncated by protocat]"
# A cell starting with one of these may be run as a formula by Excel or LibreOffice.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@frozen
class CellText:
    """Text made fit for a cell: how many characters were removed, whether it was cut."""

    text: str
    removed: int = 0
    truncated: bool = False


def clean_cell_text(value: str) -> CellText:
    """Remove what XML forbids; cut text over Excel's cell limit with a visible marker."""
    cleaned, removed = ILLEGAL_XML.subn("", value)
    truncated = len(cleaned) > EXCEL_CELL_LIMIT
    if truncated:
        cleaned = cleaned[: EXCEL_CELL_LIMIT - len(TRUNCATION_MARKER)] + TRUNCATION_MARKER
    return CellText(cleaned, removed, truncated)


def excel_text(value: str) -> tuple[str, list[str]]:
    """Text an Excel cell can hold, and what had to change (for the export report).

    Formula triggers are not handled here: the workbook writer stores such text as
    a string cell with Excel's quote prefix (see ``is_formula_like``).
    """
    cell = clean_cell_text(value)
    notes: list[str] = []
    if cell.removed:
        notes.append(f"removed {cell.removed} control character(s) XML forbids")
    if cell.truncated:
        notes.append(f"cut text of {len(value)} characters to Excel's {EXCEL_CELL_LIMIT}")
    return cell.text, notes


def is_formula_like(value: str) -> bool:
    return value.startswith(FORMULA_TRIGGERS)


def markup_text(value: str) -> str:
    """Text safe inside a reportlab Paragraph: every markup character escaped."""
    return _xml_escape(ILLEGAL_XML.sub("", value), {'"': "&quot;", "'": "&#39;"})
