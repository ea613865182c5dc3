"""Mapping records in several processes, in input order, so ``--jobs N`` changes speed only.

``map_record`` is a pure function of one record (no global state, no order
dependence), so records can be mapped anywhere and put back in order. ``jobs`` processes
map: ``jobs - 1`` workers, and this process whenever the next result is not back yet.
Records are sent to the workers in chunks (one pickle round trip per chunk rather than
per record) and only a few chunks are taken at a time, so memory stays flat however
long the input stream is, and this process goes on reading (and writing the catalogue)
while the workers map. The output, record for record, is what ``jobs=1`` gives.

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
than it saves. So is every input on Windows (see the pool below).
"""

from __future__ import annotations

import contextlib
import copyreg
import gc
import io
import multiprocessing
import operator
import os
import pickle
import select
import signal
import struct
import sys
import threading
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import chain, islice
from typing import Any, TypeVar

import attrs

from protocols import model, unchecked
from protocols.errors import ProtocatError, UsageError
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


def _pool_runs_here() -> bool:
    # Its non-blocking pipes and ``select.poll`` are POSIX (see the pool below).
    return os.name == "posix"


def auto_jobs() -> int:
    """``--jobs auto``: one process per usable CPU, up to ``AUTO_JOBS_AT_MOST`` (one where
    the pool does not run, on Windows)."""
    return min(usable_cores(), AUTO_JOBS_AT_MOST) if _pool_runs_here() else 1


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
    for chunk, results in _in_workers(records, jobs, mapper, _packing(mapper), chunk_size):
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
    task = partial(encode_entries, mapper=mapper)
    for chunk, results in _in_workers(records, jobs, task, _packing(mapper), chunk_size):
        for record, entries in zip(chunk, results, strict=True):
            yield PreparedRecord(record, entries)


def _worth_workers(
    records: Iterable[Record], jobs: int, in_process_up_to: int
) -> tuple[Iterator[Record], bool]:
    """The records, unconsumed, and whether they are worth starting workers for (the pool
    runs on POSIX only)."""
    stream = iter(records)
    if jobs == 1 or not _pool_runs_here():
        return stream, False
    head = list(islice(stream, in_process_up_to + 1))
    return chain(head, stream), len(head) > in_process_up_to


# --------------------------------------------------------------------------- the pool
# ``jobs`` processes map: ``jobs - 1`` workers, and this process itself whenever the next
# result in input order has not come back yet, rather than wait for it. Where what
# consumes the results is quick (the benchmark's map rows), this process maps about a
# share of the chunks, and those never cross a pipe; where it is slow (an ingest writes
# the catalogue), the workers keep ahead of it and it maps almost none.
#
# Not ``concurrent.futures.ProcessPoolExecutor`` (used before): it moves chunks and
# results through threads of this process, which wait for the GIL while this process
# maps (up to the 5 ms switch interval each time), leaving the workers idle. Here this
# process reads and writes each worker's two pipes itself, between the records it maps,
# and never blocks on a write: what a pipe does not take yet waits for the next look.
# (Non-blocking pipes and ``select.poll`` are POSIX: on Windows one process maps.)

# Records this process maps between two looks at its workers' pipes: a look costs a few
# µs, a record about 180 µs, and a worker whose reply waits to be read may be idle.
RECORDS_BETWEEN_LOOKS = 4
# Chunks a worker holds: the one it maps, and the next two, already in its pipe, so that
# it has work while this process reads a chunk or maps one (no look at the pipes then).
# And chunks taken but not yet yielded: at most as many per mapping process, this one
# included, which bounds memory. (At 10,000 records, ``protocat map --jobs 2``'s worker
# waited for chunks 0.5 s of 1.9 with 2 and 2 per process; 0.03-0.05 s with 3 and 3.)
CHUNKS_PER_WORKER = 3

_HEADER = struct.Struct("<Q")  # a message's length, before it
_DONE, _FAILED = b"+", b"-"


def _read_exactly(fd: int, size: int) -> bytearray | None:
    """``size`` bytes from ``fd``; None if the other end closes first."""
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        count = os.readv(fd, [view[got:]])
        if count == 0:
            return None
        got += count
    return buffer


def _read_message(fd: int) -> bytearray | None:
    """The next message on ``fd``; None if the other end closed."""
    header = _read_exactly(fd, _HEADER.size)
    return None if header is None else _read_exactly(fd, _HEADER.unpack(header)[0])


