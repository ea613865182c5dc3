"""Normalised text that remembers where every word came from.

Matching happens on a canonical form of the text: case folded, Unicode-compatibility
forms unified (NFKC), punctuation, hyphens and spaces reduced to single spaces,
British spellings written the American way, plurals singular. Every canonical word
keeps the character span of the original word, so a match found in the canonical text
points back at the exact words of the record (``source[start:end]``).

We canonicalise word by word rather than with a stemmer library because the rules must
be applied identically to vocabulary terms and text, and must keep offsets; the few
rules below are all the matching needs.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from itertools import accumulate

from attrs import frozen

# A word: a run of letters and digits, or one CJK character (Chinese has no spaces, so
# each character is a word of its own and terms of several characters still match).
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
_SPLIT = re.compile(rf"([{_CJK}]|[^\W_{_CJK}]+)")
# The same for a text all ASCII (most are), where a word is letters and digits: faster.
# It splits alike a text whose only characters beyond ASCII are no word characters (±, ≥,
# ©, dashes, quotes: about a third of abstracts), as those can only lie between words.
_SPLIT_ASCII = re.compile(r"([A-Za-z0-9]+)")
_BEYOND_ASCII = re.compile(r"[^\x00-\x7f]")

# British -> American endings and stems (applied to both terms and text).
_SPELLING_SUFFIXES = (
    ("isations", "izations"),
    ("isation", "ization"),
    ("ising", "izing"),
    ("ised", "ized"),
    ("ises", "izes"),
    ("iser", "izer"),
    ("ise", "ize"),
    ("ysing", "yzing"),
    ("ysed", "yzed"),
    ("yse", "yze"),
    ("ogue", "og"),
    ("tre", "ter"),
    ("tres", "ters"),
)
_SPELLING_INFIXES = (
    ("iour", "ior"),
    ("bour", "bor"),
    ("lour", "lor"),
    ("mour", "mor"),
    ("vour", "vor"),
    ("paed", "ped"),
    ("anaes", "anes"),
    ("haem", "hem"),
    ("oedem", "edem"),
    ("oesoph", "esoph"),
    ("manoeuv", "maneuv"),
    ("programme", "program"),
)


def canonical_word(word: str) -> str:
    """The canonical form of one word (see the module docstring)."""
    return _CANONICAL[word]


def _canonical_word(word: str) -> str:
    w = unicodedata.normalize("NFKC", word).casefold()
    if not w.isalnum():
        w = "".join(ch for ch in w if ch.isalnum())
    # Abbreviations in capitals (HADS, ODI) are names, not English words: no rules apply.
    if len(w) < 4 or not w.isascii() or not w.isalpha() or (word.isupper() and len(word) <= 5):
        return w
    for british, american in _SPELLING_INFIXES:
        if british in w:
            w = w.replace(british, american)
    for british, american in _SPELLING_SUFFIXES:
        if w.endswith(british) and len(w) > len(british) + 1:
            w = w[: -len(british)] + american
            break
    # Plurals: one rule for both sides, so "exercises" and "exercise" meet.
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith(("ches", "shes", "sses", "xes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is", "ys", "as")):
        w = w[:-1]
    return w


class _CanonicalMemo(dict[str, str]):
    """Canonical forms of the words seen, filled on a miss: a plain dict looked up from C
    (``map(memo.__getitem__, words)``) costs half of ``lru_cache``'s wrapper, and words
    repeat from text to text. A cache only, a word's form depends on the word alone."""

    LIMIT = 65_536  # emptied when it reaches this (a long run's numbers and names)

    def __missing__(self, word: str) -> str:
        if len(self) >= self.LIMIT:
            self.clear()
        canon = self[word] = _canonical_word(word)
        return canon


_CANONICAL = _CanonicalMemo()


@frozen
class Text:
    """A source text split into canonical words.

    Word ``i`` is ``canons[i]`` and came from ``source[starts[i]:ends[i]]`` (parallel
    tuples rather than one object a word: a record has hundreds of words and this is the
    mapping's hot path). ``joined`` is " w1 w2 ... wn " (a space before and after each
    word), so a term written the same way matches on whole words only; the spaces before
    a place in ``joined`` count the words that start before it.
    """

    source: str
    canons: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    joined: str

    def __len__(self) -> int:
        return len(self.canons)

    def words_between(self, start: int, end: int) -> tuple[int, int]:
        """The range ``(first, stop)`` of words lying inside ``source[start:end]``."""
        return bisect_left(self.starts, start), bisect_right(self.ends, end)


