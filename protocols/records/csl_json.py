"""CSL-JSON (Zotero, Manubot, citation.js): an array of items, or one item.

The array is decoded one item at a time with ``json.JSONDecoder.raw_decode`` so
that each item has a line number and one bad item does not lose the others.
The text is held in memory (the standard library has no streaming JSON reader;
CSL-JSON exports are small); the records are not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from protocols.errors import UnreadableFile
from protocols.model import Record, Reject
from protocols.records.build import Fields, build
from protocols.records.decoding import TextInput

NAME = "csl-json"

_CSL_KEYS = re.compile(r'"(?:type|title|author|issued|container-title|DOI|id)"\s*:')


def sniff(head: str) -> bool:
    start = head.lstrip("\ufeff \t\r\n")[:1]
    return start in ("[", "{") and len(_CSL_KEYS.findall(head[:20000])) >= 2


def _text(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value)


def _year(issued: object) -> str | None:
    """``date-parts`` as numbers or strings, empty, null, or with extra parts; or ``raw``."""
    if not isinstance(issued, dict):
        return _text(issued)
    parts = issued.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        first = parts[0][0]
        if first is not None and str(first).strip():
            return str(first)
    return _text(issued.get("raw")) or _text(issued.get("literal"))


def _fields(item: dict) -> Fields:
    fields = Fields()
    fields.add("title", _text(item.get("title")))
    fields.add("title_alt", _text(item.get("title-short")))
    for person in item.get("author") or ():
        if not isinstance(person, dict):
            continue
        family = (
            _text(person.get("family")) or _text(person.get("literal")) or _text(person.get("name"))
        )
        if family:
            given = _text(person.get("given")) or ""
            fields.add("author", f"{family}, {given}" if given else family)
    fields.add("journal", _text(item.get("container-title")))
    fields.add("journal_abbrev", _text(item.get("container-title-short")))
    fields.add("date", _year(item.get("issued")))
    fields.add("date_alt", _year(item.get("published-print")) or _year(item.get("created")))
    for key, name in (
        ("volume", "volume"),
        ("issue", "issue"),
        ("page", "pages"),
        ("abstract", "abstract"),
        ("language", "language"),
        ("DOI", "doi"),
        ("PMID", "pmid"),
        ("PMCID", "id:pmc"),
        ("type", "type"),
        ("number", "article_number"),
        ("URL", "url"),
    ):
        fields.add(name, _text(item.get(key)))
    keywords = item.get("keyword")
    if isinstance(keywords, str):
        fields.add("keywords", keywords.replace(",", ";"))
    elif isinstance(keywords, list):
        for keyword in keywords:
            fields.add("keyword", _text(keyword))
    return fields


def _items(text: str) -> Iterator[tuple[int, object | Exception]]:
    """(offset, item or error) for each item of the top-level array (or the one object)."""
    decoder = json.JSONDecoder()
    pos = len(text) - len(text.lstrip())
    if text[pos : pos + 1] == "{":
        try:
            yield pos, decoder.raw_decode(text, pos)[0]
        except json.JSONDecodeError as exc:
            yield exc.pos, exc
        return
    pos += 1
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            return
        try:
            item, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            yield exc.pos, exc
            return
        yield pos, item
        pos = end


def parse(text: TextInput) -> Iterator[Record | Reject]:
    encoding = text.encoding_label
    with text.open() as stream:
        content = stream.read().lstrip("\ufeff")
    if not content.strip() or content.lstrip()[0] not in "[{":
        raise UnreadableFile(text.name, "not CSL-JSON: neither an array nor an object")
    line, counted = 1, 0
    for offset, item in _items(content):
        line += content.count("\n", counted, offset)
        counted = offset
        if isinstance(item, Exception):
            yield Reject(file=text.name, line=line, reason=f"broken JSON from here: {item.msg}")
            return
        if not isinstance(item, dict):
            yield Reject(file=text.name, line=line, reason="an array item that is not an object")
            continue
        yield build(_fields(item), file=text.name, line=line, fmt=NAME, encoding=encoding)
