"""PubMed MEDLINE (the .nbib / "PubMed format" text export).

A small parser of our own: ``nbib`` drops the last record of a file without a
trailing newline and fails a whole file on one bad line, and Biopython is a large
dependency for one parser. Tags are up to four characters padded to four, then
``- ``; continuation lines start with spaces; records are separated by blank lines
(or start at a ``PMID-`` line). ``AD`` belongs to the author (``FAU``/``AU``) before it.
"""

from __future__ import annotations

import itertools
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


# Tags the reader handles itself; every other tag goes to its canonical field (or is
# not kept). Looked up once a value, before the value is joined and trimmed.
_BY_READER = "<reader>"
_ROUTES: dict[str, str] = {
    **{tag: name for tag, name in tags.MEDLINE.items() if name is not None},
    **dict.fromkeys(_SPECIAL, _BY_READER),
}
# Most tag lines are "XXXX- value": their first six characters name the tag, so the
# parser slices instead of matching TAG_LINE (see ``parse``).
_PREFIX_CACHE_SIZE = 1024


class _Record:
    """The tags of one record being read, in order, with continuations joined."""

    __slots__ = ("line", "last", "items", "notes", "has_pmid")

    def __init__(self, line: int) -> None:
        self.line = line
        self.last = line
        self.items: list[list[str]] = []  # [tag, value, continuation lines ...]
        self.notes: list[str] = []
        self.has_pmid = False

    def to_fields(self) -> Fields:
        fields = Fields()
        joined: dict[str, list[str]] = {}
        full_names: list[str] = []
        short_names: list[str] = []
        affiliations: dict[int, list[str]] = {}
        values = fields.values
        routes = _ROUTES
        addresses: list[str] = []
        for item in self.items:
            name = routes.get(item[0])
            if name is None:  # a tag protocat does not keep: its value is never looked at
                continue
            value = (item[1] if len(item) == 2 else " ".join(item[1:])).strip()
            if not value:
                continue
            if name is not _BY_READER:
                if (kept := values.get(name)) is None:
                    values[name] = [value]
                else:
                    kept.append(value)
                continue
            tag = item[0]
            if tag == "AD":
                owner = len(full_names or short_names) - 1
                affiliations.setdefault(owner, []).append(value)
                addresses.append(value)  # fields.add("affiliation", value): never empty
            elif tag == "FAU":
                full_names.append(value)
            elif tag == "AU":
                short_names.append(value)
            elif tag in _JOINED:
                joined.setdefault(tag, []).append(value)
            elif value.endswith("[doi]"):  # LID, AID
                fields.add("doi", value[: -len("[doi]")])
        if addresses:  # no tag of tags.MEDLINE is "affiliation": AD is the only one
            values.setdefault("affiliation", []).extend(addresses)
        for tag, parts in joined.items():
            fields.add(tags.MEDLINE[tag], _JOINED[tag].join(parts))
        for index, name in enumerate(full_names or short_names):
            parts = parse_name(name)
            if parts:
                fields.authors.append(
                    Author(
                        family=parts[0], given=parts[1], affiliations=affiliations.get(index, ())
                    )
                )
        return fields


def _fast_prefix(line: str, tag: str) -> str | None:
    """The six characters that open ``line`` when it is written ``XXXX- value``: for such
    a line TAG_LINE's tag is ``tag`` and its value is everything after them."""
    prefix = f"{tag:<4}- "
    return prefix if line.startswith(prefix) else None


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

    def close_block(last: int) -> Iterator[Record | Reject]:
        nonlocal previous, block, seen_pmid
        if block is None or not block.items:
            block = None
            return
        block.last = last
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

    # The loop runs once a line of the file: it keeps to slicing, a dict look-up and
    # appends. ``prefixes`` maps the first six characters of tag lines seen so far
    # ("AB  - ", "PMID- ") to their tag; other lines are matched with TAG_LINE.
    prefixes: dict[str, str] = {}
    routes = _ROUTES
    item: list[str] = []  # the tag being read: [tag, value, continuation lines ...]
    add_item = item.append  # block.items.append of the block being read
    last = 0  # the number of the block's last tag or continuation line
    with text.open() as stream:
        lines = iter(stream)
        first = next(lines, None)
        if first is None:
            return
        numbered = enumerate(itertools.chain((first.lstrip("\ufeff"),), lines), start=1)
        for number, raw in numbered:
            tag = prefixes.get(raw[:6])
            if tag is not None:
                # Right-stripped, the line is this tag and raw[6:] right-stripped (if that
                # is empty, "XXXX-", which TAG_LINE reads as the tag and "").
                if block is not None and tag != "PMID":  # most lines: a tag within a record
                    if tag in routes:
                        item = [tag, raw[6:].rstrip()]
                        add_item(item)
                    else:  # a tag to_fields() would pass over: its lines go nowhere
                        item = []
                    last = number
                    continue
                value = raw[6:].rstrip()
            elif not (line := raw.rstrip()):
                if block is not None:
                    yield from close_block(last)
                continue
            elif line[0] == " " and block is not None:
                item.append(line.lstrip())  # the line is right-stripped already
                last = number
                continue
            else:
                match = TAG_LINE.match(line)
                if match is None:
                    target = block or previous
                    if target is not None:
                        target.notes.append(f"line {number} has no tag: ignored")
                    continue
                tag, value = match.groups()
                if len(prefixes) < _PREFIX_CACHE_SIZE and (prefix := _fast_prefix(line, tag)):
                    prefixes[prefix] = tag
            if block is None:
                block = _Record(number)
                add_item = block.items.append
            elif tag == "PMID" and block.has_pmid:
                yield from close_block(last)
                block = _Record(number)
                add_item = block.items.append
            item = [tag, value]
            add_item(item)
            last = number
            if tag == "PMID":
                block.has_pmid = True
    if block is not None:
        yield from close_block(last)
    if previous is not None:
        yield finish(previous)
