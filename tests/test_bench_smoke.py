"""The benchmark runs: 1,000 records through every stage that exists, and one table out.

Only that it works is checked here; its figures are for ``bench/README.md``, not for
tests (timings in tests would fail on a busy machine and prove nothing).
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT, shared_path

SIZE = 1000
LABELS = (
    "read RIS",
    "rispy.load",
    "read MEDLINE",
    "map (catalogue rows) --jobs 1",
    "map (catalogue rows) --jobs 2",
    "2 separate processes",
    "map (entry objects) --jobs 1",
    "map (entry objects) --jobs 2",
    "protocat map FILE --jobs 1",
    "protocat map FILE --jobs 2",
    "ingest MEDLINE",
    "executemany, bare tables",
    "ingest MEDLINE --jobs 2",
    "workbook (xlsx)",
    "xlsxwriter constant_memory",
    "handouts (pdf)",
    "reportlab platypus pages",
)
# Stages whose items are the records themselves (exports count rows or pages).
PER_RECORD = ("read", "rispy", "map", "protocat map", "ingest", "executemany")


def test_the_benchmark_runs_at_1000_records_and_prints_its_table(tmp_path):
    fixtures = shared_path("fixtures")
    rows_file = tmp_path / "rows.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--sizes",
            str(SIZE),
            "--fixtures",
            str(fixtures),
            "--workdir",
            str(tmp_path),
            "--json",
            str(rows_file),
            "--repeat",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    table = done.stdout
    assert "items/s" in table and "peak MB" in table
    for label in LABELS:
        assert label in table

    rows = {row["label"].strip(): row for row in json.loads(rows_file.read_text("utf-8"))}
    assert set(rows) == set(LABELS)
    failed = [r for r in rows.values() if r.get("why", "").startswith("failed")]
    assert failed == []
    # The library baseline always runs: the built RIS input holds exactly SIZE records.
    assert rows["rispy.load"]["items"] == SIZE
    # Two processes, half the records each: together every record, once.
    assert rows["2 separate processes"]["items"] == SIZE
    for form in ("map (catalogue rows)", "map (entry objects)", "protocat map FILE"):
        assert rows[f"{form} --jobs 2"]["identical"] is True
        assert "fastest of 2 runs" in rows[f"{form} --jobs 1"]["note"]
    for label, row in rows.items():
        if row.get("available") is False:
            continue
        assert row["seconds"] > 0 and row["peak_mb"] > 0
        if label.startswith(PER_RECORD):
            # No copy was merged into another or rejected: fresh identifiers work.
            assert row["items"] == SIZE, label
        else:
            assert row["items"] > 0, label
