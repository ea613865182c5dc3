"""Open an input file as text: find its encoding, refuse what is not text.

Every reader gets a ``TextInput``; none opens files itself, so the encoding rules
hold for every format.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from attrs import frozen

from protocols.errors import UnreadableFile

HEAD_BYTES = 64 * 1024
REPLACED = " (invalid bytes replaced)"
_CHUNK = 1 << 20
# The legacy encodings tried when the bytes are not UTF-8. Both decode almost any
# bytes without an error (GBK takes "\xe9a", Latin-1 "é" before "a", as one Chinese
# character; cp1252 takes GBK pairs as two accented letters), so the order is decided
# per file by ``_legacy_order`` from how the non-ASCII bytes are laid out.
_LEGACY = ("gb18030", "cp1252", "latin-1")


@frozen
class TextInput:
    """A decodable text file: where it is, how it is encoded, its first characters."""

    path: Path
    encoding: str  # a Python codec name; "utf-8-sig" strips a BOM
    head: str
    # "replace" only for a UTF-8 file with a few invalid bytes: they become U+FFFD
    # and every record says so (``encoding_label``), rather than the file being lost
    # or the whole of it read as cp1252 mojibake.
    errors: str = "strict"

    @property
    def name(self) -> str:
        return str(self.path)

    def open(self) -> TextIO:
        # newline=None: Windows and old Mac line endings read as "\n".
        return open(self.path, encoding=self.encoding, errors=self.errors, newline=None)

    def lines(self) -> Iterator[tuple[int, str]]:
        """(1-based line number, line without its end) for every line of the file."""
        with self.open() as stream:
            for number, line in enumerate(stream, start=1):
                yield number, line.rstrip("\n")

    @property
    def encoding_label(self) -> str:
        """The encoding as a record reports it ("utf-8" for UTF-8 with or without BOM)."""
        label = "utf-8" if self.encoding in ("utf-8", "utf-8-sig") else self.encoding
        return label + REPLACED if self.errors == "replace" else label


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with open(path, "rb") as stream:
            while chunk := stream.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _text_input(path: Path, encoding: str, head_bytes: bytes, errors: str = "strict") -> TextInput:
    # "ignore" only for the head: its last character may be cut in two.
    head = head_bytes.decode(encoding, errors="ignore" if errors == "strict" else errors)
    if not _is_text(head):
        raise UnreadableFile(str(path), "binary file, not a text export")
    return TextInput(path=path, encoding=encoding, head=head, errors=errors)


def _looks_like_utf16(head: bytes) -> str | None:
    """UTF-16 without a BOM: every other byte of ASCII text is zero."""
    sample = head[:4096]
    if len(sample) < 4:
        return None
    even_zero = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd_zero = sample[1::2].count(0) / max(1, len(sample[1::2]))
    if odd_zero > 0.4 and even_zero < 0.05:
        return "utf-16-le"
    if even_zero > 0.4 and odd_zero < 0.05:
        return "utf-16-be"
    return None


def _is_text(head: str) -> bool:
    if not head:
        return True
    controls = sum(1 for ch in head if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    return controls / len(head) < 0.01


def open_input(path: str | Path) -> TextInput:
    """Decide how to read ``path`` as text, or raise ``UnreadableFile`` saying why."""
    path = Path(path)
    try:
        with open(path, "rb") as stream:
            head_bytes = stream.read(HEAD_BYTES)
    except IsADirectoryError:
        raise UnreadableFile(str(path), "is a directory, not a file") from None
    except OSError as exc:
        raise UnreadableFile(str(path), exc.strerror or str(exc)) from None
    if not head_bytes.strip():
        raise UnreadableFile(str(path), "file is empty")

    if head_bytes.startswith(codecs.BOM_UTF8):
        candidates: tuple[str, ...] = ("utf-8-sig",)
    elif head_bytes.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)
    elif utf16 := _looks_like_utf16(head_bytes):
        candidates = (utf16,)
    elif b"\x00" in head_bytes:
        raise UnreadableFile(str(path), "binary file (contains NUL bytes), not a text export")
    elif _decodes(path, "utf-8"):
        candidates = ("utf-8",)
    else:
        # Not UTF-8: judge from the non-ASCII bytes of the whole file, not only its head.
        sample = _non_ascii_sample(path)
        if _mostly_utf8(sample):
            # UTF-8 with a few broken bytes: a legacy encoding would garble every accent.
            return _text_input(path, "utf-8", head_bytes, errors="replace")
        candidates = _legacy_order(sample)

    for encoding in candidates:
        if encoding == "utf-8" or _decodes(path, encoding):
            return _text_input(path, encoding, head_bytes)
    raise UnreadableFile(
        str(path), f"cannot decode the file as text (tried {', '.join(candidates)})"
    )


_AROUND_HIGH = re.compile(rb"[\x00-\x7f]{0,4}[\x80-\xff]+[\x00-\x7f]{0,4}")


def _non_ascii_sample(path: Path, limit: int = HEAD_BYTES) -> bytes:
    """Up to ``limit`` bytes of the file's non-ASCII runs, with a little context."""
    parts: list[bytes] = []
    size = 0
    with open(path, "rb") as stream:
        while size < limit and (chunk := stream.read(_CHUNK)):
            for match in _AROUND_HIGH.finditer(chunk):
                parts.append(match.group(0))
                size += len(parts[-1])
                if size >= limit:
                    break
    return b"".join(parts)


_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _mostly_utf8(sample: bytes) -> bool:
    """Are nine in ten non-ASCII bytes parts of valid UTF-8 sequences?"""
    high = sum(1 for b in sample if b >= 0x80)
    in_sequences = sum(len(m) for m in _UTF8_SEQUENCE.findall(sample))
    return high > 0 and in_sequences >= 0.9 * high


def _legacy_order(sample: bytes) -> tuple[str, ...]:
    """The legacy encodings, likeliest first, judged from the runs of non-ASCII bytes.

    Chinese text in GBK/GB18030 is a run of byte pairs, nearly all both in
    0xA1-0xFE (the GB2312 range) and mostly several characters long. Western text in
    Latin-1/cp1252 has mostly lone accented letters between ASCII ones. A file whose
    high bytes sit mostly in even-length GB2312 runs of two or more bytes reads as
    GB18030 first; any other as cp1252 first.
    """
    runs = [len(run) for run in _HIGH_RUN.findall(sample)]
    if not runs:
        return _LEGACY
    paired = sum(n for n in runs if n >= 2 and n % 2 == 0)
    total = sum(runs)
    gb_range = sum(1 for b in sample if b >= 0xA1) / max(1, sum(1 for b in sample if b >= 0x80))
    if paired / total >= 0.8 and gb_range >= 0.9:
        return _LEGACY
    return ("cp1252", "latin-1", "gb18030")


_HIGH_RUN = re.compile(rb"[\x80-\xff]+")
