"""One benchmark for the whole path, each stage beside the library underneath it.

    python bench/run.py                          # 50,000 records
    python bench/run.py --sizes 10000,50000,100000 --jobs 2

Inputs are built by repeating the real records of ``../shared/fixtures/`` (RIS and
MEDLINE records that have an abstract) with fresh identifiers: a new PMID, a new
DOI and a numbered title, so that the catalogue does not merge the copies.

Every stage runs in a fresh Python process, so its peak resident set size is its
own (``os.wait4`` returns the child's ``ru_maxrss``: the largest single process of
the stage, workers included, not their sum). The time is measured inside that
process around the work itself (imports and untimed preparation left out) and
baselines run in the same invocation on the same files, so that a busy machine
slows both sides alike. A stage whose code is not on this branch yet prints
"not available" instead of failing.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import hashlib
import importlib
import io
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run from a checkout without installing: the project root comes first on the path.
sys.path.insert(0, str(ROOT))

DEFAULT_FIXTURES = ROOT.parent / "shared" / "fixtures"

# Export files whose records (those with a title and an abstract) are repeated.
RIS_TEMPLATES = (
    "ris/asreview/embase.ris",
    "ris/asreview/ovid_psycinfo.ris",
    "ris/asreview/ovid_zotero.ris",
    "ris/asreview/proquest.ris",
    "ris/asreview/pubmed_endnote.ris.txt",
    "ris/asreview/pubmed_zotero.ris",
    "ris/asreview/ris_issue_1099.ris.txt",
    "ris/asreview/ris_issue_992.ris.txt",
    "ris/asreview/scopus.ris",
    "ris/asreview/web_of_science.ris.txt",
)
MEDLINE_TEMPLATES = (
    "medline/nbib/pmc_medlars.txt",
    "medline/nbib/pubmed-balloongui-set_first10.nbib",
    "medline/nbib/single.nbib",
    "medline/biopython/pubmed_result1.txt",
    "medline/biopython/pubmed_result2.txt",
    "medline/biopython/pubmed_result3.txt",
    "medline/biopython/pubmed_result4.txt",
    "medline/jabref/MedlinePlainImporterTestCompleteEntry.txt",
    "medline/jabref/NbibImporterTest.nbib",
)

# Fresh identifiers: PMIDs above any PubMed has issued, DOIs under a prefix of our own.
FIRST_PMID = 90_000_000
DOI_PREFIX = "10.99999/protocat-bench"


# =========================================================================== inputs


def _read_lines(path: Path) -> list[str]:
    return path.read_text("utf-8-sig").splitlines()


def ris_templates(fixtures: Path) -> list[list[str]]:
    """The RIS records (``TY`` … ``ER``) of the template files that have a title and an abstract."""
    found = []
    for name in RIS_TEMPLATES:
        record: list[str] | None = None
        for line in _read_lines(fixtures / name):
            if line.startswith("TY  -"):
                record = [line]
            elif record is not None:
                record.append(line)
                if line.startswith("ER  -"):
                    tags = {ln[:2] for ln in record}
                    if tags & {"AB", "N2"} and tags & {"TI", "T1"}:
                        found.append(record)
                    record = None
    return found


def medline_templates(fixtures: Path) -> list[list[str]]:
    """The MEDLINE records (``PMID-`` to the blank line) that have a title and an abstract."""
    found = []
    for name in MEDLINE_TEMPLATES:
        record: list[str] = []
        for line in [*_read_lines(fixtures / name), ""]:
            if line.strip():
                record.append(line)
                continue
            tags = {ln[:4].strip() for ln in record}
            if record and record[0].startswith("PMID-") and {"AB", "TI"} <= tags:
                found.append(record)
            record = []
    return found


def fresh_ris(record: list[str], n: int) -> list[str]:
    """A copy of a RIS record with its own DOI, accession number and numbered title."""
    out, titled = [], False
    for line in record:
        tag = line[:2]
        if tag in ("DO", "AN") and line[2:6] == "  - ":
            continue
        if tag in ("TI", "T1") and line[2:6] == "  - " and not titled:
            line, titled = f"{line.rstrip()} [bench copy {n}]", True
        if tag == "ER":
            out.append(f"DO  - {DOI_PREFIX}.{n}")
            out.append(f"AN  - {FIRST_PMID + n}")
        out.append(line)
    return out


def fresh_medline(record: list[str], n: int) -> list[str]:
    """A copy of a MEDLINE record with its own PMID and DOI and a numbered title."""
    out: list[str] = []
    in_title = False
    for line in record:
        tag = line[:4].strip()
        continues = line.startswith("      ")
        if in_title and not continues:
            out[-1] = f"{out[-1].rstrip()} [bench copy {n}]"
            in_title = False
        if tag == "PMID":
            out.append(f"PMID- {FIRST_PMID + n}")
            out.append(f"AID - {DOI_PREFIX}.{n} [doi]")
            continue
        if tag in ("AID", "LID") and "[doi]" in line:
            continue
        out.append(line)
        if tag == "TI":
            in_title = True
    if in_title:
        out[-1] = f"{out[-1].rstrip()} [bench copy {n}]"
    return out


def write_inputs(size: int, folder: Path, fixtures: Path) -> tuple[dict[str, Path], str]:
    """``records_N.ris`` and ``records_N.nbib`` of ``size`` records each, and what they hold."""
    folder.mkdir(parents=True, exist_ok=True)
    paths, described = {}, []
    for kind, templates, fresh, suffix in (
        ("ris", ris_templates(fixtures), fresh_ris, ".ris"),
        ("medline", medline_templates(fixtures), fresh_medline, ".nbib"),
    ):
        if not templates:
            raise SystemExit(f"no {kind} records with abstracts under {fixtures}")
        path = folder / f"records_{size}{suffix}"
        with open(path, "w", encoding="utf-8", newline="\n") as stream:
            for n in range(size):
                stream.write("\n".join(fresh(templates[n % len(templates)], n)))
                stream.write("\n\n")
        paths[kind] = path
        megabytes = path.stat().st_size / 1e6
        described.append(f"{kind} {megabytes:,.0f} MB from {len(templates)} real records")
    return paths, f"{size:,} records each: " + ", ".join(described)


# =========================================================================== stages
# Each stage runs in its own process (``--stage NAME``) and returns what it measured.


class NotAvailable(Exception):
    """The code this stage measures is not on this branch yet."""


def _timed(work: Callable[[], int]) -> tuple[float, int, float]:
    """Wall seconds, items done, and CPU seconds of this process and its finished workers."""
    cpu_start = _cpu_seconds()
    start = time.perf_counter()
    items = work()
    return time.perf_counter() - start, items, _cpu_seconds() - cpu_start


def _cpu_seconds() -> float:
    """CPU of this process, its finished children and those still running.

    Workers forked by a fork server (protocols/parallel.py) are the server's children,
    not ours: their CPU reaches us as the server's, which runs until this process ends.
    """
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (
        own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime + _running_children_cpu()
    )


def _running_children_cpu() -> float:
    """CPU seconds of this process's running children, with their own finished children."""
    me = os.getpid()
    # From the 12th field after the command name: utime, stime, cutime, cstime (ticks).
    ticks = sum(
        sum(int(value) for value in fields[11:15])
        for fields in _process_stats().values()
        if int(fields[1]) == me
    )
    return ticks / os.sysconf("SC_CLK_TCK")


