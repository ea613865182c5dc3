"""Check that the mapping's output has not changed: dump it, or compare with a dump.

Maps every record of every fixture under ../shared/fixtures (Rejects ignored), the
records of the gold files (as ``protocols.evaluate`` reads them), the seed pages of
../shared/seeds and the benchmark inputs of ``bench/map.py``, and writes the JSON of
every entry, one line per record. Speed work must leave this byte-identical.

    python bench/map_check.py --write /tmp/mapping-reference.jsonl   # before a change
    python bench/map_check.py /tmp/mapping-reference.jsonl           # after it
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from protocols.evaluate import gold_record, read_gold
from protocols.mapping import map_record
from protocols.model import Record
from protocols.records import read_file
from protocols.serialize import to_json

sys.path.insert(0, str(Path(__file__).resolve().parent))
from map import SHARED, fixture_records, gold_records  # noqa: E402


def records() -> Iterator[tuple[str, Record]]:
    """(where it came from, record) of every input checked."""
    for path in sorted((SHARED / "fixtures").rglob("*")):
        if not path.is_file() or path.name in ("README.md", "EXPECTED.tsv", "SOURCES.txt"):
            continue
        try:
            read = list(read_file(path))
        except Exception as exc:  # a fixture that is meant not to be read
            print(f"skipped {path}: {type(exc).__name__}", file=sys.stderr)
            continue
        for n, record in enumerate(read):
            if isinstance(record, Record):
                yield f"{path.relative_to(SHARED)}#{n}", record
    for path in sorted((SHARED / "gold").glob("*.jsonl")):
        for n, item in enumerate(read_gold(path)):
            yield f"{path.relative_to(SHARED)}#{n}", gold_record(item)
    for path in sorted((SHARED / "seeds").glob("*.txt")):
        for n, record in enumerate(read_file(path)):
            if isinstance(record, Record):
                yield f"{path.relative_to(SHARED)}#{n}", record
    for n, record in enumerate(fixture_records()):
        yield f"bench#{n}", record
    # One long record, as bench/map.py times (sentence and section logic at scale).
    joined = " ".join(r.abstract or "" for r in gold_records())
    yield "bench#long", Record(id="rlong", title="Exercise", abstract=" ".join([joined] * 3))


def dump() -> list[str]:
    lines = []
    for where, record in records():
        entries = [to_json(entry) for entry in map_record(record)]
        lines.append(json.dumps({"from": where, "entries": entries}, ensure_ascii=False))
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reference", type=Path)
    parser.add_argument("--write", action="store_true", help="write the reference")
    args = parser.parse_args()
    lines = dump()
    if args.write:
        args.reference.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"wrote {len(lines)} records to {args.reference}")
        return 0
    expected = args.reference.read_text(encoding="utf-8").splitlines()
    differing = [(a, b) for a, b in zip(expected, lines, strict=False) if a != b] + [
        ("", "")
    ] * abs(len(expected) - len(lines))
    if differing:
        print(f"{len(differing)} of {len(expected)} records differ", file=sys.stderr)
        for a, b in differing[:3]:
            print(f"- {a[:400]}\n+ {b[:400]}", file=sys.stderr)
        return 1
    print(f"{len(lines)} records identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
