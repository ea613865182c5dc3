"""RIS, as reference managers and databases export it.

Our own streaming parser rather than ``rispy.load``: rispy returns the whole file
as one list (memory grows with the file), gives no line numbers for reporting a
bad record, and skips every record that lacks a ``TY`` line (it waits for the next
``TY``), so files whose later records start without one silently lose them. The
tag table is data (``tags.RIS``); the benchmark (``bench/read.py``) times this
reader against ``rispy.load`` (opened as ``utf-8-sig``: rispy no longer strips a
BOM itself since MrTango/rispy#64, and a BOM before ``TY`` loses the record), and
a test checks that this reader finds every title rispy finds on the fixtures.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from protocols.model import Record, Reject
from protocols.records import tags
from protocols.records.build import Fields, build
from protocols.records.decoding import TextInput

NAME = "ris"

# "TY  - JOUR"; some exporters drop a space or the value ("ER  -").
TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]) {1,2}-(?: (.*)|\s*)$")
_HEAD_TAG = re.compile(r"^(?:\ufeff)?([A-Z][A-Z0-9])  - ", re.MULTILINE)


_ONE_A_LINE = frozenset({"keyword", "author", "affiliation"})
_PUBMED_DATABASES = frozenset({"nlm", "pubmed", "medline"})
_PREFIX_CACHE_SIZE = 1024


def sniff(head: str) -> bool:
    """At least two RIS tag lines, and a TY or ER among them or several known tags."""
    found = _HEAD_TAG.findall(head[:20000])
    if len(found) < 2:
        return False
    return "TY" in found or "ER" in found or len(set(found) & set(tags.RIS)) >= 3


def parse(text: TextInput) -> Iterator[Record | Reject]:
    encoding = text.encoding_label
    fields: Fields | None = None
    start = 0
    last: str | None = None
    missing_ty = False

    def finish() -> Record | Reject | None:
        assert fields is not None
        if missing_ty and not any(
            fields.values.get(name) for name in ("title", "title_alt", "author", "doi", "url")
        ):
            # Stray tags between records (Ovid's "NL - journal" after ER): not a record.
            return None
        database = (fields.first("database") or "").lower()
        if database in _PUBMED_DATABASES and not fields.all("pmid"):
            # EndNote and Zotero put the PubMed id in AN when the database is PubMed.
            fields.values["pmid"] = fields.values.pop("id:accession", [])
        if missing_ty:
            fields.warnings.append("record without a TY line: recovered from the lines up to ER")
        return build(fields, file=text.name, line=start, fmt=NAME, encoding=encoding)

    table = tags.RIS
    # The loop runs once a line of the file. Most tag lines are "XX  - value": their
    # first six characters name the tag, so ``prefixes`` (the six-character openings
    # of tag lines seen so far) spares them TAG_LINE; other lines are matched with it.
    prefixes: dict[str, str] = {}
    with text.open() as stream:
        lines = iter(stream)
        first = next(lines, None)
        if first is None:
            return
        numbered = enumerate(itertools.chain((first.lstrip("\ufeff"),), lines), start=1)
        for number, raw in numbered:
            line = raw.rstrip()
            tag = prefixes.get(line[:6])
            if tag is not None:
                value = line[6:].strip()
            else:
                match = TAG_LINE.match(line)
                if match is None:
                    # Untagged: a continuation of the field above, or stray text between records.
                    if fields is not None and last is not None and line:
                        name = table.get(last) or ""
                        if name in _ONE_A_LINE:
                            # EndNote writes further keywords, authors, addresses one a line.
                            fields.add(name, line.strip())
                        elif values := fields.values.get(name):
                            values[-1] += " " + line.strip()
                    continue
                tag, value = match.groups()
                value = value.strip() if value else ""
                if len(prefixes) < _PREFIX_CACHE_SIZE and line.startswith(tag + "  - "):
                    # TAG_LINE reads any line that opens so as this tag and the rest.
                    prefixes[tag + "  - "] = tag
            if tag == "TY":
                if fields is not None:
                    fields.warnings.append("record without an ER line: ended at the next TY")
                    if (item := finish()) is not None:
                        yield item
                fields, start, last, missing_ty = Fields(), number, tag, False
                fields.add("type", value)
                continue
            if tag == "ER":
                if fields is not None and (item := finish()) is not None:
                    yield item
                fields, last = None, None
                continue
            if fields is None:
                fields, start, missing_ty = Fields(), number, True
            last = tag
            name = table.get(tag)
            if name is not None and value:
                if (kept := fields.values.get(name)) is None:
                    fields.values[name] = [value]
                else:
                    kept.append(value)
    if fields is not None and fields:
        fields.warnings.append("the file ends before this record's ER line")
        if (item := finish()) is not None:
            yield item
