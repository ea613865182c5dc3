"""Readers of bibliographic export files: one module a format, registered here.

Each format has ``NAME``, ``sniff(head: str) -> bool`` (does this text look like
my format?) and ``parse(text: TextInput) -> Iterator[Record | Reject]``. Adding a
format is one new module and one line in ``FORMATS``. Detection tries the formats
in ``FORMATS`` order, so the more specific ones come first: the portal page and
the XML and JSON formats are unmistakable; Web of Science before RIS (a WoS file
can carry a ``.ris`` name); MEDLINE before RIS (both write ``XX  - ``, only RIS
writes ``TY``/``ER``); CSV last, Scopus before the generic CSV.

``read_files`` is the entry point of ``protocat records`` and ``protocat ingest``:
it streams the records of several files, merged across files (``merge.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from protocols.errors import UnreadableFile, UsageError
from protocols.model import Record, Reject
from protocols.records import (
    bibtex,
    csl_json,
    csv_export,
    endnote_tagged,
    endnote_xml,
    medline,
    ovid,
    portal,
    pubmed_xml,
    ris,
    wos,
)
from protocols.records.decoding import TextInput, open_input
from protocols.records.merge import FileCount, ReadResult, merge_records

FORMATS: dict[str, Any] = {
    reader.NAME: reader
    for reader in (
        portal,
        pubmed_xml,
        endnote_xml,
        csl_json,
        wos,
        medline,
        ris,
        endnote_tagged,
        ovid,
        bibtex,
        csv_export.SCOPUS,
        csv_export.GENERIC,
    )
}

__all__ = ["FORMATS", "FileCount", "ReadResult", "detect", "read_file", "read_files"]


def detect(text: TextInput) -> str:
    """The name of the format of ``text``, judged by content; ``UnreadableFile`` if none."""
    for name, reader in FORMATS.items():
        if reader.sniff(text.head):
            return name
    raise UnreadableFile(
        text.name,
        "not a bibliographic export protocat can read (formats: " + ", ".join(FORMATS) + ")",
    )


def _check_format(fmt: str | None) -> None:
    if fmt is not None and fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")


def read_file(path: str | Path, fmt: str | None = None) -> Iterator[Record | Reject]:
    """Every record of one file, or a Reject (file, line, reason) for each one that fails.

    Raises ``UnreadableFile`` when the file as a whole cannot be read.
    """
    _check_format(fmt)
    text = open_input(path)
    name = fmt or detect(text)
    try:
        yield from FORMATS[name].parse(text)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(text.name, f"cannot decode as {text.encoding}: {exc.reason}") from None
    except (ValueError, TypeError, LookupError, RecursionError) as exc:
        # A reader met input it has no rule for; the file is reported, never a traceback.
        raise UnreadableFile(text.name, f"cannot read as {name}: {exc}") from None


def read_files(
    paths: Iterable[str | Path], fmt: str | None = None, *, merge: bool = True
) -> ReadResult:
    """Read several export files as one stream of records, merged across files.

    Returns a ``ReadResult`` at once; iterate ``result.records()`` (or
    ``result.items()`` for records and rejects interleaved) to read. While and
    after iterating, ``result.rejects``, ``result.duplicates``, ``result.files``
    (per-file counts and format) and ``result.errors`` (``UnreadableFile`` of
    files skipped as a whole) say what happened. With ``merge=False`` every
    record is passed through as read.
    """
    _check_format(fmt)
    return ReadResult(paths=[Path(p) for p in paths], fmt=fmt, merge=merge, reader=_read_one)


def _read_one(path: Path, fmt: str | None) -> tuple[str, Iterator[Record | Reject]]:
    text = open_input(path)
    name = fmt or detect(text)

    def items() -> Iterator[Record | Reject]:
        try:
            yield from FORMATS[name].parse(text)
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                text.name, f"cannot decode as {text.encoding}: {exc.reason}"
            ) from None
        except (ValueError, TypeError, LookupError, RecursionError) as exc:
            raise UnreadableFile(text.name, f"cannot read as {name}: {exc}") from None

    return name, items()


__all__ += ["merge_records"]
