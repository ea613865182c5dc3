"""``--jobs``: mapping in worker processes gives exactly what one process gives, in order."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocols import parallel
from protocols.curation import apply_corrections
from protocols.errors import CatalogueError, ProtocatError, UsageError
from protocols.mapping import map_record
from protocols.model import Record
from protocols.parallel import entry_lines, map_records, premapped, prepare_records, start_method
from protocols.records import read_file
from protocols.serialize import dumps
from protocols.store import Catalogue
from tests.strategies import records
from tests.test_store import _everything


def _as_text(pairs) -> list[str]:
    return [
        dumps(record) + "\n" + "\n".join(dumps(e) for e in entries) for record, entries in pairs
    ]


def _numbered(template: Record, count: int) -> list[Record]:
    """``count`` distinct copies of a real record (fresh id, PMID and title)."""
    return [
        attrs.evolve(
            template, id=f"{template.id}-{i}", pmid=None, doi=None, title=f"{template.title} [{i}]"
        )
        for i in range(count)
    ]


def _fails_on_fourth_copy(record: Record):
    # Module level, so that worker processes can receive it by name.
    if record.title.endswith("[3]"):
        raise CatalogueError(f"cannot map {record.title}")
    return map_record(record)


def _in_a_worker() -> bool:
    return multiprocessing.parent_process() is not None


def _fails_in_a_worker(record: Record):
    if _in_a_worker():
        raise CatalogueError(f"a worker cannot map {record.title}")
    time.sleep(0.01)  # slow here, so that the workers are given chunks, however slow to start
    return map_record(record)


def _where_mapped(record: Record) -> str:
    if _in_a_worker():
        time.sleep(0.005)  # slow there, so that this process maps chunks meanwhile
        return "worker"
    return "caller"


def _dies_in_a_worker(record: Record):
    if _in_a_worker():
        os._exit(3)
    time.sleep(0.01)
    return map_record(record)


def _fails_slowly_in_a_worker(record: Record):
    if _in_a_worker():
        time.sleep(0.05)
    raise CatalogueError(f"cannot map {record.title}")


def _abstract_twice(record: Record) -> str:
    return record.abstract * 2


@pytest.fixture(params=["fork", "forkserver", "spawn"])
def each_start(request, monkeypatch) -> str:
    """Workers started each way protocat may start them (see ``start_method``)."""
    if request.param not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {request.param} here")
    monkeypatch.setattr(parallel, "start_method", lambda: request.param)
    return request.param


@pytest.fixture
def seed_records(seed_file) -> list[Record]:
    # The seed paper (with its abstract) and its related papers, each copied many times.
    seed = [r for r in read_file(seed_file) if isinstance(r, Record)]
    return [r for template in seed for r in _numbered(template, 5)]


def test_two_workers_give_the_output_of_one_in_order(seed_records, each_start):
    one = list(map_records(seed_records, jobs=1))
    # A small chunk size makes many chunks, so any reordering between them would show.
    two = list(map_records(iter(seed_records), jobs=2, chunk_size=4, in_process_up_to=0))
    assert [r for r, _ in two] == seed_records
    assert _as_text(two) == _as_text(one)


@settings(max_examples=5)
@given(st.lists(records, max_size=30))
def test_any_records_map_the_same_with_one_and_two_workers(recs):
    one = list(map_records(recs, jobs=1))
    two = list(map_records(recs, jobs=2, chunk_size=3, in_process_up_to=0))
    assert two == one  # equal objects after the round trip through the workers
    assert _as_text(two) == _as_text(one)
    assert len(two) == len(recs)


def test_a_mapping_error_in_a_worker_reaches_the_caller(seed_records, each_start):
    with pytest.raises(CatalogueError, match=r"\[3\]$"):
        list(
            map_records(
                seed_records, jobs=2, mapper=_fails_on_fourth_copy, chunk_size=2, in_process_up_to=0
            )
        )


def test_an_error_raised_in_a_worker_reaches_the_caller(seed_records, each_start):
    # The first chunk always goes to a worker, and is yielded first.
    with pytest.raises(CatalogueError, match=r"^a worker cannot map .* \[0\]$"):
        list(
            map_records(
                seed_records, jobs=2, mapper=_fails_in_a_worker, chunk_size=2, in_process_up_to=0
            )
        )


def test_the_first_error_raised_is_the_first_in_input_order(seed_records):
    # This process fails at once on the chunks it maps while a worker fails slowly on the
    # first: the first chunk's error is raised, as with one process.
    with pytest.raises(CatalogueError, match=r"\[0\]$"):
        list(map_records(seed_records, 1, _fails_slowly_in_a_worker))
    with pytest.raises(CatalogueError, match=r"\[0\]$"):
        list(
            map_records(
                seed_records, 2, _fails_slowly_in_a_worker, chunk_size=2, in_process_up_to=0
            )
        )


def test_the_calling_process_maps_chunks_while_the_workers_are_busy(seed_records):
    # Workers are slow here, and what consumes the results is quick: this process maps too.
    mapped = list(map_records(seed_records, 2, _where_mapped, chunk_size=2, in_process_up_to=0))
    assert [record for record, _ in mapped] == seed_records
    assert {where for _, where in mapped} == {"caller", "worker"}
    assert mapped[0][1] == "worker"


def test_a_worker_that_dies_is_an_error_not_a_hang(seed_records):
    with pytest.raises(ProtocatError, match="stopped before it finished"):
        list(map_records(seed_records, 2, _dies_in_a_worker, chunk_size=2, in_process_up_to=0))
    assert multiprocessing.active_children() == []


def test_chunks_and_replies_larger_than_a_pipe_arrive_whole(seed_records):
    # 5 records of 300 kB a chunk: more than a pipe holds (1 MB at most), both ways.
    big = [
        attrs.evolve(record, abstract=f"{i} " + "x" * 300_000)
        for i, record in enumerate(seed_records[:30])
    ]
    two = list(map_records(big, 2, _abstract_twice, chunk_size=5, in_process_up_to=0))
    assert two == list(map_records(big, 1, _abstract_twice))


def test_where_the_pool_does_not_run_one_process_maps(seed_records, monkeypatch):
    monkeypatch.setattr(parallel.os, "name", "nt")
    before = set(multiprocessing.active_children())
    stream = map_records(seed_records, jobs=2, chunk_size=5, in_process_up_to=0)
    first = next(stream)
    assert set(multiprocessing.active_children()) == before
    assert [first, *stream] == list(map_records(seed_records, jobs=1))
    assert parallel.auto_jobs() == 1


def test_ctrl_c_is_for_the_calling_process_not_the_workers(seed_records):
    # The terminal sends SIGINT to every process of the group: the workers go on, and
    # leave when the calling process stops.
    stream = map_records(seed_records, jobs=2, chunk_size=2, in_process_up_to=0)
    first = next(stream)
    for worker in multiprocessing.active_children():
        os.kill(worker.pid, signal.SIGINT)
    assert [first, *stream] == list(map_records(seed_records, jobs=1))
    assert multiprocessing.active_children() == []


def test_stopping_early_shuts_the_workers_down(seed_records):
    stream = map_records(seed_records, jobs=2, chunk_size=5, in_process_up_to=0)
    first = [next(stream) for _ in range(3)]
    assert multiprocessing.active_children()
    stream.close()
    assert [r for r, _ in first] == seed_records[:3]
    assert multiprocessing.active_children() == []


def test_jobs_below_one_is_a_usage_error():
    with pytest.raises(UsageError):
        list(map_records([], jobs=0))


def test_an_ingest_with_two_workers_stores_what_one_stores(tmp_path, seed_records, each_start):
    # Every third record comes twice: the catalogue merges it, and the mapper maps the
    # merged copy in-process; the stored result must still equal that of one worker.
    stream = [r for i, r in enumerate(seed_records) for _ in range(2 if i % 3 == 0 else 1)]
    dumps_by_jobs = {}
    for jobs in (1, 2):
        recs, mapper = premapped(iter(stream), jobs=jobs, chunk_size=4, in_process_up_to=0)
        with Catalogue(tmp_path / f"jobs{jobs}.sqlite") as catalogue:
            report = catalogue.ingest(recs, mapper, ["seed"])
            dumps_by_jobs[jobs] = (
                report,
                [dumps(r) for r in catalogue.records()],
                [dumps(e) for e in catalogue.entries()],
            )
    assert dumps_by_jobs[2] == dumps_by_jobs[1]
    assert dumps_by_jobs[1][0].added == len(seed_records)


def test_prepared_records_are_encoded_alike_by_one_and_two_workers(seed_records, each_start):
    one = list(prepare_records(seed_records, jobs=1))
    two = list(prepare_records(iter(seed_records), jobs=2, chunk_size=4, in_process_up_to=0))
    assert two == one
    assert [p.record for p in two] == seed_records


def test_workers_write_the_json_lines_protocat_map_prints(seed_records, each_start):
    expected = [dumps(e) for r in seed_records for e in map_record(r)]
    two = list(map_records(iter(seed_records), 2, entry_lines, chunk_size=4, in_process_up_to=0))
    assert [r for r, _ in two] == seed_records
    assert [line for _, lines in two for line in lines] == expected
    assert [line for _, lines in map_records(seed_records, 1, entry_lines) for line in lines] == (
        expected
    )


def test_prepared_records_meet_kept_and_curated_entries_as_plain_records_do(tmp_path, seed_records):
    # The second ingest finds every record kept (one entry curated): prepared records
    # are then merged and mapped here, as plain ones.
    half = seed_records[::2]
    stores = []
    for jobs in (1, 2):
        with Catalogue(tmp_path / f"jobs{jobs}.sqlite") as catalogue:
            catalogue.ingest(half, map_record, ["half"])
            entry = next(catalogue.entries())
            catalogue.put_entries([apply_corrections(entry, ["arm=B"])], "edit", None)
            recs, mapper = premapped(
                iter(seed_records), jobs=jobs, chunk_size=3, in_process_up_to=0
            )
            report = catalogue.ingest(recs, mapper, ["all"])
            stores.append(
                (
                    report,
                    [dumps(r) for r in catalogue.records()],
                    [dumps(e) for e in catalogue.entries()],
                    catalogue.search("exercise"),
                )
            )
    assert stores[1] == stores[0]
    assert stores[0][0].added == len(seed_records) - len(half)
    # Every row, the full-text search's included (the workers send each entry's own
    # search text; the catalogue adds its record's).
    assert _everything(tmp_path / "jobs2.sqlite") == _everything(tmp_path / "jobs1.sqlite")


def test_a_short_input_is_mapped_in_this_process(seed_records):
    # Starting workers costs more than mapping a few hundred records: none are started.
    before = set(multiprocessing.active_children())
    stream = map_records(seed_records, jobs=2, chunk_size=5)
    assert next(stream)[1] == map_record(seed_records[0])
    assert set(multiprocessing.active_children()) == before
    assert len(list(stream)) == len(seed_records) - 1


def test_an_input_one_past_the_limit_is_mapped_by_workers(seed_records):
    stream = map_records(seed_records, jobs=2, chunk_size=5, in_process_up_to=len(seed_records) - 1)
    first = next(stream)
    assert multiprocessing.active_children()
    assert [first, *stream] == list(map_records(seed_records, jobs=1))


def test_workers_are_forked_only_by_a_small_process_that_runs_one_thread(monkeypatch):
    linux = sys.platform.startswith("linux")
    assert start_method() == ("fork" if linux else "spawn")
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert start_method() == ("forkserver" if linux else "spawn")
    finally:
        stop.set()
        other.join()
    if linux:
        monkeypatch.setattr(parallel, "_resident_bytes", lambda: parallel.FORK_UP_TO_BYTES)
        assert start_method() == "forkserver"
        monkeypatch.setattr(parallel, "_resident_bytes", lambda: parallel.FORK_UP_TO_BYTES - 1)
        assert start_method() == "fork"


def test_this_process_knows_its_resident_size():
    if not sys.platform.startswith("linux"):
        pytest.skip("read from /proc")
    before = parallel._resident_bytes()
    held = b"\x01" * (64 * 2**20)  # written, so resident
    assert parallel._resident_bytes() >= before + len(held) // 2
    del held


def test_workers_started_while_a_thread_runs_map_alike(seed_records):
    # A live progress bar runs a thread: the workers then come from a fork server (spawned
    # off Linux), with the same output.
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        two = list(map_records(seed_records, jobs=2, chunk_size=7, in_process_up_to=0))
    finally:
        stop.set()
        other.join()
    assert _as_text(two) == _as_text(map_records(seed_records, jobs=1))
