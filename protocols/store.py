"""The catalogue: one SQLite file holding records, their entries and the history of changes.

Records and entries are stored as their JSON (``protocols.serialize``) beside the
columns that are searched or joined on. The file is opened with WAL journaling
(readers never wait for a writer), foreign keys on and a long busy timeout, so two
protocat processes can write one catalogue: the second waits for the first. Every
change runs in one ``BEGIN IMMEDIATE`` transaction, so a killed process leaves the
catalogue as it was, and leaves a row in ``history`` (when, what, how many, from
which file). A record is found again by any of its keys (DOI, PMID, normalised
title and year), so ingesting the same work twice, from the same or another
export, merges instead of duplicating. Values a person set
(``Entry.curated_fields``) are never overwritten by an automatic mapping.

The schema carries a version number; ``MIGRATIONS`` bring a catalogue written by
an older protocat up to date when it is opened, inside one transaction.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import attrs
from attrs import frozen

from protocols.errors import CatalogueError, UsageError
from protocols.model import Entry, Record
from protocols.records.normalise import normalise_title
from protocols.serialize import from_json, to_json

SCHEMA_VERSION = 2

# Seconds a writer waits for another process's transaction before giving up.
BUSY_TIMEOUT = float(os.environ.get("PROTOCAT_BUSY_TIMEOUT", "600"))
# Test hook: seconds to sleep after each ingested record, so a test can kill an ingest halfway.
_INGEST_DELAY_ENV = "PROTOCAT_TEST_INGEST_DELAY"
# Records an ingest handles per batch of statements (see ``_Batch``): large enough that
# one query and one ``executemany`` per table cost little a record, small enough that
# the memory an ingest holds stays flat however long the input.
INGEST_BATCH = 500

# Schema 1, as protocat 0.1 wrote it. New files are created at 1 and migrated like old ones,
# so a fresh catalogue and an upgraded one are built by the same statements.
_SCHEMA_1 = (
    "CREATE TABLE schema_version (version INTEGER NOT NULL)",
    """CREATE TABLE records (
        id TEXT PRIMARY KEY, title TEXT NOT NULL, year INTEGER, doi TEXT, pmid TEXT,
        data TEXT NOT NULL)""",
    """CREATE TABLE record_keys (
        key TEXT PRIMARY KEY,
        record_id TEXT NOT NULL REFERENCES records(id) ON DELETE CASCADE)""",
    """CREATE TABLE entries (
        entry_id TEXT PRIMARY KEY,
        record_id TEXT NOT NULL REFERENCES records(id) ON DELETE CASCADE,
        review_status TEXT NOT NULL, data TEXT NOT NULL)""",
    "CREATE INDEX entries_record ON entries(record_id)",
    "CREATE TABLE inputs (file TEXT PRIMARY KEY, records INTEGER NOT NULL)",
    """CREATE TABLE history (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, action TEXT NOT NULL,
        count INTEGER NOT NULL, file TEXT, detail TEXT)""",
)

# The searchable text of an entry: its record's title, abstract and keywords (joined with
# "; ", as provenance spans count them), the entry's outcome measures and provenance text.
RECORD_SEARCH_COLUMNS = ("title", "abstract", "keywords")
ENTRY_SEARCH_COLUMNS = ("measures", "provenance")
SEARCH_COLUMNS = RECORD_SEARCH_COLUMNS + ENTRY_SEARCH_COLUMNS
# bm25 weights, one a column: a word in the title says more than one in the abstract.
_SEARCH_WEIGHTS = (10.0, 1.0, 5.0, 5.0, 3.0)


def _migrate_1_to_2(db: sqlite3.Connection) -> None:
    """Full-text search (FTS5) over entries, filled from what the catalogue holds."""
    db.execute(
        "CREATE VIRTUAL TABLE entry_search USING fts5("
        + ", ".join(SEARCH_COLUMNS)
        + ", tokenize = 'unicode61 remove_diacritics 2')"
    )
    # entry_id -> the FTS row; an FTS table has no index on its own columns.
    db.execute("CREATE TABLE search_rows (row INTEGER PRIMARY KEY, entry_id TEXT NOT NULL UNIQUE)")
    records: dict[str, Record] = {}
    for record_id, data in db.execute("SELECT id, data FROM records").fetchall():
        records[record_id] = from_json(json.loads(data), Record)
    for record_id, data in db.execute("SELECT record_id, data FROM entries").fetchall():
        _index_entry(db, from_json(json.loads(data), Entry), records.get(record_id))


# version -> the step that brings a catalogue of that version to the next one.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _migrate_1_to_2}

Mapper = Callable[[Record], list[Entry]]


@frozen
class IngestReport:
    """What an ingest did: records ``added`` (new works), ``merged`` (a stored work completed
    by a duplicate), ``unchanged`` (a duplicate that added nothing), ``rejected`` (reported by
    the reader); entries ``updated`` (stored content changed) out of ``entries`` mapped."""

    added: int = 0
    merged: int = 0
    updated: int = 0
    unchanged: int = 0
    entries: int = 0
    rejected: int = 0


@frozen
class Counts:
    records: int
    entries: int
    exercise_entries: int


@frozen
class SearchHit:
    entry: Entry
    # bm25 score of a text query (lower is better); None when no text was given.
    score: float | None = None


@frozen
class SearchFilter:
    """Coded criteria of a search; codes of one kind are alternatives, kinds all apply."""

    types: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    designs: tuple[str, ...] = ()
    comparators: tuple[str, ...] = ()
    min_weeks: float | None = None
    year_from: int | None = None
    year_to: int | None = None
    status: str | None = None


@frozen
class EncodedEntry:
    """An automatically mapped entry as the catalogue writes it: its row and its own search
    text (the record's part is the record's, written with it: ``record_search_text``)."""

    entry_id: str
    record_id: str
    review_status: str
    data: str  # the entry's JSON
    search: tuple[str, ...]  # one text a column of ENTRY_SEARCH_COLUMNS

    def decode(self) -> Entry:
        return from_json(json.loads(self.data), Entry)


@frozen
class PreparedRecord:
    """A record with its mapped entries already encoded for the catalogue.

    Why: with ``--jobs``, worker processes map the records; encoding the entries there
    too (JSON, search text) sends back strings instead of objects and leaves the
    process that writes the catalogue less to do. ``Catalogue.ingest`` uses what is
    prepared for a record it adds, and maps again a record merged with a kept one,
    exactly as it would without preparation.
    """

    record: Record
    entries: tuple[EncodedEntry, ...]


def prepare_record(record: Record, mapper: Mapper) -> PreparedRecord:
    """``record`` with its entries mapped and encoded as ``Catalogue.ingest`` writes them."""
    return PreparedRecord(record, encode_entries(record, mapper))


def encode_entries(record: Record, mapper: Mapper) -> tuple[EncodedEntry, ...]:
    """The entries ``mapper`` gives ``record``, encoded as the catalogue writes them."""
    return tuple(_encode(entry) for entry in mapper(record))


def _encode(entry: Entry) -> EncodedEntry:
    return EncodedEntry(
        entry.entry_id, entry.record.id, entry.review_status, _dump(entry), entry_search_text(entry)
    )


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


_UNITED_FIELDS = (
    "origins",
    "source_ids",
    "warnings",
    "keywords",
    "publication_types",
    "subject_codes",
    "related",
)


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
            if name in _UNITED_FIELDS or not old_value:
                changes[name] = united
        elif old_value is None and new_value is not None:
            changes[name] = new_value
    return attrs.evolve(kept, **changes)


def get_path(obj: Any, path: str) -> Any:
    """``get_path(entry, "dosage.weeks")`` is ``entry.dosage.weeks``."""
    for name in path.split("."):
        obj = getattr(obj, name)
    return obj


def set_path(obj: Any, path: str, value: Any) -> Any:
    """A copy of ``obj`` with the (dotted) attribute set; a None inner object is created empty."""
    head, _, rest = path.partition(".")
    if not rest:
        return attrs.evolve(obj, **{head: value})
    inner = getattr(obj, head)
    if inner is None:
        inner_type = attrs.fields_dict(type(obj))[head].type
        raise ValueError(f"{head} is empty; set {head} as a whole first ({inner_type})")
    return attrs.evolve(obj, **{head: set_path(inner, rest, value)})


def _covered(field: str, paths: Iterable[str]) -> bool:
    return any(field == path or field.startswith(path + ".") for path in paths)


def apply_curated(auto: Entry, curated: Entry) -> Entry:
    """The automatic entry with every field a person set taken from the curated one.

    ``curated_fields`` holds attribute names (``design``) or dotted paths
    (``dosage.weeks``). The provenance of a curated field is the curated entry's,
    so an automatic span never stands beside a value a person chose.
    """
    if not curated.curated_fields and curated.review_status != "curated":
        return auto
    merged = auto
    for path in curated.curated_fields:
        # The automatic entry may lack the parent (no intensity): then the nearest parent
        # it has is taken from the curated entry whole.
        parts = path.split(".")
        for depth in range(len(parts), 0, -1):
            try:
                prefix = ".".join(parts[:depth])
                merged = set_path(merged, prefix, get_path(curated, prefix))
                break
            except (AttributeError, ValueError):
                continue
    if "provenance" not in curated.curated_fields:
        fields = curated.curated_fields
        provenance = tuple(p for p in auto.provenance if not _covered(p.field, fields)) + tuple(
            p for p in curated.provenance if _covered(p.field, fields)
        )
        merged = attrs.evolve(merged, provenance=provenance)
    return attrs.evolve(
        merged, review_status=curated.review_status, curated_fields=curated.curated_fields
    )


# Chinese and Japanese are written without spaces, and FTS5's unicode61 tokenizer would
# take a whole run of characters as one word: "稳定训练" would not find "核心稳定训练".
# So runs of these characters are indexed one character a token, and a query's runs
# become phrases of single characters, which match them anywhere in a run.
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# One range around all of _CJK_RUN's: text without any of it (nearly every English
# abstract) is left as it is after one quick scan. Measured on the benchmark's MEDLINE
# records (bench/run.py): 2.6 µs a record's title, abstract and keywords, 13.7 with _CJK_RUN.
_MAYBE_CJK = re.compile(r"[\u3040-\ufaff]")


def _spaced(run: re.Match[str]) -> str:
    return " ".join(run.group(0))


def _cjk_spaced(text: str) -> str:
    if text.isascii() or not _MAYBE_CJK.search(text):
        return text
    return _CJK_RUN.sub(_spaced, text)


def fts_query(query: str) -> str:
    """The user's FTS5 query with runs of CJK characters made phrases of characters."""
    parts = query.split('"')
    for index, part in enumerate(parts):
        inside_quotes = index % 2 == 1
        parts[index] = _CJK_RUN.sub(
            _spaced if inside_quotes else lambda run: '"' + _spaced(run) + '"', part
        )
    return '"'.join(parts)


