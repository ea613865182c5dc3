"""BibTeX and BibLaTeX, read with ``bibtexparser`` 2.x.

Field names are lower-cased (Web of Science writes ``Title``), LaTeX accents are
decoded, ``@string`` macros resolved and ``crossref`` fields inherited. Blocks the
parser cannot read (its ``failed_blocks``) become rejects with their line; an entry
with a duplicated field (Scopus) is kept with a warning, first value winning.

bibtexparser parses a whole file at once, so this reader holds one file's text and
entries in memory: BibTeX exports are small next to RIS or MEDLINE dumps.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import bibtexparser
from bibtexparser.library import Library
from bibtexparser.middlewares import LatexDecodingMiddleware
from bibtexparser.middlewares.enclosing import RemoveEnclosingMiddleware
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry

from protocols.model import Record, Reject
from protocols.records.build import Fields, build
from protocols.records.decoding import TextInput

NAME = "bibtex"

_ENTRY = re.compile(r"^\s*@\s*([A-Za-z]+)\s*[{(]", re.MULTILINE)
KNOWN_TYPES = frozenset(
    [
        "article",
        "book",
        "booklet",
        "inbook",
        "incollection",
        "inproceedings",
        "conference",
        "manual",
        "mastersthesis",
        "misc",
        "phdthesis",
        "proceedings",
        "techreport",
        "unpublished",
        "online",
        "report",
        "thesis",
        "collection",
        "mvbook",
        "bookinbook",
        "suppbook",
        "periodical",
        "suppperiodical",
        "patent",
        "dataset",
        "software",
        "www",
        "electronic",
        "reference",
        "mvreference",
        "inreference",
        "mvcollection",
        "suppcollection",
        "mvproceedings",
        "set",
        "xdata",
    ]
)
_NOT_ENTRIES = frozenset({"string", "comment", "preamble"})
# bibtex field (lower case) -> canonical field
FIELD_MAP = {
    "title": "title",
    "booktitle": "title_alt",
    "author": "authors",
    "journal": "journal",
    "journaltitle": "journal",
    "shortjournal": "journal_abbrev",
    "year": "date",
    "date": "date",
    "volume": "volume",
    "number": "issue",
    "issue": "issue",
    "pages": "pages",
    "abstract": "abstract",
    "keywords": "keywords",
    "doi": "doi",
    "pmid": "pmid",
    "language": "language",
    "url": "url",
    "affiliation": "affiliation",
    "affiliations": "affiliation",
    "art_number": "article_number",
    "eid": "article_number",
    "unique-id": "id:wos",
    "pubmed": "pmid",
}
_INHERITED = ("booktitle", "journal", "journaltitle", "year", "date", "volume", "publisher")


def sniff(head: str) -> bool:
    return _ENTRY.search(head[:50000]) is not None


def _field_dict(entry: Entry) -> dict[str, str]:
    values: dict[str, str] = {}
    for field in entry.fields:
        key = field.key.lower()
        # The first of duplicated fields wins (Scopus writes some twice).
        if key not in values and field.value is not None:
            values[key] = str(field.value)
    return values


def _fields(values: dict[str, str], entry_type: str) -> Fields:
    fields = Fields()
    fields.add("type", entry_type)
    for key, value in values.items():
        name = FIELD_MAP.get(key)
        if name == "authors":
            for author in re.split(r"\s+and\s+", value, flags=re.IGNORECASE):
                fields.add("author", author.strip(" {}"))
        elif name == "keywords":
            fields.add("keywords", value.replace(",", ";"))
        else:
            fields.add(name, value.replace("{", "").replace("}", "") if name else None)
    return fields


def _finish_recovered(entry: Entry) -> Entry:
    """An entry bibtexparser set aside for duplicated fields, given the processing the
    others had: first of each field kept, braces removed, LaTeX decoded."""
    seen: set[str] = set()
    fields = []
    for field in entry.fields:
        if field.key.lower() not in seen:
            seen.add(field.key.lower())
            fields.append(field)
    entry.fields = fields
    library = Library([entry])
    for middleware in (RemoveEnclosingMiddleware(), LatexDecodingMiddleware()):
        library = middleware.transform(library)
    return library.entries[0] if library.entries else entry


def parse(text: TextInput) -> Iterator[Record | Reject]:
    encoding = text.encoding_label
    with text.open() as stream:
        content = stream.read().lstrip("\ufeff")
    # bibtexparser logs every oddity at WARNING; they reach the user as rejects instead.
    logging.getLogger("bibtexparser").setLevel(logging.ERROR)
    library = bibtexparser.parse_string(content, append_middleware=[LatexDecodingMiddleware()])
    by_key: dict[str, dict[str, str]] = {}
    entries: list[tuple[Entry, list[str]]] = []
    for entry in library.entries:
        entries.append((entry, []))
    for block in library.failed_blocks:
        recovered = block.ignore_error_block
        if isinstance(block, DuplicateFieldKeyBlock) and isinstance(recovered, Entry):
            keys = ", ".join(sorted(block.duplicate_keys))
            entries.append(
                (_finish_recovered(recovered), [f"duplicated fields ({keys}): the first is kept"])
            )
            continue
        if isinstance(block, DuplicateBlockKeyBlock) and isinstance(recovered, Entry):
            # Exports reuse keys (Smith2019 twice): a second work, not an error.
            entries.append((recovered, [f"entry key {block.key!r} used before in the file"]))
            continue
        message = str(block.error).split("\n")[0][:200]
        reason = message or "the entry is not closed or not well-formed"
        yield Reject(
            file=text.name,
            line=(block.start_line or 0) + 1,
            reason=f"BibTeX block not read: {reason}",
        )
    entries.sort(key=lambda pair: pair[0].start_line or 0)
    for entry, _ in entries:
        by_key[entry.key.lower()] = _field_dict(entry)
    for entry, warnings in entries:
        values = _field_dict(entry)
        parent = by_key.get(values.get("crossref", "").lower())
        if parent:
            for key in _INHERITED:
                if key not in values and key in parent:
                    values[key] = parent[key]
            if "journal" not in values and "booktitle" not in values and "title" in parent:
                values["booktitle"] = parent["title"]
        entry_type = entry.entry_type.lower()
        fields = _fields(values, entry_type)
        fields.warnings.extend(warnings)
        if entry_type not in KNOWN_TYPES:
            fields.warnings.append(
                f"unknown entry type @{entry.entry_type}: read as a generic entry"
            )
        yield build(
            fields, file=text.name, line=(entry.start_line or 0) + 1, fmt=NAME, encoding=encoding
        )