def analyse_python(source: str) -> Text:
    """``analyse`` in pure Python: the reference, and the path without the accelerator."""
    # One split keeps words and what lies between them; the offsets are then running
    # sums of the pieces' lengths. All of it runs in C: this is the mapping's hot path.
    pieces = _SPLIT_ASCII.split(source)
    # Beyond ASCII, split again only if a character between those words is a word
    # character (\w is ``isalnum``, or "_", which is ASCII): é, µ, ², CJK.
    ascii_words = source.isascii() or not any(
        map(str.isalnum, _BEYOND_ASCII.findall("".join(pieces[0::2])))
    )
    if not ascii_words:
        pieces = _SPLIT.split(source)
    return _text_of_pieces(source, pieces, ascii_words)


def _text_of_pieces(source: str, pieces: list[str], ascii_words: bool) -> Text:
    """The Text of ``pieces``, a regex split of ``source``: between, word, ..., between."""
    # Tuples sliced from tuples: no list copied again to become the Text's fields.
    canons = tuple(map(_CANONICAL.__getitem__, pieces[1::2]))
    bounds = tuple(accumulate(map(len, pieces)))  # pieces: between, word, ..., between
    starts, ends = bounds[:-1:2], bounds[1::2]
    # A word that is all marks after NFKC (rare): drop it. (An ASCII word never is.)
    if not ascii_words and "" in canons:
        kept = [i for i, c in enumerate(canons) if c]
        canons = tuple(canons[i] for i in kept)
        starts = tuple(starts[i] for i in kept)
        ends = tuple(ends[i] for i in kept)
    joined = " " + " ".join(canons) + " " if canons else " "
    return Text(source, canons, starts, ends, joined)


def analyse_accelerated(source: str) -> Text:
    """``analyse`` with the compiled ASCII-words path (``_scan.pyx``); the same result."""
    scanned = _scan.ascii_words(source, _CANONICAL)
    if scanned is None:  # a word character beyond ASCII: the general pattern, in Python
        return _text_of_pieces(source, _SPLIT.split(source), ascii_words=False)
    return Text(source, *scanned)


# ``analyse(source)`` splits ``source`` into canonical words, keeping each one's source
# span. This is the one place that chooses its path: the accelerator is built where a C
# compiler was at hand when the package was installed (setup.py); elsewhere, or if it
# fails to import, the pure-Python path runs (the same results, slower).
try:
    from protocols.mapping import _scan
except ImportError:
    _scan = None
ACCELERATED = _scan is not None
analyse = analyse_accelerated if ACCELERATED else analyse_python


def term_keys(term: str) -> list[tuple[str, ...]]:
    """The canonical word sequences a vocabulary term matches.

    A hyphen inside a term means "joined or split": ``non-specific`` gives
    ``non specific`` and ``nonspecific``.
    """
    pieces = re.split(r"(?<=\w)-(?=\w)", term)
    variants = [pieces[0]]
    for piece in pieces[1:]:
        variants = [v + " " + piece for v in variants] + [v + piece for v in variants]
    keys = []
    for variant in variants:
        key = analyse(variant).canons
        if key and key not in keys:
            keys.append(key)
    return keys


# Characters that a regex ignoring case takes for an ASCII letter but that lower-casing does
# not make that letter (the long s, the Kelvin sign, the dotted and the dotless I).
FOLDED_ODDLY = ("\u017f", "\u212a", "\u0130", "\u0131")
_LETTER_OUTSIDE_ESCAPES = re.compile(r"\\.|\(\?P<\w+>|\(\?P=\w+\)|[A-Z]")


def folds_oddly(text: str) -> bool:
    return not text.isascii() and any(ch in text for ch in FOLDED_ODDLY)


class Caseless:
    """A regex that ignores case, run where it can as a case-sensitive one on the
    lower-cased text: Python's ``re`` cannot skip ahead to where a match may start when it
    ignores case, and is several times slower.

    ``Caseless(pattern).on(text)`` gives the compiled pattern and the text to run it on;
    the matches and their offsets are those of ``re.compile(pattern, re.I)`` on ``text``.
    (Lower-casing keeps every offset of a text without the dotted I, and an ASCII letter
    ignoring case is its two cases and, for i, k and s, the ``FOLDED_ODDLY`` characters:
    a text with one of those runs the case-ignoring pattern itself.)
    """

    def __init__(self, pattern: str):
        self.caseless = re.compile(pattern, re.I)
        # Lower-case the pattern's letters, not its escapes (\\D stays \\D) nor group names.
        lowered = _LETTER_OUTSIDE_ESCAPES.sub(
            lambda m: m.group() if len(m.group()) > 1 else m.group().lower(), pattern
        )
        self.lower = re.compile(lowered)

    def on(self, text: str) -> tuple[re.Pattern[str], str]:
        if folds_oddly(text):
            return self.caseless, text
        return self.lower, text.lower()
