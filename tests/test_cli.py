"""The catalogue commands of the command line, run in-process as a user would type them."""

from __future__ import annotations

import io
import json
import sys
import threading
import types
from pathlib import Path

import pytest
from rich.console import Console

from protocols import progress
from protocols.cli import main
from protocols.store import Catalogue
from tests.test_store import make_record, stub_mapper


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PROTOCAT_DB", raising=False)
    yield
    progress.configure()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


@pytest.fixture
def seeded(capsys, seed_file):
    code, out, _ = run(capsys, "ingest", str(seed_file))
    assert code == 0
    return seed_file


@pytest.fixture
def coded(tmp_path):
    """A catalogue with entries whose codes and provenance are known (stub mapper)."""
    with Catalogue(tmp_path / "protocat.sqlite") as catalogue:
        catalogue.ingest(
            [
                make_record(
                    1,
                    title="Core stabilisation exercise and hypoalgesia",
                    abstract="A randomised trial.",
                    keywords=("back", "hypoalgesia"),
                ),
                make_record(2, title="Walking [bold]for[/bold] back pain", year=2010),
            ],
            stub_mapper,
            ["made.txt"],
        )
    return tmp_path / "protocat.sqlite"


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith("protocat ")


@pytest.mark.parametrize("argv", [[], ["nosuchcommand"], ["search", "--min-weeks", "many"]])
def test_usage_errors_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2


def test_ingest_reports_and_a_second_ingest_changes_nothing(capsys, seed_file, tmp_path):
    code, out, _ = run(capsys, "ingest", str(seed_file))
    assert code == 0 and (tmp_path / "protocat.sqlite").exists()
    assert out.startswith("added 11, merged 0, updated 0, unchanged 0, rejected 0")
    code, out, _ = run(capsys, "ingest", str(seed_file))
    assert out.startswith("added 0, merged 0, updated 0, unchanged 11, rejected 0")


def test_ingest_takes_the_catalogue_from_protocat_db(capsys, seed_file, tmp_path, monkeypatch):
    monkeypatch.setenv("PROTOCAT_DB", str(tmp_path / "elsewhere.sqlite"))
    assert run(capsys, "ingest", str(seed_file))[0] == 0
    assert (tmp_path / "elsewhere.sqlite").exists()
    assert not (tmp_path / "protocat.sqlite").exists()


def test_an_unreadable_input_fails_with_its_name_and_writes_nothing(capsys, seeded, tmp_path):
    (tmp_path / "notes.txt").write_text("just some notes, not an export\n" * 5)
    before = run(capsys, "export", "jsonl", "-o", "before.jsonl")
    code, out, err = run(capsys, "ingest", str(seeded), "notes.txt")
    assert code == 1 and "notes.txt" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "ingest", "missing.ris")
    assert code == 1 and "missing.ris" in err
    run(capsys, "export", "jsonl", "-o", "after.jsonl")
    assert before[0] == 0
    assert Path("before.jsonl").read_bytes() == Path("after.jsonl").read_bytes()


def test_a_folder_stands_for_its_files_and_what_is_no_export_is_skipped(
    capsys, seed_file, tmp_path
):
    folder = tmp_path / "exports" / "inner"
    folder.mkdir(parents=True)
    (folder / "seed.txt").write_text(seed_file.read_text("utf-8"), "utf-8")
    (folder.parent / "README.md").write_text("# my exports\n", "utf-8")
    (folder / ".hidden").write_text("ignored", "utf-8")
    code, out, err = run(capsys, "ingest", "exports")
    assert code == 0 and out.startswith("added 11,") and "1 file(s) skipped" in out
    assert "README.md" in err and ".hidden" not in err
    code, out, _ = run(capsys, "history", "--json")
    assert json.loads(out)["file"].endswith("seed.txt")
    (tmp_path / "empty").mkdir()
    assert run(capsys, "ingest", "empty")[0] == 2


@pytest.mark.parametrize("command", [["search", "x"], ["show", "x"], ["stats"], ["history"]])
def test_reading_a_missing_catalogue_fails_and_creates_nothing(capsys, command, tmp_path):
    code, _, err = run(capsys, *command, "--db", "none.sqlite")
    assert code == 1 and "none.sqlite" in err
    assert not (tmp_path / "none.sqlite").exists()


