"""JSON Lines: the whole catalogue as text that diffs well under version control.

One line a record (``{"record": ...}``) followed by the lines of its entries
(``{"entry": ...}``), records in id order, keys sorted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from exporters.files import ExportReport, atomic_write
from protocols.serialize import to_json

NAME = "jsonl"
SUFFIX = ".jsonl"


def write_catalogue(view, stream: TextIO) -> int:
    entries_by_record: dict[str, list] = {}
    for entry in view.entries():
        entries_by_record.setdefault(entry.record.id, []).append(entry)
    lines = 0
    for record in view.records():
        stream.write(
            json.dumps({"record": to_json(record)}, ensure_ascii=False, sort_keys=True) + "\n"
        )
        lines += 1
        for entry in entries_by_record.get(record.id, []):
            stream.write(
                json.dumps({"entry": to_json(entry)}, ensure_ascii=False, sort_keys=True) + "\n"
            )
            lines += 1
    return lines


def write(view, path: str | Path, **_options) -> ExportReport:
    with atomic_write(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as stream:
        lines = write_catalogue(view, stream)
    return ExportReport(path=str(path), rows=lines)
