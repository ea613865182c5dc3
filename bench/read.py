"""Reading speed and memory: protocat's RIS and MEDLINE readers beside ``rispy.load``.

Builds large inputs by repeating the real fixture records of ../shared/fixtures
(RIS: ris/asreview/*.ris*, MEDLINE: medline/nbib/*.nbib and pubmed_result*.txt)
with fresh identifiers (a new DOI and PMID each copy, so no two copies are the
same work), then, in one run, times:

- ``rispy.load`` on the RIS file (utf-8-sig, enforce_list_tags=False), the baseline;
- protocat's RIS reader on the same file;
- protocat's MEDLINE reader on the MEDLINE file;
- protocat's MEDLINE reader on the RIS file's records written as MEDLINE (same works).

Each is run in a fresh child process so that its peak RSS is its own. Prints
records/s, wall and CPU time, peak RSS and the ratios to rispy (wall and CPU: on a
shared, busy machine the CPU ratio is the steadier one). The target: protocat within
2x rispy.load. Memory stays flat with ``--check-flat`` (reads 1x and 4x the size).

Measured 2026-11-27 on the shared 2-CPU build machine, other benchmarks running
(load average 3.3-4.1 by ``uptime``), one run each, back to back: before = commit
2835c26 (branch point), after = the readfast branch. CPU s is user + system of the
reading process; "x rispy" is wall / CPU.

    50,000 records (RIS 264.7 MB, MEDLINE 231.8 MB)
                          before (load 3.5)            after (load 3.3)
    reader                wall s  cpu s  x rispy       wall s  cpu s  x rispy
    rispy.load (RIS)       10.26   5.61  1.00 / 1.00     8.07   4.04  1.00 / 1.00
    protocat ris           14.92   7.83  1.45 / 1.40    10.61   5.25  1.32 / 1.30
    protocat medline       16.67  10.70  1.62 / 1.91    15.99   8.02  1.98 / 1.99
      same works as RIS     9.67   5.27  0.94 / 0.94     8.37   4.32  1.04 / 1.07

    after, --records 12500 --check-flat (load 3.8-4.1):
    12,500: rispy 0.78 cpu s (127 MB); ris 1.11 (1.43x); medline 2.07 (2.65x); 35 MB each
    50,000: rispy 4.73 cpu s (476 MB); ris 5.71 (1.21x); medline 9.09 (1.92x); 36 MB each

On this machine the ratios move by +-15% from run to run (rispy.load alone took 3.6
to 5.8 CPU s for the same 50,000 records in seven runs today), and rispy's cost per
record grows with the file (62 us at 12,500 records, 95 us at 50,000: it keeps the
whole file in memory), so the ratio is lower for larger files. Steadier figures:
interleaved runs on 5,000 records (best of 3-4, CPU s) give rispy 0.31-0.35, protocat
ris 0.56-0.69 before / 0.43-0.48 after, medline 0.89-1.03 before / 0.71-0.74 after;
callgrind instruction counts (1,000 records, deterministic) give rispy 546 M,
ris 1,042 M before / 815 M after, medline 1,662 M before / 1,367 M after.
Where medline's instructions go now: reading, decoding and the loop over lines
(~40%), Author and Record construction with their attrs validators (~15%), the
per-tag work of to_fields and build's cleaning of abstracts and addresses.

    python bench/read.py                 # 50,000 records
    python bench/read.py --records 200000
    python bench/read.py --check-flat
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT.parent / "shared" / "fixtures"


def _ris_records() -> list[list[str]]:
    records = []
    for path in sorted((FIXTURES / "ris" / "asreview").glob("*.ris*")):
        lines: list[str] = []
        for line in path.read_text(encoding="utf-8-sig").splitlines():
            if line.startswith("TY  -"):
                lines = [line]
            elif line.startswith("ER  -"):
                if lines and any(x.startswith("AB  -") or x.startswith("N2  -") for x in lines):
                    records.append(lines)
                lines = []
            elif lines:
                lines.append(line)
    return records


def _medline_records() -> list[list[str]]:
    paths = sorted((FIXTURES / "medline" / "nbib").glob("*.nbib")) + sorted(
        (FIXTURES / "medline" / "biopython").glob("pubmed_result*.txt")
    )
    records = []
    for path in paths:
        block: list[str] = []
        for line in path.read_text(encoding="utf-8-sig").splitlines() + [""]:
            if line.strip():
                block.append(line)
            elif block:
                if any(x.startswith("PMID-") for x in block) and any(
                    x.startswith("AB  -") for x in block
                ):
                    records.append(block)
                block = []
    return records


_DROP_RIS = re.compile(r"^(DO|AN|ID)  -")
_DROP_MEDLINE = re.compile(r"^(PMID|LID|AID)\s*-")


def build_inputs(count: int, folder: Path) -> tuple[Path, Path]:
    """A RIS and a MEDLINE file of ``count`` records each, with fresh identifiers."""
    ris_source, medline_source = _ris_records(), _medline_records()
    ris_path, medline_path = folder / "large.ris", folder / "large.nbib"
    with open(ris_path, "w", encoding="utf-8") as out:
        for n in range(count):
            lines = ris_source[n % len(ris_source)]
            out.write(lines[0] + "\n")
            out.write(f"DO  - 10.5555/bench.{n}\nAN  - {40000000 + n}\n")
            out.writelines(line + "\n" for line in lines[1:] if not _DROP_RIS.match(line))
            out.write("ER  - \n\n")
    with open(medline_path, "w", encoding="utf-8") as out:
        for n in range(count):
            lines = medline_source[n % len(medline_source)]
            out.write(f"PMID- {40000000 + n}\nLID - 10.5555/bench.{n} [doi]\n")
            skip = False
            for line in lines:
                if _DROP_MEDLINE.match(line):
                    skip = True
                    continue
                if skip and line.startswith("      "):
                    continue
                skip = False
                out.write(line + "\n")
            out.write("\n")
    return ris_path, medline_path


def same_works_as_medline(ris_path: Path, folder: Path) -> Path:
    """The RIS file's records written as MEDLINE by protocat: the same works, so the
    two readers can be compared on equal content (PubMed's own records are richer:
    about twice the lines, with MeSH headings and an affiliation per author)."""
    from exporters.medline import write_records
    from protocols.model import Record
    from protocols.records import read_file

    path = folder / "same_works.nbib"
    with open(path, "w", encoding="utf-8") as out:
        write_records((r for r in read_file(ris_path) if isinstance(r, Record)), out)
    return path


_CHILD = r"""
import json, resource, sys, time
kind, path = sys.argv[1], sys.argv[2]
if kind != "rispy":
    import protocols.records  # imported before the clock starts, as rispy is below
