"""The ``protocat`` command line (design.md's contract).

Exit status: 0 done (per-record rejects are reported, not fatal); 1 a file could
not be read at all, or the catalogue or an export failed; 2 a usage error.
Messages and progress go to stderr (a bar on a terminal, nothing when piped;
``--quiet``, ``--verbose``); results go to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from importlib import import_module
from pathlib import Path

import exporters
from protocols import __version__, progress
from protocols.errors import ProtocatError, UnreadableFile, UsageError
from protocols.mapping import map_record
from protocols.model import Entry, Record, Reject
from protocols.serialize import dumps, from_json

BUILD_OUTPUTS = {
    "catalogue.sqlite": None,
    "protocols.xlsx": "xlsx",
    "summary.pdf": "pdf",
    "handouts.pdf": "handouts",
}
DEFAULT_DB = "protocat.sqlite"


# --------------------------------------------------------------------------- helpers


def _err(message: str) -> None:
    print(f"protocat: {message}", file=sys.stderr)


def _read_inputs(paths: Sequence[str], fmt: str | None, rejects: list[Reject]) -> Iterator[Record]:
    """The records of every file; rejects collected; an unreadable file stops with exit 1."""
    from protocols.records import read_file

    for path in paths:
        for item in read_file(path, fmt):
            if isinstance(item, Reject):
                rejects.append(item)
            else:
                yield item


def _report_rejects(rejects: list[Reject], rejects_path: str | None) -> None:
    if rejects_path:
        with open(rejects_path, "w", encoding="utf-8") as stream:
            for reject in rejects:
                stream.write(
                    json.dumps(
                        {"file": reject.file, "line": reject.line, "reason": reject.reason},
                        ensure_ascii=False,
                    )
                    + "\n"
                )
    if rejects:
        _err(
            f"{len(rejects)} record(s) rejected"
            + (f" (see {rejects_path})" if rejects_path else ":")
        )
        if not rejects_path:
            for reject in rejects:
                print(f"  {reject.file}:{reject.line}: {reject.reason}", file=sys.stderr)


def catalogue_dir() -> Path:
    """The folder of the shipped catalogue: ``catalogue/``, installed as ``protocat_catalogue``."""
    try:
        import protocat_catalogue  # a namespace package: content only, no code

        folders = [Path(p) for p in protocat_catalogue.__path__]
    except ImportError:
        folders = []
    # Running from a source tree that was never installed.
    folders.append(Path(__file__).resolve().parent.parent / "catalogue")
    for folder in folders:
        if (folder / "records.jsonl").is_file():
            return folder
    raise ProtocatError("the shipped catalogue is missing: reinstall protocat")


def _check_jobs(jobs: int) -> None:
    if jobs < 1:
        raise UsageError(f"--jobs {jobs}: give 1 or more")
    if jobs > 1:
        try:
            import_module("protocols.parallel")
        except ImportError:
            raise UsageError("--jobs: parallel mapping is not available in this protocat") from None


def shipped_catalogue() -> tuple[list[Record], list[Entry]]:
    """The records and curated entries that ship in ``catalogue/``."""
    folder = catalogue_dir()

    def lines(name: str) -> list[dict]:
        text = (folder / name).read_text("utf-8")
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    records = [from_json(data, Record) for data in lines("records.jsonl")]
    entries = [from_json(data, Entry) for data in lines("entries.jsonl")]
    return records, entries


def _open(args: argparse.Namespace, must_exist: bool = True):
    """The catalogue of ``--db``; reading commands refuse to create an empty one."""
    from protocols.store import Catalogue

    if must_exist and not Path(args.db).exists():
        raise UnreadableFile(args.db, "no such catalogue (make one with `protocat ingest FILES`)")
    return Catalogue(args.db)


def _stdout():
    from rich.console import Console

    console = Console(highlight=False)
    # Piped into a file or a pager, tables get a generous width rather than rich's 80.
    return console if console.is_terminal else Console(highlight=False, width=160)


def _codes(kind: str, values: Sequence[str] | None, option: str) -> tuple[str, ...]:
    from protocols.curation import check_code

    return tuple(check_code(kind, value, option) for value in values or ())


# --------------------------------------------------------------------------- commands


def cmd_records(args: argparse.Namespace) -> int:
    from protocols.records import read_files

    # Duplicates are merged across the files named, as they will be in the catalogue.
    result = read_files(args.files, args.format)
    for record in result.records():
        print(dumps(record))
    _report_rejects(result.rejects, args.rejects)
    for error in result.errors:
        _err(str(error))
    if result.files:  # nothing to sum up when no file could be read
        _err(result.summary())
    return 1 if result.errors else 0


def cmd_map(args: argparse.Namespace) -> int:
    rejects: list[Reject] = []
    records = _read_inputs(args.files, args.format, rejects)
    from protocols.parallel import entry_lines, map_records

    # With --jobs the workers write the JSON too: this process, which reads the input,
    # only prints. (One job maps here, with the same function.)
    mapped = (lines for _record, lines in map_records(records, args.jobs, entry_lines))
    for lines in mapped:
        for line in lines:
            print(line)
    _report_rejects(rejects, args.rejects)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from protocols.evaluate import evaluate

    report = evaluate(args.gold)
    print(report.render(errors=args.errors), end="")
    return 0


def expand_inputs(paths: Sequence[str]) -> list[tuple[str, bool]]:
    """Each input file with whether it was named: a folder stands for the files under it."""
    files: list[tuple[str, bool]] = []
    for path in paths:
        if Path(path).is_dir():
            found = sorted(
                p
                for p in Path(path).rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.parts[-1:])
            )
            files += [(str(p), False) for p in found]
        else:
            files.append((path, True))
    return files


def _read_for_ingest(
    files: Sequence[tuple[str, bool]],
    fmt: str | None,
    rejects: list[Reject],
    skipped: dict[str, str],
) -> Iterator[Record]:
    """Like ``_read_inputs``; a file found in a folder that is not an export is skipped and
    reported, while a file named on the command line that cannot be read stops the ingest."""
    for path, named in files:
        try:
            yield from _read_inputs([path], fmt, rejects)
        except UnreadableFile as exc:
            if named:
                raise
            skipped[path] = str(exc)


def cmd_ingest(args: argparse.Namespace) -> int:
    from protocols.store import PreparedRecord

    _check_jobs(args.jobs)
    files = expand_inputs(args.files)
    if not files:
        raise UsageError(f"ingest: no files in {', '.join(args.files)}")
    rejects: list[Reject] = []
    skipped: dict[str, str] = {}
    records: Iterator[Record] | Iterator[PreparedRecord] = _read_for_ingest(
        files, args.format, rejects, skipped
    )
    if args.jobs > 1:
        from protocols.parallel import prepare_records

        # Workers map and encode while this process reads and writes the catalogue.
        records = prepare_records(records, args.jobs)
    with _open(args, must_exist=False) as catalogue:

        def logged(items):
            for item in items:
                record = item.record if isinstance(item, PreparedRecord) else item
                progress.detail(f"{record.id}  {record.title[:70]}")
                yield item

        report = catalogue.ingest(
            logged(progress.track(records, "ingest")),
            map_record,
            # Lazy: read after the records, when the skipped files are known.
            (path for path, _named in files if path not in skipped),
            rejects,
        )
    _report_rejects(rejects, args.rejects)
    for reason in skipped.values():
        _err(f"skipped {reason}")
    print(
        f"added {report.added}, merged {report.merged}, updated {report.updated}, "
        f"unchanged {report.unchanged}, rejected {report.rejected}; "
        f"{report.entries} entries mapped"
        + (f"; {len(skipped)} file(s) skipped" if skipped else "")
    )
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from protocols.store import SearchFilter

    where = SearchFilter(
        types=_codes("exercise_types", args.type, "--type"),
        outcomes=_codes("outcomes", args.outcome, "--outcome"),
        conditions=_codes("condition", args.condition, "--condition"),
        designs=_codes("design", args.design, "--design"),
        comparators=_codes("comparators", args.comparator, "--comparator"),
        min_weeks=args.min_weeks,
        year_from=args.year_from,
        year_to=args.year_to,
        status=args.status,
    )
    with _open(args) as catalogue:
        hits = catalogue.search(args.query or None, where, args.limit)
    if args.json:
        for hit in hits:
            print(dumps(hit.entry))
    elif hits:
        from protocols.console import hits_table

        _stdout().print(hits_table(hits))
    progress.info(f"{len(hits)} entr{'y' if len(hits) == 1 else 'ies'} found")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with _open(args) as catalogue:
        entry = catalogue.find_entry(args.entry)
        record = catalogue.record(entry.record.id)
    if args.json:
        from protocols.serialize import to_json

        print(
            json.dumps(
                {"entry": to_json(entry), "record": to_json(record) if record else None},
                ensure_ascii=False,
                sort_keys=True,
            )
        )
        return 0
    from protocols.console import entry_view

    _stdout().print(entry_view(entry, record))
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    from protocols.curation import apply_corrections

    if not args.set:
        raise UsageError("edit: give at least one --set field=value")
    with _open(args) as catalogue:
        entry = catalogue.find_entry(args.entry)
        corrected = apply_corrections(entry, args.set)
        changed = catalogue.put_entries(
            [corrected], "edit", None, {"entry": entry.entry_id, "set": args.set}
        )
    print(
        f"{entry.entry_id}: "
        + ("curated " + ", ".join(a.split("=", 1)[0] for a in args.set) if changed else "unchanged")
    )
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from protocols.console import entry_view
    from protocols.curation import accept, apply_corrections, editable_paths
    from protocols.store import SearchFilter

    console = _stdout()
    tally = {"accepted": 0, "corrected": 0, "skipped": 0}

    def ask(prompt: str) -> str | None:
        console.print(prompt, end="", markup=False)
        line = sys.stdin.readline()
        return None if line == "" else line.strip()

    with _open(args) as catalogue:
        pending = [
            hit.entry.entry_id for hit in catalogue.search(None, SearchFilter(status="auto"))
        ]
        pending.sort()
        for number, entry_id in enumerate(pending, start=1):
            entry = catalogue.entry(entry_id)
            if entry is None or entry.review_status != "auto":
                continue  # curated meanwhile by another protocat
            console.rule(f"{number} of {len(pending)}")
            console.print(entry_view(entry, catalogue.record(entry.record.id)))
            answer = ask("\n[a]ccept, [c]orrect, [s]kip, [q]uit? ")
            while answer is not None and answer[:1].lower() not in ("a", "c", "s", "q"):
                answer = ask("please answer a, c, s or q: ")
            choice = (answer or "q")[:1].lower()
            if choice == "q":
                break
            if choice == "s":
                tally["skipped"] += 1
                continue
            if choice == "a":
                catalogue.put_entries(
                    [accept(entry)], "review", None, {"entry": entry_id, "accepted": True}
                )
                tally["accepted"] += 1
                continue
            corrections: list[str] = []
            corrected = entry
            while True:
                line = ask("field=value (? lists the fields, empty line to finish): ")
                if not line:
                    break
                if line == "?":
                    console.print(", ".join(editable_paths()), markup=False)
                    continue
                try:
                    corrected = apply_corrections(corrected, [line])
                    corrections.append(line)
                except UsageError as exc:
                    console.print(str(exc), style="red", markup=False)
            if corrections:
                catalogue.put_entries(
                    [corrected], "review", None, {"entry": entry_id, "set": corrections}
                )
                tally["corrected"] += 1
            else:
                tally["skipped"] += 1
    print(", ".join(f"{kind} {n}" for kind, n in tally.items()))
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    with _open(args) as catalogue:
        stats = catalogue.stats()
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
        return 0
    from protocols.console import stats_view

    _stdout().print(stats_view(stats))
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    with _open(args) as catalogue:
        rows = catalogue.history()
    if args.limit:
        rows = rows[-args.limit :]
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False, sort_keys=True))
        return 0
    from protocols.console import history_table

    _stdout().print(history_table(rows))
    return 0


def export_options(args: argparse.Namespace) -> dict:
    """The exporter options given on the command line, and only those."""
    options: dict = {}
    if args.paper:
        options["paper"] = args.paper
    if args.lang:
        options["lang"] = args.lang
    if args.entry:
        options["entry_ids"] = tuple(args.entry)
    if args.type:
        options["types"] = _codes("exercise_types", args.type, "--type")
    if args.outcome:
        options["outcomes"] = _codes("outcomes", args.outcome, "--outcome")
    return options


def cmd_export(args: argparse.Namespace) -> int:
    from protocols.progress import TrackedView

    try:
        exporter = exporters.get(args.format)
    except ImportError as exc:
        raise UsageError(f"export {args.format}: not available in this protocat ({exc})") from None
    options = export_options(args)
    with _open(args) as catalogue:
        if args.entry:
            for entry_id in args.entry:
                if catalogue.entry(entry_id) is None:
                    raise UsageError(f"--entry {entry_id!r}: no such entry in {args.db}")
        report = exporter.write(
            TrackedView(catalogue, f"export {args.format}"), args.output, **options
        )
    for note in report.notes:
        _err(note)
    print(f"wrote {report.path}")
    return 0


def read_jsonl_catalogue(path: str) -> Iterator[Record | Entry]:
    """The records and entries of a ``protocat export jsonl`` file, checked line by line."""
    from cattrs.errors import BaseValidationError

    try:
        stream = open(path, encoding="utf-8")  # noqa: SIM115 - closed below, lines read lazily
    except OSError as exc:
        raise UnreadableFile(path, exc.strerror or str(exc)) from None
    with stream:
        try:
            for number, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                    if (
                        not isinstance(item, dict)
                        or len(item) != 1
                        or not ({"record", "entry"} & set(item))
                    ):
                        raise ValueError('expected {"record": ...} or {"entry": ...}')
                    if "record" in item:
                        yield from_json(item["record"], Record)
                    else:
                        yield from_json(item["entry"], Entry)
                except (ValueError, TypeError, KeyError, BaseValidationError) as exc:
                    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                    if isinstance(exc, BaseValidationError):
                        reason = "; ".join(_leaf_messages(exc))[:300]
                    raise UnreadableFile(path, f"line {number}: {reason}") from None
        except UnicodeDecodeError as exc:
            raise UnreadableFile(path, f"not UTF-8 text ({exc.reason})") from None


def _leaf_messages(exc: BaseException) -> list[str]:
    nested = getattr(exc, "exceptions", None)
    if not nested:
        return [f"{type(exc).__name__}: {exc}"]
    return [message for inner in nested for message in _leaf_messages(inner)]


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise UnreadableFile(args.file, "no such file")
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        with _open(args, must_exist=False) as catalogue:
            records, entries = catalogue.import_items(
                progress.track(read_jsonl_catalogue(args.file), "import", unit="lines"),
                args.file,
            )
        print(f"imported {args.file}: {records} records and {entries} entries changed")
        return 0
    if suffix == ".xlsx":
        try:
            from exporters.xlsx import import_workbook
        except ImportError:
            raise UsageError("importing workbooks is not available in this protocat") from None
        with _open(args) as catalogue:
            result = import_workbook(args.file, catalogue)
        print(result.render())
        # Rejected rows are per-record rejects (design.md): reported, applied nowhere, exit 0.
        if result.errors:
            _err(f"{len(result.errors)} row error(s) in {args.file}; those rows were not applied")
        return 0
    raise UsageError(f"import {args.file}: give a .jsonl export or an .xlsx workbook")


def build(
    files: Sequence[str], out: Path, fmt: str | None = None, jobs: int = 1
) -> dict[str, Path]:
    """The main job: read, map, store and export the four outputs into ``out``."""
    from protocols.store import Catalogue, apply_curated

    out.mkdir(parents=True, exist_ok=True)
    rejects: list[Reject] = []
    # Built aside and renamed into place: a failed build leaves the previous outputs whole.
    fd, tmp_db = tempfile.mkstemp(prefix=".catalogue.", suffix=".sqlite", dir=out)
    os.close(fd)
    os.unlink(tmp_db)
    try:
        with Catalogue(tmp_db) as catalogue:
            if files:
                records: Iterator[Record] | list[Record] = _read_inputs(files, fmt, rejects)
                mapper = map_record
                if jobs > 1:
                    from protocols.parallel import premapped

                    records, mapper = premapped(records, jobs)
                catalogue.ingest(records, mapper, files)
            else:
                records, curated = shipped_catalogue()
                catalogue.ingest(records, map_record, ["protocat catalogue"])
                # Curated values win; what the curator left alone stays as mapped.
                catalogue.put_entries(
                    [apply_curated(catalogue.entry(e.entry_id) or e, e) for e in curated],
                    "curate",
                    "protocat catalogue",
                )
            written = {}
            for name, fmt_name in BUILD_OUTPUTS.items():
                if fmt_name is None:
                    continue
                report = exporters.get(fmt_name).write(catalogue, out / name)
                for note in report.notes:
                    _err(note)
                written[name] = out / name
        os.replace(tmp_db, out / "catalogue.sqlite")
        for suffix in ("-wal", "-shm"):
            Path(tmp_db + suffix).unlink(missing_ok=True)
        written["catalogue.sqlite"] = out / "catalogue.sqlite"
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(tmp_db + suffix).unlink(missing_ok=True)
    _report_rejects(rejects, None)
    return written


def cmd_build(args: argparse.Namespace) -> int:
    _check_jobs(args.jobs)
    written = build(args.files, Path(args.out), args.format, args.jobs)
    for name in BUILD_OUTPUTS:
        print(written[name])
    return 0


# --------------------------------------------------------------------------- parser


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


def _verbosity_parent(defaults: bool) -> argparse.ArgumentParser:
    """--quiet/--verbose, accepted before and after the command name."""
    parent = argparse.ArgumentParser(add_help=False)
    default = False if defaults else argparse.SUPPRESS
    group = parent.add_mutually_exclusive_group()
    group.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default,
        help="print only errors (and the results asked for)",
    )
    group.add_argument(
        "-v", "--verbose", action="store_true", default=default, help="say more: one line an item"
    )
    return parent


def _command(
    sub: argparse._SubParsersAction,
    name: str,
    func: Callable[[argparse.Namespace], int],
    summary: str,
    example: str,
) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        name,
        help=summary,
        description=summary,
        epilog=f"example:\n  {example}",
        formatter_class=_Formatter,
        parents=[_verbosity_parent(defaults=False)],
    )
    parser.set_defaults(func=func)
    return parser


def _add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", help="force an input format instead of detecting it by content")


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        default=os.environ.get("PROTOCAT_DB") or DEFAULT_DB,
        metavar="FILE",
        help=f"the catalogue file (default: $PROTOCAT_DB, else {DEFAULT_DB})",
    )


def _jobs(value: str) -> int:
    """``--jobs``: a number of processes, or ``auto`` (one per usable CPU, at most 8)."""
    if value == "auto":
        from protocols.parallel import auto_jobs

        return auto_jobs()
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"give a number or auto, not {value!r}") from None


def _add_jobs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default="auto",
        metavar="N",
        help="map records in N processes, or auto: one per CPU, at most 8 (the default); "
        "an input of a few hundred records is mapped in one",
    )


def _add_code_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--type",
        action="append",
        metavar="CODE",
        help="exercise type code (repeat for any of several)",
    )
    parser.add_argument(
        "--outcome",
        action="append",
        metavar="CODE",
        help="outcome domain code (repeat for any of several)",
    )


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="protocat",
        description="A catalogue of clinical exercise protocols: read bibliographic exports, map "
        "them to intervention entries, keep them, and export workbooks and PDF handouts.",
        formatter_class=_Formatter,
        parents=[_verbosity_parent(defaults=True)],
    )
    parser.add_argument("--version", action="version", version=f"protocat {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = _command(
        sub,
        "build",
        cmd_build,
        "read FILES (default: the shipped catalogue), map, store and export the catalogue, "
        "workbook, summary PDF and handouts into --out",
        "protocat build ../shared/seeds/000_057fc58b5fe71c16.txt --out out/",
    )
    p.add_argument("files", nargs="*", metavar="FILES")
    p.add_argument("--out", default="out", help="output folder (default: out/)")
    _add_format(p)
    _add_jobs(p)

    p = _command(
        sub,
        "records",
        cmd_records,
        "print the parsed records of FILES as JSON Lines; unparsable records go to --rejects",
        "protocat records export.ris pubmed.nbib --rejects rejects.jsonl",
    )
    p.add_argument("files", nargs="+", metavar="FILES")
    p.add_argument("--rejects", metavar="FILE", help="write rejected records here as JSON Lines")
    _add_format(p)

    p = _command(
        sub,
        "map",
        cmd_map,
        "print the intervention entries mapped from FILES as JSON Lines",
        "protocat map ../shared/seeds/000_057fc58b5fe71c16.txt",
    )
    p.add_argument("files", nargs="+", metavar="FILES")
    p.add_argument("--rejects", metavar="FILE", help="write rejected records here as JSON Lines")
    _add_format(p)
    _add_jobs(p)

    p = _command(
        sub,
        "evaluate",
        cmd_evaluate,
        "score the mapping against a gold file: per-field precision, recall, F1 and accuracy",
        "protocat evaluate ../shared/gold/seed.jsonl --errors",
    )
    p.add_argument("gold", metavar="GOLD.jsonl")
    p.add_argument(
        "--errors", action="store_true", help="list each record where mapping and gold differ"
    )

    p = _command(
        sub,
        "ingest",
        cmd_ingest,
        "read, merge, map and store FILES (a folder stands for the files under it) in a kept "
        "catalogue, in one transaction. Prints the records added (new works), merged (a kept "
        "work completed by this input), unchanged and rejected, and the entries updated. "
        "Values a person set are kept.",
        "protocat ingest export.ris pubmed.nbib --db protocat.sqlite",
    )
    p.add_argument("files", nargs="+", metavar="FILES")
    _add_db(p)
    p.add_argument("--rejects", metavar="FILE", help="write rejected records here as JSON Lines")
    _add_format(p)
    _add_jobs(p)

    p = _command(
        sub,
        "search",
        cmd_search,
        "find entries: full-text QUERY over title, abstract, keywords, outcome measures and "
        'provenance (ranked; FTS5 syntax: "a phrase", OR, NOT, prefix*, title:word), and '
        "coded filters (codes of one option are alternatives; options all apply)",
        "protocat search 'pressure pain' --type motor_control --outcome hypoalgesia --min-weeks 4",
    )
    p.add_argument("query", nargs="?", metavar="QUERY")
    _add_db(p)
    _add_code_filters(p)
    p.add_argument("--condition", action="append", metavar="CODE", help="condition code")
    p.add_argument("--design", action="append", metavar="CODE", help="design code")
    p.add_argument("--comparator", action="append", metavar="CODE", help="comparator code")
    p.add_argument("--min-weeks", type=float, metavar="N", help="programmes of at least N weeks")
    p.add_argument("--year-from", type=int, metavar="Y", help="published in Y or later")
    p.add_argument("--year-to", type=int, metavar="Y", help="published in Y or earlier")
    p.add_argument("--status", choices=("auto", "curated"), help="review status")
    p.add_argument("--limit", type=int, metavar="N", help="at most N results")
    p.add_argument("--json", action="store_true", help="print the entries as JSON Lines")

    p = _command(
        sub,
        "show",
        cmd_show,
        "everything about one entry, each value marked where the record's text says it",
        "protocat show r94eef0991d5c-1",
    )
    p.add_argument("entry", metavar="ENTRY", help="entry id (or a unique prefix, or a record id)")
    _add_db(p)
    p.add_argument("--json", action="store_true", help="print the entry and its record as JSON")

    p = _command(
        sub,
        "edit",
        cmd_edit,
        "correct an entry: each --set field=value is checked against the model and the "
        "vocabulary and becomes curated (later ingests keep it). Lists are comma-separated; "
        "ranges are low-high; 'none' clears a value.",
        "protocat edit r94eef0991d5c-1 --set design=rct --set dosage.weeks=6-8 "
        "--set outcomes=hypoalgesia:pressure\\ pain\\ threshold",
    )
    p.add_argument("entry", metavar="ENTRY")
    p.add_argument("--set", action="append", metavar="FIELD=VALUE", help="a correction (repeat)")
    _add_db(p)

    p = _command(
        sub,
        "review",
        cmd_review,
        "step through the automatic entries: accept, correct, skip or quit (answers on stdin)",
        "protocat review --db protocat.sqlite",
    )
    _add_db(p)

    p = _command(
        sub,
        "stats",
        cmd_stats,
        "counts by exercise type, outcome, design and year, and reporting completeness",
        "protocat stats --json",
    )
    _add_db(p)
    p.add_argument("--json", action="store_true", help="print the figures as JSON")

    p = _command(
        sub,
        "export",
        cmd_export,
        "export a kept catalogue as FORMAT (" + ", ".join(exporters.names()) + ")",
        "protocat export xlsx --db protocat.sqlite -o protocols.xlsx",
    )
    p.add_argument("format", metavar="FORMAT", choices=exporters.names())
    _add_db(p)
    p.add_argument("-o", "--output", required=True, metavar="PATH")
    p.add_argument("--paper", choices=("a4", "letter"), help="paper size of PDFs")
    p.add_argument("--lang", choices=("en", "zh"), help="language of labels")
    p.add_argument("--entry", action="append", metavar="ID", help="only this entry (repeat)")
    _add_code_filters(p)

    p = _command(
        sub,
        "import",
        cmd_import,
        "import a JSON Lines export (records and entries replace those with the same id; all "
        "or nothing) or a curated workbook (.xlsx)",
        "protocat import catalogue.jsonl --db protocat.sqlite",
    )
    p.add_argument("file", metavar="FILE")
    _add_db(p)

    p = _command(
        sub,
        "history",
        cmd_history,
        "the changes made to the catalogue: when, what, how many, from which file",
        "protocat history --limit 20",
    )
    _add_db(p)
    p.add_argument("--limit", type=int, metavar="N", help="only the last N changes")
    p.add_argument("--json", action="store_true", help="print the rows as JSON Lines")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    progress.configure(quiet=args.quiet, verbose=args.verbose)
    try:
        if getattr(args, "jobs", 1) != 1:
            _check_jobs(args.jobs)
        return args.func(args)
    except UsageError as exc:
        _err(str(exc))
        return 2
    except UnreadableFile as exc:
        _err(str(exc))
        return 1
    except ProtocatError as exc:
        _err(str(exc))
        return 1
    except sqlite3.Error as exc:
        _err(f"{getattr(args, 'db', 'catalogue')}: {exc}")
        return 1
    except BrokenPipeError:
        # `protocat records ... | head` closed the pipe: not an error of ours.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        _err("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
