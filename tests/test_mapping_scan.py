"""The compiled accelerator of ``analyse`` (protocols/mapping/_scan.pyx) gives what the
pure-Python reference gives, field for field, and CI runs with it."""

from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocols.mapping import text
from protocols.mapping.text import _CanonicalMemo, analyse_python


def test_the_accelerator_is_there_where_it_is_required():
    # CI sets PROTOCAT_REQUIRE_ACCELERATOR=1: a build that silently fell back to the
    # pure-Python path (no compiler, a failed build) must not pass there.
    if os.environ.get("PROTOCAT_REQUIRE_ACCELERATOR") != "1":
        pytest.skip("PROTOCAT_REQUIRE_ACCELERATOR is not 1 (CI sets it)")
    try:
        from protocols.mapping import _scan  # noqa: F401
    except ImportError as exc:
        pytest.fail(f"PROTOCAT_REQUIRE_ACCELERATOR=1 but protocols.mapping._scan: {exc}")
    assert text.ACCELERATED
    assert text.analyse is text.analyse_accelerated


needs_accelerator = pytest.mark.skipif(
    not text.ACCELERATED, reason="the compiled accelerator is not built here"
)


def _same(source: str) -> None:
    fast, reference = text.analyse_accelerated(source), analyse_python(source)
    assert fast.source == reference.source
    assert fast.canons == reference.canons
    assert fast.starts == reference.starts
    assert fast.ends == reference.ends
    assert fast.joined == reference.joined
    assert fast == reference
    # Exact types: tuples of str and int, as the reference has them.
    for field in (fast.canons, fast.starts, fast.ends):
        assert type(field) is tuple
    assert all(type(c) is str for c in fast.canons)
    assert all(type(n) is int for n in fast.starts + fast.ends)
    assert type(fast.joined) is str


def _ascii_words_by_the_reference(source: str) -> bool:
    # The decision as analyse_python takes it (same expression).
    pieces = text._SPLIT_ASCII.split(source)
    return source.isascii() or not any(
        map(str.isalnum, text._BEYOND_ASCII.findall("".join(pieces[0::2])))
    )


# Text as abstracts have it: ASCII words, digits, punctuation, spaces and newlines, and
# beyond ASCII marks that are no word characters (± ≥ – ’ © no-break space; an emoji,
# which makes a string of 4-byte characters) and word characters (é µ ² ½ 𝟙, CJK).
_PIECES = ["Exercise", "pain", "VO2max", "HADS", "programmes", "12", "3.5", "0", "x"]
_PIECES += [". ", ", ", ";", "(", ")", "_", "-", "/", "'", " ", "  ", "\n", "\t", "\r\n"]
_PIECES += ["±", "≥", "–", "’", "©", "\u00a0", "😀", "é", "µ", "²", "½", "\U0001d7d9"]
_PIECES += ["运动", "疼痛", "\u0301"]
_ABSTRACTS = st.lists(st.sampled_from(_PIECES) | st.text(max_size=3), max_size=60).map("".join)
# The same without word characters beyond ASCII: every one of these takes the compiled path.
_MARKS_ONLY = [p for p in _PIECES if p.isascii() or not any(ch.isalnum() for ch in p)]
_ASCII_WORD_TEXTS = st.lists(st.sampled_from(_MARKS_ONLY), max_size=60).map("".join)
# And with one word character beyond ASCII among them: the general pattern, in Python.
_ONE_BEYOND = st.sampled_from([p for p in _PIECES if p not in _MARKS_ONLY]) | st.characters()
_ALMOST_ASCII_WORD_TEXTS = st.tuples(_ASCII_WORD_TEXTS, _ONE_BEYOND, _ASCII_WORD_TEXTS).map("".join)


@needs_accelerator
@given(st.text())
def test_any_text_gives_what_the_reference_gives(source):
    _same(source)


@needs_accelerator
@given(_ABSTRACTS)
def test_abstract_like_text_gives_what_the_reference_gives(source):
    _same(source)


@needs_accelerator
@given(_ASCII_WORD_TEXTS)
def test_text_of_ascii_words_gives_what_the_reference_gives(source):
    assert text._scan.ascii_words(source, text._CANONICAL) is not None
    _same(source)


@needs_accelerator
@given(_ALMOST_ASCII_WORD_TEXTS)
def test_text_of_ascii_words_but_one_gives_what_the_reference_gives(source):
    _same(source)


@needs_accelerator
@given(st.text() | _ABSTRACTS | _ALMOST_ASCII_WORD_TEXTS)
def test_the_compiled_path_takes_the_texts_the_reference_splits_as_ascii(source):
    scanned = text._scan.ascii_words(source, text._CANONICAL)
    assert (scanned is not None) == _ascii_words_by_the_reference(source)


@needs_accelerator
@pytest.mark.parametrize(
    "source",
    [
        "",
        " ",
        ".,;:!?()[]-/",
        "±≥–’©\u00a0😀",  # beyond ASCII, no word character: still the compiled path
        "...Exercise!!!",
        "(pain)",
        "exercise",
        "Exercise",
        "12",
        "2024",
        "VO2max 3.5 ml/kg/min, n=12",
        "HADS and ODI scores; programmes behaviour",
        "low–back pain ± 2.1 ≥ 3 😀 end",
        "café",  # é is a word character: the general pattern
        "运动疗法 exercise",
        "x" * 100_000,  # one very long word
        "a " * 40_000,  # offsets beyond the shared ints (65,536)
        "\n\n Title \r\n\tline\n",
    ],
)
def test_edge_cases_give_what_the_reference_gives(source):
    _same(source)


@needs_accelerator
def test_a_subclass_of_str_is_read_as_its_text():
    class Tagged(str):
        def __len__(self):  # the compiled loop must read the string's own length
            return 1_000_000

    source = Tagged("Exercise for low-back pain, 12 weeks")
    assert text.analyse_accelerated(source) == analyse_python(source)


@needs_accelerator
def test_the_memo_is_filled_and_emptied_as_by_the_reference(monkeypatch):
    # A memo that empties itself every few words: the compiled path must ask it for the
    # same words, in the same order, so that it ends in the same state.
    source = "Exercises, exercise and programmes: HADS, ODI and behaviour at 12 weeks; exercise."
    states = []
    for analyse in (analyse_python, text.analyse_accelerated):
        memo = _CanonicalMemo()
        memo.LIMIT = 4
        monkeypatch.setattr(text, "_CANONICAL", memo)
        result = analyse(source)
        states.append((result, list(memo.items())))
    assert states[0] == states[1]


@needs_accelerator
def test_wrong_argument_types_are_refused():
    with pytest.raises(TypeError):
        text._scan.ascii_words(b"bytes", {})
    with pytest.raises(TypeError):
        text._scan.ascii_words("text", [])