def _process_stats() -> dict[int, list[str]]:
    """Every process's ``/proc/PID/stat`` fields after the command name (state, ppid, ...);
    none where there is no /proc (not Linux: workers are then our own children)."""
    stats: dict[int, list[str]] = {}
    if not Path("/proc").is_dir():
        return stats
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                # The command name (field 2) may hold spaces: split after its ")".
                stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
    return stats


def _optional(module: str, extra: str):
    """A module of an optional extra, or ``NotAvailable`` saying how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise NotAvailable(f"{module} is not installed (pip install '.[{extra}]')") from None


def _reader(fmt: str):
    from protocols.records import FORMATS, read_file

    if fmt not in FORMATS:
        raise NotAvailable(f"no {fmt} reader (formats: {', '.join(FORMATS)})")
    return lambda path: read_file(path, fmt)


def _records_only(items) -> Iterator:
    from protocols.model import Record

    return (item for item in items if isinstance(item, Record))


def stage_read(args: dict) -> dict:
    read = _reader(args["format"])
    rejects = 0

    def work() -> int:
        nonlocal rejects
        count = 0
        for item in read(args["input"]):
            if hasattr(item, "reason"):
                rejects += 1
            else:
                count += 1
        return count

    seconds, items, cpu = _timed(work)
    return {
        "seconds": seconds,
        "cpu": cpu,
        "items": items,
        "note": f"{rejects} rejected" if rejects else "",
    }


def stage_rispy(args: dict) -> dict:
    import rispy

    def work() -> int:
        with open(args["input"], encoding="utf-8") as stream:
            return len(rispy.load(stream))

    seconds, items, cpu = _timed(work)
    return {"seconds": seconds, "cpu": cpu, "items": items, "note": "rispy.load (a list in memory)"}


def _map_input(args: dict) -> tuple[list, str]:
    """The records to map: the MEDLINE input when it can be read, else the seed's records."""
    try:
        read = _reader("medline")
        return list(_records_only(read(args["input"]))), "MEDLINE input"
    except NotAvailable:
        import attrs

        from protocols.records import read_file

        seed = list(_records_only(read_file(args["seed"])))
        size = args["size"]
        records = [
            attrs.evolve(r, id=f"{r.id}-{n}", title=f"{r.title} [bench copy {n}]")
            for n in range(size)
            for r in [seed[n % len(seed)]]
        ]
        return records, "seed records (no MEDLINE reader here)"


