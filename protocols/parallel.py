"""Mapping records in worker processes, in input order, so ``--jobs N`` changes speed only.

``map_record`` is a pure function of one record (no global state, no order
dependence), so records can be mapped anywhere and put back in order. Records are
sent to the workers in chunks (one pickle round trip per chunk rather than per
record) and only a few chunks are in flight at a time, so memory stays flat however
long the input stream is, and the calling process goes on reading (and writing the
catalogue) while the workers map. The output, record for record, is what ``jobs=1``
gives.

Three ways in:

- ``map_records(records, jobs)`` yields ``(record, entries)`` pairs in input order.
  With ``mapper=entry_lines`` the workers also write the entries as ``protocat map``
  prints them, and send back JSON lines.
- ``prepare_records(records, jobs)`` yields ``PreparedRecord``s in input order: the
  workers also encode the entries as the catalogue writes them (JSON, search text),
  so they send back strings, and ``Catalogue.ingest`` encodes only the records.
- ``premapped(records, jobs)`` returns ``(records, mapper)`` to hand unchanged to
  ``Catalogue.ingest(records, mapper, files)``: prepared records, and the mapper for
  a record the catalogue merges with a kept one (the merged record is new, so it is
  mapped anew, in this process).

Workers are sent only the fields of a record that ``map_record`` reads (see
``protocols.mapping.view``), not whole records. On Linux they are forked (see
``start_method``), so they start with this process's imports and automaton, or forked by
a fork server where this process holds much memory or runs threads. An input
of a few hundred records is mapped in this process: starting workers would cost more
than it saves.
"""

from __future__ import annotations

import copyreg
import gc
import io
import multiprocessing
import operator
import os
import pickle
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from functools import partial
from itertools import chain, islice
from typing import Any, TypeVar

import attrs

from protocols import model, unchecked
from protocols.errors import UsageError
from protocols.mapping import map_record
from protocols.mapping.view import from_mapped_values, mapped_values
from protocols.model import Entry, Record
from protocols.serialize import dumps
from protocols.store import EncodedEntry, PreparedRecord, encode_entries, prepare_record

Mapper = Callable[[Record], list[Entry]]
# What a mapper given to ``map_records`` returns: entries, or their JSON lines.
Mapped = TypeVar("Mapped")

# Records a worker maps per round trip: large enough that pickling and queueing cost
# little beside mapping, small enough that the first results come back quickly.
DEFAULT_CHUNK_SIZE = 200
# Chunks submitted ahead of the one being consumed, per worker: keeps every worker
# busy while the parent reads and writes, and bounds memory.
CHUNKS_AHEAD_PER_WORKER = 2
# An input of at most this many records is mapped in this process whatever ``jobs``
# says: a spawned worker takes about a quarter of a second of CPU to start (interpreter,
# imports, the vocabulary's automaton), about what mapping this many records takes.
IN_PROCESS_UP_TO = 500


# ``--jobs auto`` takes at most this many: each worker holds its own interpreter and
# automaton (about 60 MB), and past a few workers the process that reads and writes the
# catalogue, not the mapping, sets the pace of an ingest.
AUTO_JOBS_AT_MOST = 8


