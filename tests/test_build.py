"""Acceptance: `protocat build` end to end, from the seed file and from the shipped catalogue."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import openpyxl
import pytest
from pypdf import PdfReader

from protocols.cli import main, shipped_catalogue
from protocols.model import Record

OUTPUTS = ("catalogue.sqlite", "protocols.xlsx", "summary.pdf", "handouts.pdf")


def _pdf_text(path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def _squash(text: str) -> str:
    return "".join(text.split()).lower()


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory):
    from tests.conftest import SEED_FILE, shared_path

    seed = shared_path(*SEED_FILE)
    out = tmp_path_factory.mktemp("build")
    assert main(["build", str(seed), "--out", str(out)]) == 0
    return seed, out


def test_build_writes_the_four_outputs(seed_build):
    _, out = seed_build
    for name in OUTPUTS:
        assert (out / name).stat().st_size > 0, name
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")], "temporary files left"


def test_the_catalogue_holds_the_eleven_seed_records(seed_build):
    _, out = seed_build
    db = sqlite3.connect(out / "catalogue.sqlite")
    titles = {row[0] for row in db.execute("SELECT title FROM records")}
    assert len(titles) == 11
    assert any(t.startswith("Ten Minutes of Core Stabilisation") for t in titles)


def test_the_workbook_opens_with_a_row_per_record(seed_build):
    _, out = seed_build
    workbook = openpyxl.load_workbook(out / "protocols.xlsx")
    assert {"Protocols", "Records"} <= set(workbook.sheetnames)
    records = workbook["Records"]
    cells = {str(c.value) for row in records.iter_rows() for c in row if c.value is not None}
    assert any("Exercise-induced neuroplasticity: a new perspective" in c for c in cells)
    assert records.max_row - 1 >= 11


def test_the_pdfs_show_every_title(seed_build):
    seed, out = seed_build
    summary = _squash(_pdf_text(out / "summary.pdf"))
    from protocols.records import read_file

    for record in read_file(seed):
        assert _squash(record.title)[:60] in summary, record.title


def test_the_summary_renders_the_chinese_text_of_the_seed(seed_build):
    _, out = seed_build
    assert "神经科学" in _pdf_text(out / "summary.pdf")


def test_build_without_files_uses_the_shipped_catalogue(tmp_path):
    assert main(["build", "--out", str(tmp_path)]) == 0
    records, curated = shipped_catalogue()
    assert len(records) == 11 and len(curated) == 11
    assert all(r.abstract is None for r in records), "no abstract text is shipped"
    db = sqlite3.connect(tmp_path / "catalogue.sqlite")
    statuses = [row[0] for row in db.execute("SELECT review_status FROM entries")]
    assert statuses.count("curated") == 11
    motor = json.loads(
        db.execute("SELECT data FROM entries WHERE data LIKE '%Ten Minutes of Core%'").fetchone()[0]
    )
    assert motor["exercise_types"] == ["motor_control"]
    assert motor["dosage"]["minutes_per_session"] == 10


def test_curated_provenance_points_at_the_title():
    records, curated = shipped_catalogue()
    titles = {r.id: r.title for r in records}
    for entry in curated:
        assert entry.provenance
        for p in entry.provenance:
            assert p.source == "title"
            assert titles[entry.record.id][p.start : p.end] == p.text


def test_records_prints_eleven_records(seed_file):
    done = subprocess.run(
        [sys.executable, "-m", "protocols.cli", "records", str(seed_file)],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = done.stdout.splitlines()
    assert len(lines) == 11
    assert all(json.loads(line)["title"] for line in lines)


@pytest.mark.parametrize("content", [b"", b"\x00\x01binary\x00", b"hello\nworld\n"])
def test_an_unreadable_file_exits_1_with_one_line(tmp_path, content):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    done = subprocess.run(
        [sys.executable, "-m", "protocols.cli", "records", str(path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert str(path) in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_failed_ingest_writes_nothing(tmp_path, seed_file):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    db = tmp_path / "c.sqlite"
    assert main(["ingest", str(seed_file), str(bad), "--db", str(db)]) == 1
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM records").fetchone()[0] == 0


def test_records_model_round_trip_from_the_shipped_file():
    records, _ = shipped_catalogue()
    assert all(isinstance(r, Record) for r in records)
