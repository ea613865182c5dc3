"""The mapping's speed shortcuts give exactly what the plain way gives.

- ``numbers.scan`` tries a pattern only where a number may start: the same matches as
  ``finditer`` over the whole sentence.
- ``text.Caseless`` runs a case-ignoring pattern on lower-cased text: the same matches
  and offsets as the pattern with ``re.I``, odd case foldings ("ſ", "ı", "K") included.
- The stated-age patterns, tried only where a word they open with stands: the first
  match a search finds; an ASCII text with the letters "age" keeps them in its canonical
  words (the stated-age step skips an abstract without them).
- ``negation.sentence_has`` finds a cue where a walk over the sentence's words does.
- ``matcher.longest`` settles overlapping matches as the longest, leftmost first.
- A dose context phrase that must end its text is found by matching its mirror image at
  the start of the reversed text, as a search for the phrase finds it.
"""

from __future__ import annotations

import re
import string

from hypothesis import given, settings
from hypothesis import strategies as st

from protocols.mapping.cues import default_cues
from protocols.mapping.dose import (
    _NOT_SESSION_MINUTES_BEFORE,
    _PROGRAMME_BEFORE,
    _TIME_POINT_BEFORE,
    lower_patterns,
)
from protocols.mapping.matcher import Hit, longest
from protocols.mapping.negation import sentence_has
from protocols.mapping.numbers import number_pattern, number_starts, scan
from protocols.mapping.population import (
    _AGE_RANGE,
    _MEAN_AGE,
    _counted_pattern,
    _duration_pattern,
    _first_match,
)
from protocols.mapping.text import Caseless, analyse

PIECES = [
    "8 weeks",
    "twentyfive weeks",
    "Twenty-five minutes",
    "twice a week",
    "bonce a week",
    "thrice-weekly",
    "3 sets of 10 repetitions",
    "70% HRmax",
    "4 METs",
    "2–3 times per week",
    "12-week",
    "2.5 hours per session",
    "ten sessions",
    "Eighty-seven volunteers",
    "ſixty adults",
    "fıve men",
    "fİve women",
    "for at least 3 months",
    "LONGER THAN six weeks",
    "K10 weeks",
    "_5 weeks",
    "x12 patients",
    "one",
    "the",
    "and",
    ",",
    "(",
    " ",
]
sentences = st.lists(st.sampled_from(PIECES), max_size=12).map(" ".join)


