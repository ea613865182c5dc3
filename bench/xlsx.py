"""Benchmark: the workbook export of a large catalogue, beside bare xlsxwriter, in one run.

    python bench/xlsx.py                 # 50,000 entries (the issue's target)
    python bench/xlsx.py --entries 5000  # quicker

A catalogue of N realistic entries (built once, kept in --workdir) is exported by
three contenders, each in a fresh process so its peak RSS is its own:

- ``read``       reads the catalogue and computes every cell value, writes nothing
                 (what any writer has to pay before it writes);
- ``xlsxwriter`` reads the catalogue, computes the same cell values with protocat's
                 own layout code and writes them with a bare xlsxwriter workbook in
                 ``constant_memory`` mode (formats on the same cells; no tables or
                 validation: constant_memory mode does not take tables);
- ``protocat``   ``exporters.xlsx.write``: openpyxl write-only, all six sheets with
                 tables, validation, colour scales and the chart.

Printed: seconds, peak RSS (MB), the file size and protocat's time as a multiple of
xlsxwriter's. The target (issue 5): protocat <= 1.3 x xlsxwriter, peak RSS < 300 MB.
Run it again with --entries 12500 and 25000 to see memory stay flat as N grows.

Measured 2026-11-26 on the shared 2-core development machine (load average about 4, so
seconds vary from run to run; the ratio is taken within one run), `--repeat 3`, best of 3:

    50000 entries   read 6.82 s   xlsxwriter 37.35 s   protocat 42.79 s   ratio 1.15x
                    peak RSS: read 48 MB, xlsxwriter 50 MB, protocat 49 MB
    12500 entries   protocat 10.87 s vs xlsxwriter 9.23 s (1.18x), protocat peak RSS 46 MB

Again on 2026-11-27 after the merge of the speed work, on a quiet machine (load 0.8),
`--repeat 1`:

    50000 entries   read 25.55 s   xlsxwriter 42.28 s   protocat 36.56 s   ratio 0.86x
                    peak RSS: read 337 MB, xlsxwriter 52 MB, protocat 53 MB

(bench/run.py also times xlsxwriter alone on the cells already computed: there protocat
takes 2.5x its time; see bench/README.md.)
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from protocols.vocabulary import codes  # noqa: E402

# Words the generated titles, abstracts and measures are made of (English and Chinese).
TEXT = (
    "core stabilisation exercise chronic low back pain randomised controlled trial pressure "
    "pain threshold lumbar multifidus activation 腰痛 核心稳定 训练 疼痛 exercise-induced "
    "hypoalgesia older adults pilates yoga walking programme supervised home"
)
WORDS = TEXT.split()


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def build_catalogue(db: Path, n: int) -> None:
    """N entries (two a record), with realistic lengths and codes; deterministic."""
    from protocols.mapping import record_ref
    from protocols.model import (
        Author,
        Dosage,
        Entry,
        Intensity,
        Origin,
        Outcome,
        Population,
        Provenance,
        Record,
        Reporting,
        SourceId,
    )
    from protocols.store import Catalogue

    rng = random.Random(5)
    records = []
    for i in range(n // 2):
        records.append(
            Record(
                id=f"r{i:012x}",
                title=f"{_text(rng, 14)} {i}",
                authors=tuple(
                    Author(_text(rng, 1).title(), "A.") for _ in range(rng.randint(1, 8))
                ),
                journal="Journal of Rehabilitation " + _text(rng, 2),
                year=rng.randint(1990, 2025),
                volume=str(rng.randint(1, 60)),
                issue=str(rng.randint(1, 12)),
                pages=f"{rng.randint(1, 500)}-{rng.randint(501, 900)}",
                keywords=tuple(_text(rng, 2) for _ in range(5)),
                abstract=_text(rng, 200),
                doi=f"10.{rng.randint(1000, 9999)}/j.{i}",
                pmid=str(10_000_000 + i),
                source_ids=(SourceId("wos", f"WOS:{i:015d}"),),
                origins=(Origin("export.ris", i * 20 + 1, "ris"),),
            )
        )

    def mapper(record):
        entries = []
        for arm in (1, 2):
            domains = rng.sample(codes("outcomes"), rng.randint(1, 4))
            entries.append(
                Entry(
                    entry_id=f"{record.id}-{arm}",
                    record=record_ref(record),
                    exercise_types=tuple(rng.sample(codes("exercise_types"), rng.randint(1, 3))),
                    comparators=tuple(rng.sample(codes("comparators"), 1)),
                    population=Population(
                        "low_back_pain", "chronic", "nonspecific", "adults", rng.randint(10, 300)
                    ),
                    outcomes=tuple(Outcome(d, _text(rng, 3)) for d in domains),
                    design="rct",
                    dosage=Dosage(
                        weeks=rng.randint(2, 12),
                        sessions_per_week=(2, 3),
                        minutes_per_session=rng.choice([30, 45, (40, 60)]),
                        intensity=Intensity("rpe", 12, 14, "moderate"),
                    ),
                    reporting=Reporting(cert_reported=("1", "13"), cert_missing=("2", "3", "7a")),
                    provenance=tuple(
                        Provenance("outcomes", d, "abstract", 0, 10, _text(rng, 3)) for d in domains
                    ),
                    arm=f"arm {arm}",
                )
            )
        return entries

    with Catalogue(db) as catalogue:
        catalogue.ingest(records, mapper, ["export.ris"])


# --------------------------------------------------------------------------- contenders


def _sheet_rows(view):
    """``(sheet, row)`` of every sheet as plain values (links as their formulas), in the order
    protocat writes them, computed with protocat's own layout code."""
    from collections import Counter

    from exporters import xlsx as X
    from exporters.xlsx_layout import PROTOCOL_COLUMNS, cell_value
    from protocols.vocabulary import default_vocabulary

    vocabulary = default_vocabulary()
    cache = X._RecordCache(view)
    evidence = Counter()
    exercise = set()

    def link(url, label):
        return f'=HYPERLINK("{url}","{label}")' if url else None

    def entry_rows():
        """Protocols and Outcomes rows from one pass over the entries, as protocat does."""
        yield "Protocols", [c.header for c in PROTOCOL_COLUMNS]
        yield "Outcomes", X.OUTCOME_HEADERS
        for entry in view.entries():
            record = cache.get(entry)
            row = []
            for column in PROTOCOL_COLUMNS:
                value = cell_value(column, entry, record)
                if column.link:
                    url = X.doi_url(value) if column.header == "DOI" else X.pmid_url(value)
                    value = link(url, value)
                row.append(value)
            yield "Protocols", row
            if entry.exercise_types:
                exercise.add(entry.record.id)
            for t in entry.exercise_types:
                evidence[t, None] += 1
                for o in entry.outcomes:
                    evidence[t, o.domain] += 1
            for o in entry.outcomes:
                words = "\n".join(
                    f"{p.source}: {p.text}" for p in entry.provenance if p.value == o.domain
                )
                yield (
                    "Outcomes",
                    [
                        entry.entry_id,
                        "; ".join(entry.exercise_types),
                        o.domain,
                        vocabulary.label("outcomes", o.domain, "en"),
                        vocabulary.label("outcomes", o.domain, "zh"),
                        o.measure,
                        words,
                    ],
                )

    def records():
        yield "Records", X.RECORD_HEADERS
        for record in view.records():
            row = X._record_values(record, record.id in exercise)
            row[11] = link(X.doi_url(row[11]), row[11])
            row[12] = link(X.pmid_url(row[12]), row[12])
            yield "Records", row

    def evidence_map():
        domains = vocabulary.codes("outcomes")
        yield "Evidence map", ["Exercise type", "Label", "Entries", *domains]
        for t in vocabulary.codes("exercise_types"):
            yield (
                "Evidence map",
                [
                    t,
                    vocabulary.label("exercise_types", t),
                    evidence[t, None],
                    *(evidence[t, d] for d in domains),
                ],
            )

    def vocabulary_sheet():
        yield "Vocabulary", ["Kind", "Code", "English", "中文"]
        for kind in vocabulary.kinds:
            for code in vocabulary.codes(kind):
                term = vocabulary.term(kind, code)
                yield "Vocabulary", [kind, code, term.labels["en"], term.labels["zh"]]

    for part in (entry_rows, records, evidence_map, vocabulary_sheet):
        yield from part()


