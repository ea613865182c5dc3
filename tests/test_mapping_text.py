"""Canonical text, term variants and the Aho-Corasick matcher."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocols.mapping.matcher import Matcher, longest
from protocols.mapping.text import (
    _WORD,
    _canonical_word,
    _CanonicalMemo,
    analyse,
    canonical_word,
    term_keys,
)


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("stabilisation", "stabilization"),
        ("Stabilising", "stabilizing"),
        ("programme", "program"),
        ("behaviour", "behavior"),
        ("centre", "center"),
        ("catastrophising", "catastrophizing"),
        ("paediatric", "pediatric"),
    ],
)
def test_british_and_american_spellings_meet(british, american):
    assert canonical_word(british) == canonical_word(american)


@pytest.mark.parametrize(
    ("plural", "singular"),
    [
        ("exercises", "exercise"),
        ("stretches", "stretch"),
        ("activities", "activity"),
        ("PPTs", "PPT"),
    ],
)
def test_plurals_meet_singulars(plural, singular):
    assert canonical_word(plural) == canonical_word(singular)


def test_short_capital_abbreviations_keep_their_letters():
    # HADS is an instrument, not the plural of "had".
    assert canonical_word("HADS") != canonical_word("had")


def test_case_and_unicode_forms_are_folded():
    assert canonical_word("ＥＸＥＲＣＩＳＥ") == canonical_word("exercise")  # full-width
    assert canonical_word("Tai") == canonical_word("TAI".lower())


def test_words_keep_their_source_spans():
    source = "Non‑specific low-back pain: ﬁtness & Ｐｉｌａｔｅｓ"
    text = analyse(source)
    for canon, start, end in zip(text.canons, text.starts, text.ends, strict=True):
        assert canonical_word(source[start:end]) == canon


# Text as abstracts have it: ASCII words and marks, and beyond ASCII marks (± ≥ – ’ ©),
# letters (é µ ß İ), numbers (² ½), marks that combine (U+0301) or vanish under NFKC, CJK.
_PIECES = ["Exercise", "pain", "VO2max", "12", ". ", ", ", "\n", "(", "_", "-", " "]
_PIECES += ["±", "≥", "–", "’", "©", "\u00a0", "é", "µ", "ß", "İ", "²", "½", "\u0301", "运动"]
_ABSTRACTS = st.lists(st.sampled_from(_PIECES) | st.text(max_size=3), max_size=40).map("".join)


@given(_ABSTRACTS)
def test_words_are_those_of_the_word_pattern(source):
    # analyse splits a text whose characters beyond ASCII are all marks as if it were
    # ASCII: the words must be those of the general pattern all the same.
    spans = [m.span() for m in _WORD.finditer(source)]
    expected = [(canonical_word(source[a:b]), a, b) for a, b in spans]
    expected = [word for word in expected if word[0]]
    text = analyse(source)
    assert list(zip(text.canons, text.starts, text.ends, strict=True)) == expected
    assert text.joined == " " + "".join(canon + " " for canon in text.canons)
    assert re.fullmatch(r" (\S+ )*", text.joined)


def test_hyphen_in_a_term_means_joined_or_split():
    keys = term_keys("non-specific")
    assert ("non", "specific") in keys
    assert ("nonspecific",) in keys


def _codes(matcher, source):
    return [
        (h.text, [label.code for label in h.labels]) for h in longest(matcher.find(analyse(source)))
    ]


def test_longest_match_wins_and_points_at_the_source():
    matcher = Matcher(
        [
            ("pain", "outcomes", "pain_intensity"),
            ("low back pain", "condition", "low_back_pain"),
            ("pain intensity", "outcomes", "pain_intensity"),
        ]
    )
    # "low back pain" (3 words) beats the overlapping "pain intensity" (2) and "pain" (1).
    assert _codes(matcher, "Chronic Low-Back Pain intensity") == [
        ("Low-Back Pain", ["low_back_pain"])
    ]
    assert _codes(matcher, "in low back pain patients") == [("low back pain", ["low_back_pain"])]


def test_word_boundaries_hold():
    matcher = Matcher([("yoga", "exercise_types", "yoga"), ("run", "x", "y")])
    assert _codes(matcher, "yogatherapy and running and rerun") == []
    assert _codes(matcher, "Yoga, run.") == [("Yoga", ["yoga"]), ("run", ["y"])]


def test_variant_spellings_and_hyphens_match_one_term():
    matcher = Matcher([("core stabilisation", "exercise_types", "motor_control")])
    for source in ("core stabilization", "Core Stabilisation", "CORE-STABILIZATION exercises"):
        hits = longest(matcher.find(analyse(source)))
        assert [h.labels[0].code for h in hits] == ["motor_control"], source


def test_cost_does_not_depend_on_terms_absent_from_the_text():
    # One automaton: ten thousand unrelated terms find nothing more and nothing less.
    small = Matcher([("pilates", "exercise_types", "pilates")])
    big = Matcher(
        [("pilates", "exercise_types", "pilates")]
        + [(f"zz{i} term", "exercise_types", "other") for i in range(10_000)]
    )
    text = analyse("Clinical Pilates for back pain")
    assert [h.text for h in small.find(text)] == [h.text for h in big.find(text)] == ["Pilates"]


def test_canonical_memo_empties_itself_when_full(monkeypatch):
    memo = _CanonicalMemo()
    monkeypatch.setattr(_CanonicalMemo, "LIMIT", 3)
    for word in ("Exercises", "behaviour", "HADS", "programmes", "Stabilising"):
        assert memo[word] == _canonical_word(word)
        assert len(memo) <= 3
