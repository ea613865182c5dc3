"""Streaming XML for the XML readers: one element at a time, with its line number.

``lxml.etree.iterparse`` rather than ElementTree's: it gives each element's source
line (a reject must name its line) and clears as it goes. It is configured not to
resolve entities, load DTDs or touch the network, which closes the XML attacks
(external entities, billion laughs) that ``defusedxml`` guards ElementTree against.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from protocols.errors import UnreadableFile
from protocols.model import Reject
from protocols.records.decoding import TextInput


def text_of(element) -> str:
    """All the text inside ``element`` (``<style>`` runs, ``<i>``, MathML), spaces tidied."""
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def iter_elements(text: TextInput, tag: str) -> Iterator[object | Reject]:
    """Each ``tag`` element of the file, complete; a Reject where the XML breaks off."""
    seen = 0
    last_line = 1
    try:
        for _event, element in etree.iterparse(
            str(text.path),
            events=("end",),
            resolve_entities=False,
            load_dtd=False,
            no_network=True,
            huge_tree=False,
            recover=False,
        ):
            if local(element.tag) != tag:
                continue
            seen += 1
            last_line = element.sourceline or last_line
            yield element
            # Free what was read: memory stays flat however long the file.
            element.clear(keep_tail=False)
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or last_line
        if seen == 0:
            raise UnreadableFile(
                text.name, f"not well-formed XML (line {line}): {exc.msg}"
            ) from None
        yield Reject(
            file=text.name,
            line=line,
            reason=f"the XML breaks off here ({exc.msg}); records after line {last_line} are lost",
        )
