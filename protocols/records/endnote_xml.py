"""EndNote XML (``<xml><records><record>``): values sit inside ``<style>`` runs.

``ref-type`` is numeric with the name in an attribute (``<ref-type name="Journal
Article">17</ref-type>``): the name is kept as the publication type.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from protocols.model import Record, Reject
from protocols.records import tags
from protocols.records.build import Fields, build
from protocols.records.decoding import TextInput
from protocols.records.xmlstream import iter_elements, text_of

NAME = "endnote-xml"


def sniff(head: str) -> bool:
    return bool(re.search(r"<xml>\s*<records>\s*<record>", head[:20000])) or (
        "<records>" in head[:20000] and "<ref-type" in head
    )


def _fields(record) -> Fields:
    fields = Fields()
    for path, name in tags.ENDNOTE_XML.items():
        for element in record.findall(path):
            value = text_of(element)
            if name == "keywords":
                # One keyword an element, or several one a line inside one.
                for part in "".join(element.itertext()).splitlines():
                    fields.add("keyword", part.strip())
            else:
                fields.add(name, value)
    kind = record.find("ref-type")
    if kind is not None:
        fields.add("type", kind.get("name") or text_of(kind))
    return fields


def parse(text: TextInput) -> Iterator[Record | Reject]:
    encoding = text.encoding_label
    for item in iter_elements(text, "record"):
        if isinstance(item, Reject):
            yield item
            continue
        yield build(
            _fields(item), file=text.name, line=item.sourceline or 1, fmt=NAME, encoding=encoding
        )
