"""From the fields a reader collected to a ``Record`` (or a ``Reject``), the same for every format.

Readers translate their tags or columns into the canonical field names below (with
the tables of ``tags.py``) and collect the raw values in a ``Fields``; ``build``
normalises them the same way for every format, so that a DOI, a year or an author
name means the same thing whichever export it came from.

Canonical names: ``title``, ``title_alt`` (a book or chapter title used when there
is no title), ``author`` (a name as written), ``affiliation``, ``journal``,
``journal_abbrev``, ``date``, ``date_alt`` (tried when ``date`` holds no year),
``volume``, ``issue``, ``start_page``, ``end_page``, ``pages``, ``article_number``,
``page_count``, ``keywords`` (one or several, ``;``-separated), ``keyword`` (one),
``abstract``, ``language``, ``doi``, ``url`` (a DOI only from a doi.org link),
``pmid``, ``type``, ``times_cited``, ``mesh``, and ``id:<scheme>`` for a database's
own identifier of the work.
"""

from __future__ import annotations

import functools
import re

from protocols.model import Author, Origin, Record, Reject, SourceId, SubjectCode
from protocols.records.decoding import REPLACED
from protocols.records.normalise import (
    abstract_sections,
    clean_abstract_sections,
    clean_long_text,
    doi_from_url,
    normalise_doi,
    normalise_pmid,
    parse_name,
    record_id,
    split_keywords,
    year_of,
)

_GUESSED_ENCODINGS = frozenset({"gb18030", "cp1252", "latin-1"})
_INT = re.compile(r"\d+")
_DASH = re.compile(r"\s*[-–—]+\s*")


class Fields:
    """The values one record's fields hold, in file order, under canonical names."""

    __slots__ = ("values", "authors", "warnings")

    def __init__(self) -> None:
        self.values: dict[str, list[str]] = {}
        # Authors a reader built itself (with affiliations), used instead of ``author``.
        self.authors: list[Author] = []
        self.warnings: list[str] = []

    def add(self, name: str | None, value: object) -> None:
        if name is None or value is None:
            return
        text = str(value)
        if text.strip():
            self.values.setdefault(name, []).append(text)

    def first(self, *names: str) -> str | None:
        """The first value of the first of ``names`` that has one, cleaned (``clean_text``)."""
        values = self.values
        for name in names:
            for value in values.get(name, ()):
                text = " ".join(value.split())  # clean_text, inline: called a dozen times a record
                if text:
                    return text
        return None

    def all(self, name: str) -> list[str]:
        return self.values.get(name, [])

    def __bool__(self) -> bool:
        return bool(self.values or self.authors)


@functools.lru_cache(maxsize=16384)
def _mesh(code: str) -> SubjectCode:
    # The same few thousand headings recur across records: share the frozen objects.
    return SubjectCode(scheme="mesh", code=code)


def _int(value: str | None) -> int | None:
    if not value:
        return None
    match = _INT.search(value.replace(",", ""))
    return int(match.group(0)) if match else None


def _pages(fields: Fields) -> str | None:
    pages = fields.first("pages")
    if not pages:
        start, end = fields.first("start_page"), fields.first("end_page")
        pages = f"{start}-{end}" if start and end and end != start else start or end
    return _DASH.sub("-", pages) if pages else None


def _authors(fields: Fields) -> list[Author]:
    if fields.authors:
        return list(fields.authors)
    authors = []
    for value in fields.values.get("author", ()):
        name = parse_name(value)
        if name:
            authors.append(Author(family=name[0], given=name[1]))
    return authors


def _distinct(values: list[str]) -> list[str]:
    """The values cleaned (``clean_text``), empty ones dropped, each once, in file order."""
    kept: dict[str, None] = {}
    for value in values:
        text = " ".join(value.split())  # clean_text, inline: a few dozen values a record
        if text:
            kept[text] = None
    return list(kept)


def _distinct_long(values: list[str]) -> list[str]:
    """``_distinct`` of long texts (``clean_long_text``)."""
    kept: dict[str, None] = {}
    for value in values:
        text = clean_long_text(value)
        if text:
            kept[text] = None
    return list(kept)


def _first_long(values: list[str]) -> str | None:
    """``Fields.first`` of a field of long texts."""
    for value in values:
        text = clean_long_text(value)
        if text:
            return text
    return None


def build(fields: Fields, *, file: str, line: int, fmt: str, encoding: str) -> Record | Reject:
    """The record ``fields`` describe; a ``Reject`` when nothing identifies the work."""
    values = fields.values
    first = fields.first
    title = first("title", "title_alt")
    doi = next(filter(None, map(normalise_doi, values.get("doi", ()))), None) or next(
        filter(None, map(doi_from_url, values.get("url", ()))), None
    )
    pmid = normalise_pmid(first("pmid"))
    authors = _authors(fields)
    if not title and not doi and not pmid and not authors:
        what = "no fields" if not fields else "no title, author, DOI or PMID"
        return Reject(
            file=file, line=line, reason=f"record with {what}: nothing identifies the work"
        )
    warnings = list(fields.warnings)
    if not title:
        warnings.append("record without a title")
    year, year_warning = year_of(values.get("date", []))
    if year is None:
        year, alt_warning = year_of(values.get("date_alt", []))
        year_warning = year_warning or alt_warning
    if year_warning:
        warnings.append(year_warning)
    if encoding in _GUESSED_ENCODINGS:
        # The bytes were not UTF-8 and the legacy encoding is a judgement: say so.
        warnings.append(f"the file is not UTF-8; read as {encoding}")
    elif encoding.endswith(REPLACED):
        warnings.append("the file has bytes that are not valid UTF-8: shown as \ufffd")
    title = title or ""
    source_ids = [
        SourceId(scheme=name[3:], value=value)
        for name, kept in values.items()
        if name.startswith("id:")
        for value in _distinct(kept)
    ]
    keywords = split_keywords(values.get("keywords", []))
    if one_each := values.get("keyword"):
        keywords = (
            split_keywords(keywords + one_each, "") if keywords else split_keywords(one_each, "")
        )
    if (sections := values.get("abstract_section")) and (joined := "\n".join(sections)):
        abstract = abstract_sections(joined)
    else:
        # first() has cleaned it already: only the sections are left to find.
        abstract = clean_abstract_sections(_first_long(values.get("abstract", ())))
    return Record(
        id=record_id(doi=doi, pmid=pmid, title=title, year=year),
        title=title,
        authors=authors,
        affiliations=_distinct_long(values.get("affiliation", ())),
        journal=first("journal", "journal_abbrev"),
        year=year,
        volume=first("volume"),
        issue=first("issue"),
        pages=_pages(fields),
        article_number=first("article_number"),
        page_count=_int(first("page_count")),
        keywords=keywords,
        abstract=abstract,
        language=first("language"),
        doi=doi,
        pmid=pmid,
        source_ids=source_ids,
        publication_types=_distinct(values.get("type", ())),
        subject_codes=[_mesh(code) for code in _distinct(values.get("mesh", ()))],
        times_cited=_int(first("times_cited")),
        origins=[Origin(file=file, line=max(1, line), format=fmt, encoding=encoding)],
        warnings=warnings,
    )
