"""The catalogue: one SQLite file holding records, their entries and the history of changes.

Records and entries are stored as their JSON (``protocols.serialize``) beside the
columns that are searched or joined on. Every change runs in one transaction and
leaves a row in ``history``. A record is found again by any of its keys (DOI,
PMID, normalised title and year), so ingesting the same work twice, from the same
or another export, merges instead of duplicating. Values a person set
(``Entry.curated_fields``) are never overwritten by an automatic mapping.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import attrs
from attrs import frozen

from protocols.errors import CatalogueError
from protocols.model import Entry, Record
from protocols.records.normalise import normalise_title
from protocols.serialize import from_json, to_json

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    year INTEGER,
    doi TEXT,
    pmid TEXT,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS record_keys (
    key TEXT PRIMARY KEY,
    record_id TEXT NOT NULL REFERENCES records(id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS entries (
    entry_id TEXT PRIMARY KEY,
    record_id TEXT NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    review_status TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_record ON entries(record_id);
CREATE TABLE IF NOT EXISTS inputs (
    file TEXT PRIMARY KEY,
    records INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    count INTEGER NOT NULL,
    file TEXT,
    detail TEXT
);
"""

Mapper = Callable[[Record], list[Entry]]


@frozen
class IngestReport:
    added: int = 0
    merged: int = 0
    updated: int = 0
    unchanged: int = 0
    entries: int = 0


@frozen
class Counts:
    records: int
    entries: int
    exercise_entries: int


def record_keys(record: Record) -> list[str]:
    """The keys a record is found by: DOI, PMID, normalised title with year."""
    keys = []
    if record.doi:
        keys.append(f"doi:{record.doi}")
    if record.pmid:
        keys.append(f"pmid:{record.pmid}")
    title = normalise_title(record.title)
    if title:
        keys.append(f"title:{title}:{record.year or ''}")
    return keys


def merge_into(kept: Record, new: Record) -> Record:
    """``kept`` completed with what ``new`` adds: empty fields filled, ids and origins united."""
    changes = {}
    for field in attrs.fields(Record):
        name = field.name
        if name in ("id",):
            continue
        old_value, new_value = getattr(kept, name), getattr(new, name)
        if isinstance(old_value, tuple):
            united = old_value + tuple(v for v in new_value if v not in old_value)
            if name in ("origins", "source_ids", "warnings", "keywords", "publication_types",
                        "subject_codes", "related") or not old_value:
                changes[name] = united
        elif old_value is None and new_value is not None:
            changes[name] = new_value
    return attrs.evolve(kept, **changes)


def apply_curated(auto: Entry, curated: Entry) -> Entry:
    """The automatic entry with every field a person set taken from the curated one."""
    if not curated.curated_fields and curated.review_status != "curated":
        return auto
    changes = {name: getattr(curated, name) for name in curated.curated_fields}
    return attrs.evolve(
        auto,
        **changes,
        review_status=curated.review_status,
        curated_fields=curated.curated_fields,
    )


