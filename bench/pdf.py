"""Benchmark of the PDF exporters, side by side with bare reportlab in the same run.

    python bench/pdf.py [--handouts 1000] [--entries 5000] [--memory 10000,50000]

1. ``handouts`` for N exercise entries, against a bare reportlab platypus document
   with the same number of pages, each with one table and three paragraphs
   (target: at most 3x the bare document's time).
2. ``pdf`` (the evidence summary) of a catalogue of M entries (target: under 60 s).
3. With ``--memory``: the peak memory (Linux ``VmHWM``) of a fresh process writing the
   handouts of catalogues of those sizes in which one entry in 500 names an exercise
   (like the fixture copies of ``bench/run.py``): the exporter reads the catalogue
   as it lays out, so the peak should not grow with the catalogue.

The catalogue is synthetic (seeded random, so every run builds the same one) and
kept in a real SQLite ``Catalogue``, the way ``protocat export`` reads it.

Measured (2 shared vCPUs, Python 3.11.7, reportlab 5.1.0; other benchmarks running,
load average from ``uptime`` given; wall time is mostly waiting for a core, so
compare CPU). "Before" is commit 2835c26, "after" this branch, run one after the other:

    python bench/pdf.py                     before                after
    load average                    2.3                        1.9
    handouts 1000 (2000 pages)      3.76 s wall / 3.73 s CPU   4.32 s wall / 4.08 s CPU
      bare reportlab                1.79 s wall / 1.77 s CPU   1.90 s wall / 1.81 s CPU
      ratio                         2.10x wall / 2.10x CPU     2.28x wall / 2.26x CPU
    summary 5000 (1925 pages)      30.14 s wall / 28.92 s CPU  21.40 s wall / 20.54 s CPU

    heavier load, earlier commit    before (load 3.8)          after (load 3.8, 16bcd93)
    handouts 1000                   6.34 s wall / 4.06 s CPU   5.00 s wall / 4.07 s CPU
      ratio                         1.62x wall / 2.07x CPU     2.75x wall / 2.40x CPU
    summary 5000                   68.13 s wall / 35.32 s CPU  35.39 s wall / 24.44 s CPU

  The handouts' speed did not change beyond the noise: the best of 3 writes of the
  same catalogue in one process, repeated in turn, took 3.83 / 4.02 / 4.34 / 4.14 s
  CPU before and 4.05 / 4.46 / 3.99 / 4.08 s after (the bare document's time swings
  the ratio as much).

    python bench/pdf.py --handouts 0 --entries 0 --memory 10000,50000
    handouts' peak memory (VmHWM), 10,000 / 50,000 entries: 81 / 197 MB before, 53 / 56 MB after

Where the summary's time goes (cProfile, 2000 entries): reportlab's line breaking
and drawing of paragraphs that mix fonts (bold labels, links, CJK runs) is most of
it; the cards' labelled lines and plain card titles now take reportlab's one-font
path (``LabelledLines`` and ``anchored`` in ``exporters/pdf_layout.py``). What is
left is chiefly the references and the cards' reference lines (a DOI link) and
titles with CJK runs (the synthetic titles mix in Chinese words), all multi-font.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import attrs  # noqa: E402
import pypdf  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import getSampleStyleSheet  # noqa: E402
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle  # noqa: E402

import exporters  # noqa: E402
from protocols.model import (  # noqa: E402
    Author,
    Dosage,
    Entry,
    Intensity,
    Origin,
    Outcome,
    Population,
    Record,
    RecordRef,
    Reporting,
)
from protocols.store import Catalogue  # noqa: E402
from protocols.vocabulary import codes  # noqa: E402

WORDS = [
    "exercise",
    "motor",
    "control",
    "chronic",
    "low",
    "back",
    "pain",
    "randomised",
    "trial",
    "stabilisation",
    "core",
    "strength",
    "walking",
    "aquatic",
    "yoga",
    "pilates",
    "function",
    "disability",
    "hypoalgesia",
    "muscle",
    "activation",
    "腰痛",
    "运动疗法",
]


def synthetic(count: int, seed: int = 0) -> tuple[list[Record], dict[str, list[Entry]]]:
    rng = random.Random(seed)
    records, entries = [], {}
    types, outcomes, cert = codes("exercise_types"), codes("outcomes"), codes("cert")
    for i in range(count):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 18))).capitalize()
        record = Record(
            id=f"r{i:012x}",
            title=title,
            authors=tuple(Author(f"Author{j}", "A B") for j in range(rng.randint(1, 6))),
            journal="Journal of Exercise Research",
            year=rng.randint(1995, 2025),
            volume=str(rng.randint(1, 90)),
            doi=f"10.1000/bench.{i}",
            origins=(Origin("bench.ris", i + 1, "ris"),),
        )
        missing = tuple(sorted(rng.sample(cert, rng.randint(0, 10)), key=cert.index))
        entry = Entry(
            entry_id=f"{record.id}-1",
            record=RecordRef(record.id, record.title, record.doi, None, record.year),
            exercise_types=tuple(rng.sample(types, rng.randint(1, 2))),
            population=Population(
                "low_back_pain", "chronic", "nonspecific", "adults", rng.randint(10, 400)
            ),
            outcomes=tuple(
                Outcome(d, rng.choice([None, "VAS", "ODI"])) for d in rng.sample(outcomes, 3)
            ),
            design="rct",
            dosage=Dosage(
                weeks=rng.choice([None, 4, 6, 8, 12, 26]),
                sessions_per_week=rng.choice([None, 2, 3, (2, 3), 5]),
                minutes_per_session=rng.choice([None, 30, 45, 60]),
                intensity=rng.choice([None, Intensity("hrr_pct", 40, 59, "moderate")]),
                sets=rng.choice([None, 3]),
                repetitions=rng.choice([None, 10, (8, 12)]),
            ),
            reporting=Reporting(
                cert_reported=tuple(c for c in cert if c not in missing), cert_missing=missing
            ),
        )
        records.append(record)
        entries[record.id] = [entry]
    return records, entries


def catalogue_of(folder: Path, count: int) -> Catalogue:
    records, entries = synthetic(count)
    catalogue = Catalogue(folder / f"bench-{count}.sqlite")
    catalogue.ingest(records, lambda record: entries[record.id], ["bench.ris"])
    return catalogue


def sparse_catalogue(folder: Path, count: int) -> Path:
    """A catalogue of ``count`` entries of which one in 500 names an exercise."""
    records, entries = synthetic(count)
    for n, record in enumerate(records):
        if n % 500:
            entries[record.id] = [attrs.evolve(entries[record.id][0], exercise_types=())]
    path = folder / f"sparse-{count}.sqlite"
    with Catalogue(path) as catalogue:
        catalogue.ingest(records, lambda record: entries[record.id], ["bench.ris"])
    return path


def peak_mb() -> int:
    """This process's peak resident memory since it started its program.

    ``ru_maxrss`` of a child process keeps the peak of the parent it was forked
    from (the parent here holds the synthetic records); Linux's ``VmHWM`` does not.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def bare_reportlab(path: Path, pages: int) -> None:
    """The library underneath, alone: one table and three paragraphs a page."""
    styles = getSampleStyleSheet()
    story = []
    for page in range(pages):
        story.append(Paragraph(f"Handout {page}: exercise programme", styles["Heading1"]))
        story.append(
            Paragraph(
                "Exercise used in the study: motor control, resistance. " * 3, styles["BodyText"]
            )
        )
        table = Table([[f"Field {r}", f"value {r} for page {page}"] for r in range(7)])
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black")]))
        story.append(table)
        story.append(
            Paragraph("Stop and call us if anything worries you. " * 4, styles["BodyText"])
        )
        story.append(PageBreak())
    SimpleDocTemplate(str(path), pagesize=A4, invariant=1).build(story)


