"""The fields the mapping reads: a record and its mapping view map to the same entries.

``--jobs`` sends workers only ``mapping_view``'s fields, so this is what keeps the
output of one and of several workers the same.
"""

from __future__ import annotations

import attrs
from hypothesis import given
from hypothesis import strategies as st

from protocols.mapping import map_record
from protocols.mapping.view import MAPPED_FIELDS, mapping_view
from protocols.model import Record
from protocols.records import read_file
from tests.conftest import shared_path
from tests.strategies import authors, records
from tests.test_mapping_properties import mixed_text


def test_the_view_keeps_the_mapped_fields_and_drops_the_rest(seed_file):
    record = next(r for r in read_file(seed_file) if isinstance(r, Record))
    view = mapping_view(record)
    for name in MAPPED_FIELDS:
        assert getattr(view, name) == getattr(record, name)
    assert record.authors and record.origins
    assert view.authors == () and view.origins == ()


@given(records)
def test_any_record_maps_as_its_view(record):
    assert map_record(mapping_view(record)) == map_record(record)


@given(
    records,
    mixed_text,
    st.none() | mixed_text,
    st.lists(mixed_text, max_size=3),
    st.lists(authors, max_size=3),
)
def test_a_record_dense_with_terms_maps_as_its_view(record, title, abstract, keywords, names):
    # Other fields hold text the mapping would find if it read them.
    record = attrs.evolve(
        record,
        title=title or "x",
        abstract=abstract,
        keywords=tuple(keywords),
        authors=names,
        journal=abstract,
        affiliations=tuple(keywords),
    )
    assert map_record(mapping_view(record)) == map_record(record)


def test_every_real_record_of_the_fixtures_maps_as_its_view():
    checked = 0
    for folder in ("medline", "pubmed_xml", "ris"):
        for path in sorted(shared_path("fixtures", folder).rglob("*")):
            if not path.is_file() or path.suffix in (".md", ".tsv"):
                continue
            for record in read_file(path):
                if isinstance(record, Record):
                    assert map_record(mapping_view(record)) == map_record(record), path
                    checked += 1
    assert checked > 100


@given(records)
def test_the_view_is_the_record_its_values_would_build(record):
    # from_mapped_values skips validation; what it builds is what Record(...) builds.
    values = {name: getattr(record, name) for name in MAPPED_FIELDS}
    assert mapping_view(record) == Record(**values)