# The map rows by the name of their form: their label, and the stage that runs them.
MAP_FORMS = {
    # What the map stage gives back for each record: catalogue rows as ``protocat
    # ingest`` stores them (its workers encode too), or entry objects (``map_records``,
    # entries rebuilt in the caller). Records read beforehand, mapping alone timed.
    "rows": ("map (catalogue rows)", "map"),
    "objects": ("map (entry objects)", "map"),
    # The map stage as a user runs it: the command that reads, maps and prints.
    "command": ("protocat map FILE", "map_command"),
}


def stage_map(args: dict) -> dict:
    """Map the records as ``protocat ingest`` and ``protocat map`` do: a stream, each
    record's entries used and let go. With ``digest``, a run that also hashes every
    record and entry, to compare the output of --jobs 1 and N (its time is not kept).

    ``form`` "rows": each record's entries mapped and encoded as the catalogue stores
    them (their JSON and search text), which is what ``protocat ingest`` does with each
    record and what its workers send back. "objects": ``map_records``, the entries as
    objects in this process (the library call; workers send them back pickled)."""
    from protocols.serialize import dumps

    try:
        from protocols.parallel import map_records, prepare_records
    except ImportError as exc:
        raise NotAvailable(f"protocols.parallel: {exc}") from None
    records, source = _map_input(args)
    # The records are held in memory for the stage only: moved out of the collector's
    # sight, as ``protocat ingest`` (which streams them) never holds them. Otherwise each
    # collection walks them all, and with --jobs the parent's share of that (unpickling
    # the entries) doubles. The same for --jobs 1 and N.
    gc.freeze()
    digest = hashlib.sha256() if args.get("digest") else None
    entries = 0
    as_rows = args.get("form", "rows") == "rows"

    def work() -> int:
        nonlocal entries
        mapped = 0
        if as_rows:
            for prepared in prepare_records(records, args["jobs"]):
                mapped += 1
                entries += len(prepared.entries)
                if digest is not None:
                    digest.update(dumps(prepared.record).encode())
                    for row in prepared.entries:
                        digest.update(row.data.encode())
                        digest.update("\t".join(row.search).encode())
            return mapped
        for record, found in map_records(records, args["jobs"]):
            mapped += 1
            entries += len(found)
            if digest is not None:
                digest.update(dumps(record).encode())
                for entry in found:
                    digest.update(dumps(entry).encode())
        return mapped

    seconds, items, cpu = _timed(work)
    return {
        "seconds": seconds,
        "cpu": cpu,
        "items": items,
        "digest": digest.hexdigest() if digest is not None else None,
        "note": f"{entries} entries; {source}",
    }


def _protocat(argv: list[str], stdout) -> None:
    """Run the ``protocat`` command line in this process, its output into ``stdout``."""
    from protocols.cli import main

    with contextlib.redirect_stdout(stdout):
        status = main(argv)
    if status != 0:
        raise RuntimeError(f"protocat {argv[0]} exited with {status}")


def stage_map_command(args: dict) -> dict:
    """``protocat map FILE --jobs N`` as a user runs it: the MEDLINE file read, its
    records mapped (by N processes with --jobs N, this one also reading and printing),
    the entries printed as JSON lines, here into a file. The output's digest and its
    count of records are taken after the timing."""
    _reader("medline")
    out = Path(args["out"])
    argv = ["map", args["input"], "--rejects", os.devnull, "--jobs", str(args["jobs"])]

    def work() -> int:
        with open(out, "w", encoding="utf-8") as printed:
            _protocat(argv, printed)
        return 0

    seconds, _, cpu = _timed(work)
    digest, records, entries = hashlib.sha256(), set(), 0
    with open(out, encoding="utf-8") as printed:
        for line in printed:
            digest.update(line.encode())
            records.add(json.loads(line)["record"]["id"])
            entries += 1
    out.unlink()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "items": len(records),
        "digest": digest.hexdigest(),
        "note": f"{entries} entries printed; protocat map FILE --jobs {args['jobs']}",
    }


