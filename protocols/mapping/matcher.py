"""Find vocabulary terms in text: one Aho-Corasick automaton over canonical words.

The automaton (pyahocorasick) finds every term in one pass over the text, so the cost
grows with the length of the text, not with the number of terms. Terms are keyed as
" w1 w2 " on the canonical text (see ``text.py``), which makes every match a match of
whole words. Of overlapping matches the longest wins.
"""

from __future__ import annotations

from collections.abc import Iterable

import ahocorasick
from attrs import frozen

from protocols.mapping.text import Text, term_keys


@frozen
class Label:
    """What a term stands for: a code of a kind (``outcomes``/``pain_intensity``), or a cue."""

    kind: str
    code: str


@frozen
class Hit:
    """One match: word indexes ``first``..``last`` (inclusive) and the source span."""

    labels: tuple[Label, ...]
    first: int
    last: int
    start: int
    end: int
    text: str

    @property
    def size(self) -> int:
        return self.last - self.first + 1

    def has(self, kind: str) -> bool:
        return any(label.kind == kind for label in self.labels)

    def codes(self, kind: str) -> list[str]:
        return [label.code for label in self.labels if label.kind == kind]


class Matcher:
    """An automaton over a set of (term, kind, code) triples."""

    def __init__(self, terms: Iterable[tuple[str, str, str]]):
        table: dict[str, tuple[int, list[Label]]] = {}
        for term, kind, code in terms:
            for key in term_keys(term):
                joined = " " + " ".join(key) + " "
                size, labels = table.setdefault(joined, (len(key), []))
                label = Label(kind, code)
                if label not in labels:
                    labels.append(label)
        self._automaton = ahocorasick.Automaton()
        for joined, (size, labels) in table.items():
            self._automaton.add_word(joined, (len(joined), size, tuple(labels)))
        self.size = len(table)
        if table:
            self._automaton.make_automaton()

    def find(self, text: Text) -> list[Hit]:
        """Every match in ``text``, overlapping ones included, in text order."""
        if not self.size or not text.words:
            return []
        hits = []
        for end_index, (length, size, labels) in self._automaton.iter(text.joined):
            first = text.word_at(end_index - length + 2)
            last = first + size - 1
            start, end = text.span(first, last)
            hits.append(Hit(labels, first, last, start, end, text.source[start:end]))
        hits.sort(key=lambda h: (h.first, -h.size))
        return hits


def longest(hits: list[Hit]) -> list[Hit]:
    """Keep the longest of overlapping matches (leftmost first on ties)."""
    chosen: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (-h.size, h.first)):
        if all(hit.last < c.first or hit.first > c.last for c in chosen):
            chosen.append(hit)
    chosen.sort(key=lambda h: h.first)
    return chosen
