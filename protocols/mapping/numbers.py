"""Numbers written as digits or words ("eight", "Thirty-three", "twice"), as regex parts."""

from __future__ import annotations

import re
from functools import cache

from protocols.mapping.cues import Cues

# Every dash a record may use between two numbers or inside a number word.
DASH = "\\-\u2010\u2011\u2012\u2013\u2014\u2212"
_WORD_PARTS = re.compile(rf"[{DASH} ]+")


@cache
def number_pattern(cues: Cues) -> str:
    """A regex (no groups) for one number: digits or words up to ninety-nine."""
    units = "|".join(sorted(cues.number_units, key=len, reverse=True))
    tens = "|".join(cues.number_tens)
    words = rf"(?:(?:{tens})(?:[{DASH} ]?(?:{units}))?|{units})"
    # The look-ahead lets the regex engine skip, cheaply, every position where no number
    # can start (number words start with one of these letters).
    return rf"(?:\b(?=[0-9zotfsenZOTFSEN])(?:\d+(?:\.\d+)?|{words}\b))"


@cache
def number_regex(cues: Cues) -> re.Pattern[str]:
    """``number_pattern`` compiled (ignoring case), once."""
    return re.compile(number_pattern(cues), re.I)


@cache
def range_pattern(cues: Cues) -> str:
    """One number or a range of two ("2-3", "two to three", "2 vs 3", "40–60")."""
    n = number_pattern(cues)
    return rf"{n}(?:\s*(?:[{DASH}]|to|or|vs\.?|versus)\s*{n})?"


def word_value(word: str, cues: Cues) -> float | None:
    """The value of one number written in digits or words; None if it is not one."""
    w = word.strip().casefold()
    try:
        return float(w)
    except ValueError:
        pass
    if w in cues.number_times:
        return float(cues.number_times[w])
    if w in cues.number_one:
        return 1.0
    parts = _WORD_PARTS.split(w)
    total = 0.0
    for part in parts:
        if part in cues.number_units:
            total += cues.number_units.index(part)
        elif part in cues.number_tens:
            total += 20 + 10 * cues.number_tens.index(part)
        else:
            return None
    return total


def parse_amount(text: str, cues: Cues):
    """A number or a (low, high) range from the text of ``range_pattern``; None if unreadable."""
    values = [word_value(m.group(), cues) for m in number_regex(cues).finditer(text)]
    values = [v for v in values if v is not None]
    if not values:
        return None
    values = [int(v) if v == int(v) else v for v in values]
    if len(values) == 1 or values[0] == values[1]:
        return values[0]
    low, high = values[0], values[1]
    return (low, high) if low < high else None