def run_read(db: str, out: str) -> int:
    from protocols.store import Catalogue

    cells = 0
    with Catalogue(db) as view:
        for _name, row in _sheet_rows(view):
            cells += sum(v is not None for v in row)
    return cells


def run_xlsxwriter(db: str, out: str) -> int:
    import xlsxwriter

    from protocols.store import Catalogue

    book = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    link = book.add_format({"font_color": "#0563C1", "underline": 1})
    cells = 0
    sheets: dict[str, list] = {}
    with Catalogue(db) as view:
        for name, row in _sheet_rows(view):
            if name not in sheets:
                sheets[name] = [book.add_worksheet(name), 0]
                sheets[name][0].freeze_panes(1, 0)
            sheet, r = sheets[name]
            sheets[name][1] += 1
            for c, value in enumerate(row):
                if value is None:
                    continue
                cells += 1
                if isinstance(value, str):
                    if value.startswith("=HYPERLINK("):
                        sheet.write_formula(r, c, value, link)
                    elif len(value) > 40 or "\n" in value:
                        sheet.write_string(r, c, value, wrap)
                    else:
                        sheet.write_string(r, c, value)
                else:
                    sheet.write_number(r, c, value)
    book.close()
    return cells


def run_protocat(db: str, out: str) -> int:
    from exporters import xlsx
    from protocols.store import Catalogue

    with Catalogue(db) as view:
        return xlsx.write(view, out).rows


