"""Shared by the RIS and MEDLINE writers: values made safe for one tagged line."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from protocols.model import Record

_SPACES = re.compile(r"\s+")


def one_line(value: object) -> str:
    """The value as one line: control characters dropped, whitespace runs one space.

    Tagged formats have no escape: a line break would start a new tag, and control
    characters make the file look binary to readers.
    """
    text = "".join(ch for ch in str(value) if unicodedata.category(ch) != "Cc" or ch in "\t\n\r")
    return _SPACES.sub(" ", text).strip()


def records_of(view) -> Iterable[Record]:
    """The records of a catalogue view (or any iterable of records)."""
    return view.records() if hasattr(view, "records") else view
