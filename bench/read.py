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

Measured 2026-11-26 on the shared 2-CPU build machine (load ~3), one run:

    50,000 records (RIS 264.7 MB, MEDLINE 231.8 MB)
    reader                wall s   cpu s   peak MB   x rispy (wall / cpu)
    rispy.load (RIS)        5.62    3.89      475    1.00 / 1.00
    protocat ris            8.37    5.73       35    1.49 / 1.47
    protocat medline       13.31    9.34       35    2.37 / 2.40
      same works as RIS     7.67    4.93       36    1.36 / 1.27

    --check-flat, 200,000 records (RIS 1.06 GB): protocat ris and medline 35 MB peak
    (rispy.load 1,868 MB); at 50,000 the same 35 MB.

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