def test_a_file_that_is_not_a_catalogue_is_a_one_line_error(capsys, tmp_path):
    (tmp_path / "bad.sqlite").write_bytes(b"\x00garbage" * 500)
    code, _, err = run(capsys, "stats", "--db", "bad.sqlite")
    assert code == 1 and "bad.sqlite" in err and len(err.strip().splitlines()) == 1


# --------------------------------------------------------------------------- search


def test_search_prints_a_table_or_json_lines(capsys, coded):
    code, out, err = run(capsys, "search", "stabilisation")
    assert code == 0 and "r000000000001-1" in out and "1 entry found" in err
    code, out, _ = run(
        capsys, "search", "--type", "motor_control", "--outcome", "hypoalgesia", "--json"
    )
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["entry_id"] for line in lines] == ["r000000000001-1"]
    code, out, _ = run(capsys, "search", "--year-from", "2015", "--json")
    assert out == ""


def test_search_table_shows_record_text_as_text(capsys, coded):
    code, out, _ = run(capsys, "search", "walking")
    assert "[bold]for[/bold]" in out


def test_an_unknown_code_gets_did_you_mean(capsys, coded):
    code, _, err = run(capsys, "search", "--type", "motor_contrl")
    assert code == 2 and "did you mean motor_control" in err
    code, _, err = run(capsys, "search", "--outcome", "hypoalgesa")
    assert code == 2 and "did you mean hypoalgesia" in err


def test_a_code_may_be_given_by_its_label(capsys, coded):
    code, out, _ = run(capsys, "search", "--type", "Motor control / stabilisation", "--json")
    assert code == 0 and "r000000000001-1" in out


@pytest.mark.parametrize("query", ['"open', "exercise-induced", "col:x", "AND"])
def test_a_query_fts5_cannot_read_is_a_clear_usage_error(capsys, coded, query):
    code, out, err = run(capsys, "search", query)
    assert code == 2 and "cannot read the search" in err and "double quotes" in err


# --------------------------------------------------------------------------- show, edit, review


def test_show_marks_each_value_where_the_record_says_it(capsys, coded):
    code, out, _ = run(capsys, "show", "r000000000001")
    assert code == 0
    assert "Core «stabilisation»" in out  # title span of motor_control
    assert "«randomised»" in out  # abstract span of the design
    assert "«hypoalgesia»" in out
    assert "[1] exercise_types = motor_control: title 5–18" in out
    code, out, _ = run(capsys, "show", "r000000000001-1", "--json")
    shown = json.loads(out)
    assert shown["entry"]["design"] == "rct" and shown["record"]["abstract"]


def test_highlighted_spans_nest_overlap_and_end_at_the_end():
    from protocols.console import highlighted

    assert highlighted("abc def", [(4, 7, 1)]).plain == "abc «def»1"
    assert highlighted("abc def", [(0, 7, 1), (4, 7, 2)]).plain == "«abc «def»2»1"
    assert highlighted("abcdef", [(0, 3, 1), (2, 5, 2)]).plain == "«ab«c»1de»2f"
    assert highlighted("abc", []).plain == "abc"


def test_show_an_unknown_entry_is_a_usage_error(capsys, coded):
    code, _, err = run(capsys, "show", "nothing")
    assert code == 2 and "no entry" in err


def test_edit_makes_values_curated_and_a_reingest_keeps_them(capsys, seeded):
    code, out, _ = run(capsys, "search", "hypoalgesia", "--json")
    entry_id = json.loads(out.splitlines()[0])["entry_id"]
    code, out, _ = run(
        capsys,
        "edit",
        entry_id,
        "--set",
        "exercise_types=motor_control",
        "--set",
        "outcomes=hypoalgesia:pressure pain threshold",
        "--set",
        "dosage.weeks=6-8",
    )
    assert code == 0 and "curated" in out
    assert run(capsys, "ingest", str(seeded))[0] == 0
    code, out, _ = run(
        capsys, "search", "--type", "motor_control", "--outcome", "hypoalgesia", "--json"
    )
    # The real mapper finds other motor-control hypoalgesia entries too; ours is among them.
    found = {e["entry_id"]: e for e in map(json.loads, out.splitlines())}
    entry = found[entry_id]
    assert entry["review_status"] == "curated"
    assert entry["dosage"]["weeks"] == [6, 8]
    code, out, _ = run(capsys, "history", "--json")
    assert [json.loads(line)["action"] for line in out.splitlines()] == ["ingest", "edit"]


