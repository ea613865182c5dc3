"""Catalogue speed beside plain sqlite3, in one run.

    python bench/bench_store.py [N]

Ingests N synthetic records (one entry each) through ``Catalogue.ingest`` (merge
lookups, JSON, search index, one transaction) and, beside it, writes the same
JSON rows with bare ``sqlite3`` ``executemany`` into a table with an FTS5 index:
the floor the store is built on. Then times a ranked text search and a coded
filter in both. Figures are wall-clock seconds on this machine; peak memory of
the store's ingest from ``tracemalloc`` in a separate run.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from protocols.mapping import record_ref
from protocols.model import Entry, Origin, Outcome, Record
from protocols.serialize import to_json
from protocols.store import Catalogue, SearchFilter

WORDS = ("core", "stabilisation", "walking", "pain", "hypoalgesia", "trial", "back", "pilates")


def make_records(n: int) -> list[Record]:
    return [
        Record(
            id=f"r{i:012x}",
            title=" ".join(WORDS[(i + k) % len(WORDS)] for k in range(6)) + f" study {i}",
            abstract=" ".join(WORDS[(i * k) % len(WORDS)] for k in range(60)),
            keywords=(WORDS[i % len(WORDS)], "low back pain"),
            year=1990 + i % 35,
            doi=f"10.1000/{i}",
            origins=(Origin(file="bench.ris", line=i + 1, format="ris"),),
        )
        for i in range(n)
    ]


def mapper(record: Record) -> list[Entry]:
    types = ("motor_control",) if "stabilisation" in record.title else ("aerobic",)
    return [
        Entry(
            entry_id=f"{record.id}-1",
            record=record_ref(record),
            exercise_types=types,
            outcomes=(Outcome("hypoalgesia", "pressure pain threshold"),),
        )
    ]


def timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def main(n: int) -> None:
    records = make_records(n)
    with tempfile.TemporaryDirectory() as folder:
        # Memory in a run of its own: tracemalloc slows Python down several times.
        tracemalloc.start()
        with Catalogue(Path(folder) / "memory.sqlite") as catalogue:
            catalogue.ingest(records, mapper, ["bench.ris"])
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        with Catalogue(Path(folder) / "store.sqlite") as catalogue:
            ingest_s, _ = timed(lambda: catalogue.ingest(records, mapper, ["bench.ris"]))
            again_s, _ = timed(lambda: catalogue.ingest(records, mapper, ["bench.ris"]))
            search_s, hits = timed(lambda: catalogue.search("hypoalgesia walking", limit=20))
            filter_s, found = timed(
                lambda: catalogue.search(where=SearchFilter(types=("motor_control",)))
            )

        db = sqlite3.connect(Path(folder) / "raw.sqlite", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE entries (entry_id TEXT PRIMARY KEY, data TEXT)")
        db.execute("CREATE VIRTUAL TABLE fts USING fts5(title, abstract, keywords)")

        def raw_ingest():
            db.execute("BEGIN")
            rows = [(r.id + "-1", json.dumps(to_json(mapper(r)[0]))) for r in records]
            db.executemany("INSERT INTO entries VALUES (?, ?)", rows)
            db.executemany(
                "INSERT INTO fts VALUES (?, ?, ?)",
                [(r.title, r.abstract, "; ".join(r.keywords)) for r in records],
            )
            db.execute("COMMIT")

        raw_ingest_s, _ = timed(raw_ingest)
        raw_search_s, _ = timed(
            lambda: db.execute(
                "SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY bm25(fts) LIMIT 20",
                ("hypoalgesia walking",),
            ).fetchall()
        )
        raw_filter_s, _ = timed(
            lambda: db.execute(
                "SELECT data FROM entries WHERE EXISTS (SELECT 1 FROM json_each(data, "
                "'$.exercise_types') WHERE value = ?)",
                ("motor_control",),
            ).fetchall()
        )
        db.close()

    print(f"{n} records, one entry each")
    print(f"{'':32}{'protocat':>12}{'sqlite3':>12}")
    print(f"{'ingest (s)':32}{ingest_s:12.3f}{raw_ingest_s:12.3f}")
    print(f"{'ingest again, unchanged (s)':32}{again_s:12.3f}{'':>12}")
    print(f"{'text search, 20 ranked (ms)':32}{search_s * 1000:12.1f}{raw_search_s * 1000:12.1f}")
    print(
        f"{f'filter by type, {len(found)} hits (ms)':32}"
        f"{filter_s * 1000:12.1f}{raw_filter_s * 1000:12.1f}"
    )
    print(f"peak memory of the protocat ingest: {peak / 1e6:.1f} MB ({len(hits)} search hits)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
