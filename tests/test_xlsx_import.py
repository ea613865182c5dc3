"""The way back: edits in the Protocols sheet checked, applied, curated and kept."""

from __future__ import annotations

import datetime
import shutil
import subprocess

import pytest
from openpyxl import Workbook, load_workbook

from exporters.xlsx import import_workbook, write
from exporters.xlsx_import import RowError
from exporters.xlsx_layout import PROTOCOL_COLUMNS
from protocols.errors import UnreadableFile
from protocols.mapping import record_ref
from protocols.model import Dosage, Entry, Outcome, Population
from protocols.store import Catalogue
from tests.xlsx_helpers import sample_record

HEADERS = [c.header for c in PROTOCOL_COLUMNS]
RECORDS = [sample_record(f"r00000000000{i}") for i in (1, 2, 3)]


def automatic(record):
    """A stand-in automatic mapper: what an ingest would (re)write."""
    return [
        Entry(
            entry_id=f"{record.id}-1",
            record=record_ref(record),
            exercise_types=("motor_control",),
            population=Population("low_back_pain", "chronic"),
            outcomes=(Outcome("pain_intensity", "VAS"),),
            design="rct",
            dosage=Dosage(weeks=8),
        )
    ]


@pytest.fixture
def catalogue(tmp_path):
    with Catalogue(tmp_path / "c.sqlite") as catalogue:
        catalogue.ingest(RECORDS, automatic, ["tests.ris"])
        yield catalogue


@pytest.fixture
def workbook(catalogue, tmp_path):
    path = tmp_path / "protocols.xlsx"
    write(catalogue, path)
    return path


def edit(path, edits: dict[tuple[int, str], object]) -> None:
    """Change cells of the Protocols sheet as a person would, and save."""
    book = load_workbook(path)
    sheet = book["Protocols"]
    for (row, header), value in edits.items():
        sheet.cell(row=row, column=HEADERS.index(header) + 1).value = value
    book.save(path)


def test_untouched_workbook_changes_nothing(catalogue, workbook):
    before = list(catalogue.entries())
    history = len(catalogue.history())
    result = import_workbook(workbook, catalogue)
    assert result.changed == () and result.errors == ()
    assert result.rows == 3 and result.unchanged == 3
    assert list(catalogue.entries()) == before
    assert len(catalogue.history()) == history


def test_edited_code_changes_exactly_that_entry_and_curates_it(catalogue, workbook):
    edit(workbook, {(3, "Design"): "non_randomised_trial"})
    result = import_workbook(workbook, catalogue)
    assert [e.entry_id for e in result.changed] == ["r000000000002-1"]
    entry = catalogue.entry("r000000000002-1")
    assert entry.design == "non_randomised_trial"
    assert entry.review_status == "curated" and entry.curated_fields == ("design",)
    for other in ("r000000000001-1", "r000000000003-1"):
        assert catalogue.entry(other) == automatic(catalogue.record(other[:-2]))[0]
    last = catalogue.history()[-1]
    assert last["action"] == "import" and last["count"] == 1 and last["file"] == str(workbook)
    assert "edited Design: 1 row" in result.render()


def test_importing_twice_changes_nothing_the_second_time(catalogue, workbook):
    edit(workbook, {(2, "Exercise types"): "yoga; pilates", (2, "Weeks"): "6-8"})
    first = import_workbook(workbook, catalogue)
    assert len(first.changed) == 1
    entries, history = list(catalogue.entries()), len(catalogue.history())
    second = import_workbook(workbook, catalogue)
    assert second.changed == () and second.errors == ()
    assert list(catalogue.entries()) == entries and len(catalogue.history()) == history


def test_curated_values_survive_a_later_ingest(catalogue, workbook):
    edit(
        workbook,
        {
            (2, "Outcomes (domain: measure)"): "hypoalgesia: pressure pain threshold",
            (2, "Sample size"): 64,
        },
    )
    import_workbook(workbook, catalogue)
    catalogue.ingest([sample_record("r000000000001", doi="10.1/new")], automatic, ["again.ris"])
    entry = catalogue.entry("r000000000001-1")
    assert entry.outcomes == (Outcome("hypoalgesia", "pressure pain threshold"),)
    assert entry.population.sample_size == 64
    assert entry.curated_fields == ("outcomes", "population")
    assert entry.design == "rct"  # not edited: still the automatic value


def test_labels_ranges_and_intensity_are_read(catalogue, workbook):
    edit(
        workbook,
        {
            (2, "Condition"): "Neck pain",  # an English label
            (2, "Comparators"): "常规治疗\nplacebo_sham",  # a Chinese label, a line break
            (2, "Sessions per week"): "2 to 3",
            (2, "Intensity metric"): "rpe",
            (2, "Intensity high"): 15,
        },
    )
    result = import_workbook(workbook, catalogue)
    assert result.errors == ()
    entry = catalogue.entry("r000000000001-1")
    assert entry.population.condition == "neck_pain"
    assert entry.comparators == ("usual_care", "placebo_sham")
    assert entry.dosage.sessions_per_week == (2, 3)
    assert entry.dosage.intensity.metric == "rpe" and entry.dosage.intensity.high == 15
    assert set(entry.curated_fields) == {"population", "comparators", "dosage"}


