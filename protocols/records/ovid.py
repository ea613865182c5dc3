"""Ovid (Embase, MEDLINE, PsycINFO via Ovid) "citation" text export.

A record starts with a counter line ``<12>``; a field name stands on a line of its
own at the left margin, its value is indented below it. ``Source`` holds journal,
volume, issue, pages and date in one line (``Ecohydrology. 8(6):1048-1064,
September 2015.``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from protocols.model import Record, Reject
from protocols.records import tags
from protocols.records.build import Fields, build
from protocols.records.decoding import TextInput

NAME = "ovid"

_COUNTER = re.compile(r"^<\s*(\d+)\s*>\s*$")
_FIELD = re.compile(r"^([A-Za-z][A-Za-z ()/\-]{1,60}?)\s*$")
_SOURCE = re.compile(
    r"^(?P<journal>[^.]+(?:\.[^.\d(]+)*?)\.\s+(?:Vol\s*)?(?P<volume>\d+)?\s*(?:\((?P<issue>[^)]*)\))?"
    r"\s*:?\s*(?P<pages>[\dA-Za-z]+-[\dA-Za-z]+|\d+)?"
)
_AUTHOR_MARK = re.compile(r"\s+\d+(?:,\s*\d+)*$|\s*\[[^\]]*\]$")


def sniff(head: str) -> bool:
    lines = [line.rstrip() for line in head.lstrip("\ufeff").splitlines()[:300]]
    counters = sum(1 for line in lines if _COUNTER.match(line))
    names = {line.strip().lower() for line in lines if line and not line[0].isspace()}
    return counters >= 1 and len(names & {"title", "author", "source", "authors"}) >= 2


def _fields(items: list[tuple[str, list[str]]]) -> Fields:
    fields = Fields()
    for name, values in items:
        canonical = tags.OVID.get(name.lower())
        value = " ".join(v for v in values if v)
        if canonical == "author":
            parts = re.split(r";\s*|\s{2,}", value) if ";" in value or "  " in value else [value]
            for part in parts:
                fields.add("author", _AUTHOR_MARK.sub("", part).strip())
        elif canonical == "source":
            match = _SOURCE.match(value)
            if match:
                fields.add("journal", match["journal"])
                fields.add("volume", match["volume"])
                fields.add("issue", match["issue"])
                fields.add("pages", match["pages"])
            fields.add("date_alt", value)
        elif canonical == "keywords":
            fields.add("keywords", value)
        else:
            fields.add(canonical, value)
    return fields


def parse(text: TextInput) -> Iterator[Record | Reject]:
    encoding = text.encoding_label
    items: list[tuple[str, list[str]]] | None = None
    start = 0

    def finish() -> Record | Reject:
        return build(_fields(items or []), file=text.name, line=start, fmt=NAME, encoding=encoding)

    for number, raw in text.lines():
        line = raw.lstrip("\ufeff").rstrip()
        if _COUNTER.match(line):
            if items is not None:
                yield finish()
            items, start = [], number
            continue
        if items is None or not line.strip():
            continue
        if not line[0].isspace() and _FIELD.match(line):
            items.append((line.strip(), []))
        elif items:
            items[-1][1].append(line.strip())
    if items is not None:
        yield finish()
