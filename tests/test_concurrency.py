"""Safety of a kept catalogue: two writers at once, and an ingest killed halfway.

Real processes (``python -m protocols.cli``), as people run them. The hidden
``PROTOCAT_TEST_INGEST_DELAY`` slows an ingest so that it is surely running when
the other process starts or the kill comes.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from protocols.records import read_file
from protocols.store import Catalogue
from tests.test_store import export_text

ROOT = Path(__file__).resolve().parent.parent
_BULLET = re.compile(r"^\s*[•·●*-]\s*\[\d+\]")


def portal_variant(seed_text: str, tag: str) -> str:
    """The seed page with every title (and the DOI) changed: the same shape, other works."""
    lines = seed_text.splitlines()
    lines[0] = f"{lines[0]} ({tag})"
    out, after_doi = [], False
    for line in lines:
        if after_doi and line.strip():
            line, after_doi = f"10.9999/{tag}", False
        elif line.strip() in ("D O I", "DOI"):
            after_doi = True
        elif _BULLET.match(line):
            line = f"{line} ({tag})"
        out.append(line)
    return "\n".join(out) + "\n"


def protocat(*argv: str, delay: float = 0.0, env_extra=None, **popen) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PROTOCAT_TEST_INGEST_DELAY": str(delay)}
    env.update(env_extra or {})
    env.pop("PROTOCAT_DB", None)
    return subprocess.Popen(
        [sys.executable, "-m", "protocols.cli", *argv],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as db:
        return db.execute("PRAGMA integrity_check").fetchone()[0]


def test_the_variants_are_other_works(seed_file, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(portal_variant(seed_file.read_text("utf-8"), "A"), "utf-8")
    ids = {r.id for r in read_file(path)}
    assert len(ids) == 11 and not ids & {r.id for r in read_file(seed_file)}


def test_two_processes_ingesting_at_once_both_finish_and_nothing_is_lost(seed_file, tmp_path):
    seed_text = seed_file.read_text("utf-8")
    files = []
    for tag in ("A", "B"):
        path = tmp_path / f"{tag}.txt"
        path.write_text(portal_variant(seed_text, tag), "utf-8")
        files.append(path)
    db = tmp_path / "shared.sqlite"
    runs = [protocat("ingest", str(path), "--db", str(db), delay=0.05) for path in files]
    results = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], results
    assert all(out.startswith("added 11,") for out, _ in results)
    with Catalogue(db) as catalogue:
        assert catalogue.counts().records == 22 and catalogue.counts().entries == 22
        assert [row["action"] for row in catalogue.history()] == ["ingest", "ingest"]
    assert integrity(db) == "ok"


def test_two_processes_ingesting_the_same_file_store_it_once(seed_file, tmp_path):
    db = tmp_path / "shared.sqlite"
    runs = [protocat("ingest", str(seed_file), "--db", str(db), delay=0.02) for _ in range(2)]
    outs = sorted(run.communicate(timeout=120)[0] for run in runs)
    assert [run.returncode for run in runs] == [0, 0]
    assert outs[0].startswith("added 0, merged 0, updated 0, unchanged 11")
    assert outs[1].startswith("added 11")
    with Catalogue(db) as catalogue:
        assert catalogue.counts().records == 11


def test_killing_an_ingest_halfway_leaves_the_catalogue_as_it_was(seed_file, tmp_path):
    db = tmp_path / "kept.sqlite"
    first = tmp_path / "A.txt"
    first.write_text(portal_variant(seed_file.read_text("utf-8"), "A"), "utf-8")
    assert protocat("ingest", str(first), "--db", str(db)).wait(timeout=60) == 0
    with Catalogue(db) as catalogue:
        before, history = export_text(catalogue), catalogue.history()

    run = protocat("ingest", str(seed_file), "--db", str(db), "--verbose", delay=0.5)
    seen = []
    deadline = time.monotonic() + 60
    while len(seen) < 3 and time.monotonic() < deadline:
        line = run.stderr.readline()  # one line a record, printed as it goes in
        if not line:
            break
        seen.append(line)
    assert len(seen) == 3, seen
    run.kill()  # SIGKILL: no handler, no rollback of our own; only SQLite's journal
    run.wait(timeout=30)
    run.stdout.close()
    run.stderr.close()
    assert run.returncode != 0

    assert integrity(db) == "ok"
    with Catalogue(db) as catalogue:
        assert export_text(catalogue) == before
        assert catalogue.history() == history
        assert catalogue.counts().records == 11


def test_a_writer_that_waits_too_long_gets_a_clear_message(seed_file, tmp_path):
    db = tmp_path / "busy.sqlite"
    Catalogue(db).close()
    slow = protocat("ingest", str(seed_file), "--db", str(db), "--verbose", delay=0.15)
    assert slow.stderr.readline()  # the slow ingest holds the write lock now
    other = protocat(
        "ingest", str(seed_file), "--db", str(db), env_extra={"PROTOCAT_BUSY_TIMEOUT": "0.2"}
    )
    _, err = other.communicate(timeout=60)
    assert other.returncode == 1
    assert "another protocat" in err and "Traceback" not in err
    slow.communicate(timeout=60)
    assert slow.returncode == 0


def test_readers_do_not_wait_for_a_writer(seed_file, tmp_path):
    db = tmp_path / "read.sqlite"
    Catalogue(db).close()
    slow = protocat("ingest", str(seed_file), "--db", str(db), "--verbose", delay=0.3)
    assert slow.stderr.readline()
    quick = {"PROTOCAT_BUSY_TIMEOUT": "0.2"}
    for command in (["search", "pain"], ["stats"], ["history"]):
        reader = protocat(*command, "--db", str(db), env_extra=quick)
        _, err = reader.communicate(timeout=60)
        assert reader.returncode == 0, err
    slow.communicate(timeout=60)
    assert slow.returncode == 0


def test_the_switch_to_wal_is_tried_again_while_another_process_creates_the_file(tmp_path):
    # SQLite refuses the switch to WAL at once ("database is locked", without its busy
    # timeout) while another process is creating the same file; the open tries again.
    catalogue = Catalogue(tmp_path / "c.sqlite")
    real = catalogue._db
    calls = []

    class LockedThrice:
        def execute(self, sql, *args):
            calls.append(sql)
            if len(calls) <= 3:
                raise sqlite3.OperationalError("database is locked")
            return real.execute(sql, *args)

    catalogue._db = LockedThrice()
    catalogue._use_wal()
    catalogue._db = real
    assert calls == ["PRAGMA journal_mode=WAL"] * 4
    assert real.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    catalogue.close()
