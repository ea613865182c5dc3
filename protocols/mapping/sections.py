"""Structured abstracts: which sentences belong to which section, and what role it plays.

What the BACKGROUND says other studies did is not this study's intervention; the aim,
METHODS, RESULTS and CONCLUSIONS are. Labels come as ``LABEL: text`` lines (how the
readers keep them), as a label alone on its line, or inline after a sentence
(``... Methods. We ...``). In an abstract without labels, the sentences before the one
that states the study's aim are background.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import cache
from typing import NamedTuple

from protocols.mapping.cues import Cues, by_identity
from protocols.mapping.matcher import Hit, Matcher
from protocols.mapping.text import Text, analyse, canonical_word, folds_oddly

# Roles whose text describes this study (``background`` does not).
STUDY_ROLES = ("title", "keywords", "aim", "methods", "results", "conclusion", "other")

# A sentence ends at . ! ? before a space and a capital, digit or bracket, or at a line break.
# (Written to start with one character class, which lets the regex engine skip quickly to
# the places where a match may start.)
_SENTENCE_END = re.compile(r"[.!?\n](?:(?<=[.!?])\s+(?=[A-Z0-9\[(\"“‘'])|(?<=\n)\s*)")
# The same where the only mark is the full stop (most sections have no "!", "?" nor line
# break inside): a pattern that starts with one literal character, which the regex engine
# skips to several times faster than to one of a class.
_FULL_STOP_END = re.compile(r"\.\s+(?=[A-Z0-9\[(\"“‘'])")


_TO_AIM = re.compile(
    r"\s*to (?:determine|compare|evaluate|investigate|assess|examine|study|explore|test)\b", re.I
)


class Sentence(NamedTuple):
    role: str
    start: int
    end: int


# Sentence(...) without the NamedTuple's Python-level __new__: a dozen a record.
_new = tuple.__new__


@by_identity
def _label_patterns(labels: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(label opening a line, label after a sentence end); tried only at those places."""
    names = "|".join(re.escape(label) for label in sorted(labels, key=len, reverse=True))
    # At a line start ":" "." or nothing but a capitalised word may follow; inline, the
    # label must be followed by ":" or ".".
    line = re.compile(
        rf"[ \t]*(?P<label>(?i:{names}))(?:[ \t]*[:.]|[ \t]*(?=\n)|[ \t]*$|[ \t]+(?=[A-Z\[]))"
    )
    inline = re.compile(rf"(?P<label>(?i:{names}))[ \t]*[:.](?=\s)")
    return line, inline


_AFTER_SENTENCE = re.compile(r"[.!?][ \t]+(?=[A-Z])")
_AFTER_FULL_STOP = re.compile(r"\.[ \t]+(?=[A-Z])")  # the same in a text without "!" and "?"


@by_identity
def _label_first_words(labels: tuple[str, ...]) -> frozenset[str]:
    """The canonical form of every label's first word, however the text capitalises it
    (a short word in capitals keeps its form: "AIMS" stays "aims", see canonical_word)."""
    firsts = set()
    for label in labels:
        words = analyse(label)
        first = label[words.starts[0] : words.ends[0]].lower()
        firsts.update((first, canonical_word(first)))
    return frozenset(firsts)


def _labels(text: Text, labels: tuple[str, ...]) -> list[tuple[str, int, int]]:
    """(label, start, end) of every section label, in order."""
    abstract = text.source
    line, inline = _label_patterns(labels)
    # A label is tried only where a word a label starts with starts: a label's first word
    # is followed by a space or a mark, so it is a whole word of the text.
    firsts = _label_first_words(labels)
    starts, canons = text.starts, text.canons
    # In a text with a character that ignoring case takes for another letter (text.py),
    # every place is tried.
    anywhere = folds_oddly(abstract)

    found = []
    if anywhere:
        at = 0
        while at != -1:  # every line start
            m = line.match(abstract, at)
            if m:
                found.append((m.group("label"), m.start(), m.end()))
            at = abstract.find("\n", at)
            at = at if at == -1 else at + 1
        for candidate in _AFTER_SENTENCE.finditer(abstract):
            m = inline.match(abstract, candidate.end())
            if m:
                found.append((m.group("label"), candidate.start() + 1, m.end()))
    else:
        # The same places, but a label's regex is tried only where a word a label starts
        # with stands (a set lookup first): the first word of a line, with only spaces and
        # tabs before it, and a capitalised word after ". " (or "!", "?"; spaces and tabs).
        at = 0
        while at != -1:  # every line start
            i = bisect_left(starts, at)
            if (
                i < len(canons)
                and canons[i] in firsts
                and not abstract[at : starts[i]].strip(" \t")
                and (m := line.match(abstract, at))
            ):
                found.append((m.group("label"), m.start(), m.end()))
            at = abstract.find("\n", at)
            at = at if at == -1 else at + 1
        # Without "!" and "?", the places after a full stop: a pattern that starts with a
        # literal character, which the regex engine skips to faster than to a class.
        plain = abstract.find("!") == abstract.find("?") == -1
        for candidate in (_AFTER_FULL_STOP if plain else _AFTER_SENTENCE).finditer(abstract):
            at = candidate.end()  # a capital letter: a word starts there
            i = bisect_left(starts, at)
            if (
                i < len(canons)
                and starts[i] == at
                and canons[i] in firsts
                and (m := inline.match(abstract, at))
            ):
                found.append((m.group("label"), candidate.start() + 1, m.end()))
    found.sort(key=lambda f: f[1])
    # Keep labels that do not overlap an earlier one.
    kept: list[tuple[str, int, int]] = []
    for label in found:
        if not kept or label[1] >= kept[-1][2]:
            kept.append(label)
    return kept


