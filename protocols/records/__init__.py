"""Readers of bibliographic export files: one module a format, registered here.

Each format module has ``NAME``, ``sniff(head: str) -> bool`` (does this text look
like my format?) and ``parse(text: TextInput) -> Iterator[Record | Reject]``.
Adding a format is one new module and one line in ``FORMATS``. Detection tries
the formats in ``FORMATS`` order, so the more specific ones come first.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from protocols.errors import UnreadableFile, UsageError
from protocols.model import Record, Reject
from protocols.records import portal
from protocols.records.decoding import TextInput, open_input

FORMATS: dict[str, ModuleType] = {module.NAME: module for module in (portal,)}


def detect(text: TextInput) -> str:
    """The name of the format of ``text``, judged by content; ``UnreadableFile`` if none."""
    for name, module in FORMATS.items():
        if module.sniff(text.head):
            return name
    raise UnreadableFile(
        text.name,
        "not a bibliographic export protocat can read (formats: " + ", ".join(FORMATS) + ")",
    )


def read_file(path: str | Path, fmt: str | None = None) -> Iterator[Record | Reject]:
    """Every record of one file, or a Reject (file, line, reason) for each one that fails.

    Raises ``UnreadableFile`` when the file as a whole cannot be read.
    """
    if fmt is not None and fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    text = open_input(path)
    name = fmt or detect(text)
    try:
        yield from FORMATS[name].parse(text)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(text.name, f"cannot decode as {text.encoding}: {exc.reason}") from None
