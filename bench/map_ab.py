"""A/B timing of ``map_record`` on MEDLINE records: this checkout against another one.

Maps the first N records of a MEDLINE file (``bench/run.py`` writes one; default
/tmp/pf/in/records_10000.nbib) in one process, best of R passes in CPU time
(``time.process_time``), and the same with the ``protocols`` package of a second
checkout (e.g. the commit before a change, from ``git worktree add`` or ``git archive``),
each in a fresh process, alternating, so that a busy machine slows both alike:

    python bench/map_ab.py --other /tmp/base --rounds 5

prints each side's µs per record (min and median over the rounds). Without --other, times
this checkout only.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INPUT = Path("/tmp/pf/in/records_10000.nbib")


def time_here(path: Path, records: int, passes: int) -> float:
    """µs of CPU per record, best of ``passes``, with the package found first on sys.path."""
    from protocols.mapping import map_record
    from protocols.model import Record
    from protocols.records import read_file

    batch = [r for r in read_file(path) if isinstance(r, Record)][:records]
    for record in batch[:200]:  # memos and automata built before the clock starts
        map_record(record)
    best = float("inf")
    for _ in range(passes):
        start = time.process_time()
        for record in batch:
            map_record(record)
        best = min(best, time.process_time() - start)
    return best / len(batch) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", type=Path, default=DEFAULT_INPUT)
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--other", type=Path, help="root of another checkout (holds protocols/)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:  # one timing, in this fresh process, of the package under args.child
        sys.path.insert(0, str(args.child))
        import protocols

        assert Path(protocols.__file__).resolve().is_relative_to(args.child.resolve())
        print(time_here(args.input, args.records, args.passes))
        return
    sides = [ROOT] + ([args.other] if args.other else [])
    times: dict[Path, list[float]] = {side: [] for side in sides}
    for _ in range(args.rounds):
        for side in sides:
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(side), "--input", str(args.input)]
                + ["--records", str(args.records), "--passes", str(args.passes)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            times[side].append(float(out))
    for side, values in times.items():
        print(
            f"{side}: min {min(values):.1f}  median {statistics.median(values):.1f} µs/record"
            f"  ({', '.join(f'{v:.1f}' for v in values)})"
        )


if __name__ == "__main__":
    main()
