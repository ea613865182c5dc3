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
    canons = text.canons
    if _cue_firsts(cues).isdisjoint(canons[first:stop]):
        return False
    by_first = _cues_by_first(cues)
    for i in range(first, stop):
        for key in by_first.get(canons[i], ()):
            if i + len(key) <= stop and canons[i : i + len(key)] == key:
                return True
    return False


@by_identity
def _cues_by_first(cues: tuple[str, ...]) -> dict[str, tuple[tuple[str, ...], ...]]:
    """The cues as canonical words, by their first word."""
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for key in _cue_keys(cues):
        by_first.setdefault(key[0], []).append(key)
    return {word: tuple(keys) for word, keys in by_first.items()}
