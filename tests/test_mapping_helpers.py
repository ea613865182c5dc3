"""Small helpers shared by the mapping tests."""

from __future__ import annotations

from protocols.mapping import map_record
from protocols.model import Entry, Record


def record(title: str, abstract: str | None = None, keywords=(), publication_types=()) -> Record:
    return Record(
        id="rtest00000001",
        title=title,
        abstract=abstract,
        keywords=tuple(keywords),
        publication_types=tuple(publication_types),
    )


def mapped(title: str, abstract: str | None = None, **kwargs) -> list[Entry]:
    return map_record(record(title, abstract, **kwargs))


def types(entries: list[Entry]) -> set[str]:
    return {code for e in entries for code in e.exercise_types}


def domains(entries: list[Entry]) -> set[str]:
    return {o.domain for e in entries for o in e.outcomes}


def source_text(rec: Record, source: str) -> str:
    if source == "title":
        return rec.title
    if source == "keywords":
        return "; ".join(rec.keywords)
    return rec.abstract or ""


def check_provenance(rec: Record, entries: list[Entry]) -> None:
    """Every provenance span points at the words it names."""
    for entry in entries:
        for p in entry.provenance:
            assert p.source in ("title", "keywords", "abstract")
            assert source_text(rec, p.source)[p.start : p.end] == p.text, p
            assert p.text.strip()