import rispy
start = time.perf_counter()
_usage = resource.getrusage(resource.RUSAGE_SELF)
cpu_start = _usage.ru_utime + _usage.ru_stime
if kind == "rispy":
    with open(path, encoding="utf-8-sig") as f:
        n = len(rispy.load(f, enforce_list_tags=False))
else:
    from protocols.records import read_file
    from protocols.model import Record
    n = sum(1 for item in read_file(path, fmt=kind) if isinstance(item, Record))
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime - cpu_start
print(json.dumps({"records": n, "wall": wall, "cpu": cpu, "rss_mb": usage.ru_maxrss / 1024}))
"""


def run(kind: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, kind, str(path)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


_ROW = "{:<20}{:>9}{:>9}{:>9}{:>10}{:>9}{:>9}{:>7}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--check-flat", action="store_true", help="also read 4x as many")
    args = parser.parse_args()
    sizes = [args.records] + ([args.records * 4] if args.check_flat else [])
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            ris_path, medline_path = build_inputs(size, Path(tmp))
            mb = ris_path.stat().st_size / 1e6, medline_path.stat().st_size / 1e6
            print(f"\n{size:,} records  (RIS {mb[0]:.1f} MB, MEDLINE {mb[1]:.1f} MB)")
            baseline = run("rispy", ris_path)
            rows = [
                ("rispy.load (RIS)", baseline),
                ("protocat ris", run("ris", ris_path)),
                ("protocat medline", run("medline", medline_path)),
                ("  same works as RIS", run("medline", same_works_as_medline(ris_path, Path(tmp)))),
            ]
            print(
                _ROW.format(
                    "reader", "records", "wall s", "cpu s", "rec/s", "peak MB", "x rispy", "cpu x"
                )
            )
            for name, r in rows:
                print(
                    _ROW.format(
                        name,
                        f"{r['records']:,}",
                        f"{r['wall']:.2f}",
                        f"{r['cpu']:.2f}",
                        f"{r['records'] / r['wall']:,.0f}",
                        f"{r['rss_mb']:.0f}",
                        f"{r['wall'] / baseline['wall']:.2f}",
                        f"{r['cpu'] / baseline['cpu']:.2f}",
                    )
                )


if __name__ == "__main__":
    main()
