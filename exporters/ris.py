"""RIS export: send a curated subset back to a reference manager (Zotero, EndNote ...).

Written with the tags every manager reads (TY, TI, AU, PY, JO, VL, IS, SP/EP, AB,
KW, DO, AD, LA, ER); the PubMed id goes to ``AN`` with ``DB - PubMed`` (as EndNote
writes it). Values are made one line each (see ``tagged_text.one_line``).
``protocols.records.ris`` reads the output back to the same record (the round trip
is tested, with the normalisation its test documents).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from exporters.files import ExportReport
from exporters.tagged_text import one_line, write_all, write_file
from protocols.model import Record

NAME = "ris"
SUFFIX = ".ris"

# Publication types (as readers keep them) that name a RIS reference type.
_RIS_TYPES = {"JOUR", "BOOK", "CHAP", "CONF", "CPAPER", "RPRT", "THES", "GEN", "ELEC", "EJOUR"}
_RANGE = re.compile(r"^(\S+?)-(\S+)$")


def _line(stream: TextIO, tag: str, value: object) -> None:
    text = one_line(value) if value is not None else ""
    if text:
        stream.write(f"{tag}  - {text}\n")


def write_record(record: Record, stream: TextIO) -> None:
    kind = next((t.upper() for t in record.publication_types if t.upper() in _RIS_TYPES), "JOUR")
    stream.write(f"TY  - {kind}\n")
    _line(stream, "TI", record.title)
    for author in record.authors:
        family, given = one_line(author.family), one_line(author.given)
        if family:
            # "Family, Given"; the comma also keeps a one-part name a family name.
            _line(stream, "AU", f"{family}, {given}" if given else f"{family},")
    _line(stream, "PY", record.year)
    _line(stream, "JO", record.journal)
    _line(stream, "VL", record.volume)
    _line(stream, "IS", record.issue)
    pages = one_line(record.pages) if record.pages else ""
    match = _RANGE.match(pages)
    if match and match.group(1) != match.group(2):
        _line(stream, "SP", match.group(1))
        _line(stream, "EP", match.group(2))
    else:
        _line(stream, "SP", pages)
    _line(stream, "C7", record.article_number)
    _line(stream, "AB", record.abstract)
    for keyword in record.keywords:
        _line(stream, "KW", keyword)
    _line(stream, "DO", record.doi)
    if record.pmid:
        _line(stream, "AN", record.pmid)
        _line(stream, "DB", "PubMed")
    for place in record.affiliations:
        _line(stream, "AD", place)
    _line(stream, "LA", record.language)
    stream.write("ER  - \n\n")


def write_records(records: Iterable[Record], stream: TextIO) -> int:
    """Write ``records`` as RIS to a text stream; the number written."""
    return write_all(records, stream, write_record)


def write(view, path: str | Path, **options) -> ExportReport:
    """Write the view's records to ``path`` as RIS (UTF-8, no BOM)."""
    return write_file(view, path, write_record)
