"""Web of Science: the plain-text (tagged) export and the tab-delimited export.

Our own parser: the format is two-letter tags with three-space continuation lines,
simpler to read than to adapt ``wosfile`` (which wants whole files and stops on
the first malformed record). ``FN``/``VR`` header and ``EF`` footer may be missing.
Tab-delimited files (UTF-8 or UTF-16) have the same tags as column headers and
``; ``-separated lists.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator

from protocols.model import Record, Reject
from protocols.records import tags
from protocols.records.build import Fields, build
from protocols.records.decoding import TextInput

NAME = "wos"

_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$")
_RIS_LIKE = re.compile(r"^[A-Z][A-Z0-9]{1,3} {0,3}- ")
_LIST_TAGS = {"AU": "author", "AF": "author_full", "C1": "affiliation"}


def _is_tab_header(first_line: str) -> bool:
    columns = first_line.lstrip("\ufeff").rstrip("\r\n").split("\t")
    return len(columns) > 5 and columns[0] == "PT" and "TI" in columns


def sniff(head: str) -> bool:
    lines = head.lstrip("\ufeff").splitlines()[:60]
    if not lines:
        return False
    if _is_tab_header(lines[0]):
        return True
    if any(_RIS_LIKE.match(line) for line in lines):
        return False  # "PT  - " is MEDLINE or RIS, not WoS
    starts = [line[:3] for line in lines]
    if "FN " in starts[:3] and any(s.startswith("PT ") for s in starts):
        return True
    # Headerless: a PT line, then tagged lines with three-space continuations.
    return (
        any(s == "PT " for s in starts)
        and any(line.startswith("   ") for line in lines)
        and any(s in ("TI ", "AU ", "SO ") for s in starts)
    )


def _fields_from(items: list[tuple[str, str]], list_sep: str | None) -> Fields:
    fields = Fields()
    full: list[str] = []
    short: list[str] = []
    for tag, value in items:
        parts = [p for p in value.split(list_sep)] if list_sep and tag in _LIST_TAGS else [value]
        if tag == "AF":
            full.extend(parts)
        elif tag == "AU":
            short.extend(parts)
        elif tag == "C1":
            for part in parts:
                fields.add("affiliation", re.sub(r"^\[[^\]]*\]\s*", "", part))
        elif tag == "UT" and value.upper().startswith("MEDLINE:"):
            fields.add("pmid", value)
        else:
            fields.add(tags.WOS.get(tag), value)
    for name in full or short:
        fields.add("author", name)
    return fields


def _parse_tagged(text: TextInput) -> Iterator[Record | Reject]:
    encoding = text.encoding_label
    items: list[tuple[str, str]] = []
    start = 0
    last_multi: list[str] | None = None

    def finish() -> Record | Reject:
        return build(
            _fields_from(_split_list_items(items), None),
            file=text.name,
            line=start,
            fmt=NAME,
            encoding=encoding,
        )

    for number, raw in text.lines():
        line = raw.lstrip("\ufeff").rstrip()
        if not line.strip():
            continue
        if line.startswith("   ") or line.startswith("\t"):
            if items and last_multi is not None:
                tag, value = items[-1]
                if tag in _LIST_TAGS or tag in ("DE", "ID", "CR"):
                    # Lists keep one item a line; other fields wrap one text.
                    sep = "\n" if tag in _LIST_TAGS else " "
                    items[-1] = (tag, value + sep + line.strip())
                else:
                    items[-1] = (tag, value + " " + line.strip())
            continue
        match = _TAG_LINE.match(line)
        if match is None:
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag in ("FN", "VR", "EF"):
            continue
        if tag == "PT":
            if items:
                yield finish()
            items, start = [], number
        if tag == "ER":
            if items:
                yield finish()
            items, last_multi = [], None
            continue
        if not items and tag != "PT":
            start = number
        items.append((tag, value))
        last_multi = []
    if items:
        yield finish()


def _split_list_items(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out = []
    for tag, value in items:
        if tag in _LIST_TAGS and "\n" in value:
            out.extend((tag, part) for part in value.split("\n"))
        else:
            out.append((tag, value))
    return out


def _parse_tab(text: TextInput) -> Iterator[Record | Reject]:
    encoding = text.encoding_label
    with text.open() as stream:
        reader = csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = [h.lstrip("\ufeff").strip() for h in next(reader, [])]
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            line = reader.line_num
            if len(row) > len(header) + 1:
                yield Reject(
                    file=text.name,
                    line=line,
                    reason=f"row has {len(row)} columns, the header {len(header)}",
                )
                continue
            items = [(tag, value) for tag, value in zip(header, row, strict=False) if value.strip()]
            yield build(
                _fields_from(items, ";"), file=text.name, line=line, fmt=NAME, encoding=encoding
            )


def parse(text: TextInput) -> Iterator[Record | Reject]:
    first = text.head.lstrip("\ufeff").split("\n", 1)[0]
    if _is_tab_header(first):
        yield from _parse_tab(text)
    else:
        yield from _parse_tagged(text)
