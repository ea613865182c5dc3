"""Find vocabulary terms in text: one Aho-Corasick automaton over canonical words.

The automaton (pyahocorasick) finds every term in one pass over the text, so the cost
grows with the length of the text, not with the number of terms. Terms are keyed as
" w1 w2 " on the canonical text (see ``text.py``), which makes every match a match of
whole words. Of overlapping matches the longest wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import ahocorasick

from protocols.mapping.text import Text, term_keys


class Label(NamedTuple):
    """What a term stands for: a code of a kind (``outcomes``/``pain_intensity``), or a cue."""

    kind: str
    code: str


class Hit(NamedTuple):
    """One match: word indexes ``first``..``last`` (inclusive) and the source span.

    A NamedTuple rather than an attrs class: a record has dozens of matches and
    building them is on the mapping's hot path.
    """

    # Word indexes first, so that hits sort by position as plain tuples.
    first: int
    last: int
    start: int
    end: int
    text: str
    labels: tuple[Label, ...]
    kinds: frozenset[str]

    @property
    def size(self) -> int:
        return self.last - self.first + 1

    def has(self, kind: str) -> bool:
        return kind in self.kinds

    def codes(self, kind: str) -> list[str]:
        return [label.code for label in self.labels if label.kind == kind]


class Matcher:
    """An automaton over a set of (term, kind, code) triples."""

    def __init__(self, terms: Iterable[tuple[str, str, str]]):
        self._build((key, kind, code) for term, kind, code in terms for key in term_keys(term))

    @classmethod
    def of_keys(cls, keyed: Iterable[tuple[tuple[str, ...], str, str]]) -> Matcher:
        """A matcher over terms already in canonical words: (words, kind, code) triples."""
        matcher = cls.__new__(cls)
        matcher._build(keyed)
        return matcher

    def _build(self, keyed: Iterable[tuple[tuple[str, ...], str, str]]) -> None:
        table: dict[str, tuple[int, list[Label]]] = {}
        for key, kind, code in keyed:
            joined = " " + " ".join(key) + " "
            size, labels = table.setdefault(joined, (len(key), []))
            label = Label(kind, code)
            if label not in labels:
                labels.append(label)
        self._automaton = ahocorasick.Automaton()
        for joined, (size, labels) in table.items():
            kinds = frozenset(label.kind for label in labels)
            self._automaton.add_word(joined, (size, tuple(labels), kinds))
        self.size = len(table)
        if table:
            self._automaton.make_automaton()

    def find(self, text: Text) -> list[Hit]:
        """Every match in ``text``, overlapping ones included, in text order."""
        if not self.size or not text.canons:
            return []
        hits = []
        source, starts, ends, joined = text.source, text.starts, text.ends, text.joined
        append, new = hits.append, tuple.__new__
        # Matches come in the order of their ends; the spaces before a match's end count
        # the words up to its last one (see ``Text``), so a running count finds it.
        count = joined.count
        spaces, counted_to = 0, 0
        for end_index, (size, labels, kinds) in self._automaton.iter(joined):
            spaces += count(" ", counted_to, end_index)
            counted_to = end_index
            last = spaces - 1
            first = last - size + 1
            start, end = starts[first], ends[last]
            # tuple.__new__ builds the NamedTuple without its Python-level __new__ (hot path).
            append(new(Hit, (first, last, start, end, source[start:end], labels, kinds)))
        hits.sort()  # by first word, then last
        return hits


def longest(hits: list[Hit]) -> list[Hit]:
    """Keep the longest of overlapping matches (leftmost first on ties)."""
    if len(hits) < 2:
        return list(hits)
    # Most matches overlap nothing: sweep once, and settle only the overlapping clusters.
    out: list[Hit] = []
    cluster: list[Hit] = []
    reach = -1
    for hit in hits:  # in order of first word
        if cluster and hit.first > reach:
            out.extend(cluster if len(cluster) == 1 else _settle(cluster))
            cluster = []
        if not cluster or hit.last > reach:
            reach = hit.last
        cluster.append(hit)
    out.extend(cluster if len(cluster) == 1 else _settle(cluster))
    return out


def _settle(hits: list[Hit]) -> list[Hit]:
    """Longest first, then leftmost, among matches that overlap."""
    # Usual case: one match covers all the others ("pain" inside "low back pain"). The
    # widest is the longest, leftmost first: the hits come in order of their first word.
    widest, reach = hits[0], hits[0].last
    for hit in hits:
        if hit.last - hit.first > widest.last - widest.first:
            widest = hit
        if hit.last > reach:
            reach = hit.last
    if widest.first <= hits[0].first and reach <= widest.last:
        return [widest]
    taken: set[int] = set()  # word indexes already covered by a longer match
    chosen: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (-h.size, h.first)):
        words = range(hit.first, hit.last + 1)
        if not any(i in taken for i in words):
            taken.update(words)
            chosen.append(hit)
    chosen.sort(key=lambda h: h.first)
    return chosen
