"""Mapping: from a bibliographic Record to its intervention Entries.

``map_record`` is a pure function of the record and the vocabulary: no global
state, no dependence on the order records come in, so it can run in worker
processes (or any distributed engine) unchanged.
"""

from __future__ import annotations

from protocols.model import Entry, Record, RecordRef
from protocols.vocabulary import Vocabulary, default_vocabulary


def record_ref(record: Record) -> RecordRef:
    return RecordRef(
        id=record.id, title=record.title, doi=record.doi, pmid=record.pmid, year=record.year
    )


def map_record(record: Record, vocabulary: Vocabulary | None = None) -> list[Entry]:
    """The entries of one record (at least one; none of its codes without provenance)."""
    vocabulary = vocabulary or default_vocabulary()
    return [Entry(entry_id=f"{record.id}-1", record=record_ref(record))]