CONTENDERS = {"read": run_read, "xlsxwriter": run_xlsxwriter, "protocat": run_protocat}


def child(name: str, db: str, out: str) -> None:
    start = time.perf_counter()
    count = CONTENDERS[name](db, out)
    seconds = time.perf_counter() - start
    print(json.dumps({"name": name, "seconds": seconds, "peak_mb": peak_rss_mb(), "count": count}))


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec, so a
    child would report its parent's peak (the parent may have just built the catalogue)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument(
        "--workdir", default=str(Path(tempfile.gettempdir()) / "protocat-bench-xlsx")
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of each contender (best kept)")
    parser.add_argument("--child", nargs=3, metavar=("NAME", "DB", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / f"catalogue-{args.entries}.sqlite"
    if not db.exists():
        start = time.perf_counter()
        build_catalogue(db, args.entries)
        print(f"built {db} in {time.perf_counter() - start:.1f} s")
    results = {}
    for _ in range(args.repeat):
        for name in CONTENDERS:
            out = workdir / f"{name}.xlsx"
            done = subprocess.run(
                [sys.executable, __file__, "--child", name, str(db), str(out)],
                check=True,
                capture_output=True,
                text=True,
            )
            result = json.loads(done.stdout.strip().splitlines()[-1])
            result["size_mb"] = out.stat().st_size / 1e6 if out.exists() else 0.0
            best = results.get(name)
            if best is None or result["seconds"] < best["seconds"]:
                results[name] = result
    print(f"{args.entries} entries, python {sys.version.split()[0]}")
    print(f"{'contender':<12}{'seconds':>10}{'peak MB':>10}{'file MB':>10}")
    for name, r in results.items():
        print(f"{name:<12}{r['seconds']:>10.2f}{r['peak_mb']:>10.0f}{r['size_mb']:>10.1f}")
    ratio = results["protocat"]["seconds"] / results["xlsxwriter"]["seconds"]
    print(
        f"protocat / xlsxwriter = {ratio:.2f}x (target <= 1.3x); "
        f"protocat peak RSS {results['protocat']['peak_mb']:.0f} MB (target < 300 MB)"
    )


if __name__ == "__main__":
    main()
