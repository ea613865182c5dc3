"""Shared by the RIS and MEDLINE writers: values made safe for one tagged line."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

from exporters.files import ExportReport, atomic_write
from protocols.model import Record

_SPACES = re.compile(r"\s+")


def one_line(value: object) -> str:
    """The value as one line: control characters dropped, whitespace runs one space.

    Tagged formats have no escape: a line break would start a new tag, and control
    characters make the file look binary to readers.
    """
    text = "".join(ch for ch in str(value) if unicodedata.category(ch) != "Cc" or ch in "\t\n\r")
    return _SPACES.sub(" ", text).strip()


def records_of(view) -> Iterable[Record]:
    """The records of a catalogue view (or any iterable of records)."""
    return view.records() if hasattr(view, "records") else view


RecordWriter = Callable[[Record, TextIO], None]


def write_all(records: Iterable[Record], stream: TextIO, write_record: RecordWriter) -> int:
    """Write every record with ``write_record``; the number written."""
    count = 0
    for record in records:
        write_record(record, stream)
        count += 1
    return count


def write_file(view, path: str | Path, write_record: RecordWriter) -> ExportReport:
    """The view's records written to ``path`` (UTF-8, no BOM, "\\n" line ends), atomically."""
    with atomic_write(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as stream:
        rows = write_all(records_of(view), stream, write_record)
    return ExportReport(path=str(path), rows=rows)
