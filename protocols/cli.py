"""The ``protocat`` command line (design.md's contract).

Exit status: 0 done (per-record rejects are reported, not fatal); 1 a file could
not be read at all, or the catalogue or an export failed; 2 a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import exporters
from protocols import __version__
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


# --------------------------------------------------------------------------- helpers


def _err(message: str) -> None:
    print(f"protocat: {message}", file=sys.stderr)


def _read_inputs(
    paths: Sequence[str], fmt: str | None, rejects: list[Reject]
) -> Iterator[Record]:
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
                stream.write(json.dumps({"file": reject.file, "line": reject.line, "reason": reject.reason},
                                        ensure_ascii=False) + "\n")
    if rejects:
        _err(f"{len(rejects)} record(s) rejected" + (f" (see {rejects_path})" if rejects_path else ":"))
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


def shipped_catalogue() -> tuple[list[Record], list[Entry]]:
    """The records and curated entries that ship in ``catalogue/``."""
    folder = catalogue_dir()

    def lines(name: str) -> list[dict]:
        text = (folder / name).read_text("utf-8")
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    records = [from_json(data, Record) for data in lines("records.jsonl")]
    entries = [from_json(data, Entry) for data in lines("entries.jsonl")]
    return records, entries


# --------------------------------------------------------------------------- commands


def cmd_records(args: argparse.Namespace) -> int:
    rejects: list[Reject] = []
    count = 0
    for record in _read_inputs(args.files, args.format, rejects):
        print(dumps(record))
        count += 1
    _report_rejects(rejects, args.rejects)
    _err(f"{count} record(s) read from {len(args.files)} file(s)")
    return 0


def cmd_map(args: argparse.Namespace) -> int:
    rejects: list[Reject] = []
    for record in _read_inputs(args.files, args.format, rejects):
        for entry in map_record(record):
            print(dumps(entry))
    _report_rejects(rejects, args.rejects)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from protocols.evaluate import evaluate

    report = evaluate(args.gold)
    print(report.render(errors=args.errors))
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from protocols.store import Catalogue

    rejects: list[Reject] = []
    with Catalogue(args.db) as catalogue:
        report = catalogue.ingest(_read_inputs(args.files, args.format, rejects), map_record, args.files)
    _report_rejects(rejects, args.rejects)
    print(
        f"added {report.added}, merged {report.merged}, unchanged {report.unchanged}, "
        f"rejected {len(rejects)}; {report.entries} entries mapped"
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from protocols.store import Catalogue

    exporter = exporters.get(args.format)
    with Catalogue(args.db) as catalogue:
        report = exporter.write(catalogue, args.output)
    for note in report.notes:
        _err(note)
    print(f"wrote {report.path}")
    return 0


def build(files: Sequence[str], out: Path, fmt: str | None = None) -> dict[str, Path]:
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
                catalogue.ingest(_read_inputs(files, fmt, rejects), map_record, files)
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
    written = build(args.files, Path(args.out), args.format)
    for name in BUILD_OUTPUTS:
        print(written[name])
    return 0


# --------------------------------------------------------------------------- parser


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


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
    )
    parser.set_defaults(func=func)
    return parser


def _add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", help="force an input format instead of detecting it by content")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="protocat",
        description="A catalogue of clinical exercise protocols: read bibliographic exports, map "
        "them to intervention entries, keep them, and export workbooks and PDF handouts.",
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"protocat {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = _command(
        sub, "build", cmd_build,
        "read FILES (default: the shipped catalogue), map, store and export the catalogue, "
        "workbook, summary PDF and handouts into --out",
        "protocat build ../shared/seeds/000_057fc58b5fe71c16.txt --out out/",
    )
    p.add_argument("files", nargs="*", metavar="FILES")
    p.add_argument("--out", default="out", help="output folder (default: out/)")
    _add_format(p)

    p = _command(
        sub, "records", cmd_records,
        "print the parsed records of FILES as JSON Lines; unparsable records go to --rejects",
        "protocat records export.ris pubmed.nbib --rejects rejects.jsonl",
    )
    p.add_argument("files", nargs="+", metavar="FILES")
    p.add_argument("--rejects", metavar="FILE", help="write rejected records here as JSON Lines")
    _add_format(p)

    p = _command(
        sub, "map", cmd_map,
        "print the intervention entries mapped from FILES as JSON Lines",
        "protocat map ../shared/seeds/000_057fc58b5fe71c16.txt",
    )
    p.add_argument("files", nargs="+", metavar="FILES")
    p.add_argument("--rejects", metavar="FILE", help="write rejected records here as JSON Lines")
    _add_format(p)

    p = _command(
        sub, "evaluate", cmd_evaluate,
        "score the mapping against a gold file: per-field precision, recall, F1 and accuracy",
        "protocat evaluate ../shared/gold/seed.jsonl --errors",
    )
    p.add_argument("gold", metavar="GOLD.jsonl")
    p.add_argument("--errors", action="store_true", help="list each record where mapping and gold differ")

    p = _command(
        sub, "ingest", cmd_ingest,
        "read, merge, map and store FILES in a kept catalogue (one transaction)",
        "protocat ingest export.ris --db protocat.sqlite",
    )
    p.add_argument("files", nargs="+", metavar="FILES")
    p.add_argument("--db", default=os.environ.get("PROTOCAT_DB", "protocat.sqlite"))
    p.add_argument("--rejects", metavar="FILE", help="write rejected records here as JSON Lines")
    _add_format(p)

    p = _command(
        sub, "export", cmd_export,
        "export a kept catalogue as FORMAT (" + ", ".join(exporters.names()) + ")",
        "protocat export xlsx --db protocat.sqlite -o protocols.xlsx",
    )
    p.add_argument("format", metavar="FORMAT", choices=exporters.names())
    p.add_argument("--db", default=os.environ.get("PROTOCAT_DB", "protocat.sqlite"))
    p.add_argument("-o", "--output", required=True, metavar="PATH")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
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
    except BrokenPipeError:
        # `protocat records ... | head` closed the pipe: not an error of ours.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        _err("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
