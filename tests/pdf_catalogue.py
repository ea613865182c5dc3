"""Hand-built records and entries for the PDF tests (the real mapping lives on another branch)."""

from __future__ import annotations

from pathlib import Path

from protocols.model import (
    Author,
    Dosage,
    Entry,
    Intensity,
    Origin,
    Outcome,
    Population,
    Record,
    RecordRef,
    Reporting,
)
from protocols.store import Catalogue, Counts

INJECTION_TITLE = 'Core stability <img src="/etc/passwd"/> & <font name="x">]]> trial'
CHINESE_TITLE = "运动诱导的神经可塑性：慢性腰痛康复的新视角"


def _ref(record: Record) -> RecordRef:
    return RecordRef(
        id=record.id, title=record.title, doi=record.doi, pmid=record.pmid, year=record.year
    )


def sample_records() -> list[Record]:
    origin = Origin(file="hand-built.txt", line=1, format="portal")
    return [
        Record(
            id="r000000000001",
            title=INJECTION_TITLE,
            authors=(Author("Zou", "Jianpeng"), Author("Hao", "Shijie")),
            journal="Frontiers in Molecular Neuroscience",
            year=2024,
            volume="17",
            doi="10.3389/fnmol.2024.1407445",
            origins=(origin,),
        ),
        Record(id="r000000000002", title=CHINESE_TITLE, year=2023, origins=(origin,)),
        Record(
            id="r000000000003",
            title="Exercise and the brain: a narrative review",
            year=2020,
            origins=(origin,),
        ),
    ]


def sample_entries(records: list[Record]) -> dict[str, list[Entry]]:
    first, second, third = records
    return {
        first.id: [
            Entry(
                entry_id=f"{first.id}-1",
                record=_ref(first),
                exercise_types=("motor_control", "resistance"),
                population=Population("low_back_pain", "chronic", "nonspecific", "adults", 48),
                outcomes=(Outcome("pain_intensity", "VAS"), Outcome("disability_function", "ODI")),
                design="rct",
                dosage=Dosage(
                    weeks=8,
                    sessions_per_week=(2, 3),
                    minutes_per_session=45,
                    intensity=Intensity("rpe", 12, 13, "moderate"),
                    sets=3,
                    repetitions=10,
                    supervision="supervised",
                    delivery="group",
                    setting="clinic",
                ),
                reporting=Reporting(cert_reported=("1", "8", "13"), cert_missing=("2", "5", "7a")),
            )
        ],
        second.id: [
            Entry(
                entry_id=f"{second.id}-1",
                record=_ref(second),
                exercise_types=("tai_chi_qigong",),
                population=Population("neck_pain"),
                outcomes=(Outcome("brain"),),
                design="experimental",
                dosage=Dosage(minutes_per_session=30),
            )
        ],
        third.id: [Entry(entry_id=f"{third.id}-1", record=_ref(third), design="narrative_review")],
    }


def sample_catalogue(path: Path) -> Catalogue:
    records = sample_records()
    entries = sample_entries(records)
    catalogue = Catalogue(path)
    catalogue.ingest(records, lambda record: entries[record.id], ["hand-built.txt"])
    return catalogue


class MemoryView:
    """A CatalogueView held in memory: for property tests that build many small PDFs."""

    def __init__(self, records: list[Record], entries: list[Entry]) -> None:
        self._records = {r.id: r for r in sorted(records, key=lambda r: r.id)}
        self._entries = {e.entry_id: e for e in sorted(entries, key=lambda e: e.entry_id)}

    def records(self):
        return iter(self._records.values())

    def entries(self):
        return iter(self._entries.values())

    def record(self, record_id):
        return self._records.get(record_id)

    def entry(self, entry_id):
        return self._entries.get(entry_id)

    def counts(self) -> Counts:
        exercise = sum(1 for e in self._entries.values() if e.exercise_types)
        return Counts(
            records=len(self._records), entries=len(self._entries), exercise_entries=exercise
        )

    def inputs(self):
        return ["memory"]

    def as_of(self) -> str:
        return "2026-01-01"