def stage_map_share(args: dict) -> dict:
    """One of ``shares`` processes that each map their own share of the records, as
    ``--jobs 1`` maps, with nothing handed between processes: together, what this
    machine's cores give with no hand-over at all (the ceiling for ``--jobs``). Each
    loads its share, says it is ready, and starts on the parent's go."""
    from protocols.parallel import prepare_records

    records, source = _map_input(args)
    share, shares = args["share"], args["shares"]
    mine = records[share * len(records) // shares : (share + 1) * len(records) // shares]
    del records
    gc.freeze()  # as stage_map
    go = Path(args["go"])
    Path(f"{go}.ready{share}").touch()
    while not go.exists():
        time.sleep(0.001)
    started = time.time()
    seconds, items, cpu = _timed(lambda: sum(1 for _ in prepare_records(mine, 1)))
    return {
        "seconds": seconds,
        "cpu": cpu,
        "items": items,
        "started": started,
        "ended": started + seconds,
        "note": source,
    }


def _cli_has_jobs() -> bool:
    from protocols.cli import make_parser

    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        make_parser().parse_args(["ingest", "x", "--jobs", "2"])
        return True
    return False


def stage_ingest(args: dict) -> dict:
    _reader("medline")
    db, jobs = Path(args["db"]), args["jobs"]
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    if jobs == 1 or _cli_has_jobs():
        argv = ["ingest", args["input"], "--db", str(db), "--rejects", os.devnull]
        # Always named: the command's default is one process per CPU.
        argv += ["--jobs", str(jobs)]
        how = f"protocat ingest FILE --db DB --jobs {jobs}"
        out = io.StringIO()

        def work() -> int:
            _protocat(argv, out)
            return _count_records(db)

        seconds, items, cpu = _timed(work)
        return {
            "seconds": seconds,
            "cpu": cpu,
            "items": items,
            "digest": _entries_digest(db),
            "note": how + ": " + out.getvalue().strip(),
        }
    # The command line has no --jobs yet: the same ingest through the library.
    from protocols.parallel import premapped
    from protocols.store import Catalogue

    def work() -> int:
        read = _reader("medline")
        records, mapper = premapped(_records_only(read(args["input"])), jobs)
        with Catalogue(db) as catalogue:
            catalogue.ingest(records, mapper, [args["input"]])
        return _count_records(db)

    seconds, items, cpu = _timed(work)
    return {
        "seconds": seconds,
        "cpu": cpu,
        "items": items,
        "digest": _entries_digest(db),
        "note": "Catalogue.ingest + premapped (no CLI --jobs)",
    }


def _entries_digest(db: Path) -> str:
    """What the catalogue holds of the mapping: every entry's stored data, in id order."""
    import sqlite3

    digest = hashlib.sha256()
    with contextlib.closing(sqlite3.connect(db)) as connection:
        for (data,) in connection.execute("SELECT data FROM entries ORDER BY entry_id"):
            digest.update(data.encode())
    return digest.hexdigest()


def _count_records(db: Path) -> int:
    import sqlite3

    with contextlib.closing(sqlite3.connect(db)) as connection:
        return connection.execute("SELECT count(*) FROM records").fetchone()[0]


def _need_catalogue(args: dict) -> Path:
    db = Path(args["db"])
    if not db.exists():
        raise NotAvailable("no catalogue to work on (the ingest stage did not run)")
    return db


def stage_sqlite_baseline(args: dict) -> dict:
    """The rows the catalogue holds, written by ``executemany`` into bare tables."""
    import sqlite3

    source = _need_catalogue(args)
    with contextlib.closing(sqlite3.connect(source)) as connection:
        records = connection.execute(
            "SELECT id, title, year, doi, pmid, data FROM records"
        ).fetchall()
        entries = connection.execute(
            "SELECT entry_id, record_id, review_status, data FROM entries"
        ).fetchall()
        keys = connection.execute("SELECT key, record_id FROM record_keys").fetchall()
    target = Path(args["out"])
    target.unlink(missing_ok=True)

    def work() -> int:
        with contextlib.closing(sqlite3.connect(target)) as bare:
            bare.executescript(
                "CREATE TABLE records (id, title, year, doi, pmid, data);"
                "CREATE TABLE record_keys (key, record_id);"
                "CREATE TABLE entries (entry_id, record_id, review_status, data);"
            )
            with bare:  # one transaction, as the catalogue's ingest
                bare.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?)", records)
                bare.executemany("INSERT INTO record_keys VALUES (?, ?)", keys)
                bare.executemany("INSERT INTO entries VALUES (?, ?, ?, ?)", entries)
        return len(records)

    seconds, items, cpu = _timed(work)
    target.unlink(missing_ok=True)
    return {
        "seconds": seconds,
        "cpu": cpu,
        "items": items,
        "note": f"{len(records)} records, {len(keys)} keys, {len(entries)} entries rows",
    }


def _exporter(name: str):
    import exporters

    try:
        return exporters.get(name)
    except ImportError as exc:
        raise NotAvailable(f"no {name} exporter ({exc})") from None


def stage_export(args: dict) -> dict:
    from protocols.store import Catalogue

    exporter = _exporter(args["exporter"])
    db = _need_catalogue(args)
    out = Path(args["out"])
    out.unlink(missing_ok=True)
    with Catalogue(db) as catalogue:
        seconds, _rows, cpu = _timed(lambda: exporter.write(catalogue, out).rows)
    if args["exporter"] == "handouts":
        items, unit = _pdf_pages(out), "pages"
    else:
        items, unit = _workbook_rows(out), "rows"
    return {
        "seconds": seconds,
        "cpu": cpu,
        "items": items,
        "unit": unit,
        "note": f"{out.stat().st_size:,} bytes",
    }


