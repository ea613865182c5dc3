"""The record page of a Chinese literature portal (the seed record of protocat).

The page is plain text: a title, then fields under Chinese labels, each label on
a line of its own with its value below (``作者`` authors, ``机构`` affiliations,
``来源`` source, ``关键词`` keywords, ``D O I``, ``中图分类号`` Chinese Library
Classification, ``学科分类号`` discipline code, ``摘要`` abstract) or inline
(``被引:2`` times cited, ``页数:8`` pages), then ``相关论文`` related papers as
bullets, each with its authors and a source line such as
``JOURNAL, 2008, 89 (07): : 1305 - 1313``. No library reads this format.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import attrs

from protocols.errors import UnreadableFile
from protocols.model import Author, Origin, Record, Reject, SourceId, SubjectCode
from protocols.records.decoding import TextInput
from protocols.records.normalise import normalise_doi, record_id

NAME = "portal"

# Labels that stand alone on a line, and the field each introduces.
BLOCK_LABELS = {
    "作者": "authors",
    "机构": "affiliations",
    "来源": "source",
    "关键词": "keywords",
    "D O I": "doi",
    "DOI": "doi",
    "中图分类号": "clc",
    "学科分类号": "discipline",
    "摘要": "abstract",
    "相关论文": "related",
    # Buttons of the page, not fields: they end the block before them.
    "引用": None,
    "收藏": None,
    "|": None,
}
_INLINE = re.compile(r"^(被引|页数)\s*[:：]\s*(\d+)\s*$")
_RELATED_TOTAL = re.compile(r"^共\s*\d+\s*条$")
_AUTHOR = re.compile(r"^(?P<name>[^\[\]]+?)\s*(?:\[(?P<refs>[\d,\s]+)\])?$")
_AFFILIATION = re.compile(r"^\[(?P<number>\d+)\]\s*(?P<text>.+)$")
_BULLET = re.compile(r"^[•·●*-]\s*\[(?P<number>\d+)\]\s*(?P<title>.*)$")
# JOURNAL, 2023, 36 (03) : 525 - 526 | JOURNAL, 2025, 236 | JOURNAL, 2025, 29 (03)
_RELATED_SOURCE = re.compile(
    r"^(?P<journal>.+?),\s*(?P<year>(?:1[89]|20)\d\d)\s*(?:,\s*(?P<rest>.*))?$"
)
_VOLUME_ISSUE_PAGES = re.compile(
    r"^(?P<volume>[^\s(:]+)?\s*(?:\((?P<issue>[^)]*)\))?\s*[:\s]*(?P<pages>.*?)\s*$"
)
_CLC = re.compile(r"(?P<code>[A-Z][\w.\-+/]*)\s*(?:\[(?P<label>[^\]]*)\])?")
_MARKERS = ("作者", "来源", "摘要", "被引", "相关论文", "关键词")


def sniff(head: str) -> bool:
    """A portal page has several of its Chinese labels on lines of their own."""
    lines = {line.strip() for line in head.splitlines()[:400]}
    found = sum(
        1
        for marker in _MARKERS
        if marker in lines
        or any(line.startswith(marker + ":") or line.startswith(marker + "：") for line in lines)
    )
    return found >= 2


def _split_name(name: str) -> tuple[str, str]:
    family, _, given = name.partition(",")
    return family.strip(), given.strip()


def _pages(text: str) -> str | None:
    text = re.sub(r"\s*-\s*", "-", text.strip(" :"))
    return text or None


def _parse_related_source(line: str) -> dict | None:
    match = _RELATED_SOURCE.match(line.strip())
    if not match:
        return None
    fields: dict = {"journal": match["journal"].strip(), "year": int(match["year"])}
    rest = (match["rest"] or "").strip()
    if rest:
        parts = _VOLUME_ISSUE_PAGES.match(rest)
        if parts:
            fields["volume"] = parts["volume"] or None
            fields["issue"] = (parts["issue"] or "").strip() or None
            pages = _pages(parts["pages"] or "")
            if pages and "-" not in pages and fields["volume"] is None:
                fields["article_number"] = pages
            elif pages:
                fields["pages"] = pages
    return fields


class _Page:
    """The blocks of one page: label -> (first line number, value lines)."""

    def __init__(self) -> None:
        self.title_lines: list[tuple[int, str]] = []
        self.blocks: dict[str, list[tuple[int, str]]] = {}
        self.inline: dict[str, int] = {}


def _split_blocks(text: TextInput) -> _Page:
    page = _Page()
    current: str | None = "title"
    for number, raw in text.lines():
        line = raw.strip()
        if not line:
            continue
        if line in BLOCK_LABELS:
            current = BLOCK_LABELS[line]
            if current is not None:
                page.blocks.setdefault(current, [])
            continue
        inline = _INLINE.match(line)
        if inline:
            page.inline[inline.group(1)] = int(inline.group(2))
            current = None
            continue
        if current == "title":
            page.title_lines.append((number, line))
        elif current is not None:
            # Related papers keep their leading bullets and indentation.
            page.blocks[current].append((number, raw if current == "related" else line))
    return page


def _main_record(page: _Page, text: TextInput) -> Record:
    if not page.title_lines:
        raise UnreadableFile(text.name, "no title line before the first field label")
    if "source" not in page.blocks or not page.blocks["source"]:
        raise UnreadableFile(
            text.name, "truncated or not a portal record: no 来源 (source) section"
        )
    title = " ".join(line for _, line in page.title_lines)
    warnings: list[str] = []

    affiliation_by_number: dict[str, str] = {}
    for number, line in page.blocks.get("affiliations", []):
        match = _AFFILIATION.match(line)
        if match:
            affiliation_by_number[match["number"]] = match["text"].strip()
        else:
            warnings.append(f"line {number}: affiliation without a [number]: {line}")

    authors = []
    for _, line in page.blocks.get("authors", []):
        match = _AUTHOR.match(line)
        name = match["name"] if match else line
        refs = re.findall(r"\d+", match["refs"] or "") if match else []
        family, given = _split_name(name)
        authors.append(
            Author(
                family=family,
                given=given,
                affiliations=tuple(
                    affiliation_by_number[r] for r in refs if r in affiliation_by_number
                ),
            )
        )

    source_text = " ".join(line for _, line in page.blocks["source"])
    journal, _, details = source_text.partition("|")
    year = re.search(r"((?:1[89]|20)\d\d)\s*年", details)
    volume = re.search(r"(\S+?)\s*卷", details)
    issue = re.search(r"(\S+?)\s*期", details)
    pages = re.search(r"页(?:码)?\s*[:：]?\s*([\w\-–\s]+)", details)

    keywords = [
        k.strip()
        for _, line in page.blocks.get("keywords", [])
        for k in re.split(r"[;；]", line)
        if k.strip()
    ]
    doi_text = " ".join(line for _, line in page.blocks.get("doi", []))
    subject_codes = [
        SubjectCode(scheme="clc", code=m["code"], label=(m["label"] or "").strip())
        for _, line in page.blocks.get("clc", [])
        for m in _CLC.finditer(line)
    ]
    subject_codes += [
        SubjectCode(scheme="discipline", code=code)
        for _, line in page.blocks.get("discipline", [])
        for code in re.findall(r"[\w.]+", line)
    ]
    abstract = "\n".join(line for _, line in page.blocks.get("abstract", [])) or None
    if "related" not in page.blocks:
        warnings.append(
            "the page ends before the 相关论文 (related papers) section: it may be truncated"
        )

    doi = normalise_doi(doi_text)
    year_value = int(year.group(1)) if year else None
    return Record(
        id=record_id(doi=doi, pmid=None, title=title, year=year_value),
        title=title,
        authors=authors,
        affiliations=[affiliation_by_number[k] for k in sorted(affiliation_by_number, key=int)],
        journal=journal.strip() or None,
        year=year_value,
        volume=volume.group(1) if volume else None,
        issue=issue.group(1) if issue else None,
        pages=_pages(pages.group(1)) if pages else None,
        page_count=page.inline.get("页数"),
        keywords=keywords,
        abstract=abstract,
        doi=doi,
        subject_codes=subject_codes,
        times_cited=page.inline.get("被引"),
        origins=[
            Origin(
                file=text.name,
                line=page.title_lines[0][0],
                format=NAME,
                encoding=text.encoding_label,
            )
        ],
        warnings=warnings,
    )


def _related_records(page: _Page, text: TextInput) -> Iterator[Record | Reject]:
    items: list[list[tuple[int, str]]] = []
    for number, raw in page.blocks.get("related", []):
        line = raw.strip()
        if _RELATED_TOTAL.match(line):
            continue
        if _BULLET.match(line):
            items.append([(number, line)])
        elif items:
            items[-1].append((number, line))
        else:
            yield Reject(
                file=text.name,
                line=number,
                reason=f"text before the first related paper: {line[:80]}",
            )
    for item in items:
        first_line = item[0][0]
        bullet = _BULLET.match(item[0][1])
        title = bullet["title"].strip() if bullet else ""
        source = None
        authors = []
        for _, line in item[1:]:
            fields = _parse_related_source(line)
            if fields and source is None:
                source = fields
            elif source is None:
                family, given = _split_name(line)
                authors.append(Author(family=family, given=given))
        if not title:
            yield Reject(file=text.name, line=first_line, reason="related paper without a title")
            continue
        if source is None:
            yield Reject(
                file=text.name,
                line=first_line,
                reason=(
                    "related paper without a source line (JOURNAL, YEAR, volume (issue) : pages)"
                ),
            )
            continue
        yield Record(
            id=record_id(doi=None, pmid=None, title=title, year=source["year"]),
            title=title,
            authors=authors,
            origins=[
                Origin(file=text.name, line=first_line, format=NAME, encoding=text.encoding_label)
            ],
            source_ids=[SourceId(scheme="portal-related", value=bullet["number"])],
            **source,
        )


def parse(text: TextInput) -> Iterator[Record | Reject]:
    page = _split_blocks(text)
    main = _main_record(page, text)
    related = list(_related_records(page, text))
    titles = [r.title for r in related if isinstance(r, Record)]
    yield attrs.evolve(main, related=titles)
    yield from related
