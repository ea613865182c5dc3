"""Negation and absence, read sensibly for each field.

- A condition or pathology after "without", "no", "free of" ... in the same clause is
  absent: "patients without sciatica" is not a specific population.
- An outcome is measured whatever the finding: "no adverse events occurred" still
  measured adverse events, "lack of exercise-induced hypoalgesia" still measured
  hypoalgesia. Outcomes therefore never ask this module.
- Exercise after "no" ("no exercise", "non-exercise control") is not an arm.
"""

from __future__ import annotations

import re

from protocols.mapping.cues import by_identity
from protocols.mapping.matcher import Hit
from protocols.mapping.text import Text, analyse

# How many words before a mention a negation cue may stand and still govern it.
WINDOW = 4
_CLAUSE_BREAK = re.compile(r"[,;:.()\[\]]|\b(?:but|and|or|whereas|while)\b", re.I)
# Advice runs over a list ("advised to keep walking and do home exercise").
_SENTENCE_BREAK = re.compile(r"[;:.()\[\]]|\b(?:but|whereas|while)\b", re.I)


@by_identity
def _cue_keys(cues: tuple[str, ...]) -> frozenset[tuple[str, ...]]:
    return frozenset(analyse(c).canons for c in cues)


@by_identity
def _cue_firsts(cues: tuple[str, ...]) -> frozenset[str]:
    return frozenset(key[0] for key in _cue_keys(cues))


def negated(
    text: Text, hit: Hit, cues: tuple[str, ...], window: int = WINDOW, lists: bool = False
) -> bool:
    """Is ``hit`` governed by one of ``cues`` a few words before it, in the same clause?"""
    canons = text.canons
    firsts = _cue_firsts(cues)
    if firsts.isdisjoint(canons[max(0, hit.first - window) : hit.first]):
        return False
    keys = _cue_keys(cues)
    sizes = {len(k) for k in keys}
    for back in range(1, window + 1):
        for size in sizes:
            first = hit.first - back
            last = first + size - 1
            if first < 0 or last >= hit.first:
                continue
            if canons[first : last + 1] in keys:
                between = text.source[text.ends[last] : hit.start]
                breaks = _SENTENCE_BREAK if lists else _CLAUSE_BREAK
                if not breaks.search(between):
                    return True
    return False


def sentence_has(text: Text, start: int, end: int, cues: tuple[str, ...]) -> bool:
    """Does the part ``start:end`` of ``text`` contain one of ``cues`` (as whole words)?"""
    first, stop = text.words_between(start, end)
    words = text.canons[first:stop]
    present = _cue_firsts(cues).intersection(words)
    if not present:
        return False
    # Only the cues that start with a word the sentence has can be in it: a cue of one
    # word is, and a longer one is when its words, joined with spaces, stand in the
    # sentence's words joined the same way (spaces around both keep whole words). One
    # search in C each, rather than a walk over the sentence's words in Python.
    joined = None
    by_first = _joined_cues_by_first(cues)
    for word in present:
        for key in by_first[word]:
            if key is None:
                return True
            if joined is None:
                joined = " " + " ".join(words) + " "
            if key in joined:
                return True
    return False


@by_identity
def _joined_cues_by_first(cues: tuple[str, ...]) -> dict[str, tuple[str | None, ...]]:
    """The cues by their first canonical word: None for a cue of that one word, else
    " w1 w2 ... " (the cue's words joined with spaces, a space before and after)."""
    by_first: dict[str, list[str | None]] = {}
    for key in _cue_keys(cues):
        joined = None if len(key) == 1 else " " + " ".join(key) + " "
        by_first.setdefault(key[0], []).append(joined)
    return {word: tuple(keys) for word, keys in by_first.items()}
