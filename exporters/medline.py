"""MEDLINE (PubMed .nbib) export, for reference managers that import PubMed files.

Each record starts with its ``PMID-`` line (empty when the work has no PMID);
tags padded to four characters then ``- ``; long values wrapped at 80 columns with
six-space continuation lines, as PubMed writes them; each author as ``FAU`` (full)
and ``AU`` (family and initials), followed by that author's ``AD`` lines.
``protocols.records.medline`` reads the output back to the same record.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from exporters.files import ExportReport
from exporters.tagged_text import one_line, write_all, write_file
from protocols.model import Record

NAME = "medline"
SUFFIX = ".nbib"

_WIDTH = 80


def _line(stream: TextIO, tag: str, value: object) -> None:
    text = one_line(value) if value is not None else ""
    if not text:
        return
    lines = textwrap.wrap(
        text, width=_WIDTH - 6, break_long_words=False, break_on_hyphens=False
    ) or [text]
    stream.write(f"{tag:<4}- {lines[0]}\n")
    for more in lines[1:]:
        stream.write(f"      {more}\n")


def _initials(given: str) -> str:
    return "".join(part[0] for part in given.replace("-", " ").split() if part[0].isalpha())


def write_record(record: Record, stream: TextIO) -> None:
    # Every record starts with its PMID line, empty when the work has none: readers
    # (ours included) take the PMID line as the start of a PubMed record.
    stream.write(f"PMID- {one_line(record.pmid) if record.pmid else ''}\n")
    _line(stream, "VI", record.volume)
    _line(stream, "IP", record.issue)
    _line(stream, "DP", record.year)
    _line(stream, "TI", record.title)
    _line(stream, "PG", record.pages)
    if record.doi:
        _line(stream, "LID", f"{one_line(record.doi)} [doi]")
    _line(stream, "AB", record.abstract)
    for author in record.authors:
        family, given = one_line(author.family), one_line(author.given)
        if not family:
            continue
        _line(stream, "FAU", f"{family}, {given}" if given else f"{family},")
        _line(stream, "AU", f"{family} {_initials(given)}".strip())
        for place in author.affiliations:
            _line(stream, "AD", place)
    _line(stream, "LA", record.language)
    for kind in record.publication_types:
        _line(stream, "PT", kind)
    _line(stream, "JT", record.journal)
    for keyword in record.keywords:
        _line(stream, "OT", keyword)
    stream.write("\n")


def write_records(records: Iterable[Record], stream: TextIO) -> int:
    """Write ``records`` in MEDLINE format to a text stream; the number written."""
    return write_all(records, stream, write_record)


def write(view, path: str | Path, **options) -> ExportReport:
    """Write the view's records to ``path`` in MEDLINE format (UTF-8)."""
    return write_file(view, path, write_record)