def _pdf_pages(path: Path) -> int:
    PdfReader = _optional("pypdf", "test").PdfReader

    return len(PdfReader(path).pages)


def _workbook_rows(path: Path) -> int:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    try:
        # Counted row by row: a streamed workbook may not record its dimensions.
        return sum(1 for sheet in workbook.worksheets for _row in sheet.iter_rows())
    finally:
        workbook.close()


def stage_xlsxwriter(args: dict) -> dict:
    """The cells of protocat's workbook, written again by xlsxwriter in constant_memory mode."""
    xlsxwriter = _optional("xlsxwriter", "bench")
    from openpyxl import load_workbook

    workbook_path = Path(args["workbook"])
    if not workbook_path.exists():
        raise NotAvailable("no protocat workbook to copy the cells of")
    # Untimed: the cells go to a JSON Lines file first, then are streamed back.
    cells = Path(args["out"]).with_suffix(".cells.jsonl")
    source = load_workbook(workbook_path, read_only=True)
    with open(cells, "w", encoding="utf-8") as stream:
        for sheet in source.worksheets:
            stream.write(json.dumps({"sheet": sheet.title}) + "\n")
            for row in sheet.iter_rows(values_only=True):
                stream.write(json.dumps(row, default=str, ensure_ascii=False) + "\n")
    source.close()
    out = Path(args["out"])

    def work() -> int:
        rows = 0
        options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        book = xlsxwriter.Workbook(out, options)
        sheet, row_number = None, 0
        with open(cells, encoding="utf-8") as stream:
            for line in stream:
                value = json.loads(line)
                if isinstance(value, dict):
                    sheet, row_number = book.add_worksheet(value["sheet"]), 0
                    continue
                sheet.write_row(row_number, 0, value)
                row_number += 1
                rows += 1
        book.close()
        return rows

    seconds, items, cpu = _timed(work)
    cells.unlink()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "items": items,
        "unit": "rows",
        "note": "constant_memory",
    }


def stage_platypus(args: dict) -> dict:
    """As many bare platypus pages as protocat's handouts, each a title and a paragraph."""
    import sqlite3
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    handouts = Path(args["handouts"])
    if not handouts.exists():
        raise NotAvailable("no protocat handouts to match the page count of")
    pages = _pdf_pages(handouts)
    with contextlib.closing(sqlite3.connect(_need_catalogue(args))) as connection:
        titles = [t for (t,) in connection.execute("SELECT title FROM records ORDER BY id")]
    styles = getSampleStyleSheet()
    out = Path(args["out"])

    def work() -> int:
        story = []
        for n in range(pages):
            title = escape(titles[n % len(titles)])
            story += [
                Paragraph(title, styles["Heading2"]),
                Paragraph((title + " ") * 8, styles["BodyText"]),
                PageBreak(),
            ]
        SimpleDocTemplate(str(out), pagesize=A4, invariant=1).build(story)
        return pages

    seconds, items, cpu = _timed(work)
    return {
        "seconds": seconds,
        "cpu": cpu,
        "items": items,
        "unit": "pages",
        "note": f"{_pdf_pages(out)} pages",
    }


STAGES: dict[str, Callable[[dict], dict]] = {
    "read": stage_read,
    "rispy": stage_rispy,
    "map": stage_map,
    "map_share": stage_map_share,
    "map_command": stage_map_command,
    "ingest": stage_ingest,
    "sqlite_baseline": stage_sqlite_baseline,
    "export": stage_export,
    "xlsxwriter": stage_xlsxwriter,
    "platypus": stage_platypus,
}


def run_stage_here(name: str, args: dict) -> None:
    """The child side: run one stage, print its result as the last line of stdout."""
    try:
        result = STAGES[name](args)
    except NotAvailable as exc:
        result = {"available": False, "why": str(exc)}
    print(json.dumps(result))


# =========================================================================== the parent


def run_stage(name: str, args: dict, log: Path) -> dict:
    """One stage in a fresh process; its result plus its peak RSS (MB)."""
    with open(log, "a", encoding="utf-8") as errors:
        errors.write(f"--- {name} {json.dumps(args)}\n")
        errors.flush()
        child = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--stage",
                name,
                "--stage-args",
                json.dumps(args),
            ],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        sampler = _TreeSampler(child.pid)
        sampler.start()
        output = child.stdout.read()
        _pid, status, usage = os.wait4(child.pid, 0)
        sampler.stop()
        child.returncode = os.waitstatus_to_exitcode(status)
    lines = output.strip().splitlines()
    if child.returncode != 0 or not lines:
        tail = log.read_text("utf-8", errors="replace").splitlines()[-15:]
        return {
            "available": False,
            "why": f"failed (exit {child.returncode}): " + " | ".join(tail)[-400:],
        }
    result = json.loads(lines[-1])
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    result["peak_mb"] = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    if sampler.peak_kb:
        result["tree_peak_mb"] = sampler.peak_kb / 1024
    return result