@pytest.mark.parametrize(
    "assignment, message",
    [
        ("design=rtc", "did you mean rct"),
        ("dosage.weeks=lots", "not a number"),
        ("entry_id=x", "cannot set"),
        ("design", "field=value"),
        ("dosage.weeks=9-3", "range"),
    ],
)
def test_edit_rejects_what_the_model_rejects(capsys, coded, assignment, message):
    code, _, err = run(capsys, "edit", "r000000000001-1", "--set", assignment)
    assert code == 2 and message in err


def test_review_accepts_corrects_skips_and_quits(capsys, coded, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("a\nc\n?\ndesign=rtc\ndesign=cohort\n\nq\n"))
    code, out, _ = run(capsys, "review")
    assert code == 0 and "accepted 1, corrected 1, skipped 0" in out
    assert "did you mean" in out and "dosage.weeks" in out
    with Catalogue(coded) as catalogue:
        first, second = catalogue.entry("r000000000001-1"), catalogue.entry("r000000000002-1")
    assert first.review_status == "curated" and "exercise_types" in first.curated_fields
    assert second.design == "cohort" and second.curated_fields == ("design",)
    # Nothing left to review; end of input is a quit.
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert "accepted 0, corrected 0, skipped 0" in run(capsys, "review")[1]


def test_review_skip_leaves_the_entry_automatic(capsys, coded, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("x\ns\n"))
    code, out, _ = run(capsys, "review")
    assert "please answer" in out and "skipped 1" in out
    with Catalogue(coded) as catalogue:
        assert catalogue.entry("r000000000001-1").review_status == "auto"


# --------------------------------------------------------------------------- stats, history


def test_stats(capsys, coded):
    code, out, _ = run(capsys, "stats", "--json")
    stats = json.loads(out)
    assert stats["entries"] == 2 and stats["design"] == {"rct": 1, "unknown": 1}
    code, out, _ = run(capsys, "stats")
    assert "motor_control" in out and "CERT" in out


def test_history(capsys, coded):
    code, out, _ = run(capsys, "history")
    assert code == 0 and "ingest" in out and "made.txt" in out


# --------------------------------------------------------------------------- export, import


def test_export_then_import_into_an_empty_catalogue_is_the_same(capsys, seeded):
    run(capsys, "edit", "r320332b53230-1", "--set", "design=rct")
    assert run(capsys, "export", "jsonl", "-o", "one.jsonl")[0] == 0
    code, out, _ = run(capsys, "import", "one.jsonl", "--db", "copy.sqlite")
    assert code == 0 and "11 records and 11 entries" in out
    run(capsys, "export", "jsonl", "--db", "copy.sqlite", "-o", "two.jsonl")
    assert Path("one.jsonl").read_bytes() == Path("two.jsonl").read_bytes()


def test_a_broken_jsonl_import_names_the_line_and_writes_nothing(capsys, coded):
    run(capsys, "export", "jsonl", "-o", "good.jsonl")
    lines = Path("good.jsonl").read_text("utf-8").splitlines()
    edited = lines[0].replace("Trial", "Changed")
    bad_entry = json.loads(lines[1])
    bad_entry["entry"]["design"] = "not_a_design"
    Path("bad.jsonl").write_text(f"{edited}\n{json.dumps(bad_entry)}\n", "utf-8")
    code, _, err = run(capsys, "import", "bad.jsonl")
    assert code == 1 and "bad.jsonl: line 2" in err
    Path("junk.jsonl").write_text("{not json\n", "utf-8")
    assert run(capsys, "import", "junk.jsonl")[0] == 1
    run(capsys, "export", "jsonl", "-o", "after.jsonl")
    assert Path("after.jsonl").read_text("utf-8") == Path("good.jsonl").read_text("utf-8")


