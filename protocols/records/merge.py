"""Across files, the same work becomes one record that keeps every id and every origin.

Two records are the same work when they share a DOI, else a PMID, else (when one
of them has neither) the same normalised title and year.

Memory: merging must not hold every record. ``ReadResult`` reads its files twice.
The first pass keeps only the identity keys (a union-find over DOI, PMID and
title+year keys) and how many records each work has; the second pass emits a
record at once when its work has one record, and holds the records of a duplicated
work only until the last of them arrives. Memory grows with the number of distinct
keys plus the duplicates waiting for their last copy, never with the records' full
text; the price is reading the files twice (about twice the time of one read).
A merged record is emitted at the position of its last copy; the order is the same
on every run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
from attrs import define, frozen

from protocols.errors import UnreadableFile
from protocols.model import Record, Reject, SourceId
from protocols.records.normalise import normalise_title, record_id


@frozen
class FileCount:
    """What one input file gave."""

    path: str
    format: str
    records: int
    rejects: int


def _digest(text: str) -> bytes:
    # Keys are held as 16-byte digests: a long title costs as little as a DOI.
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def strong_keys(record: Record) -> list[bytes]:
    keys = []
    if record.doi:
        keys.append(_digest("doi:" + record.doi))
    if record.pmid:
        keys.append(_digest("pmid:" + record.pmid))
    return keys


def title_key(record: Record) -> bytes | None:
    title = normalise_title(record.title)
    return _digest(f"title:{title}:{record.year or ''}") if title else None


class _Identities:
    """Union-find over identity keys; title keys join a DOI/PMID work only when unclaimed."""

    def __init__(self) -> None:
        self.parent: dict[bytes, bytes] = {}
        self.title_owner: dict[bytes, bytes] = {}

    def find(self, key: bytes) -> bytes:
        parent = self.parent.setdefault(key, key)
        root = key
        while parent != root:
            root, parent = parent, self.parent[parent]
        while self.parent[key] != root:  # path compression
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: bytes, b: bytes) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The smaller key is the root: the result does not depend on order.
            low, high = sorted((ra, rb))
            self.parent[high] = low

    def anchor(self, record: Record) -> bytes | None:
        """The key a record is filed under (its first strong key, else its title key)."""
        keys = strong_keys(record)
        return keys[0] if keys else title_key(record)

    def add(self, record: Record) -> None:
        keys = strong_keys(record)
        title = title_key(record)
        if keys:
            for other in keys[1:]:
                self.union(keys[0], other)
            if title:
                self.title_owner.setdefault(title, keys[0])
        elif title:
            self.find(title)

    def close(self) -> None:
        """Join title-only works to the first DOI/PMID work with that title and year."""
        for title, owner in self.title_owner.items():
            if title in self.parent:
                self.union(title, owner)
        self.title_owner.clear()


def merge_records(records: list[Record]) -> Record:
    """One record from copies of the same work: the first copy's values, gaps filled from the
    others, every keyword, source id, origin and warning kept."""
    base = records[0]
    changes: dict[str, object] = {}
    for name in (
        "journal",
        "year",
        "volume",
        "issue",
        "pages",
        "article_number",
        "page_count",
        "abstract",
        "language",
        "doi",
        "pmid",
        "times_cited",
    ):
        if getattr(base, name) is None:
            value = next((getattr(r, name) for r in records if getattr(r, name) is not None), None)
            changes[name] = value
    for name in ("authors", "affiliations", "publication_types", "subject_codes", "related"):
        if not getattr(base, name):
            changes[name] = next((getattr(r, name) for r in records if getattr(r, name)), ())
    if not base.title:
        changes["title"] = next((r.title for r in records if r.title), "")
    source_ids = list(dict.fromkeys(s for r in records for s in r.source_ids))
    doi = changes.get("doi", base.doi)
    for other in dict.fromkeys(r.doi for r in records if r.doi and r.doi != doi):
        source_ids.append(SourceId(scheme="doi", value=other))
    merged = attrs.evolve(
        base,
        keywords=tuple(dict.fromkeys(k for r in records for k in r.keywords)),
        source_ids=tuple(source_ids),
        origins=tuple(o for r in records for o in r.origins),
        warnings=tuple(dict.fromkeys(w for r in records for w in r.warnings)),
        **changes,
    )
    return attrs.evolve(
        merged,
        id=record_id(doi=merged.doi, pmid=merged.pmid, title=merged.title, year=merged.year),
    )


Reader = Callable[[Path, "str | None"], "tuple[str, Iterator[Record | Reject]]"]


@define
class ReadResult:
    """Records of several files, streamed; the counts fill in as they are read.

    ``items()`` yields records (merged across files unless ``merge`` is false) and
    rejects; ``records()`` only the records. After iterating: ``files`` (one
    ``FileCount`` a readable file), ``rejects``, ``errors`` (one ``UnreadableFile``
    a file that could not be read at all) and ``duplicates`` (records merged away).
    """

    paths: list[Path]
    fmt: str | None
    merge: bool
    reader: Reader
    files: list[FileCount] = attrs.field(factory=list)
    rejects: list[Reject] = attrs.field(factory=list)
    errors: list[UnreadableFile] = attrs.field(factory=list)
    duplicates: int = 0
    _consumed: bool = False

    def summary(self) -> str:
        """One line for stderr once the records are read: what came in, what came out."""
        read = sum(f.records for f in self.files)
        parts = [
            f"{read} records read from {len(self.files)} file(s)",
            f"{read - self.duplicates} after merging {self.duplicates} duplicate(s)",
            f"{len(self.rejects)} rejected",
        ]
        if self.errors:
            parts.append(f"{len(self.errors)} file(s) unreadable")
        return ", ".join(parts)

    def records(self) -> Iterator[Record]:
        for item in self.items():
            if isinstance(item, Record):
                yield item

    def items(self) -> Iterator[Record | Reject]:
        if self._consumed:
            raise RuntimeError("a ReadResult can be iterated once")
        self._consumed = True
        if not self.merge:
            yield from self._read_all(count=True)
            return
        identities = _Identities()
        skipped: set[Path] = set()
        per_anchor: dict[bytes, int] = {}
        for item in self._read_all(count=False, skipped=skipped):
            if isinstance(item, Record):
                identities.add(item)
                anchor = identities.anchor(item)
                if anchor is not None:
                    per_anchor[anchor] = per_anchor.get(anchor, 0) + 1
        identities.close()
        group_size: dict[bytes, int] = {}
        for anchor, n in per_anchor.items():
            root = identities.find(anchor)
            group_size[root] = group_size.get(root, 0) + n
        del per_anchor
        # Second pass: emit, holding only the copies of duplicated works.
        waiting: dict[bytes, list[Record]] = {}
        for item in self._read_all(count=True, skipped=skipped, quiet=True):
            if isinstance(item, Reject):
                yield item
                continue
            anchor = identities.anchor(item)
            root = identities.find(anchor) if anchor is not None else None
            if root is None or group_size.get(root, 1) == 1:
                yield item
                continue
            copies = waiting.setdefault(root, [])
            copies.append(item)
            if len(copies) == group_size[root]:
                del waiting[root]
                self.duplicates += len(copies) - 1
                yield merge_records(copies)
        # Only if a file changed between the passes: nothing is held back.
        for root in sorted(waiting):
            copies = waiting[root]
            self.duplicates += len(copies) - 1
            yield merge_records(copies)

    def _read_all(
        self, *, count: bool, skipped: set[Path] | None = None, quiet: bool = False
    ) -> Iterator[Record | Reject]:
        for path in self.paths:
            if skipped is not None and path in skipped:
                continue
            records = rejects = 0
            fmt = self.fmt or "?"
            try:
                fmt, items = self.reader(path, self.fmt)
                for item in items:
                    if isinstance(item, Reject):
                        rejects += 1
                        if count:
                            self.rejects.append(item)
                    else:
                        records += 1
                    yield item
            except UnreadableFile as exc:
                if not quiet:
                    self.errors.append(exc)
                if records + rejects == 0:
                    if skipped is not None:
                        skipped.add(path)
                    continue
            if count:
                self.files.append(FileCount(str(path), fmt, records, rejects))
