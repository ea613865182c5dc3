"""Property tests: the mapper never fails on arbitrary text, every provenance span points
at the text it names, and adding a vocabulary term never removes a code (unless the new
term is a longer match over the words that gave the code)."""

from __future__ import annotations

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from protocols.mapping import map_record
from protocols.model import Record
from protocols.vocabulary import Vocabulary, codes, default_vocabulary
from tests.strategies import records
from tests.test_mapping_helpers import check_provenance, source_text

# Words the mapper reacts to, mixed into random text so that the rules are exercised.
VOCAB_WORDS = [
    "exercise",
    "Pilates",
    "yoga",
    "tai chi",
    "walking",
    "versus",
    "placebo",
    "usual care",
    "chronic",
    "non-specific",
    "low back pain",
    "without",
    "sciatica",
    "no",
    "adverse events",
    "randomised",
    "review",
    "eight",
    "weeks",
    "twice",
    "a week",
    "40-60",
    "min",
    "sessions",
    "70%",
    "of",
    "VO2max",
    "RPE",
    "13",
    "BACKGROUND:",
    "METHODS:",
    "\n",
    ". ",
    "(",
    ")",
    "n =",
    "12",
    "month",
    "follow-up",
    "supervised",
    "home",
    "Eighty-seven",
    "participants",
    "randomized",
    "pain",
    "ODI",
    "disability",
    "drug",
    "surgery",
    "-",
    "–",
    "％",
    "ß",
    "İ",
]
mixed_text = st.lists(
    st.one_of(st.sampled_from(VOCAB_WORDS), st.text(max_size=8)), max_size=60
).map(" ".join)


@given(records)
def test_mapping_arbitrary_records_never_fails(record):
    entries = map_record(record)
    assert entries
    check_provenance(record, entries)


@given(title=mixed_text, abstract=st.none() | mixed_text, keywords=st.lists(mixed_text, max_size=3))
def test_mapping_text_dense_with_terms_never_fails(title, abstract, keywords):
    record = Record(id="rprop", title=title or "x", abstract=abstract, keywords=tuple(keywords))
    entries = map_record(record)
    assert [e.entry_id for e in entries] == [f"rprop-{n}" for n in range(1, len(entries) + 1)]
    check_provenance(record, entries)


def _with_term(vocabulary: Vocabulary, kind: str, code: str, term: str) -> Vocabulary:
    kinds = dict(vocabulary.kinds)
    table = dict(kinds[kind])
    table[code] = attrs.evolve(table[code], terms=table[code].terms + (term,))
    kinds[kind] = table
    return Vocabulary(version=vocabulary.version, kinds=kinds)


def _coded(entries):
    """(field, value) -> provenance spans, for the codes that come from vocabulary terms."""
    out = {}
    for entry in entries:
        for p in entry.provenance:
            if p.field in ("exercise_types", "outcomes", "comparators") or p.field.startswith(
                "population.condition"
            ):
                out.setdefault((p.field, p.value), []).append(p)
    return out


@settings(max_examples=40)
@given(
    title=mixed_text,
    abstract=mixed_text,
    kind=st.sampled_from(["exercise_types", "outcomes", "comparators", "condition"]),
    data=st.data(),
    term=st.sampled_from(VOCAB_WORDS[:20]) | st.text(alphabet="abcdefgh ", min_size=3, max_size=15),
)
def test_adding_a_term_never_removes_a_code_unless_a_longer_match_takes_its_words(
    title, abstract, kind, data, term
):
    if not term.strip():
        return
    base = default_vocabulary()
    code = data.draw(st.sampled_from(codes(kind)))
    grown = _with_term(base, kind, code, term)
    record = Record(id="rmono", title=title or "x", abstract=abstract)
    before = _coded(map_record(record, base))
    after_entries = map_record(record, grown)
    after = _coded(after_entries)
    # Where the new term itself matched (the only way it can take words from a code).
    new_spans = [(p.source, p.start, p.end) for e in after_entries for p in e.provenance]
    for key, spans in before.items():
        if key in after:
            continue
        if key == ("exercise_types", "general"):
            continue  # "exercise with no named type": a newly named type replaces it by definition
        # The code may go only if a longer match now covers the words it came from.
        for p in spans:
            text = source_text(record, p.source)
            assert any(
                src == p.source and s <= p.start and p.end <= e and (e - s) > (p.end - p.start)
                for src, s, e in new_spans
            ), (key, p, text)


ADVERSARIAL = [
    "pain ( " + "disability, " * 2000,
    "chronic " * 2000 + "low back pain",
    "no " * 2000 + "sciatica",
    "((((( " * 2000 + "pain",
    "twice a week for 8 weeks, " * 1000,
    "sham " * 1000 + "yoga " * 1000,
    "80% HRmax RPE 13 " * 1000,
    "BACKGROUND: " * 2000,
    "Methods. " * 2000,
    "1-1-1-1-1-1-1 " * 2000,
]


def test_repetitive_and_unbalanced_text_maps_with_sound_provenance():
    for text in ADVERSARIAL:
        record = Record(id="radv", title="Exercise", abstract=text)
        check_provenance(record, map_record(record))
