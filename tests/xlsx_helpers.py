"""Catalogues for the workbook tests, built from entries as they are given."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from protocols.model import Author, Entry, Origin, Record
from protocols.store import Catalogue


def record_for(entry: Entry, **fields) -> Record:
    """A record the entry can hang on; a title of its own so that no two records merge."""
    return Record(
        id=entry.record.id,
        title=fields.pop("title", f"Record {entry.record.id}"),
        year=entry.record.year,
        origins=(Origin("tests.ris", 1, "ris"),),
        **fields,
    )


def catalogue_with(path: Path, entries: Iterable[Entry], **record_fields) -> Catalogue:
    """A catalogue holding exactly ``entries`` (ingested with a mapper that returns them)."""
    by_record: dict[str, list[Entry]] = {}
    for entry in entries:
        by_record.setdefault(entry.record.id, []).append(entry)
    records = [record_for(group[0], **dict(record_fields)) for group in by_record.values()]
    catalogue = Catalogue(path)
    catalogue.ingest(records, lambda record: by_record[record.id], ["tests.ris"])
    return catalogue


def sample_record(record_id: str, **fields) -> Record:
    return Record(
        id=record_id,
        title=fields.pop("title", f"Core stabilisation for low back pain {record_id}"),
        authors=(Author("Zhang", "Wei"), Author("Smith", "J")),
        year=2021,
        origins=(Origin("tests.ris", 1, "ris"),),
        **fields,
    )
