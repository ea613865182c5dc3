"""EndNote tagged / refer (``%0 Journal Article``, ``%T title`` ...), one record a ``%0``.

Lines that do not start with a ``%`` tag continue the field above.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from protocols.model import Record, Reject
from protocols.records import tags
from protocols.records.build import Fields, build
from protocols.records.decoding import TextInput

NAME = "endnote-tagged"

TAG_LINE = re.compile(r"^(%[0-9A-Za-z@+!#$&()*^~><?])(?:\s(.*))?$")


def sniff(head: str) -> bool:
    lines = head.lstrip("\ufeff").splitlines()[:200]
    tagged = [line for line in lines if TAG_LINE.match(line.rstrip())]
    return any(line.startswith("%0") for line in lines) and len(tagged) >= 2


def parse(text: TextInput) -> Iterator[Record | Reject]:
    encoding = text.encoding_label
    fields: Fields | None = None
    start = 0
    last: str | None = None
    for number, raw in text.lines():
        line = raw.lstrip("\ufeff").rstrip()
        match = TAG_LINE.match(line)
        if match is None:
            if fields is not None and last and line.strip():
                values = fields.values.get(tags.ENDNOTE_TAGGED.get(last) or "")
                if values:
                    values[-1] += " " + line.strip()
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag == "%0":
            if fields is not None:
                yield build(fields, file=text.name, line=start, fmt=NAME, encoding=encoding)
            fields, start = Fields(), number
        elif fields is None:
            fields, start = Fields(), number
            fields.warnings.append("record without a %0 line")
        last = tag
        if tag == "%K":
            # Keywords: one a line in EndNote's export, or ;-separated.
            fields.add("keywords", value.replace("\n", ";"))
        else:
            fields.add(tags.ENDNOTE_TAGGED.get(tag), value)
    if fields is not None:
        yield build(fields, file=text.name, line=start, fmt=NAME, encoding=encoding)
