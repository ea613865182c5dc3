"""How tests/data/catalogue_v1.sqlite was made (run once with the v1 store, commit ec1ffd7).

It is kept, not regenerated: the file stands for catalogues written by protocat's
first schema, which every later protocat must open without loss. The export of
that catalogue made by the same code is kept beside it as catalogue_v1.jsonl.
"""

import sys
from pathlib import Path

import attrs

from exporters import jsonl
from protocols.mapping import record_ref
from protocols.model import Dosage, Entry, Outcome, Provenance
from protocols.records import read_file
from protocols.store import Catalogue

HERE = Path(__file__).parent


def mapper(record):
    title = record.title.lower()
    types = ("motor_control",) if "exercise" in title else ()
    outcomes = (
        (Outcome("hypoalgesia", "pressure pain threshold"),) if "hypoalgesia" in title else ()
    )
    prov = ()
    if types:
        start = title.index("exercise")
        prov = (
            Provenance(
                "exercise_types",
                "motor_control",
                "title",
                start,
                start + 8,
                record.title[start : start + 8],
            ),
        )
    return [
        Entry(
            entry_id=f"{record.id}-1",
            record=record_ref(record),
            exercise_types=types,
            outcomes=outcomes,
            provenance=prov,
        )
    ]


def main(seed: str) -> None:
    target = HERE / "catalogue_v1.sqlite"
    target.unlink(missing_ok=True)
    records = [r for r in read_file(seed) if not hasattr(r, "reason")]
    with Catalogue(target) as catalogue:
        catalogue.ingest(records, mapper, ["000_057fc58b5fe71c16.txt"])
        first = next(catalogue.entries())
        curated = attrs.evolve(
            first,
            design="rct",
            dosage=Dosage(weeks=8, sessions_per_week=(2, 3)),
            review_status="curated",
            curated_fields=("design", "dosage"),
        )
        catalogue.put_entries([curated], "edit", "make_catalogue_v1.py")
        catalogue._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        with open(HERE / "catalogue_v1.jsonl", "w", encoding="utf-8", newline="\n") as stream:
            jsonl.write_catalogue(catalogue, stream)


if __name__ == "__main__":
    main(sys.argv[1])