def _message(data: bytes) -> memoryview:
    return memoryview(_HEADER.pack(len(data)) + data)


def _serve(task: Callable[[Any], Any], unpack: Callable, inbox, outbox, callers_ends) -> None:
    """A worker: ``task`` over each chunk it is sent, the results sent back, until this
    process closes its end of either pipe."""
    for end in callers_ends:
        # Inherited by a forked worker: holding the sending end of its own inbox, it
        # would never see this process close it.
        end.close()
    # Ctrl-C is for this process, which then closes the pipes, and the workers leave,
    # rather than each print a KeyboardInterrupt's traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Its own collections then never walk (and so never copy) what a fork shares with us.
    gc.freeze()
    while (payload := _read_message(inbox.fileno())) is not None:
        try:
            reply = _DONE + _dumps([task(unpack(packed)) for packed in pickle.loads(payload)])
        except Exception as error:  # raised in the caller, when it reaches this chunk
            reply = _FAILED + _pickled_error(error)
        unsent = _message(reply)
        try:
            while unsent:
                unsent = unsent[os.write(outbox.fileno(), unsent) :]
        except BrokenPipeError:  # this process stopped early: nobody reads
            return


def _pickled_error(error: Exception) -> bytes:
    if not isinstance(error, ProtocatError):  # a bug: say where, as a traceback would
        error.add_note(
            "(raised in a --jobs worker:)\n" + "".join(traceback.format_tb(error.__traceback__))
        )
    try:
        return pickle.dumps(error)
    except Exception:  # its class or arguments do not pickle: say what it was
        return pickle.dumps(RuntimeError(f"{type(error).__name__}: {error}"))


def _unpickled_error(data: memoryview) -> Exception:
    try:
        return pickle.loads(data)
    except Exception as error:  # an exception class whose __init__ pickle cannot call
        return RuntimeError(f"a --jobs worker failed, and its error could not be read: {error}")


@attrs.define(eq=False)
class _Slot:
    """A chunk of records, in its place in the input order, and its results once known:
    a list (mapped here), a worker's reply, or the error mapping it here raised."""

    chunk: list[Record]
    results: list | bytearray | Exception | None = None


# A pipe's buffer, where Linux lets us set it: a chunk sent (about 330 kB for 200 benchmark
# records) then fits whole, and the worker finds its next chunk whole when it is done.
# With the default 64 kB, the rest waited for this process's next looks, 2-4 ms a chunk.
PIPE_BYTES = 2**20


def _widen(fd: int) -> None:
    # Not on other systems, nor above this user's limit of pipe memory: then as it is.
    with contextlib.suppress(AttributeError, OSError):
        import fcntl  # POSIX only

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)


class _Worker:
    """A worker process, this process's ends of its two pipes, and the chunks it holds."""

    def __init__(self, context, task: Callable, unpack: Callable, others: list[_Worker]) -> None:
        inbox, self.sending = context.Pipe(duplex=False)
        self.receiving, outbox = context.Pipe(duplex=False)
        callers_ends = [end for w in [*others, self] for end in (w.sending, w.receiving)]
        self.process = context.Process(
            target=_serve, args=(task, unpack, inbox, outbox, callers_ends), daemon=True
        )
        self.process.start()
        inbox.close()
        outbox.close()
        os.set_blocking(self.sending.fileno(), False)
        for end in (self.sending, self.receiving):
            _widen(end.fileno())
        # Given to it, in order, and not replied to yet.
        self.slots: deque[_Slot] = deque()
        # Messages, or what is left of them, that its pipe has not taken yet.
        self.unsent: deque[memoryview] = deque()

    def give(self, slot: _Slot, payload: bytes) -> None:
        self.slots.append(slot)
        self.unsent.append(_message(payload))
        self.write()

    def write(self) -> None:
        """Write what its pipe takes now of the messages not sent yet."""
        while self.unsent:
            try:
                written = os.write(self.sending.fileno(), self.unsent[0])
            except BlockingIOError:
                return
            except BrokenPipeError:
                raise self._gone() from None
            self.unsent[0] = self.unsent[0][written:]
            if self.unsent[0]:
                return
            self.unsent.popleft()

    def receive(self) -> None:
        """Its reply, which has come, into the slot of its oldest chunk."""
        reply = _read_message(self.receiving.fileno())
        if reply is None:
            raise self._gone()
        self.slots.popleft().results = reply

    def _gone(self) -> ProtocatError:
        self.process.join(timeout=1)
        return ProtocatError(
            f"a --jobs worker stopped before it finished (pid {self.process.pid}, "
            f"exit code {self.process.exitcode}); try --jobs 1"
        )

    def stop(self) -> None:
        self.sending.close()
        self.receiving.close()
        if self.slots:  # mapping a chunk nobody will read
            self.process.terminate()
        self.process.join()