@cache
def _role_labels(cues: Cues) -> tuple[str, ...]:
    return tuple(_roles(cues))


@cache
def _roles(cues: Cues) -> dict[str, str]:
    return {
        label.casefold(): role for role, labels in cues.section_labels.items() for label in labels
    }


def _role_of(label: str, roles: dict[str, str]) -> str:
    """The role of a label as found in the text. Case-ignoring matching takes some letters
    for others that ``casefold`` spells differently ("AİMS" matches "aims"), so a label
    not found as folded is compared the way it was matched."""
    role = roles.get(label.casefold())
    if role is None:
        role = next(
            (r for key, r in roles.items() if re.fullmatch(re.escape(key), label, re.I)), "other"
        )
    return role


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    at = start
    # A section ends with the line break before the next label, if any: that one ends
    # the last sentence and is left out of it.
    last = end - 1 if end > start and text[end - 1] == "\n" else end
    find = text.find
    if find("\n", start, last) == find("!", start, last) == find("?", start, last) == -1:
        for match in _FULL_STOP_END.finditer(text, start, last):
            stop, at_next = match.span()
            stop += 1  # keep the full stop
            if stop > at:
                spans.append((at, stop))
            at = at_next
        end = last
    else:
        for match in _SENTENCE_END.finditer(text, start, end):
            mark, after = match.span()
            stop = mark if text[mark] == "\n" else mark + 1  # keep the full stop
            if stop > at:
                spans.append((at, stop))
            at = after
    if end > at:
        spans.append((at, end))
    # Only the first span can be blank: every other one starts where a match's spaces
    # end, at a character that is no space.
    if spans and spans[0][0] == start and text[start : spans[0][1]].isspace():
        del spans[0]
    return spans


def _is_aim(span: tuple[int, int], aims: list[Hit], aim_starts: list[int], source: str) -> bool:
    """Does the sentence ``span`` state the study's aim: hold a whole aim phrase (``aims``,
    every one found in the text, in order of where they start) or open with "To ..."?"""
    start, end = span
    # In characters rather than words: a phrase's first word starts at or after the
    # sentence's first word just when its first character does, and likewise at the end.
    i = bisect_left(aim_starts, start)
    while i < len(aims) and aims[i].start < end:
        if aims[i].end <= end:
            return True
        i += 1
    # "To determine ...", "To study ..." opening a sentence state an aim too. (Most
    # sentences open with another letter: the regex is not tried on them.)
    opening = source[start]
    if opening not in "tT" and not opening.isspace():
        return False
    return bool(_TO_AIM.match(source, start, end))


def aim_keys(aim_sentence: tuple[str, ...]) -> list[tuple[tuple[str, ...], str, str]]:
    """The aim phrases as (canonical words, "aim", phrase), the keys of ``Matcher.of_keys``."""
    return [(analyse(phrase).canons, "aim", phrase) for phrase in aim_sentence]


@by_identity
def _aim_matcher(aim_sentence: tuple[str, ...]) -> Matcher:
    """The aim phrases, as canonical words, in one automaton: one pass over the text finds
    them all (a sentence may hold an aim phrase from any of its words)."""
    return Matcher.of_keys(aim_keys(aim_sentence))


def _with_role(role: str, spans: list[tuple[int, int]]) -> list[Sentence]:
    return [_new(Sentence, (role, start, end)) for start, end in spans]


def split_abstract(text: Text, cues: Cues, aims: list[Hit] | None = None) -> list[Sentence]:
    """The abstract's sentences, each with the role of its section.

    ``aims``: the matches of the aim phrases (``aim_keys``) in the text, if the caller
    found them already (the Engine does, in its one pass); else found here when needed.
    """
    abstract = text.source
    roles = _roles(cues)
    blocks: list[tuple[str, int, int]] = []  # (role, text start, text end)
    at, role = 0, "unlabelled"
    for label, start, end in _labels(text, _role_labels(cues)):
        if start > at or blocks or role != "unlabelled":
            blocks.append((role, at, start))
        role, at = _role_of(label, roles), end
    blocks.append((role, at, len(abstract)))
    sentences: list[Sentence] = []
    aim_starts: list[int] | None = None
    for n, (role, start, end) in enumerate(blocks):
        spans = _sentences(abstract, start, end)
        if role in ("unlabelled", "background", "other"):
            if aims is None:
                aims = _aim_matcher(cues.aim_sentence).find(text)
            if aim_starts is None:
                aim_starts = [hit.start for hit in aims]
            aim_at = next(
                (i for i, s in enumerate(spans) if _is_aim(s, aims, aim_starts, abstract)), None
            )
            if aim_at is not None:
                sentences += _with_role("background", spans[:aim_at])
                sentences += _with_role("aim", spans[aim_at:])
            else:
                # Unlabelled text right before a labelled aim is background, as it is
                # before an aim sentence.
                before_aim = (
                    role == "unlabelled" and n + 1 < len(blocks) and blocks[n + 1][0] == "aim"
                )
                background = role == "background" or before_aim
                sentences += _with_role("background" if background else "other", spans)
        else:
            sentences += _with_role(role, spans)
    return sentences