def record_search_text(record: Record) -> tuple[str, ...]:
    """The text of each of ``RECORD_SEARCH_COLUMNS`` for the entries of ``record`` (CJK runs
    spaced, see ``fts_query``)."""
    return (
        _cjk_spaced(record.title),
        _cjk_spaced(record.abstract or ""),
        _cjk_spaced("; ".join(record.keywords)),
    )


def entry_search_text(entry: Entry) -> tuple[str, ...]:
    """The text of each of ``ENTRY_SEARCH_COLUMNS`` for ``entry``."""
    return (
        _cjk_spaced("; ".join(o.measure for o in entry.outcomes if o.measure)),
        _cjk_spaced("; ".join(p.text for p in entry.provenance)),
    )


def search_text(entry: Entry, record: Record | None) -> tuple[str, ...]:
    """The text of each of ``SEARCH_COLUMNS`` for one entry; without its record (a
    catalogue that lost it), the title the entry names."""
    if record is None:
        return (_cjk_spaced(entry.record.title), "", "", *entry_search_text(entry))
    return record_search_text(record) + entry_search_text(entry)


def _index_entry(db: sqlite3.Connection, entry: Entry, record: Record | None) -> None:
    row = db.execute("SELECT row FROM search_rows WHERE entry_id=?", (entry.entry_id,)).fetchone()
    if row is None:
        row_id = db.execute(
            "INSERT INTO search_rows (entry_id) VALUES (?)", (entry.entry_id,)
        ).lastrowid
    else:
        row_id = row[0]
        db.execute("DELETE FROM entry_search WHERE rowid=?", (row_id,))
    db.execute(
        "INSERT INTO entry_search (rowid, "
        + ", ".join(SEARCH_COLUMNS)
        + ") VALUES (?, ?, ?, ?, ?, ?)",
        (row_id, *search_text(entry, record)),
    )