class _Pool:
    """The input's chunks, taken in order, and the workers that map them."""

    def __init__(
        self,
        chunks: Iterator[list[Record]],
        workers: list[_Worker],
        pack: Callable[[Record], Any],
        ahead: int,
    ) -> None:
        self.chunks = chunks
        self.workers = workers
        self.pack = pack
        self.ahead = ahead
        # Taken and not yet yielded, in input order.
        self.order: deque[_Slot] = deque()
        self.exhausted = False

    def take(self) -> _Slot | None:
        """The next chunk, placed in the order; None at the end, or with enough taken."""
        if self.exhausted or len(self.order) >= self.ahead:
            return None
        chunk = next(self.chunks, None)
        if chunk is None:
            self.exhausted = True
            return None
        slot = _Slot(chunk)
        self.order.append(slot)
        return slot

    def tend(self, timeout: float | None = 0) -> None:
        """Send what the pipes take, read the replies that have come (waiting up to
        ``timeout`` seconds for one to come or a pipe to take more), and give every worker
        that holds less than ``CHUNKS_PER_WORKER`` chunks the next."""
        poll = select.poll()
        replying = {}
        for worker in self.workers:
            if worker.slots:
                replying[worker.receiving.fileno()] = worker
                poll.register(worker.receiving, select.POLLIN)
            if worker.unsent:
                poll.register(worker.sending, select.POLLOUT)
        ready = poll.poll(None if timeout is None else timeout * 1000)
        for fd, _event in ready:
            if fd in replying:
                replying[fd].receive()
        for worker in self.workers:
            worker.write()
            while len(worker.slots) < CHUNKS_PER_WORKER and (slot := self.take()) is not None:
                worker.give(slot, _dumps(list(map(self.pack, slot.chunk))))


def _results(slot: _Slot) -> list:
    """A chunk's results, or its error raised: each where its chunk comes in the order, so
    the first error of an input is the same whichever process met it."""
    if isinstance(slot.results, Exception):
        raise slot.results
    if isinstance(slot.results, list):
        return slot.results
    reply = memoryview(slot.results)
    if reply[:1] == _FAILED:
        raise _unpickled_error(reply[1:])
    return pickle.loads(reply[1:])


def _map_here(slot: _Slot, task: Callable[[Record], Any], pool: _Pool) -> None:
    """``task`` over a chunk, in this process, looking at the workers' pipes meanwhile."""
    results = []
    try:
        for n, record in enumerate(slot.chunk, 1):
            results.append(task(record))
            if n % RECORDS_BETWEEN_LOOKS == 0:
                pool.tend()
    except Exception as error:  # raised when its chunk is reached, as a worker's would be
        slot.results = error
    else:
        slot.results = results


def _in_workers(
    records: Iterator[Record],
    jobs: int,
    task: Callable[[Record], Any],
    packing: Packing,
    chunk_size: int,
) -> Iterator[tuple[list[Record], list]]:
    """Chunks of records with ``task``'s results for them, in input order, mapped by
    ``jobs - 1`` workers (sent ``packing``'s view of each record) and by this process."""
    chunks = iter(lambda: list(islice(records, chunk_size)), [])
    context = _context(start_method())
    workers: list[_Worker] = []
    try:
        for _ in range(jobs - 1):
            workers.append(_Worker(context, task, packing[1], workers))
        pool = _Pool(chunks, workers, packing[0], jobs * CHUNKS_PER_WORKER)
        while True:
            pool.tend()
            head = pool.order[0] if pool.order else None
            if head is None or head.results is None:
                # The next result is not back (or nobody maps it): map a chunk here.
                if (mine := pool.take()) is not None:
                    _map_here(mine, task, pool)
                    continue
                if head is None:  # nothing left
                    return
            while head.results is None:  # it is a worker's
                pool.tend(None)
            pool.order.popleft()
            yield head.chunk, _results(head)
    finally:
        # Also when the consumer stops early or fails: no stray workers left behind.
        for worker in workers:
            worker.stop()


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
