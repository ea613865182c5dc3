"""Hypothesis strategies for records and entries, shared by every property test."""

from __future__ import annotations

from hypothesis import strategies as st

from protocols.model import (
    Author,
    Dosage,
    Entry,
    Intensity,
    Origin,
    Outcome,
    Population,
    Provenance,
    Record,
    RecordRef,
    Reporting,
    SourceId,
)
from protocols.vocabulary import codes

# Text as people's exports hold it: any script, markup characters, formula triggers.
text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=60,
)
nonempty_text = text.filter(lambda s: s.strip() != "")
optional_text = st.none() | nonempty_text
small_int = st.integers(min_value=0, max_value=10_000)


def _amount():
    number = st.integers(min_value=0, max_value=500) | st.floats(
        min_value=0, max_value=500, allow_nan=False, allow_infinity=False
    )
    rng = st.tuples(number, number).map(lambda t: (min(t), max(t)))
    return st.none() | number | rng


def _code_set(kind: str):
    return st.lists(st.sampled_from(codes(kind)), unique=True, max_size=4).map(tuple)


authors = st.builds(
    Author, family=nonempty_text, given=text, affiliations=st.lists(text, max_size=2)
)
origins = st.builds(
    Origin,
    file=nonempty_text,
    line=st.integers(min_value=1, max_value=10**6),
    format=st.just("ris"),
)

records = st.builds(
    Record,
    id=st.from_regex(r"r[0-9a-f]{12}", fullmatch=True),
    title=nonempty_text,
    authors=st.lists(authors, max_size=4),
    journal=optional_text,
    year=st.none() | st.integers(min_value=1800, max_value=2100),
    volume=optional_text,
    issue=optional_text,
    pages=optional_text,
    keywords=st.lists(nonempty_text, max_size=5),
    abstract=optional_text,
    doi=st.none() | st.from_regex(r"10\.\d{4,6}/[a-z0-9.\-]{1,20}", fullmatch=True),
    pmid=st.none() | st.from_regex(r"[1-9][0-9]{3,8}", fullmatch=True),
    source_ids=st.lists(
        st.builds(SourceId, scheme=st.sampled_from(["wos", "scopus"]), value=nonempty_text),
        max_size=2,
    ),
    origins=st.lists(origins, min_size=1, max_size=2),
)

intensities = st.builds(
    Intensity,
    metric=st.sampled_from(codes("intensity_metric")),
    low=st.none() | st.integers(min_value=0, max_value=100),
    high=st.none() | st.integers(min_value=0, max_value=100),
    class_=st.none() | st.sampled_from(codes("intensity_class")),
)

dosages = st.builds(
    Dosage,
    weeks=_amount(),
    sessions_per_week=_amount(),
    minutes_per_session=_amount(),
    sessions_total=_amount(),
    intensity=st.none() | intensities,
    sets=_amount(),
    repetitions=_amount(),
    supervision=st.none() | st.sampled_from(codes("supervision")),
    delivery=st.none() | st.sampled_from(codes("delivery")),
    setting=st.none() | st.sampled_from(codes("setting")),
)

populations = st.builds(
    Population,
    condition=st.none() | st.sampled_from(codes("condition")),
    chronicity=st.sampled_from(codes("chronicity")),
    specificity=st.sampled_from(codes("specificity")),
    age_group=st.sampled_from(codes("age_group")),
    sample_size=st.none() | small_int,
)

provenances = st.builds(
    Provenance,
    field=st.sampled_from(["exercise_types", "outcomes", "design", "dosage.weeks"]),
    value=nonempty_text,
    source=st.sampled_from(["title", "abstract", "keywords"]),
    start=small_int,
    end=small_int,
    text=nonempty_text,
)


@st.composite
def entries(draw):
    ref = draw(
        st.builds(
            RecordRef,
            id=st.from_regex(r"r[0-9a-f]{12}", fullmatch=True),
            title=nonempty_text,
            doi=st.none() | st.from_regex(r"10\.\d{4,6}/[a-z0-9.\-]{1,20}", fullmatch=True),
            pmid=st.none() | st.from_regex(r"[1-9][0-9]{3,8}", fullmatch=True),
            year=st.none() | st.integers(min_value=1800, max_value=2100),
        )
    )
    return Entry(
        entry_id=f"{ref.id}-{draw(st.integers(min_value=1, max_value=9))}",
        record=ref,
        exercise_types=draw(_code_set("exercise_types")),
        comparators=draw(_code_set("comparators")),
        population=draw(populations),
        outcomes=tuple(
            draw(
                st.lists(
                    st.builds(
                        Outcome, domain=st.sampled_from(codes("outcomes")), measure=optional_text
                    ),
                    max_size=5,
                    unique_by=lambda o: o.domain,
                )
            )
        ),
        design=draw(st.sampled_from(codes("design"))),
        dosage=draw(dosages),
        reporting=draw(
            st.builds(
                Reporting,
                cert_reported=_code_set("cert"),
                cert_missing=_code_set("cert"),
                tidier_reported=_code_set("tidier"),
                tidier_missing=_code_set("tidier"),
            )
        ),
        provenance=tuple(draw(st.lists(provenances, max_size=3))),
        review_status=draw(st.sampled_from(["auto", "curated"])),
        arm=draw(optional_text),
    )
