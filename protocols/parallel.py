"""Mapping records in worker processes, in input order, so ``--jobs N`` changes speed only.

``map_record`` is a pure function of one record (no global state, no order
dependence), so records can be mapped anywhere and put back in order. Records are
sent to the workers in chunks (one pickle round trip per chunk rather than per
record) and only a few chunks are in flight at a time, so memory stays flat however
long the input stream is. The output, record for record, is what ``jobs=1`` gives.

Two ways in:

- ``map_records(records, jobs)`` yields ``(record, entries)`` pairs in input order.
- ``premapped(records, jobs)`` returns ``(records, mapper)`` to hand unchanged to
  ``Catalogue.ingest(records, mapper, files)``: the mapper answers from the worker
  results for the record it was just given, and maps in-process only a record the
  catalogue merged with a kept one (the merged record is new, so it is mapped anew).
"""

from __future__ import annotations

import io
import multiprocessing
import pickle
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice

import attrs

from protocols.errors import UsageError
from protocols.mapping import map_record
from protocols.model import Entry, Record

Mapper = Callable[[Record], list[Entry]]

# Records a worker maps per round trip: large enough that pickling and queueing cost
# little beside mapping, small enough that the first results come back quickly.
DEFAULT_CHUNK_SIZE = 200
# Chunks submitted ahead of the one being consumed, per worker: keeps every worker
# busy while the parent writes results, and bounds memory.
CHUNKS_AHEAD_PER_WORKER = 2


def _map_chunk(mapper: Mapper, payload: bytes) -> bytes:
    return _dumps([mapper(record) for record in pickle.loads(payload)])


class _AttrsPickler(pickle.Pickler):
    """Pickles an attrs instance as its class and field values, rebuilt without validation.

    Why not plain pickle: attrs' ``__getstate__``/``__setstate__`` cost about 50 µs an
    entry each way, and on two cores that overhead (paid in the parent and the workers)
    ate most of what the second worker gained. The values were validated when the
    worker built them; rebuilding them field by field gives equal objects.
    """

    def reducer_override(self, obj):
        cls = type(obj)
        if attrs.has(cls):
            return _rebuild, (cls, tuple(getattr(obj, field.name) for field in cls.__attrs_attrs__))
        return NotImplemented


def _rebuild(cls: type, values: tuple):
    obj = object.__new__(cls)
    for field, value in zip(cls.__attrs_attrs__, values, strict=True):
        object.__setattr__(obj, field.name, value)  # frozen classes refuse plain setattr
    return obj


def _dumps(value) -> bytes:
    stream = io.BytesIO()
    _AttrsPickler(stream, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return stream.getvalue()


def map_records(
    records: Iterable[Record],
    jobs: int = 1,
    mapper: Mapper = map_record,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> Iterator[tuple[Record, list[Entry]]]:
    """``(record, mapper(record))`` for every record, in input order, mapped by ``jobs`` processes.

    ``jobs <= 1`` maps in this process. ``mapper`` must be a module-level function
    (workers receive it by name). Errors raised by the mapper reach the caller.
    """
    if jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {jobs}")
    if chunk_size < 1:
        raise UsageError(f"chunk size must be at least 1, not {chunk_size}")
    if jobs == 1:
        for record in records:
            yield record, mapper(record)
        return
    yield from _map_in_workers(iter(records), jobs, mapper, chunk_size)


def _map_in_workers(
    records: Iterator[Record], jobs: int, mapper: Mapper, chunk_size: int
) -> Iterator[tuple[Record, list[Entry]]]:
    # "spawn" everywhere: the same behaviour on Linux, macOS and Windows, and no fork of
    # a parent that may hold an open SQLite connection or threads.
    context = multiprocessing.get_context("spawn")
    pending: deque[tuple[list[Record], Future]] = deque()
    limit = jobs * CHUNKS_AHEAD_PER_WORKER
    executor = ProcessPoolExecutor(max_workers=jobs, mp_context=context)
    try:
        exhausted = False
        while True:
            while not exhausted and len(pending) < limit:
                chunk = list(islice(records, chunk_size))
                if not chunk:
                    exhausted = True
                    break
                future = executor.submit(_map_chunk, mapper, _dumps(chunk))
                pending.append((chunk, future))
            if not pending:
                return
            chunk, future = pending.popleft()
            yield from zip(chunk, pickle.loads(future.result()), strict=True)
    finally:
        # Also runs when the consumer stops early or fails: no stray workers left behind.
        executor.shutdown(wait=True, cancel_futures=True)


def premapped(
    records: Iterable[Record],
    jobs: int = 1,
    mapper: Mapper = map_record,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> tuple[Iterator[Record], Mapper]:
    """Records and a mapper for ``Catalogue.ingest``, the mapping done ahead by ``jobs`` workers.

    The catalogue calls the mapper on the record it has just taken from the iterator
    (or on a merged copy of it); the first is answered from the workers' result, the
    second mapped here, so the stored entries are exactly those of ``jobs=1``.
    """
    last: list[tuple[Record, list[Entry]]] = []

    def stream() -> Iterator[Record]:
        for record, entries in map_records(records, jobs, mapper, chunk_size):
            last[:] = [(record, entries)]
            yield record
        last.clear()

    def mapped(record: Record) -> list[Entry]:
        if last and last[0][0] is record:
            return last[0][1]
        return mapper(record)

    return stream(), mapped