class Catalogue:
    """A catalogue file. Use as a context manager, or call ``close()``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise CatalogueError(f"{self.path}: is a folder, not a catalogue file")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise CatalogueError(f"{self.path}: cannot open the catalogue: {exc}") from None
        try:
            self._use_wal()
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise CatalogueError(f"{self.path}: cannot open the catalogue: {exc}") from None
        except CatalogueError:
            self._db.close()
            raise

    def _use_wal(self) -> None:
        """Switch a new catalogue to WAL. SQLite answers "database is locked" at once,
        without its busy timeout, when another process is creating the same file at that
        moment (two ingests started together): try again until the timeout."""
        deadline = time.monotonic() + BUSY_TIMEOUT
        while True:
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def __enter__(self) -> Catalogue:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    # ------------------------------------------------------------------ schema

    def schema_version(self) -> int:
        return self._db.execute("SELECT version FROM schema_version").fetchone()[0]

    def _is_current(self) -> bool:
        """Is the schema up to date? Read without a write lock, so that opening a
        catalogue to search it never waits for another process's ingest."""
        try:
            row = self._db.execute("SELECT version FROM schema_version").fetchone()
        except sqlite3.OperationalError:  # no such table: a new file
            return False
        return row is not None and row[0] == SCHEMA_VERSION

    def _migrate(self) -> None:
        if self._is_current():
            return
        with self._transaction():
            tables = {
                name
                for (name,) in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if "schema_version" not in tables:
                if tables:
                    raise CatalogueError(
                        f"{self.path}: an SQLite file, but not a protocat catalogue"
                    )
                for statement in _SCHEMA_1:
                    self._db.execute(statement)
                self._db.execute("INSERT INTO schema_version VALUES (1)")
            version = self.schema_version()
            if version > SCHEMA_VERSION:
                raise CatalogueError(
                    f"{self.path}: written by a newer protocat "
                    f"(schema {version} > {SCHEMA_VERSION})"
                )
            while version < SCHEMA_VERSION:
                MIGRATIONS[version](self._db)
                version += 1
                self._db.execute("UPDATE schema_version SET version=?", (version,))

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db, self.path)

    # ------------------------------------------------------------------ writing

    def ingest(
        self,
        records: Iterable[Record | PreparedRecord],
        mapper: Mapper,
        files: Iterable[str] = (),
        rejects: Sequence | None = None,
    ) -> IngestReport:
        """Store records (merged with what is kept) and their mapped entries, all or nothing.

        ``rejects`` is the list the reader of ``records`` fills; its length is reported.
        A ``PreparedRecord`` is stored as prepared when it is new; merged with a kept
        record, the merged record is mapped by ``mapper``.
        """
        added = merged = updated = unchanged = entries = 0
        counted: dict[str, int] = {}
        delay = float(os.environ.get(_INGEST_DELAY_ENV) or 0)
        with self._transaction():
            for items in _chunks(records, INGEST_BATCH):
                chunk = [
                    item.record if isinstance(item, PreparedRecord) else item for item in items
                ]
                batch = _Batch(self._db)
                keys_of = batch.load(chunk)
                for item, record, keys in zip(items, chunk, keys_of, strict=True):
                    for origin in record.origins:
                        counted[origin.file] = counted.get(origin.file, 0) + 1
                    existing = batch.find(record, keys)
                    if existing is None:
                        stored = record
                        added += 1
                    else:
                        stored = merge_into(existing, record)
                        keys = None  # the merged record's, worked out if it is written
                        if stored == existing:
                            unchanged += 1
                        else:
                            merged += 1
                    if stored is record and isinstance(item, PreparedRecord):
                        mapped, changed = self._put_prepared(batch, item, keys)
                    else:
                        # Mapped again even when unchanged: a newer mapper updates automatic
                        # entries.
                        mapped, changed = self._put_record(
                            batch, stored, keys, mapper(stored), record_changed=stored != existing
                        )
                    entries += mapped
                    updated += changed
                    if delay:
                        time.sleep(delay)
                batch.flush()
            inputs_changed = 0
            # ``files`` is read once, after the records: the caller may learn it as they go.
            all_files = sorted(set(files) | set(counted))
            for file in all_files:
                inputs_changed += self._db.execute(
                    "INSERT INTO inputs VALUES (?, ?) ON CONFLICT(file) DO UPDATE "
                    "SET records=excluded.records WHERE records != excluded.records",
                    (file, counted.get(file, 0)),
                ).rowcount
            report = IngestReport(
                added, merged, updated, unchanged, entries, len(rejects) if rejects else 0
            )
            if added or merged or updated or inputs_changed:
                self._log(
                    "ingest",
                    added + merged,
                    ", ".join(all_files),
                    attrs.asdict(report),
                )
        return report

    def put_entries(
        self, new_entries: Iterable[Entry], action: str, source: str | None, detail=None
    ) -> int:
        """Store entries as given (curated content, edits); returns how many changed."""
        changed = 0
        with self._transaction():
            for entry in new_entries:
                record = self.record(entry.record.id)
                if record is None:
                    raise CatalogueError(
                        f"entry {entry.entry_id}: no record {entry.record.id} in the catalogue"
                    )
                if self.entry(entry.entry_id) == entry:
                    continue
                self._write_entry(entry, record)
                changed += 1
            if changed:
                self._log(action, changed, source, detail)
        return changed

    def import_items(self, items: Iterable[Record | Entry], source: str) -> tuple[int, int]:
        """Restore records and entries as given (a JSON Lines export), replacing by id.

        All or nothing; returns (records changed, entries changed).
        """
        records_changed = entries_changed = 0
        with self._transaction():
            for item in items:
                if isinstance(item, Record):
                    if self.record(item.id) != item:
                        self._write_record(item)
                        for entry in self._entries_of(item.id):
                            _index_entry(self._db, entry, item)
                        records_changed += 1
                else:
                    record = self.record(item.record.id)
                    if record is None:
                        raise CatalogueError(
                            f"{source}: entry {item.entry_id}: no record {item.record.id} "
                            "before it in the file or in the catalogue"
                        )
                    if self.entry(item.entry_id) != item:
                        self._write_entry(item, record)
                        entries_changed += 1
            if records_changed or entries_changed:
                self._log(
                    "import",
                    records_changed + entries_changed,
                    source,
                    {"records": records_changed, "entries": entries_changed},
                )
        return records_changed, entries_changed

    def _write_record(self, record: Record) -> None:
        self._db.execute(
            "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
            "title=excluded.title, year=excluded.year, doi=excluded.doi, pmid=excluded.pmid, "
            "data=excluded.data",
            (record.id, record.title, record.year, record.doi, record.pmid, _dump(record)),
        )
        for key in record_keys(record):
            self._db.execute("INSERT OR IGNORE INTO record_keys VALUES (?, ?)", (key, record.id))

    def _put_record(
        self,
        batch: _Batch,
        record: Record,
        keys: list[str] | None,
        mapped: Sequence[Entry],
        record_changed: bool = True,
    ) -> tuple[int, int]:
        """Queue a record and its newly mapped entries; returns (mapped, changed entries).

        Only what differs is written; the search text of every entry of a changed
        record is written again, since it holds the record's title and abstract.
        """
        if record_changed:
            batch.write_record(record, keys)
        record_text = record_search_text(record)  # once, whatever its entries
        previous = batch.entries_of(record.id)
        new_ids = set()
        changed = 0
        for entry in mapped:
            kept = previous.get(entry.entry_id)
            if kept is not None:
                entry = apply_curated(entry, kept)
                changed += entry != kept
            if kept is None or entry != kept:
                batch.write_encoded(_encode(entry), record_text)
            elif record_changed:
                batch.index_entry(entry, record_text)
            new_ids.add(entry.entry_id)
        for entry_id, kept in previous.items():
            # A curated entry stays even when a new mapping no longer produces it.
            if entry_id not in new_ids:
                if kept.review_status != "curated":
                    batch.delete_entry(entry_id, self._delete_entry)
                    changed += 1
                elif record_changed:
                    batch.index_entry(kept, record_text)
        return len(mapped), changed

    def _put_prepared(
        self, batch: _Batch, prepared: PreparedRecord, keys: list[str] | None
    ) -> tuple[int, int]:
        """``_put_record`` of a new record, written as prepared."""
        record = prepared.record
        if batch.entries_of(record.id):
            # Entries kept under a new record's id (only a custom mapper names them so):
            # compared one by one as ever.
            entries = [encoded.decode() for encoded in prepared.entries]
            return self._put_record(batch, record, keys, entries)
        batch.write_record(record, keys)
        record_text = record_search_text(record)
        for encoded in prepared.entries:
            batch.write_encoded(encoded, record_text)
        return len(prepared.entries), 0

    def _write_entry(self, entry: Entry, record: Record | None) -> None:
        self._db.execute(
            "INSERT INTO entries VALUES (?, ?, ?, ?) ON CONFLICT(entry_id) DO UPDATE SET "
            "record_id=excluded.record_id, review_status=excluded.review_status, "
            "data=excluded.data",
            (entry.entry_id, entry.record.id, entry.review_status, _dump(entry)),
        )
        _index_entry(self._db, entry, record)

    def _delete_entry(self, entry_id: str) -> None:
        row = self._db.execute(
            "SELECT row FROM search_rows WHERE entry_id=?", (entry_id,)
        ).fetchone()
        if row:
            self._db.execute("DELETE FROM entry_search WHERE rowid=?", (row[0],))
            self._db.execute("DELETE FROM search_rows WHERE row=?", (row[0],))
        self._db.execute("DELETE FROM entries WHERE entry_id=?", (entry_id,))

    def _log(self, action: str, count: int, file: str | None, detail) -> None:
        self._db.execute(
            "INSERT INTO history (at, action, count, file, detail) VALUES (?, ?, ?, ?, ?)",
            (
                _now(),
                action,
                count,
                file,
                json.dumps(detail, sort_keys=True, ensure_ascii=False) if detail else None,
            ),
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

    def entries_of(self, record_id: str) -> list[Entry]:
        """The entries of one record, in id order."""
        return self._entries_of(record_id)

    def record(self, record_id: str) -> Record | None:
        row = self._db.execute("SELECT data FROM records WHERE id=?", (record_id,)).fetchone()
        return from_json(json.loads(row[0]), Record) if row else None

    def entry(self, entry_id: str) -> Entry | None:
        row = self._db.execute("SELECT data FROM entries WHERE entry_id=?", (entry_id,)).fetchone()
        return from_json(json.loads(row[0]), Entry) if row else None

    def find_entry(self, text: str) -> Entry:
        """The entry named by its id, a unique prefix of it, or a record id with one entry."""
        entry = self.entry(text)
        if entry is not None:
            return entry
        # LIKE would read % and _ in the user's text as wildcards; a range on the key does not.
        ids = [
            i
            for (i,) in self._db.execute(
                "SELECT entry_id FROM entries WHERE entry_id >= ? AND entry_id < ? "
                "ORDER BY entry_id LIMIT 6",
                (text, text + "\U0010ffff"),
            )
        ]
        if len(ids) == 1:
            return self.entry(ids[0])
        if not ids:
            raise UsageError(f"no entry {text!r} in {self.path} (see `protocat search`)")
        raise UsageError(f"{text!r} names several entries: {', '.join(ids[:5])}")

    def counts(self) -> Counts:
        records = self._db.execute("SELECT count(*) FROM records").fetchone()[0]
        entries = self._db.execute("SELECT count(*) FROM entries").fetchone()[0]
        exercise = self._db.execute(
            "SELECT count(*) FROM entries WHERE json_array_length(data, '$.exercise_types') > 0"
        ).fetchone()[0]
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
            {
                "at": at,
                "action": action,
                "count": count,
                "file": file,
                "detail": json.loads(detail) if detail else None,
            }
            for at, action, count, file, detail in rows
        ]

    # ------------------------------------------------------------------ searching

    def search(
        self, query: str | None = None, where: SearchFilter | None = None, limit: int | None = None
    ) -> list[SearchHit]:
        """Entries matching an FTS5 ``query`` (ranked by bm25) and the coded criteria.

        Every value reaches SQLite as a parameter. An FTS5 query SQLite cannot read
        raises ``UsageError`` naming the query.
        """
        where = where or SearchFilter()
        clauses: list[str] = []
        params: list[Any] = []

        def any_of(template: str, values: Sequence[Any]) -> None:
            if values:
                marks = ", ".join("?" for _ in values)
                clauses.append(template.format(marks=marks))
                params.extend(values)

        if query:
            clauses.append("entry_search MATCH ?")
            params.append(fts_query(query))
        any_of(
            "EXISTS (SELECT 1 FROM json_each(e.data, '$.exercise_types') WHERE value IN ({marks}))",
            where.types,
        )
        any_of(
            "EXISTS (SELECT 1 FROM json_each(e.data, '$.comparators') WHERE value IN ({marks}))",
            where.comparators,
        )
        any_of(
            "EXISTS (SELECT 1 FROM json_each(e.data, '$.outcomes') "
            "WHERE json_extract(value, '$.domain') IN ({marks}))",
            where.outcomes,
        )
        any_of("json_extract(e.data, '$.population.condition') IN ({marks})", where.conditions)
        any_of("json_extract(e.data, '$.design') IN ({marks})", where.designs)
        if where.min_weeks is not None:
            # A range (6-12 weeks) counts by its low end: the programme lasts at least that.
            clauses.append(
                "coalesce(json_extract(e.data, '$.dosage.weeks[0]'), "
                "json_extract(e.data, '$.dosage.weeks')) >= ?"
            )
            params.append(where.min_weeks)
        if where.year_from is not None:
            clauses.append("json_extract(e.data, '$.record.year') >= ?")
            params.append(where.year_from)
        if where.year_to is not None:
            clauses.append("json_extract(e.data, '$.record.year') <= ?")
            params.append(where.year_to)
        if where.status is not None:
            clauses.append("e.review_status = ?")
            params.append(where.status)
        weights = ", ".join(str(w) for w in _SEARCH_WEIGHTS)
        if query:
            sql = (
                f"SELECT e.data, bm25(entry_search, {weights}) AS score FROM entry_search "
                "JOIN search_rows s ON s.row = entry_search.rowid "
                "JOIN entries e ON e.entry_id = s.entry_id"
            )
            order = " ORDER BY score, e.entry_id"
        else:
            sql = "SELECT e.data, NULL FROM entries e"
            order = (
                " ORDER BY json_extract(e.data, '$.record.year') IS NULL, "
                "json_extract(e.data, '$.record.year') DESC, e.entry_id"
            )
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += order
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        try:
            rows = self._db.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if query and _is_query_error(str(exc)):
                raise UsageError(
                    f"cannot read the search {query!r}: {exc}. Words are matched as they are; "
                    'put a phrase or a word with - : * ( ) in double quotes ("exercise-induced"); '
                    "AND, OR, NOT and NEAR are operators."
                ) from None
            raise
        return [SearchHit(from_json(json.loads(data), Entry), score) for data, score in rows]

    # ------------------------------------------------------------------ statistics

    def stats(self) -> dict[str, Any]:
        """Counts by exercise type, outcome, design, year and review status, and how
        completely the entries' records report CERT and TIDieR items."""
        types: Counter[str] = Counter()
        outcomes: Counter[str] = Counter()
        designs: Counter[str] = Counter()
        years: Counter[str] = Counter()
        statuses: Counter[str] = Counter()
        completeness: dict[str, list[float]] = {"cert": [], "tidier": []}
        missing: dict[str, Counter[str]] = {"cert": Counter(), "tidier": Counter()}
        for entry in self.entries():
            types.update(entry.exercise_types or ("(no exercise)",))
            outcomes.update({o.domain for o in entry.outcomes})
            designs[entry.design] += 1
            years[str(entry.record.year) if entry.record.year else "unknown"] += 1
            statuses[entry.review_status] += 1
            reporting = entry.reporting
            for kind, reported, absent in (
                ("cert", reporting.cert_reported, reporting.cert_missing),
                ("tidier", reporting.tidier_reported, reporting.tidier_missing),
            ):
                if reported or absent:
                    completeness[kind].append(len(reported) / (len(reported) + len(absent)))
                    missing[kind].update(absent)
        counts = self.counts()

        def ranked(counter: Counter[str]) -> dict[str, int]:
            return dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))

        return {
            "records": counts.records,
            "entries": counts.entries,
            "exercise_entries": counts.exercise_entries,
            "review_status": ranked(statuses),
            "exercise_types": ranked(types),
            "outcomes": ranked(outcomes),
            "design": ranked(designs),
            "year": dict(sorted(years.items())),
            "reporting": {
                kind: {
                    "assessed": len(values),
                    "mean_reported": round(sum(values) / len(values), 3) if values else None,
                    "most_missing": dict(list(ranked(missing[kind]).items())[:5]),
                }
                for kind, values in completeness.items()
            },
        }