def test_marking_reviewed_only_changes_the_status(catalogue, workbook):
    edit(workbook, {(4, "Review status"): "curated"})
    result = import_workbook(workbook, catalogue)
    entry = catalogue.entry("r000000000003-1")
    assert entry.review_status == "curated" and entry.curated_fields == ()
    assert entry.design == "rct"
    assert len(result.changed) == 1


@pytest.mark.parametrize(
    ("header", "value", "reason"),
    [
        ("Design", "rtc", "unknown design code 'rtc'"),
        ("Exercise types", "yoga; zumba", "unknown exercise_types code 'zumba'"),
        ("Sample size", "forty", "not a number: 'forty'"),
        ("Sample size", 12.5, "not a whole number"),
        ("Weeks", "eight", "not a number or a range"),
        ("Weeks", datetime.datetime(2024, 2, 3), "found a datetime"),
        ("Weeks", "3-2", "range runs backwards"),
        ("Intensity low", "high", "not a number"),
        ("Outcomes (domain: measure)", "pain: VAS", "unknown outcomes code 'pain'"),
        ("Review status", "done", "review status must be"),
        ("Chronicity", "=A1", "a formula"),
    ],
)
def test_bad_cell_is_reported_and_nothing_of_its_row_applied(
    catalogue, workbook, header, value, reason
):
    edit(
        workbook,
        {
            (2, header): value,
            (2, "Arm"): "edited arm",  # a good edit in the same row: must not be applied
            (3, "Arm"): "other row",  # a good edit in another row: applied
        },
    )
    result = import_workbook(workbook, catalogue)
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.sheet, error.row, error.column) == ("Protocols", 2, header)
    assert reason in error.reason
    assert catalogue.entry("r000000000001-1") == automatic(RECORDS[0])[0]
    assert catalogue.entry("r000000000002-1").arm == "other row"
    assert result.rejected == 1 and len(result.changed) == 1
    assert "Protocols row 2" in result.render()


def test_intensity_without_metric_is_refused(catalogue, workbook):
    edit(workbook, {(2, "Intensity low"): 11})
    result = import_workbook(workbook, catalogue)
    assert [(e.row, e.column) for e in result.errors] == [(2, "Intensity metric")]
    assert catalogue.entry("r000000000001-1") == automatic(RECORDS[0])[0]


def test_missing_unknown_and_repeated_ids(catalogue, workbook):
    edit(
        workbook,
        {
            (2, "Entry ID"): None,
            (3, "Entry ID"): "r999999999999-1",
            (4, "Entry ID"): "r000000000003-1",
            (5, "Entry ID"): "r000000000003-1",
            (5, "Design"): "cohort",
        },
    )
    result = import_workbook(workbook, catalogue)
    assert result.errors == (
        RowError("Protocols", 2, "Entry ID", "missing entry id"),
        RowError("Protocols", 3, "Entry ID", "no entry 'r999999999999-1' in the catalogue"),
        RowError("Protocols", 5, "Entry ID", "entry id 'r000000000003-1' appears twice"),
    )
    assert result.changed == ()
    assert catalogue.entry("r000000000003-1").design == "rct"


def test_not_a_workbook_or_not_ours(catalogue, tmp_path):
    text = tmp_path / "notes.xlsx"
    text.write_text("not a zip")
    with pytest.raises(UnreadableFile, match="not a workbook"):
        import_workbook(text, catalogue)
    other = tmp_path / "other.xlsx"
    book = Workbook()
    book.active.title = "Sheet"
    book.save(other)
    with pytest.raises(UnreadableFile, match="no 'Protocols' sheet"):
        import_workbook(other, catalogue)
    book = Workbook()
    book.active.title = "Protocols"
    book.active.append(["Title"])
    book.save(other)
    with pytest.raises(UnreadableFile, match="no 'Entry ID' column"):
        import_workbook(other, catalogue)


@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="LibreOffice is not installed")
def test_workbook_saved_again_by_libreoffice_changes_nothing(tmp_path):
    """LibreOffice writes shared strings, its own styles and number forms: still no edit seen."""
    record = sample_record("r000000000007")
    entry = Entry(
        entry_id="r000000000007-1",
        record=record_ref(record),
        exercise_types=("yoga", "tai_chi_qigong"),
        outcomes=(Outcome("pain_intensity", "=VAS 0–10"), Outcome("sleep")),
        dosage=Dosage(weeks=(6, 8), minutes_per_session=37.5),
        population=Population(sample_size=120),
        arm="@home 腰痛 🏃",
    )
    with Catalogue(tmp_path / "c.sqlite") as catalogue:
        catalogue.ingest([record], lambda r: [entry])
        write(catalogue, tmp_path / "in.xlsx")
        done = subprocess.run(
            [
                "libreoffice",
                "--headless",
                f"-env:UserInstallation=file://{tmp_path}/lo",
                "--convert-to",
                "xlsx:Calc MS Excel 2007 XML",
                "--outdir",
                str(tmp_path / "lo-out"),
                str(tmp_path / "in.xlsx"),
            ],
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, done.stderr
        result = import_workbook(tmp_path / "lo-out" / "in.xlsx", catalogue)
        assert result.errors == () and result.changed == () and result.unchanged == 1
