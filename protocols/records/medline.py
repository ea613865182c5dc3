"""PubMed MEDLINE (the .nbib / "PubMed format" text export).

A small parser of our own: ``nbib`` drops the last record of a file without a
trailing newline and fails a whole file on one bad line, and Biopython is a large
dependency for one parser. Tags are up to four characters padded to four, then
``- ``; continuation lines start with spaces; records are separated by blank lines
(or start at a ``PMID-`` line). ``AD`` belongs to the author (``FAU``/``AU``) before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from protocols.model import Author, Record, Reject
from protocols.records import tags
from protocols.records.build import Fields, build
from protocols.records.decoding import TextInput
from protocols.records.normalise import parse_name

NAME = "medline"

TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]{1,3}) {0,3}- ?(.*)$")
_HEAD_TAG = re.compile(r"^([A-Z][A-Z0-9]{1,3}) {0,2}- ", re.MULTILINE)
_MEDLINE_ONLY = frozenset(
    {"PMID", "OWN", "STAT", "FAU", "DP", "LID", "AID", "JT", "TA", "PMCR", "MH", "PG"}
)
_KNOWN = frozenset(tags.MEDLINE) | {"FAU", "AU", "AD"}
_JOINED = {"TI": " ", "BTI": " "}
_SPECIAL = frozenset({"FAU", "AU", "AD", "LID", "AID", *_JOINED})


def sniff(head: str) -> bool:
    """MEDLINE tags (PMID, FAU, DP ...) and no RIS TY/ER lines."""
    found = set(_HEAD_TAG.findall(head[:20000]))
    if re.search(r"^(?:TY|ER)  -", head[:20000], re.MULTILINE):
        return False
    if found & _MEDLINE_ONLY:
        return True
    # A short file of tags MEDLINE and RIS share (TI, AB ...), without TY or ER.
    return bool(found) and found <= _KNOWN


class _Record:
    """The tags of one record being read, in order, with continuations joined."""

    def __init__(self, line: int) -> None:
        self.line = line
        self.last = line
        self.items: list[list[str]] = []  # [tag, value]
        self.notes: list[str] = []
        self.has_pmid = False

    def to_fields(self) -> Fields:
        fields = Fields()
        joined: dict[str, list[str]] = {}
        full_names: list[str] = []
        short_names: list[str] = []
        affiliations: dict[int, list[str]] = {}
        table = tags.MEDLINE
        values = fields.values
        for item in self.items:
            tag = item[0]
            value = (item[1] if len(item) == 2 else " ".join(item[1:])).strip()
            if not value:
                continue
            if tag not in _SPECIAL:
                name = table.get(tag)
                if name is not None:
                    values.setdefault(name, []).append(value)
            elif tag == "FAU":
                full_names.append(value)
            elif tag == "AU":
                short_names.append(value)
            elif tag == "AD":
                owner = len(full_names or short_names) - 1
                affiliations.setdefault(owner, []).append(value)
                fields.add("affiliation", value)
            elif tag in _JOINED:
                joined.setdefault(tag, []).append(value)
            elif value.endswith("[doi]"):  # LID, AID
                fields.add("doi", value[: -len("[doi]")])
        for tag, values in joined.items():
            fields.add(tags.MEDLINE[tag], _JOINED[tag].join(values))
        for index, name in enumerate(full_names or short_names):
            parts = parse_name(name)
            if parts:
                fields.authors.append(
                    Author(
                        family=parts[0], given=parts[1], affiliations=affiliations.get(index, ())
                    )
                )
        return fields


def parse(text: TextInput) -> Iterator[Record | Reject]:
    """Records are blocks of tag lines between blank lines, each with its PMID.

    Once a file has shown a PMID line, a block without one is not a PubMed record
    (test exports and hand edits leave such blocks); its lines are named in a warning
    on the record before it. An empty ``PMID-`` line (protocat's export of a work
    without a PMID) still starts a record. A file whose blocks have no PMID at all (hand-made files)
    gives a record a block. Two PMIDs in one block start two records.
    """
    encoding = text.encoding_label
    previous: _Record | None = None  # held until we know whether the next block is stray
    block: _Record | None = None
    seen_pmid = False

    def finish(record: _Record) -> Record | Reject:
        fields = record.to_fields()
        fields.warnings.extend(record.notes)
        return build(fields, file=text.name, line=record.line, fmt=NAME, encoding=encoding)

    def close_block() -> Iterator[Record | Reject]:
        nonlocal previous, block, seen_pmid
        if block is None or not block.items:
            block = None
            return
        has_pmid = block.has_pmid
        if has_pmid or not seen_pmid or previous is None:
            if previous is not None:
                yield finish(previous)
            previous = block
            seen_pmid = seen_pmid or has_pmid
        else:
            previous.notes.append(
                f"lines {block.line}-{block.last} hold no PMID: not read as a record of their own"
            )
        block = None

    with text.open() as stream:
        for number, raw in enumerate(stream, start=1):
            line = raw.rstrip()
            if number == 1:
                line = line.lstrip("\ufeff")
            if not line:
                yield from close_block()
                continue
            if line[0] == " " and block is not None:
                block.items[-1].append(line.strip())
                block.last = number
                continue
            match = TAG_LINE.match(line)
            if match is None:
                target = block or previous
                if target is not None:
                    target.notes.append(f"line {number} has no tag: ignored")
                continue
            tag, value = match.groups()
            if tag == "PMID" and block is not None and block.has_pmid:
                yield from close_block()
            if block is None:
                block = _Record(number)
            block.items.append([tag, value])
            block.last = number
            if tag == "PMID":
                block.has_pmid = True
    yield from close_block()
    if previous is not None:
        yield finish(previous)