def test_import_of_a_workbook_goes_to_the_workbook_importer(capsys, coded, monkeypatch):
    seen = {}

    def import_workbook(path, catalogue):
        seen["args"] = (path, catalogue.counts().entries)
        return types.SimpleNamespace(render=lambda: "2 rows read", errors=[])

    Path("sheet.xlsx").write_bytes(b"PK")
    fake = types.ModuleType("exporters.xlsx")
    fake.import_workbook = import_workbook
    monkeypatch.setitem(sys.modules, "exporters.xlsx", fake)
    code, out, _ = run(capsys, "import", "sheet.xlsx")
    assert code == 0 and out.strip() == "2 rows read" and seen["args"] == ("sheet.xlsx", 2)
    fake.import_workbook = lambda path, catalogue: types.SimpleNamespace(
        render=lambda: "row 3: bad code", errors=["row 3"]
    )
    code, out, err = run(capsys, "import", "sheet.xlsx")
    assert code == 0 and "row 3: bad code" in out and "1 row error(s)" in err
    monkeypatch.setitem(sys.modules, "exporters.xlsx", None)  # not installed
    code, _, err = run(capsys, "import", "sheet.xlsx")
    assert code == 2 and "not available" in err


def test_import_of_another_kind_of_file_is_a_usage_error(capsys, coded):
    Path("x.csv").write_text("a,b\n")
    assert run(capsys, "import", "x.csv")[0] == 2
    assert run(capsys, "import", "missing.jsonl")[0] == 1


def test_export_passes_only_the_options_given(capsys, coded, monkeypatch):
    import exporters

    calls = []

    def write(view, path, **options):
        calls.append(options)
        list(view.entries())
        return types.SimpleNamespace(path=str(path), notes=())

    monkeypatch.setattr(exporters, "get", lambda name: types.SimpleNamespace(write=write))
    assert run(capsys, "export", "jsonl", "-o", "x")[0] == 0
    assert (
        run(
            capsys,
            "export",
            "jsonl",
            "-o",
            "x",
            "--paper",
            "letter",
            "--lang",
            "zh",
            "--entry",
            "r000000000001-1",
            "--entry",
            "r000000000002-1",
            "--type",
            "aerobic",
            "--outcome",
            "hypoalgesia",
        )[0]
        == 0
    )
    assert calls == [
        {},
        {
            "paper": "letter",
            "lang": "zh",
            "entry_ids": ("r000000000001-1", "r000000000002-1"),
            "types": ("aerobic",),
            "outcomes": ("hypoalgesia",),
        },
    ]
    assert run(capsys, "export", "jsonl", "-o", "x", "--type", "aerobc")[0] == 2
    assert run(capsys, "export", "jsonl", "-o", "x", "--entry", "nope")[0] == 2


# --------------------------------------------------------------------------- --jobs, verbosity


def test_jobs_need_the_parallel_module(capsys, seed_file, monkeypatch):
    monkeypatch.setitem(sys.modules, "protocols.parallel", None)
    code, _, err = run(capsys, "ingest", str(seed_file), "--jobs", "2")
    assert code == 2 and "--jobs" in err
    assert run(capsys, "ingest", str(seed_file), "--jobs", "0")[0] == 2
    assert run(capsys, "build", str(seed_file), "--jobs", "2")[0] == 2


def test_quiet_and_verbose(capsys, seed_file):
    code, out, err = run(capsys, "-q", "ingest", str(seed_file))
    assert code == 0 and err == "" and out.startswith("added 11")
    code, out, err = run(capsys, "search", "pain", "--quiet")
    assert err == ""
    code, out, err = run(capsys, "ingest", str(seed_file), "--db", "v.sqlite", "--verbose")
    assert len(err.splitlines()) == 11  # one line a record


def test_progress_draws_on_a_terminal_and_stays_quiet_when_piped():
    terminal = io.StringIO()
    items = list(
        progress.track(range(5), "ingest", console=Console(file=terminal, force_terminal=True))
    )
    assert items == list(range(5)) and "records" in terminal.getvalue()
    piped = io.StringIO()
    list(progress.track(range(5), "ingest", console=Console(file=piped, force_terminal=False)))
    assert piped.getvalue() == ""
    progress.configure(quiet=True)
    quiet = io.StringIO()
    list(progress.track(range(5), "ingest", console=Console(file=quiet, force_terminal=True)))
    assert quiet.getvalue() == ""


