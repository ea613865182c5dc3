"""Section labels and sentences: the quick ways of finding them find what a plain scan finds."""

from __future__ import annotations

import re
from bisect import bisect_left

from hypothesis import given, settings
from hypothesis import strategies as st

from protocols.mapping import sections
from protocols.mapping.cues import default_cues
from protocols.mapping.text import Text, analyse

LABELS = sections._role_labels(default_cues())
_INDENT = re.compile(r"[ \t]*")
_PIECES = ["METHODS", "Methods", "methods", "Results", "AIMS", "Aim", "Background", "Study"]
_PIECES += [":", ".", "!", "?", " ", "  ", "\t", "\n", " \n", "We", "pain", "2.5", "(", "é", "±"]
_PIECES += [". ", ": ", ". \t", "? Results: ", ". methods: ", ".Aims. ", "\n  Results\n"]
_ABSTRACTS = st.lists(st.sampled_from(_PIECES) | st.text(max_size=2), max_size=50).map("".join)


def _labels_by_scan(text: Text) -> list[tuple[str, int, int]]:
    """Labels as found before by a scan of every sentence end (_AFTER_SENTENCE)."""
    abstract, starts, canons = text.source, text.starts, text.canons
    line, inline = sections._label_patterns(LABELS)
    firsts = sections._label_first_words(LABELS)
    anywhere = sections.folds_oddly(abstract)

    def may_open(at: int) -> bool:
        i = bisect_left(starts, at)
        return anywhere or (i < len(starts) and starts[i] == at and canons[i] in firsts)

    found = []
    at = 0
    while at != -1:
        if may_open(_INDENT.match(abstract, at).end()):
            m = line.match(abstract, at)
            if m:
                found.append((m.group("label"), m.start(), m.end()))
        at = abstract.find("\n", at)
        at = at if at == -1 else at + 1
    for candidate in sections._AFTER_SENTENCE.finditer(abstract):
        if may_open(candidate.end()):
            m = inline.match(abstract, candidate.end())
            if m:
                found.append((m.group("label"), candidate.start() + 1, m.end()))
    found.sort(key=lambda f: f[1])
    kept: list[tuple[str, int, int]] = []
    for label in found:
        if not kept or label[1] >= kept[-1][2]:
            kept.append(label)
    return kept


def _sentences_by_scan(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences with every span checked for being blank."""
    spans = []
    at = start
    for match in sections._SENTENCE_END.finditer(text, start, end):
        stop = match.start() + (text[match.start()] != "\n")
        if stop > at:
            spans.append((at, stop))
        at = match.end()
    if end > at:
        spans.append((at, end))
    return [(s, e) for s, e in spans if text[s:e].strip()]


@settings(max_examples=400)
@given(_ABSTRACTS)
def test_labels_are_those_a_scan_finds(abstract):
    text = analyse(abstract)
    assert sections._labels(text, LABELS) == _labels_by_scan(text)


@settings(max_examples=400)
@given(_ABSTRACTS, st.integers(0, 60), st.integers(0, 60))
def test_sentences_are_those_a_scan_finds(abstract, start, end):
    start, end = min(start, len(abstract)), min(max(start, end), len(abstract))
    assert sections._sentences(abstract, start, end) == _sentences_by_scan(abstract, start, end)


def test_inline_label_after_a_sentence():
    abstract = "Low back pain is common.  Methods: We ran.\tResults. It helped! AIMS: none"
    found = sections._labels(analyse(abstract), LABELS)
    assert [label for label, _, _ in found] == ["Methods", "Results", "AIMS"]
    assert found == _labels_by_scan(analyse(abstract))