class Catalogue:
    """A catalogue file. Use as a context manager, or call ``close()``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise CatalogueError(f"{self.path}: cannot open the catalogue: {exc}") from None

    def __enter__(self) -> Catalogue:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    # ------------------------------------------------------------------ schema

    def _migrate(self) -> None:
        # executescript commits on its own, so the idempotent DDL runs before the transaction.
        self._db.executescript(_SCHEMA)
        with self._transaction():
            row = self._db.execute("SELECT version FROM schema_version").fetchone()
            if row is None:
                self._db.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
            elif row[0] > SCHEMA_VERSION:
                raise CatalogueError(
                    f"{self.path}: written by a newer protocat (schema {row[0]} > {SCHEMA_VERSION})"
                )

    def _transaction(self):
        return _Transaction(self._db)

    # ------------------------------------------------------------------ writing

    def ingest(
        self, records: Iterable[Record], mapper: Mapper, files: Iterable[str] = ()
    ) -> IngestReport:
        """Store records (merged with what is kept) and their mapped entries, all or nothing."""
        added = merged = updated = unchanged = entries = 0
        counted: dict[str, int] = {}
        with self._transaction():
            for record in records:
                for origin in record.origins:
                    counted[origin.file] = counted.get(origin.file, 0) + 1
                existing = self._find(record)
                if existing is None:
                    stored = record
                    added += 1
                else:
                    stored = merge_into(existing, record)
                    if stored == existing:
                        unchanged += 1
                        continue
                    merged += 1
                entries += self._put_record(stored, mapper(stored))
            for file in sorted(set(files) | set(counted)):
                self._db.execute(
                    "INSERT INTO inputs VALUES (?, ?) ON CONFLICT(file) DO UPDATE SET records=excluded.records",
                    (file, counted.get(file, 0)),
                )
            report = IngestReport(added, merged, updated, unchanged, entries)
            self._log("ingest", added + merged, ", ".join(sorted(counted)), attrs.asdict(report))
        return report

    def put_entries(self, new_entries: Iterable[Entry], action: str, source: str) -> int:
        """Store entries as given (curated content, imports); returns how many changed."""
        changed = 0
        with self._transaction():
            for entry in new_entries:
                if self._db.execute("SELECT 1 FROM records WHERE id=?", (entry.record.id,)).fetchone() is None:
                    raise CatalogueError(f"entry {entry.entry_id}: no record {entry.record.id} in the catalogue")
                old = self.entry(entry.entry_id)
                if old == entry:
                    continue
                self._write_entry(entry)
                changed += 1
            self._log(action, changed, source, None)
        return changed

    def _find(self, record: Record) -> Record | None:
        for key in record_keys(record):
            row = self._db.execute(
                "SELECT r.data FROM record_keys k JOIN records r ON r.id = k.record_id WHERE k.key=?",
                (key,),
            ).fetchone()
            if row:
                return from_json(json.loads(row[0]), Record)
        return None

    def _put_record(self, record: Record, mapped: list[Entry]) -> int:
        self._db.execute(
            "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
            "title=excluded.title, year=excluded.year, doi=excluded.doi, pmid=excluded.pmid, data=excluded.data",
            (record.id, record.title, record.year, record.doi, record.pmid, _dump(record)),
        )
        for key in record_keys(record):
            self._db.execute("INSERT OR IGNORE INTO record_keys VALUES (?, ?)", (key, record.id))
        previous = {e.entry_id: e for e in self._entries_of(record.id)}
        new_ids = set()
        for entry in mapped:
            kept = previous.get(entry.entry_id)
            if kept is not None:
                entry = apply_curated(entry, kept)
            self._write_entry(entry)
            new_ids.add(entry.entry_id)
        for entry_id, kept in previous.items():
            # A curated entry stays even when a new mapping no longer produces it.
            if entry_id not in new_ids and kept.review_status != "curated":
                self._db.execute("DELETE FROM entries WHERE entry_id=?", (entry_id,))
        return len(mapped)

    def _write_entry(self, entry: Entry) -> None:
        self._db.execute(
            "INSERT INTO entries VALUES (?, ?, ?, ?) ON CONFLICT(entry_id) DO UPDATE SET "
            "review_status=excluded.review_status, data=excluded.data",
            (entry.entry_id, entry.record.id, entry.review_status, _dump(entry)),
        )

    def _log(self, action: str, count: int, file: str | None, detail) -> None:
        self._db.execute(
            "INSERT INTO history (at, action, count, file, detail) VALUES (?, ?, ?, ?, ?)",
            (_now(), action, count, file, json.dumps(detail, sort_keys=True) if detail else None),
        )

    # ------------------------------------------------------------------ reading (CatalogueView)

    def records(self) -> Iterator[Record]:
        for (data,) in self._db.execute("SELECT data FROM records ORDER BY id"):
            yield from_json(json.loads(data), Record)

    def entries(self) -> Iterator[Entry]:
        for (data,) in self._db.execute("SELECT data FROM entries ORDER BY entry_id"):
            yield from_json(json.loads(data), Entry)

    def _entries_of(self, record_id: str) -> list[Entry]:
        rows = self._db.execute(
            "SELECT data FROM entries WHERE record_id=? ORDER BY entry_id", (record_id,)
        )
        return [from_json(json.loads(data), Entry) for (data,) in rows]

    def record(self, record_id: str) -> Record | None:
        row = self._db.execute("SELECT data FROM records WHERE id=?", (record_id,)).fetchone()
        return from_json(json.loads(row[0]), Record) if row else None

    def entry(self, entry_id: str) -> Entry | None:
        row = self._db.execute("SELECT data FROM entries WHERE entry_id=?", (entry_id,)).fetchone()
        return from_json(json.loads(row[0]), Entry) if row else None

    def counts(self) -> Counts:
        records = self._db.execute("SELECT count(*) FROM records").fetchone()[0]
        entries = self._db.execute("SELECT count(*) FROM entries").fetchone()[0]
        exercise = sum(1 for e in self.entries() if e.exercise_types)
        return Counts(records=records, entries=entries, exercise_entries=exercise)

    def inputs(self) -> list[str]:
        return [f for (f,) in self._db.execute("SELECT file FROM inputs ORDER BY file")]

    def as_of(self) -> str:
        """The date of the last change (ISO), so exports of an unchanged catalogue are identical."""
        row = self._db.execute("SELECT max(at) FROM history").fetchone()
        return (row[0] or "1970-01-01T00:00:00+00:00")[:10]

    def history(self) -> list[dict]:
        rows = self._db.execute("SELECT at, action, count, file, detail FROM history ORDER BY id")
        return [
            {"at": at, "action": action, "count": count, "file": file,
             "detail": json.loads(detail) if detail else None}
            for at, action, count, file, detail in rows
        ]


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any error (the connection is in autocommit)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, *_exc) -> None:
        if exc_type is None:
            self._db.execute("COMMIT")
        else:
            self._db.execute("ROLLBACK")


def _dump(obj: Record | Entry) -> str:
    return json.dumps(to_json(obj), ensure_ascii=False, sort_keys=True)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