def test_a_progress_bar_runs_no_thread_and_ends_on_the_last_count():
    # One thread, so --jobs workers can be forked (protocols/parallel.py).
    terminal = io.StringIO()
    threads = []
    for _ in progress.track(
        range(7), "ingest", total=7, console=Console(file=terminal, force_terminal=True)
    ):
        threads.append(threading.active_count())
    assert threads == [1] * 7
    assert "7/7" in terminal.getvalue()


def test_records_prints_each_work_once_with_duplicates_merged(capsys):
    ris = (
        "TY  - JOUR\nTI  - Walking for chronic low back pain\nAU  - Doe, Jane\nPY  - 2020\n"
        "DO  - 10.1000/walk.1\nER  - \n"
    )
    nbib = (
        "PMID- 123\nTI  - Walking for chronic low back pain.\nFAU - Doe, Jane\nDP  - 2020\n"
        "LID - 10.1000/walk.1 [doi]\n"
    )
    Path("a.ris").write_text(ris, "utf-8")
    Path("b.nbib").write_text(nbib, "utf-8")
    code, out, err = run(capsys, "records", "a.ris", "b.nbib")
    lines = out.strip().splitlines()
    assert code == 0 and len(lines) == 1
    record = json.loads(lines[0])
    assert record["pmid"] == "123" and len(record["origins"]) == 2
    assert "2 records read from 2 file(s), 1 after merging 1 duplicate(s)" in err


def test_records_reports_an_unreadable_file_and_exits_1_after_the_others(capsys):
    Path("a.ris").write_text("TY  - JOUR\nTI  - Walking\nER  - \n", "utf-8")
    Path("notes.txt").write_text("just some notes\n", "utf-8")
    code, out, err = run(capsys, "records", "a.ris", "notes.txt")
    assert code == 1 and len(out.strip().splitlines()) == 1 and "notes.txt" in err


def test_map_prints_entries_with_provenance_and_jobs_change_nothing(capsys, seed_file, tmp_path):
    import attrs

    from exporters.ris import write_record
    from protocols.model import Record
    from protocols.records import read_file

    code, out, _ = run(capsys, "map", str(seed_file), "--jobs", "1")
    entries = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(entries) >= 11
    assert all(e["provenance"] for e in entries if e["exercise_types"])
    # Past the in-process limit (500 records), so that workers map them.
    seed = [r for r in read_file(seed_file) if isinstance(r, Record)]
    many = tmp_path / "many.ris"
    with open(many, "w", encoding="utf-8") as stream:
        for n in range(550):
            record = seed[n % len(seed)]
            write_record(attrs.evolve(record, id=f"c{n}", title=f"{record.title} [{n}]"), stream)
    one = run(capsys, "map", str(many), "--jobs", "1")
    two = run(capsys, "map", str(many), "--jobs", "2")
    assert one[0] == two[0] == 0
    assert one[1] == two[1] and len(one[1].splitlines()) >= 550


def test_jobs_default_to_one_a_usable_cpu(capsys, monkeypatch, seed_file):
    from protocols import parallel
    from protocols.cli import make_parser

    monkeypatch.setattr(parallel, "usable_cores", lambda: 3)
    assert make_parser().parse_args(["ingest", "x"]).jobs == 3
    assert make_parser().parse_args(["map", "x", "--jobs", "auto"]).jobs == 3
    monkeypatch.setattr(parallel, "usable_cores", lambda: 64)
    assert make_parser().parse_args(["ingest", "x"]).jobs == parallel.AUTO_JOBS_AT_MOST == 8
    assert make_parser().parse_args(["build", "x", "-j", "1"]).jobs == 1
    with pytest.raises(SystemExit):
        make_parser().parse_args(["ingest", "x", "--jobs", "two"])
    assert "give a number or auto" in capsys.readouterr().err
    assert parallel.usable_cores() >= 1
