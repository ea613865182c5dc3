"""CSV exports: Scopus, and others (Embase, IEEE Xplore, Springer ...), mapped by header name.

Column sets differ by vendor and by year, so columns are found by their header
(``tags.CSV``), never by position. A file with a Scopus-only header (``EID``,
``Author(s) ID``, ``Source title``, ``Link``) is reported as ``scopus-csv``, any
other as ``csv``. Read with the standard library's ``csv``, one row at a time.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterator

from attrs import frozen

from protocols.errors import UnreadableFile
from protocols.model import Record, Reject
from protocols.records import tags
from protocols.records.build import Fields, build
from protocols.records.decoding import TextInput

# Abstracts and reference lists can be long; the default limit (128 KiB) rejects them.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

_AUTHOR_ID = re.compile(r"\s*\(\d+\)\s*$")
# Embase "Source": "Endoscopic Ultrasound (2014) 3:3 (152-160). Date of Publication: 2014"
_EMBASE_SOURCE = re.compile(
    r"^(?P<journal>.+?)\s*\((?P<year>\d{4})\)\s*(?P<volume>[^:\s]+)?(?::(?P<issue>[^\s(]+))?"
    r"\s*(?:\((?P<pages>[^)]*)\))?"
)


def _header(head: str) -> list[str]:
    first = head.lstrip("\ufeff").split("\n", 1)[0]
    try:
        return [h.strip().lower() for h in next(csv.reader([first]))]
    except (csv.Error, StopIteration):
        return []


def _is_csv(head: str) -> bool:
    header = _header(head)
    titles = {"title", "document title", "item title", "article title"}
    return len(header) >= 3 and bool(titles & set(header))


def _is_scopus(head: str) -> bool:
    return len(tags.SCOPUS_HEADERS & set(_header(head))) >= 2


def _split_authors(value: str) -> list[str]:
    """``A B.; C D.`` (newer Scopus, IEEE) or ``Phillips J.C., Braun R.`` (older Scopus, Embase)."""
    if ";" in value:
        return [p.strip() for p in value.split(";")]
    if re.search(r"[A-Z]\.,\s", value) or "," not in value:
        return [p.strip() for p in re.split(r"(?<=\.),\s*", value)]
    return [value]


def _fields(row: dict[str, str]) -> Fields:
    fields = Fields()
    full_names = []
    for header, value in row.items():
        if header is None or value is None or not value.strip():
            continue
        name = tags.CSV.get(header.strip().lower())
        if name == "author_full":
            full_names = [_AUTHOR_ID.sub("", p).strip() for p in value.split(";")]
        elif name == "author":
            for author in _split_authors(value):
                fields.add("author_short", author)
        elif name == "affiliation":
            for place in value.split(";"):
                fields.add("affiliation", place)
        elif name == "source":
            match = _EMBASE_SOURCE.match(value)
            if match:
                fields.add("journal", match["journal"])
                fields.add("date_alt", match["year"])
                fields.add("volume", match["volume"])
                fields.add("issue", match["issue"])
                fields.add("pages", match["pages"])
            else:
                fields.add("journal", value)
        else:
            fields.add(name, value)
    for author in full_names or fields.all("author_short"):
        fields.add("author", author)
    return fields


def _parse(text: TextInput, fmt: str) -> Iterator[Record | Reject]:
    encoding = text.encoding_label
    with text.open() as stream:
        reader = csv.DictReader(stream)
        if not reader.fieldnames:
            raise UnreadableFile(text.name, "a CSV file without a header row")
        reader.fieldnames = [h.lstrip("\ufeff") for h in reader.fieldnames]
        line = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Reject(
                    file=text.name, line=reader.line_num, reason=f"CSV row not read: {exc}"
                )
                line = reader.line_num + 1
                continue
            if None in row:
                fields = _fields(row)
                fields.warnings.append(f"row has {len(row[None])} more cells than the header")
            else:
                fields = _fields(row)
            yield build(fields, file=text.name, line=line, fmt=fmt, encoding=encoding)
            line = reader.line_num + 1


@frozen
class CsvFormat:
    """One of the two CSV formats: the same reader, told apart by header."""

    NAME: str
    scopus: bool

    def sniff(self, head: str) -> bool:
        return _is_csv(head) and _is_scopus(head) == self.scopus

    def parse(self, text: TextInput) -> Iterator[Record | Reject]:
        return _parse(text, self.NAME)


SCOPUS = CsvFormat(NAME="scopus-csv", scopus=True)
GENERIC = CsvFormat(NAME="csv", scopus=False)
