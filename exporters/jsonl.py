"""JSON Lines: the whole catalogue as text that diffs well under version control.

One line a record (``{"record": ...}``) followed by the lines of its entries
(``{"entry": ...}``), records in id order, keys sorted. ``protocat import``
reads it back (``protocols.cli.read_jsonl_catalogue``). The options ``entry_ids``,
``types`` and ``outcomes`` narrow it to some entries and their records;
``paper`` and ``lang`` do not apply to text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from exporters.files import ExportReport, atomic_write
from protocols.model import Entry
from protocols.serialize import to_json

NAME = "jsonl"
SUFFIX = ".jsonl"


def _line(item: dict) -> str:
    return json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n"


def selected(entry: Entry, options: dict) -> bool:
    """Does ``entry`` pass the export options ``entry_ids``, ``types`` and ``outcomes``?"""
    if options.get("entry_ids") and entry.entry_id not in options["entry_ids"]:
        return False
    if options.get("types") and not set(options["types"]) & set(entry.exercise_types):
        return False
    domains = {outcome.domain for outcome in entry.outcomes}
    return not (options.get("outcomes") and not set(options["outcomes"]) & domains)


def write_catalogue(view, stream: TextIO, **options) -> int:
    """Write the catalogue; with selection options, only the chosen entries and their records."""
    filtered = any(options.get(name) for name in ("entry_ids", "types", "outcomes"))
    entries_by_record: dict[str, list] = {}
    for entry in view.entries():
        if not filtered or selected(entry, options):
            entries_by_record.setdefault(entry.record.id, []).append(entry)
    lines = 0
    for record in view.records():
        if filtered and record.id not in entries_by_record:
            continue
        stream.write(_line({"record": to_json(record)}))
        lines += 1
        for entry in entries_by_record.get(record.id, []):
            stream.write(_line({"entry": to_json(entry)}))
            lines += 1
    return lines


def write(view, path: str | Path, **options) -> ExportReport:
    with atomic_write(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as stream:
        lines = write_catalogue(view, stream, **options)
    return ExportReport(path=str(path), rows=lines)
