"""The shared normalisations: DOI, PMID, year, names, keywords, abstract sections."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocols.records.normalise import (
    _NOT_ALNUM,
    abstract_sections,
    clean_long_text,
    clean_text,
    normalise_doi,
    normalise_pmid,
    normalise_title,
    parse_name,
    split_keywords,
    year_of,
)


@pytest.mark.parametrize(
    ("raw", "doi"),
    [
        ("https://doi.org/10.1136/BMJ.n71", "10.1136/bmj.n71"),
        ("http://dx.doi.org/10.1002/cpp.2398", "10.1002/cpp.2398"),
        ("doi: 10.1000/xyz123.", "10.1000/xyz123"),
        ("10.1016/j.jpsychores.2019.02.002 [doi]", "10.1016/j.jpsychores.2019.02.002"),
        ("not a doi", None),
        (None, None),
    ],
)
def test_normalise_doi(raw, doi):
    assert normalise_doi(raw) == doi


def test_normalise_pmid():
    assert normalise_pmid("MEDLINE:16842170") == "16842170"
    assert normalise_pmid("PMID: 00123") == "123"
    assert normalise_pmid("none") is None


@pytest.mark.parametrize(
    ("dates", "year", "warns"),
    [
        (["2016/09//"], 2016, False),
        (["1 Jan.-Feb. 2019"], 2019, False),
        (["1998 Dec-1999 Jan"], 1998, False),
        (["10 15"], None, True),
        ([], None, False),
        (["", "2001"], 2001, False),
    ],
)
def test_year_of(dates, year, warns):
    found, warning = year_of(dates)
    assert found == year
    assert (warning is not None) == warns


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Brinjikji, Waleed", ("Brinjikji", "Waleed")),
        ("Kallmes DF", ("Kallmes", "DF")),
        ("Gong B.", ("Gong", "B.")),
        ("G. Kalbe", ("Kalbe", "G.")),
        ("张三", ("张三", "")),
        ("van Gogh,", ("van Gogh", "")),
        (" , ", None),
    ],
)
def test_parse_name(name, parts):
    assert parse_name(name) == parts


def test_split_keywords_keeps_first_spelling():
    assert split_keywords(["Pain; exercise", "pain", " Yoga ;;"]) == ["Pain", "exercise", "Yoga"]


def test_abstract_sections_one_line_each():
    text = "BACKGROUND: Pain is common. METHODS: We did a trial. RESULTS: It worked."
    assert abstract_sections(text).splitlines() == [
        "BACKGROUND: Pain is common.",
        "METHODS: We did a trial.",
        "RESULTS: It worked.",
    ]
    assert abstract_sections("The VAS: a scale. No sections here.") == (
        "The VAS: a scale. No sections here."
    )


@given(st.text())
def test_abstract_sections_keep_every_word(text):
    out = abstract_sections(text)
    assert (out or "").split() == text.split()


def test_normalise_title_keeps_exactly_the_letters_and_digits_isalnum_keeps():
    """normalise_title drops what the pattern \\W or "_" matches: the same characters
    as str.isalnum() refuses, over every code point of this Python's Unicode tables."""
    differ = [
        hex(code)
        for code in range(sys.maxunicode + 1)
        if (_NOT_ALNUM.fullmatch(chr(code)) is None) != chr(code).isalnum()
    ]
    assert differ == []


@given(st.text())
def test_normalise_title_is_the_folded_letters_and_digits(title):
    folded = unicodedata.normalize("NFKD", title).casefold()
    assert normalise_title(title) == "".join(ch for ch in folded if ch.isalnum())


@pytest.mark.parametrize(
    "title",
    [
        "Exercise_therapy: a TRIAL (2019)",
        "Ｅｘｅｒｃｉｓｅ ｆｕｌｌ width",
        "Straße ﬁne",
        "太极拳 Tai-Chi",
        "",
    ],
)
def test_normalise_title_examples(title):
    folded = unicodedata.normalize("NFKD", title).casefold()
    assert normalise_title(title) == "".join(ch for ch in folded if ch.isalnum())


@given(st.text(alphabet=st.sampled_from("ab \t\n\u00a0\u2028\u200b\x1c\x85é,")))
def test_clean_long_text_is_clean_text(text):
    assert clean_long_text(text) == clean_text(text)