_QUERY_ERRORS = ("fts5:", "no such column", "unknown special query", "unterminated string")


def _is_query_error(message: str) -> bool:
    return any(marker in message for marker in _QUERY_ERRORS)


def _chunks(items: Iterable[Record], size: int) -> Iterator[list[Record]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _json_list(values: Iterable[str]) -> str:
    """One SQL parameter holding many values, read with ``json_each`` (no limit on their number)."""
    return json.dumps(list(values), ensure_ascii=False)


class _Batch:
    """The writes of one batch of ingested records, and the stored rows its look-ups need.

    Why: a record-by-record ingest ran about 13 statements a record. Here the rows
    the batch's records can match are read in a few queries (``load``), the writes
    are queued and sent with one ``executemany`` per table (``flush``). Records are
    still handled one by one in input order: every queued write is applied at once
    to the maps below, so each look-up answers what the same ``SELECT`` would have
    answered at that point of a record-by-record ingest, and the catalogue ends up
    the same, FTS row numbers included.
    """

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        # record id -> the record (its stored JSON until first asked for); None: not stored.
        self._records: dict[str, Record | str | None] = {}
        # key -> id of the record it finds; None: no record has it yet.
        self._key_owner: dict[str, str | None] = {}
        # record id -> its entries by entry id (stored JSON until first asked for).
        self._entries: dict[str, dict[str, Entry | str]] = {}
        # entry id -> its record id, for the entries in ``_entries``.
        self._entry_owner: dict[str, str] = {}
        self._record_rows: list[tuple[Any, ...]] = []
        self._key_rows: list[tuple[str, str]] = []
        self._entry_rows: list[tuple[str, str, str, str]] = []
        # entry id -> its search columns, in the order the entries were first indexed
        # (that order numbers new FTS rows as one INSERT after another would).
        self._search: dict[str, tuple[str, ...]] = {}

    def load(self, records: Sequence[Record]) -> list[list[str] | None]:
        """Read the stored rows the records may meet: by id, by key, and their entries.

        Returns the keys of each record that is not stored under its id (None for
        one that is: it is found by its id, as ``find`` looks there first).
        """
        self._records = dict.fromkeys(record.id for record in records)
        self._records.update(self._select_records(self._records))
        keys_of = [
            None if self._records[record.id] is not None else record_keys(record)
            for record in records
        ]
        wanted_keys = {key for keys in keys_of if keys for key in keys}
        self._key_owner = dict.fromkeys(wanted_keys)
        self._key_owner.update(
            self._db.execute(
                "SELECT key, record_id FROM record_keys "
                "WHERE key IN (SELECT value FROM json_each(?))",
                (_json_list(wanted_keys),),
            ).fetchall()
        )
        owners = {owner for owner in self._key_owner.values() if owner is not None}
        owners.difference_update(self._records)
        if owners:
            self._records.update(dict.fromkeys(owners))
            self._records.update(self._select_records(owners))
        # Entries reference their record (foreign key): only stored records have any.
        self._entries = {rid: {} for rid in self._records}
        stored_ids = [rid for rid, data in self._records.items() if data is not None]
        if stored_ids:
            rows = self._db.execute(
                "SELECT record_id, entry_id, data FROM entries "
                "WHERE record_id IN (SELECT value FROM json_each(?))",
                (_json_list(stored_ids),),
            )
            for record_id, entry_id, data in rows:
                self._entries[record_id][entry_id] = data
                self._entry_owner[entry_id] = record_id
        return keys_of

    def _select_records(self, ids: Iterable[str]) -> list[tuple[str, str]]:
        return self._db.execute(
            "SELECT id, data FROM records WHERE id IN (SELECT value FROM json_each(?))",
            (_json_list(ids),),
        ).fetchall()

    def _record(self, record_id: str) -> Record | None:
        record = self._records[record_id]
        if isinstance(record, str):
            record = self._records[record_id] = from_json(json.loads(record), Record)
        return record

    def find(self, record: Record, keys: list[str] | None) -> Record | None:
        """The stored record with the record's id, else the one any of its keys finds."""
        found = self._record(record.id)
        if found is not None or keys is None:
            return found
        for key in keys:
            owner = self._key_owner[key]
            if owner is not None:
                found = self._record(owner)
                if found is not None:
                    return found
        return None

    def entries_of(self, record_id: str) -> dict[str, Entry]:
        """The record's entries by id, in id order."""
        entries = self._entries.setdefault(record_id, {})
        for entry_id, entry in entries.items():
            if isinstance(entry, str):
                entries[entry_id] = from_json(json.loads(entry), Entry)
        return {entry_id: entries[entry_id] for entry_id in sorted(entries)}  # type: ignore[misc]

    def write_record(self, record: Record, keys: list[str] | None) -> None:
        data = _dump(record)
        keys = record_keys(record) if keys is None else keys
        self._record_rows.append(
            (record.id, record.title, record.year, record.doi, record.pmid, data)
        )
        # Kept as its JSON, read back if asked for, as the SELECT would have read it.
        self._records[record.id] = data
        self._entries.setdefault(record.id, {})
        for key in keys:
            self._key_rows.append((key, record.id))
            # INSERT OR IGNORE: a key keeps the record that had it first. A key absent
            # from the map is one no record of this batch looks up.
            if key in self._key_owner and self._key_owner[key] is None:
                self._key_owner[key] = record.id

    def write_encoded(self, entry: EncodedEntry, record_text: tuple[str, ...]) -> None:
        """Queue ``entry``, with ``record_text`` (``record_search_text``) of its record."""
        entry_id, record_id = entry.entry_id, entry.record_id
        self._entry_rows.append((entry_id, record_id, entry.review_status, entry.data))
        owner = self._entry_owner.get(entry_id)
        if owner is not None and owner != record_id:
            # The upsert moves the entry to its new record (mappers name entries after it).
            self._entries[owner].pop(entry_id, None)
        self._entry_owner[entry_id] = record_id
        # Kept as its JSON, read back if asked for, as the SELECT would have read it.
        self._entries.setdefault(record_id, {})[entry_id] = entry.data
        self._search[entry_id] = record_text + entry.search

    def index_entry(self, entry: Entry, record_text: tuple[str, ...]) -> None:
        """Queue the search text of a kept ``entry`` anew, its record's being ``record_text``."""
        self._search[entry.entry_id] = record_text + entry_search_text(entry)

    def delete_entry(self, entry_id: str, delete: Callable[[str], None]) -> None:
        """Rare (a new mapping dropped an entry): the queue is written first, then the row
        deleted at once, so that later FTS rows are numbered as before."""
        self.flush()
        delete(entry_id)
        owner = self._entry_owner.pop(entry_id, None)
        if owner is not None:
            self._entries[owner].pop(entry_id, None)

    def flush(self) -> None:
        """Send the queued writes, one statement per table, in the order they were queued."""
        db = self._db
        if self._record_rows:
            db.executemany(
                "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                "title=excluded.title, year=excluded.year, doi=excluded.doi, "
                "pmid=excluded.pmid, data=excluded.data",
                self._record_rows,
            )
        if self._key_rows:
            db.executemany("INSERT OR IGNORE INTO record_keys VALUES (?, ?)", self._key_rows)
        if self._entry_rows:
            db.executemany(
                "INSERT INTO entries VALUES (?, ?, ?, ?) ON CONFLICT(entry_id) DO UPDATE SET "
                "record_id=excluded.record_id, review_status=excluded.review_status, "
                "data=excluded.data",
                self._entry_rows,
            )
        if self._search:
            self._flush_search()
        self._record_rows, self._key_rows, self._entry_rows, self._search = [], [], [], {}

    def _flush_search(self) -> None:
        db = self._db
        rows = dict(
            db.execute(
                "SELECT entry_id, row FROM search_rows "
                "WHERE entry_id IN (SELECT value FROM json_each(?))",
                (_json_list(self._search),),
            ).fetchall()
        )
        db.executemany("DELETE FROM entry_search WHERE rowid=?", [(row,) for row in rows.values()])
        # SQLite numbers a new row one past the largest; the same numbers, given explicitly.
        next_row = db.execute("SELECT coalesce(max(row), 0) + 1 FROM search_rows").fetchone()[0]
        new_rows = []
        for entry_id in self._search:
            if entry_id not in rows:
                rows[entry_id] = next_row
                new_rows.append((next_row, entry_id))
                next_row += 1
        db.executemany("INSERT INTO search_rows (row, entry_id) VALUES (?, ?)", new_rows)
        db.executemany(
            "INSERT INTO entry_search (rowid, "
            + ", ".join(SEARCH_COLUMNS)
            + ") VALUES (?, ?, ?, ?, ?, ?)",
            [(rows[entry_id], *text) for entry_id, text in self._search.items()],
        )


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any error (the connection is in autocommit).

    IMMEDIATE takes the write lock at the start, so two writers queue (busy timeout)
    instead of failing halfway when one upgrades a read to a write.
    """

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db = db
        self._path = path

    def __enter__(self) -> None:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise CatalogueError(
                    f"{self._path}: another protocat has been writing the catalogue for more "
                    f"than {BUSY_TIMEOUT:.0f} s; try again when it has finished"
                ) from None
            raise

    def __exit__(self, exc_type, *_exc) -> None:
        if exc_type is None:
            self._db.execute("COMMIT")
        else:
            self._db.execute("ROLLBACK")


def _dump(obj: Record | Entry) -> str:
    return json.dumps(to_json(obj), ensure_ascii=False, sort_keys=True)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