def usable_cores() -> int:
    """The CPUs this process may run on."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # macOS and Windows have no affinity call
        return os.cpu_count() or 1


def auto_jobs() -> int:
    """``--jobs auto``: one process per usable CPU, up to ``AUTO_JOBS_AT_MOST``."""
    return min(usable_cores(), AUTO_JOBS_AT_MOST)


# A forked worker shares this process's memory until one of them writes to it, and this
# process writes to every object it reads (reference counts): each page of the records it
# holds is then copied once. A fork server's workers share nothing of ours, but the server
# takes about 0.25 s to start. Measured with the benchmark's map rows: holding 10,000
# records (118 MB), forked workers finished 0.25 s sooner; holding 50,000 (428 MB) and
# 100,000, the fork server's did, with 1.4-1.6 s of this process's CPU at 100,000 against
# 1.9-3.3 s, and 0.6x the memory summed over all processes. The threshold lies between.
FORK_UP_TO_BYTES = 256 * 2**20


def start_method() -> str:
    """How workers start: forked where that is safe and cheap, else from a fork server
    (Linux) or spawned.

    A spawned worker takes about a quarter of a second of CPU to start (a new
    interpreter imports protocat and builds the vocabulary's automaton); a forked one
    starts in milliseconds with this process's. Fork only on Linux (macOS system
    libraries are not fork-safe; Windows has no fork), only while this process runs
    one thread (a fork copies the locks other threads hold, such as a live progress
    bar's), and only while it holds less than ``FORK_UP_TO_BYTES`` (a caller holding a
    hundred thousand records in memory). Otherwise, on Linux, workers are forked by a
    fork server: a small process, started once, that has imported protocat and runs one
    thread. A worker never uses what else it inherits (an open catalogue, the input
    file) and leaves without closing it.
    """
    if not sys.platform.startswith("linux"):
        return "spawn"
    if threading.active_count() == 1 and _resident_bytes() < FORK_UP_TO_BYTES:
        return "fork"
    return "forkserver"


def _resident_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _context(method: str) -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        # The server imports protocat once; each worker it forks starts with it. (Read
        # when the server starts: the first use in a process decides.)
        context.set_forkserver_preload([__name__])
    return context


# --------------------------------------------------------------------------- pickling
# attrs' own ``__getstate__``/``__setstate__`` cost about 50 µs an entry each way, and on
# two cores that overhead (paid in the parent and the workers) ate most of what the
# second worker gained. So the model's classes are pickled as their class and a tuple of
# field values, and rebuilt without validating again (protocols/unchecked.py): the values
# were validated when the objects were first built, and the rebuilt objects equal them.


def _rebuild(cls: type, values: tuple) -> Any:
    return _BUILDERS[cls](*values)


def _reducer(cls: type) -> Callable[[Any], tuple]:
    names = [field.name for field in attrs.fields(cls)]
    get = operator.attrgetter(*names)
    if len(names) == 1:
        return lambda obj: (_rebuild, (cls, (get(obj),)))
    return lambda obj: (_rebuild, (cls, get(obj)))


# The model's classes, and the encoded entries workers send back.
_FLAT_CLASSES = [
    cls for cls in vars(model).values() if isinstance(cls, type) and attrs.has(cls)
] + [EncodedEntry]
_BUILDERS = {cls: unchecked.builder(cls) for cls in _FLAT_CLASSES}
# Looked up by the C pickler for these classes only; every other object (tuples, strings)
# keeps pickle's own fast path.
_DISPATCH_TABLE = copyreg.dispatch_table | {cls: _reducer(cls) for cls in _FLAT_CLASSES}


def _dumps(value: Any) -> bytes:
    stream = io.BytesIO()
    pickler = pickle.Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH_TABLE
    pickler.dump(value)
    return stream.getvalue()


def entry_lines(record: Record) -> list[str]:
    """The entries of ``record`` as ``protocat map`` prints them, a JSON line each.

    A mapper for ``map_records``: workers send back strings, which cost a fraction of
    entries to pickle and unpickle, and the process that prints only prints.
    """
    return [dumps(entry) for entry in map_record(record)]


# --------------------------------------------------------------------------- workers
# What a worker is sent of each record. ``map_record`` reads a few fields of a record
# (mapping/view.py): workers get those as a tuple of plain values, which pickles and
# unpickles several times faster than a whole record with its authors and origins. Any
# other mapper may read anything, so it gets whole records.
Packing = tuple[Callable[[Record], Any], Callable[[Any], Record]]
_PACKING: dict[Callable[[Record], Any], Packing] = {
    map_record: (mapped_values, from_mapped_values),
    entry_lines: (mapped_values, from_mapped_values),  # it maps with map_record
}


def _as_is(record: Record) -> Record:
    return record


_WHOLE = (_as_is, _as_is)


def _packing(mapper: Callable[[Record], Any]) -> Packing:
    return _PACKING.get(mapper, _WHOLE)


def _map_chunk(mapper: Mapper, payload: bytes) -> bytes:
    unpack = _packing(mapper)[1]
    return _dumps([mapper(unpack(packed)) for packed in pickle.loads(payload)])


def _encode_chunk(mapper: Mapper, payload: bytes) -> bytes:
    # Only strings go back: the parent still holds the records it sent, and encodes the
    # record itself when the catalogue writes it.
    unpack = _packing(mapper)[1]
    return _dumps([encode_entries(unpack(packed), mapper) for packed in pickle.loads(payload)])


def _check(jobs: int, chunk_size: int) -> None:
    if jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {jobs}")
    if chunk_size < 1:
        raise UsageError(f"chunk size must be at least 1, not {chunk_size}")


def map_records(
    records: Iterable[Record],
    jobs: int = 1,
    mapper: Callable[[Record], Mapped] = map_record,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    in_process_up_to: int = IN_PROCESS_UP_TO,
) -> Iterator[tuple[Record, Mapped]]:
    """``(record, mapper(record))`` for every record, in input order, mapped by ``jobs`` processes.

    ``jobs == 1``, or an input of at most ``in_process_up_to`` records, maps in this
    process. ``mapper`` must be a module-level function (workers receive it by name),
    such as ``map_record`` or ``entry_lines``. Errors raised by the mapper reach the
    caller.
    """
    _check(jobs, chunk_size)
    records, parallel = _worth_workers(records, jobs, in_process_up_to)
    if not parallel:
        for record in records:
            yield record, mapper(record)
        return
    work = partial(_map_chunk, mapper)
    for chunk, results in _in_workers(records, jobs, work, _packing(mapper)[0], chunk_size):
        yield from zip(chunk, results, strict=True)


def prepare_records(
    records: Iterable[Record],
    jobs: int = 1,
    mapper: Mapper = map_record,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    in_process_up_to: int = IN_PROCESS_UP_TO,
) -> Iterator[PreparedRecord]:
    """``prepare_record(record, mapper)`` for every record, in input order, by ``jobs`` processes
    (as ``map_records`` decides where).

    What ``Catalogue.ingest`` writes is the same as for the plain records.
    """
    _check(jobs, chunk_size)
    records, parallel = _worth_workers(records, jobs, in_process_up_to)
    if not parallel:
        for record in records:
            yield prepare_record(record, mapper)
        return
    work = partial(_encode_chunk, mapper)
    for chunk, results in _in_workers(records, jobs, work, _packing(mapper)[0], chunk_size):
        for record, entries in zip(chunk, results, strict=True):
            yield PreparedRecord(record, entries)


def _worth_workers(
    records: Iterable[Record], jobs: int, in_process_up_to: int
) -> tuple[Iterator[Record], bool]:
    """The records, unconsumed, and whether they are worth starting workers for."""
    stream = iter(records)
    if jobs == 1:
        return stream, False
    head = list(islice(stream, in_process_up_to + 1))
    return chain(head, stream), len(head) > in_process_up_to


def _in_workers(
    records: Iterator[Record],
    jobs: int,
    work: Callable[[bytes], bytes],
    pack: Callable[[Record], Any],
    chunk_size: int,
) -> Iterator[tuple[list[Record], list]]:
    """Chunks of records with ``work``'s results for them (sent ``pack``ed), in input order."""
    pending: deque[tuple[list[Record], Future]] = deque()
    limit = jobs * CHUNKS_AHEAD_PER_WORKER
    executor = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=_context(start_method()),
        # A forked worker's own collections then never walk (and so never copy) the
        # objects it inherited.
        initializer=gc.freeze,
    )
    try:
        exhausted = False
        while True:
            while not exhausted and len(pending) < limit:
                chunk = list(islice(records, chunk_size))
                if not chunk:
                    exhausted = True
                    break
                pending.append((chunk, executor.submit(work, _dumps(list(map(pack, chunk))))))
            if not pending:
                return
            chunk, future = pending.popleft()
            yield chunk, pickle.loads(future.result())
    finally:
        # Also runs when the consumer stops early or fails: no stray workers left behind.
        executor.shutdown(wait=True, cancel_futures=True)


def premapped(
    records: Iterable[Record],
    jobs: int = 1,
    mapper: Mapper = map_record,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    in_process_up_to: int = IN_PROCESS_UP_TO,
) -> tuple[Iterator[Record] | Iterator[PreparedRecord], Mapper]:
    """Records and a mapper for ``Catalogue.ingest``, the mapping done ahead by ``jobs`` workers.

    With one job, the records and the mapper as they are. With more, prepared
    records: the catalogue stores a new record as the workers prepared it, and calls
    the mapper here on a record it merged with a kept one, so the stored entries are
    exactly those of ``jobs=1``.
    """
    _check(jobs, chunk_size)
    if jobs == 1:
        return iter(records), mapper
    return prepare_records(records, jobs, mapper, chunk_size, in_process_up_to), mapper