def _plain(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], tuple]]:
    return [(m.span(), m.groups()) for m in pattern.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(sentences)
def test_scan_finds_what_finditer_finds(sentence):
    cues = default_cues()
    text = analyse(sentence)
    low = sentence.lower()
    if len(low) != len(sentence):
        return  # the dose reads such a sentence with finditer
    starts = number_starts(text, range(len(text)), 0, cues)
    patterns = lower_patterns(cues)
    for pattern in (patterns.weeks, patterns.minutes, patterns.sessions, patterns.percent):
        assert [(m.span(), m.groups()) for m in scan(pattern, low, starts)] == _plain(pattern, low)


@settings(max_examples=300, deadline=None)
@given(sentences)
def test_caseless_matches_ignoring_case(sentence):
    cues = default_cues()
    for caseless in (_duration_pattern(cues), _counted_pattern(cues), Caseless(r"random|assign")):
        compiled, target = caseless.on(sentence)
        got = [
            (m.span(), tuple((g or "").casefold() for g in m.groups()))
            for m in compiled.finditer(target)
        ]
        want = [
            (m.span(), tuple((g or "").casefold() for g in m.groups()))
            for m in re.compile(caseless.caseless.pattern, re.I).finditer(sentence)
        ]
        assert got == want


def test_caseless_lowers_letters_not_escapes_nor_group_names():
    assert Caseless(r"AB\D(?P<N>\d)(?P=N)").lower.pattern == r"ab\D(?P<N>\d)(?P=N)"
    number = Caseless(number_pattern(default_cues()))
    compiled, target = number.on("Twenty-Five")
    assert compiled.match(target).group() == "twenty-five"


def _longest_by_definition(hits: list[Hit]) -> list[Hit]:
    taken: set[int] = set()
    chosen = []
    for hit in sorted(hits, key=lambda h: (-(h.last - h.first), h.first)):
        words = set(range(hit.first, hit.last + 1))
        if not words & taken:
            taken |= words
            chosen.append(hit)
    return sorted(chosen)


@settings(max_examples=500, deadline=None)
@given(st.sets(st.tuples(st.integers(0, 20), st.integers(0, 4)), max_size=12))
def test_longest_keeps_the_longest_leftmost(spans):
    hits = sorted(Hit(f, f + n, f, f + n, "", (), frozenset()) for f, n in spans)
    assert longest(hits) == _longest_by_definition(hits)


CONTEXT_WORDS = [
    "at",
    "after",
    "by",
    "within",
    "until",
    "post",
    "follow",
    "ups",
    "up",
    "of",
    "followed",
    "for",
    "history",
    "last",
    "past",
    "previous",
    "prior",
    "first",
    "next",
    "≥",
    ">",
    "<",
    "≤",
    "more",
    "than",
    "longer",
    "least",
    "greater",
    "less",
    "age",
    "aged",
    "every",
    "week",
    "and",
    "baseline",
    ",",
    "over",
    "during",
    "lasting",
    "period",
    "duration",
    "course",
    "a",
    "an",
    "the",
    "each",
    "x",
    "×",
    "hand",
    "bat",
    "ATE",
    "Follow-Ups Of",
    "_",
    "1",
    "é",
    "ſ",
    "İ",
    "ı",
    "K",
    "data",
]
contexts = st.lists(
    st.tuples(st.sampled_from(CONTEXT_WORDS), st.sampled_from(["", " ", "  ", "-", "\n"])),
    max_size=8,
).map(lambda pieces: "".join(word + gap for word, gap in pieces))


@settings(max_examples=2000, deadline=None)
@given(contexts)
def test_mirrored_endings_agree_with_a_search(context):
    for ending in (_TIME_POINT_BEFORE, _PROGRAMME_BEFORE, _NOT_SESSION_MINUTES_BEFORE):
        assert ending.ends(context) == bool(ending.pattern.search(context))


AGE_PIECES = [
    "aged 18-65",
    "AGED 20 to 40 years",
    "ages 12 and 19",
    "Age range 30–50",
    "between the ages of 65 and 80",
    "between the ages 5",
    "mean age 44.5",
    "Mean age: 71",
    "mean  AGE (SD) 33",
    "image 12-14",
    "average 20-30",
    "teenage 13-19",
    "stage 2-3",
    "agedness 12",
    "İaged 20-30",
    "ſ",
    "K",
    "between",
    "mean",
    "the",
    "of",
    ",",
    "(",
    "-",
    "5",
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(AGE_PIECES), max_size=10).map(" ".join))
def test_stated_age_search_finds_what_a_search_finds(sentence):
    for caseless in (_AGE_RANGE, _MEAN_AGE):
        want = re.compile(caseless.caseless.pattern, re.I).search(sentence)
        got = _first_match(caseless, sentence)
        if want is None:
            assert got is None
        else:
            assert (got.span(), got.groups()) == (want.span(), want.groups())


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "Aged",
                    "AGES",
                    "teenage",
                    "agenda",
                    "stage",
                    "ageing",
                    "agexes",
                    "ages18",
                    "damages",
                    "imageries",
                    "AGEISE",
                    "agetres",
                    "anaesage",
                    "age-range",
                    "manage",
                ]
            ),  # fmt: skip
            st.text(alphabet=string.ascii_letters + string.digits + " -.,", max_size=12),
        ),
        max_size=8,
    ).map(" ".join)
)
def test_an_ascii_text_with_the_letters_age_keeps_them_in_its_canonical_words(text):
    # population._stated_age skips an ASCII abstract whose canonical words lack "age".
    if re.search("age", text, re.I):
        assert "age" in analyse(text).joined


CUE_WORDS = ["were", "excluded", "was", "exclusion", "criteria", "red", "flags", "if", "mean",
             "age", "aged", "years", "old", "patients", "Exclusion-criteria", "contraindications",
             "outcome", "measures", "change", "in", "the", ".", ","]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(CUE_WORDS), max_size=14).map(" ".join), st.data())
def test_sentence_has_finds_a_cue_where_a_walk_over_the_words_does(sentence, data):
    cues = default_cues()
    text = analyse(sentence)
    start = data.draw(st.integers(0, len(sentence)))
    end = data.draw(st.integers(start, len(sentence)))
    first, stop = text.words_between(start, end)
    words = text.canons[first:stop]
    for cue_list in (cues.exclusion_sentence, cues.characteristics, cues.measured):
        keys = [analyse(cue).canons for cue in cue_list]
        walked = any(words[i : i + len(key)] == key for i in range(len(words)) for key in keys)
        assert sentence_has(text, start, end, cue_list) == walked
