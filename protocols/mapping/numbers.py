"""Numbers written as digits or words ("eight", "Thirty-three", "twice"), as regex parts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from protocols.mapping.cues import Cues
from protocols.mapping.text import Text

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


# Where a number may start. The patterns that begin with ``number_pattern`` are long, and
# trying them at every position of a sentence was a main cost of the mapping: they are
# tried only where a word that may start a number starts (``scan``).


@cache
def _number_forms(cues: Cues) -> frozenset[str]:
    """Every word a number written in words can be: ``number_pattern`` asks for a word
    boundary before and after one, so it is a unit, a tens word or the two run together
    ("twentyfive"); "twenty-five" is two words and starts at the first."""
    units, tens = cues.number_units, cues.number_tens
    return frozenset(units).union(tens, (t + u for t in tens for u in units))


def number_starts(text: Text, words: range, offset: int, cues: Cues) -> list[int]:
    """Where, counted from ``offset``, a ``number_pattern`` may start among ``words`` (a
    range of word indexes of ``text``): at a word that starts with a digit or is a number
    word.

    The canonical words keep a number word as it is, and a word that starts with a digit
    still starts with it; being letters and digits only, such a word sorts before ":"
    (the character after "9"). For a pattern run on lower-cased text; ignoring case, the
    dotless "ı" would stand for "i" and the canonical form does not make it one.
    """
    forms = _number_forms(cues)
    starts = text.starts
    return [
        starts[i] - offset
        for i, c in enumerate(text.canons[words.start : words.stop], words.start)
        if c < ":" or c in forms
    ]


def scan(pattern: re.Pattern[str], target: str, starts: list[int] | None) -> Iterator[re.Match]:
    """The matches of ``pattern.finditer(target)``, trying only the positions ``starts``
    (every position where a match may begin, in order); all positions if None.

    The same matches as ``finditer``: a search takes the first position where the
    pattern matches, and no match begins elsewhere. (For patterns that never match the
    empty string.)
    """
    if starts is None:
        yield from pattern.finditer(target)
        return
    at = 0
    for pos in starts:
        if pos >= at:
            m = pattern.match(target, pos)
            if m:
                yield m
                at = m.end()
