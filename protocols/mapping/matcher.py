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
    """An automaton over a set of (term, kind, code) triples.

    ``apart``: further terms, already in canonical words ((words, kind, code) triples),
    looked for in the same pass over the text but reported apart (``find_apart``), never
    among the matches of ``find``: one pass of the automaton rather than two.
    """

    def __init__(
        self,
        terms: Iterable[tuple[str, str, str]],
        apart: Iterable[tuple[tuple[str, ...], str, str]] = (),
    ):
        self._build(
            ((key, kind, code) for term, kind, code in terms for key in term_keys(term)), apart
        )

    @classmethod
    def of_keys(cls, keyed: Iterable[tuple[tuple[str, ...], str, str]]) -> Matcher:
        """A matcher over terms already in canonical words: (words, kind, code) triples."""
        matcher = cls.__new__(cls)
        matcher._build(keyed, ())
        return matcher

    def _build(
        self,
        keyed: Iterable[tuple[tuple[str, ...], str, str]],
        apart: Iterable[tuple[tuple[str, ...], str, str]],
    ) -> None:
        # joined key -> (size, labels, labels of the terms apart)
        table: dict[str, tuple[int, list[Label], list[Label]]] = {}
        for labels_at, triples in ((1, keyed), (2, apart)):
            for key, kind, code in triples:
                joined = " " + " ".join(key) + " "
                labels = table.setdefault(joined, (len(key), [], []))[labels_at]
                label = Label(kind, code)
                if label not in labels:
                    labels.append(label)
        self._automaton = ahocorasick.Automaton()
        for joined, (size, labels, apart_labels) in table.items():
            kinds = frozenset(label.kind for label in labels)
            apart_kinds = frozenset(label.kind for label in apart_labels)
            self._automaton.add_word(
                joined, (size, tuple(labels), kinds, tuple(apart_labels), apart_kinds)
            )
        self.size = len(table)
        if table:
            self._automaton.make_automaton()

    def find(self, text: Text) -> list[Hit]:
        """Every match in ``text``, overlapping ones included, in text order."""
        return self.find_apart(text)[0]

    def find_apart(self, text: Text) -> tuple[list[Hit], list[Hit]]:
        """The matches of the terms, and those of the terms apart, each as ``find`` gives them."""
        hits: list[Hit] = []
        apart: list[Hit] = []
        if not self.size or not text.canons:
            return hits, apart
        source, starts, ends, joined = text.source, text.starts, text.ends, text.joined
        new = tuple.__new__
        # Matches come in the order of their ends; the spaces before a match's end count
        # the words up to its last one (see ``Text``), so a running count finds it.
        count = joined.count
        spaces, counted_to = 0, 0
        for end_index, (size, labels, kinds, apart_labels, apart_kinds) in self._automaton.iter(
            joined
        ):
            spaces += count(" ", counted_to, end_index)
            counted_to = end_index
            last = spaces - 1
            first = last - size + 1
            start, end = starts[first], ends[last]
            words = source[start:end]
            # tuple.__new__ builds the NamedTuple without its Python-level __new__ (hot path).
            if labels:
                hits.append(new(Hit, (first, last, start, end, words, labels, kinds)))
            if apart_labels:
                apart.append(new(Hit, (first, last, start, end, words, apart_labels, apart_kinds)))
        hits.sort()  # by first word, then last
        apart.sort()
        return hits, apart


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