def timed(action) -> tuple[float, float]:
    """(wall, CPU) seconds: on a shared machine the CPU time is the steadier figure."""
    start, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - start, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--handouts", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--memory", default="", help="catalogue sizes, comma-separated")
    parser.add_argument("--peak-of", help=argparse.SUPPRESS)  # the child process of --memory
    args = parser.parse_args()
    if args.peak_of:
        with Catalogue(args.peak_of) as catalogue:
            exporters.get("handouts").write(catalogue, Path(args.peak_of).with_suffix(".pdf"))
        print(peak_mb())
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for size in [int(n) for n in args.memory.split(",") if n]:
            database = sparse_catalogue(folder, size)
            peak = subprocess.run(
                [sys.executable, __file__, "--peak-of", str(database)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
            print(f"handouts of {size} entries (1 in 500 an exercise): peak {peak} MB")
        if not args.handouts and not args.entries:
            return
        with catalogue_of(folder, args.handouts) as catalogue:
            handouts = folder / "handouts.pdf"
            ours = timed(lambda: exporters.get("handouts").write(catalogue, handouts))
        pages = len(pypdf.PdfReader(handouts).pages)
        bare = timed(lambda: bare_reportlab(folder / "bare.pdf", pages))
        print(f"handouts: {args.handouts} handouts, {pages} pages")
        print(f"  protocat handouts      {ours[0]:8.2f} s wall {ours[1]:8.2f} s CPU")
        print(f"  bare reportlab         {bare[0]:8.2f} s wall {bare[1]:8.2f} s CPU")
        wall, cpu = ours[0] / bare[0], ours[1] / bare[1]
        print(f"  ratio                  {wall:8.2f} x wall {cpu:8.2f} x CPU  (target <= 3)")
        with catalogue_of(folder, args.entries) as catalogue:
            summary = folder / "summary.pdf"
            took = timed(lambda: exporters.get("pdf").write(catalogue, summary))
        summary_pages = len(pypdf.PdfReader(summary).pages)
        print(f"summary: {args.entries} entries, {summary_pages} pages")
        print(f"  protocat summary       {took[0]:8.2f} s wall {took[1]:8.2f} s CPU  (target < 60)")


if __name__ == "__main__":
    main()