class _TreeSampler(threading.Thread):
    """The largest summed footprint (PSS) of a process and its descendants, from /proc.

    ``ru_maxrss`` is exact but per process; with worker processes the stage's
    footprint is their sum, which only sampling can see (short peaks may be missed).
    Twice a second: reading a PSS walks the page tables, and every 50 ms that slowed
    the workers being measured.
    """

    def __init__(self, pid: int, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_kb = pid, interval, 0
        self._done = threading.Event()

    def stop(self) -> None:
        self._done.set()
        self.join()

    def run(self) -> None:
        if not Path("/proc/self/stat").exists():
            return
        while not self._done.wait(self.interval):
            self.peak_kb = max(self.peak_kb, sum(_footprint_kb(pid) for pid in self._tree()))

    def _tree(self) -> set[int]:
        parents = {pid: int(fields[1]) for pid, fields in _process_stats().items()}
        tree, grew = {self.pid}, True
        while grew:
            found = {pid for pid, parent in parents.items() if parent in tree} - tree
            tree |= found
            grew = bool(found)
        return tree


def _footprint_kb(pid: int) -> int:
    """A process's proportional set size: pages it shares (a forked worker shares the
    parent's imports and automaton) are split between the processes sharing them, so
    a tree's sum counts each page once. Its RSS where the kernel has no smaps_rollup."""
    for name, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
                if line.startswith(key):
                    return int(line.split()[1])
    return 0


def measure(
    size: int,
    folder: Path,
    fixtures: Path,
    jobs: int,
    log: Path,
    repeat: int = 1,
    map_only: bool = False,
) -> tuple[list[dict], str]:
    """Every stage and its baseline at one size (or only the map rows): rows of the
    table, and the inputs used."""
    inputs, described = write_inputs(size, folder, fixtures)
    db = folder / f"catalogue_{size}.sqlite"
    seed = str(fixtures.parent / "seeds" / "000_057fc58b5fe71c16.txt")
    rows: list[dict] = []

    def row(label: str, stage: str, args: dict, **extra) -> dict:
        result = {"label": label, "size": size, **run_stage(stage, args, log), **extra}
        rows.append(result)
        return result

    if not map_only:
        read = row("read RIS", "read", {"input": str(inputs["ris"]), "format": "ris"})
        base = row("  rispy.load", "rispy", {"input": str(inputs["ris"])}, baseline=True)
        _ratio(read, base)
        row("read MEDLINE", "read", {"input": str(inputs["medline"]), "format": "medline"})

    map_args = {"input": str(inputs["medline"]), "seed": seed, "size": size}
    map_one, _ = map_rows(size, map_args, jobs, log, repeat, "rows", rows)
    map_rows(size, map_args, jobs, log, repeat, "objects", rows)
    printed = {**map_args, "out": str(folder / f"map_{size}.jsonl")}
    map_rows(size, printed, jobs, log, repeat, "command", rows)
    if map_only:
        return rows, described

    ingest = row(
        "ingest MEDLINE", "ingest", {"input": str(inputs["medline"]), "db": str(db), "jobs": 1}
    )
    base = row(
        "  executemany, bare tables",
        "sqlite_baseline",
        {"db": str(db), "out": str(folder / "bare.sqlite")},
        baseline=True,
    )
    _ratio(ingest, base)
    if map_one.get("seconds") and ingest.get("seconds"):
        # CPU time rather than wall time: on a shared machine the latter is mostly waiting.
        map_one["vs"] = f"{100 * map_one['cpu'] / ingest['cpu']:.0f}% of the ingest's CPU time"
    ingest_db_n = folder / f"catalogue_{size}_jobs{jobs}.sqlite"
    ingest_n = row(
        f"ingest MEDLINE --jobs {jobs}",
        "ingest",
        {"input": str(inputs["medline"]), "db": str(ingest_db_n), "jobs": jobs},
    )
    if ingest.get("digest") and ingest_n.get("digest"):
        same = ingest["digest"] == ingest_n["digest"]
        ingest_n["vs"] = f"{ingest['seconds'] / ingest_n['seconds']:.2f}x faster than --jobs 1"
        ingest_n["note"] = ("identical entries; " if same else "ENTRIES DIFFER; ") + ingest_n[
            "note"
        ]
        ingest_n["identical"] = same
    for suffix in ("", "-wal", "-shm"):
        Path(f"{ingest_db_n}{suffix}").unlink(missing_ok=True)

    workbook = folder / f"protocols_{size}.xlsx"
    export = row(
        "workbook (xlsx)", "export", {"exporter": "xlsx", "db": str(db), "out": str(workbook)}
    )
    base = row(
        "  xlsxwriter constant_memory",
        "xlsxwriter",
        {"workbook": str(workbook), "out": str(folder / "bare.xlsx")},
        baseline=True,
    )
    _ratio(export, base)

    # Handouts are written for exercise entries, and the MEDLINE records have none (their
    # templates are drug, surgery and other trials): the handouts come from a catalogue of
    # the RIS input (about one record in eight an exercise study), ingested untimed.
    exercise_db = folder / f"catalogue_{size}_ris.sqlite"
    setup = run_stage(
        "ingest", {"input": str(inputs["ris"]), "db": str(exercise_db), "jobs": jobs}, log
    )
    if setup.get("available", True):
        handouts = folder / f"handouts_{size}.pdf"
        export = row(
            "handouts (pdf)",
            "export",
            {"exporter": "handouts", "db": str(exercise_db), "out": str(handouts)},
        )
        base = row(
            "  reportlab platypus pages",
            "platypus",
            {"handouts": str(handouts), "db": str(exercise_db), "out": str(folder / "bare.pdf")},
            baseline=True,
        )
        _ratio(export, base)
    return rows, described


def map_rows(
    size: int, args: dict, jobs: int, log: Path, repeat: int, form: str, rows: list[dict]
) -> tuple[dict, dict]:
    """The map stage in one ``form`` (see ``stage_map``) with --jobs 1 and N: two rows,
    and for the rows a third, N separate processes (``stage_map_share``)."""
    args = {**args, "form": form}
    label, stage = MAP_FORMS[form]
    # The two rows are compared with each other: with --repeat they run in turns
    # (one, N, one, N, ...) and each keeps its fastest run, so a burst of other work
    # on a shared machine does not decide the speedup.
    counts = (1, jobs)
    runs: list[list[dict]] = [[], []]
    # With the rows: the ceiling for --jobs N, N processes mapping with no hand-over.
    separate: list[dict] = []
    for _ in range(repeat):
        for n, results in zip(counts, runs, strict=True):
            results.append(run_stage(stage, {**args, "jobs": n}, log))
        if form == "rows" and jobs > 1:
            separate.append(run_shares(args, jobs, log))
    # The output of --jobs 1 and N must be identical: the command's runs hash what they
    # print; for the others, one more run each, untimed, hashes the output.
    if stage == "map_command":
        digests = {result.get("digest") for results in runs for result in results}
    else:
        digests = {
            run_stage(stage, {**args, "jobs": n, "digest": True}, log).get("digest") for n in counts
        }
    picked = f"; fastest of {repeat} runs in turns" if repeat > 1 else ""
    for n, results in zip(counts, runs, strict=True):
        result = min(results, key=lambda r: r.get("seconds", float("inf")))
        if "note" in result:
            result["note"] += picked
        rows.append({"label": f"{label} --jobs {n}", "size": size, **result})
    map_one, map_n = rows[-2], rows[-1]
    if map_one.get("seconds") and map_n.get("seconds"):
        same = len(digests) == 1 and None not in digests
        map_n["speedup"] = map_one["seconds"] / map_n["seconds"]
        # What the CPU time allows on idle cores: the work of --jobs 1 over that of
        # --jobs N spread on min(N, cores) cores (the machine may be shared).
        cores = min(jobs, os.cpu_count() or 1)
        map_n["cpu_bound_speedup"] = map_one["cpu"] / (map_n["cpu"] / cores)
        map_n["vs"] = (
            f"{map_n['speedup']:.2f}x faster than --jobs 1"
            f" (CPU time allows {map_n['cpu_bound_speedup']:.2f}x on idle cores)"
        )
        map_n["note"] = ("identical output; " if same else "OUTPUT DIFFERS; ") + map_n["note"]
        map_n["identical"] = same
    if separate:
        ceiling = min(separate, key=lambda r: r.get("seconds", float("inf")))
        ceiling = {
            "label": f"  {jobs} separate processes",
            "size": size,
            "baseline": True,
            **ceiling,
        }
        if ceiling.get("seconds") and map_one.get("seconds"):
            ceiling["speedup"] = map_one["seconds"] / ceiling["seconds"]
            ceiling["vs"] = f"{ceiling['speedup']:.2f}x faster than --jobs 1"
            ceiling["note"] += picked
        rows.append(ceiling)
    return map_one, map_n


def run_shares(args: dict, shares: int, log: Path) -> dict:
    """``shares`` processes of ``stage_map_share`` started together, as one result: from
    the go to the last one done, their CPU summed, their largest peak."""
    with tempfile.TemporaryDirectory(prefix="protocat-shares-") as folder:
        go = Path(folder) / "go"
        with ThreadPoolExecutor(shares) as pool:
            running = [
                pool.submit(
                    run_stage,
                    "map_share",
                    {**args, "share": k, "shares": shares, "go": str(go)},
                    log,
                )
                for k in range(shares)
            ]
            ready = [Path(f"{go}.ready{k}") for k in range(shares)]
            # A process that fails before it is ready ends: then go, and report its failure.
            while not all(r.exists() for r in ready) and not any(f.done() for f in running):
                time.sleep(0.01)
            go.touch()
            results = [f.result() for f in running]
    failed = [r for r in results if r.get("available") is False]
    if failed:
        return failed[0]
    return {
        "seconds": max(r["ended"] for r in results) - min(r["started"] for r in results),
        "cpu": sum(r["cpu"] for r in results),
        "items": sum(r["items"] for r in results),
        "peak_mb": max(r["peak_mb"] for r in results),
        "note": f"{shares} processes started together, each mapping 1/{shares} of the "
        f"records as --jobs 1 does, nothing handed over; {results[0]['note']}",
    }


def _ratio(ours: dict, baseline: dict) -> None:
    if ours.get("seconds") and baseline.get("seconds"):
        ours["vs"] = f"{ours['seconds'] / baseline['seconds']:.1f}x baseline time"


def render(rows: list[dict]) -> str:
    header = (
        f"{'stage':<30} {'N':>7} {'items':>7} {'wall s':>8} {'cpu s':>7} {'items/s':>9}"
        f" {'peak MB':>8}  vs baseline"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        if r.get("available") is False:
            lines.append(f"{r['label']:<30} {r['size']:>7,}  not available: {r['why']}")
            continue
        rate = r["items"] / r["seconds"] if r["seconds"] else float("inf")
        lines.append(
            f"{r['label']:<30} {r['size']:>7,} {r['items']:>7,} {r['seconds']:>8.2f}"
            f" {r['cpu']:>7.2f} {rate:>9,.0f} {r['peak_mb']:>8.0f}  {r.get('vs', '')}"
            + (f"  [all processes {r['tree_peak_mb']:.0f} MB]" if _workers(r) else "")
            + (f"  ({r['note']})" if r.get("note") else "")
        )
    return "\n".join(lines)


def _workers(row: dict) -> bool:
    """Did the stage run worker processes (so that the summed footprint matters)?"""
    return "--jobs" in row["label"] and "--jobs 1" not in row["label"] and "tree_peak_mb" in row


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = ", load " + " ".join(f"{x:.1f}" for x in os.getloadavg())
    python = f"Python {platform.python_version()}, {platform.system()}"
    return f"{cpu}, {os.cpu_count()} cores{load}; {python}; mapping {_reading_path()}"


def _reading_path() -> str:
    """Which path of ``text.analyse`` maps here: the mapping's speed depends on it."""
    try:
        from protocols.mapping.text import ACCELERATED
    except ImportError:  # a branch from before the accelerator
        return "pure Python"
    return "with the compiled accelerator" if ACCELERATED else "pure Python (no accelerator)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="50000", help="comma-separated record counts (default 50000)"
    )
    parser.add_argument(
        "--jobs", type=int, default=2, help="worker processes for the parallel rows"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run the two map rows this many times in turns and keep each one's fastest",
    )
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES)
    parser.add_argument(
        "--workdir", type=Path, help="keep inputs and outputs here (default: a temp dir)"
    )
    parser.add_argument("--json", type=Path, help="also write the measured rows as JSON here")
    parser.add_argument("--map-only", action="store_true", help="measure only the map rows")
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--stage-args", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage:
        run_stage_here(args.stage, json.loads(args.stage_args))
        return 0
    if not (args.fixtures / "ris").is_dir():
        parser.error(f"no fixtures at {args.fixtures} (the shared folder; pass --fixtures DIR)")
    sizes = [int(s.replace("_", "")) for s in re.split(r"[,\s]+", args.sizes.strip()) if s]
    folder = args.workdir or Path(tempfile.mkdtemp(prefix="protocat-bench-"))
    log = folder / "stages.log"
    folder.mkdir(parents=True, exist_ok=True)
    log.write_text("", "utf-8")
    rows, inputs = [], []
    try:
        for size in sizes:
            print(f"measuring {size:,} records ...", file=sys.stderr, flush=True)
            measured, described = measure(
                size, folder / str(size), args.fixtures, args.jobs, log, args.repeat, args.map_only
            )
            rows += measured
            inputs.append(described)
            # Each size as soon as it is done: a long run stopped midway keeps what it measured.
            print(f"{described}; {machine()}\n{render(measured)}\n", file=sys.stderr, flush=True)
            if args.json:
                args.json.write_text(json.dumps(rows, indent=1), "utf-8")
    finally:
        if args.workdir is None:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"protocat bench on {machine()}")
    print("inputs: " + "; ".join(inputs))
    print(render(rows))
    broken = [r["label"] for r in rows if r.get("identical") is False]
    if broken:
        print(f"mapping output differs between --jobs 1 and --jobs {args.jobs}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
