"""The catalogue store: schema and migrations, ingest and merge, curation, search, import."""

from __future__ import annotations

import io
import json
import re
import shutil
import sqlite3
from pathlib import Path

import attrs
import pytest

from exporters import jsonl
from protocols.curation import apply_corrections
from protocols.errors import CatalogueError, UnreadableFile, UsageError
from protocols.mapping import record_ref
from protocols.model import Entry, Origin, Outcome, Provenance, Record
from protocols.records import read_file
from protocols.store import (
    SCHEMA_VERSION,
    Catalogue,
    SearchFilter,
    apply_curated,
    merge_into,
)

DATA = Path(__file__).parent / "data"

# Words the stub mapper looks for, and the codes they give. The real mapper lands from
# another branch; these tests need known entries, not its exact codes.
_STUB_RULES = (
    ("exercise_types", "motor_control", re.compile(r"stabili[sz]ation|motor control", re.I)),
    ("exercise_types", "aerobic", re.compile(r"aerobic|walking", re.I)),
    ("outcomes", "hypoalgesia", re.compile(r"hypoalgesia", re.I)),
    ("design", "rct", re.compile(r"randomi[sz]ed", re.I)),
)


def stub_mapper(record: Record) -> list[Entry]:
    """One entry a record, coded from a few words, each code with its provenance span."""
    sources = {
        "title": record.title,
        "keywords": "; ".join(record.keywords),
        "abstract": record.abstract or "",
    }
    types, outcomes, design, provenance = [], [], "unknown", []
    for field, code, pattern in _STUB_RULES:
        for source, text in sources.items():
            match = pattern.search(text)
            if match:
                provenance.append(
                    Provenance(field, code, source, match.start(), match.end(), match.group(0))
                )
                if field == "exercise_types" and code not in types:
                    types.append(code)
                elif field == "outcomes" and code not in [o.domain for o in outcomes]:
                    outcomes.append(Outcome(code, "pressure pain threshold"))
                elif field == "design":
                    design = code
                break
    return [
        Entry(
            entry_id=f"{record.id}-1",
            record=record_ref(record),
            exercise_types=tuple(types),
            outcomes=tuple(outcomes),
            design=design,
            provenance=tuple(provenance),
        )
    ]


def make_record(number: int, title: str | None = None, **fields) -> Record:
    return Record(
        id=fields.pop("id", f"r{number:012x}"),
        title=title or f"Trial number {number} of stabilisation exercise",
        year=fields.pop("year", 2000 + number % 25),
        origins=fields.pop("origins", (Origin(file="made.txt", line=number + 1, format="test"),)),
        **fields,
    )


def export_text(catalogue: Catalogue) -> str:
    stream = io.StringIO()
    jsonl.write_catalogue(catalogue, stream)
    return stream.getvalue()


def seed_records(seed_file: Path) -> list[Record]:
    return [item for item in read_file(seed_file) if isinstance(item, Record)]


# --------------------------------------------------------------------------- schema


def test_new_catalogue_has_the_current_schema_wal_and_foreign_keys(tmp_path):
    with Catalogue(tmp_path / "c.sqlite") as catalogue:
        assert catalogue.schema_version() == SCHEMA_VERSION
        assert catalogue._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert catalogue._db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        tables = {r[0] for r in catalogue._db.execute("SELECT name FROM sqlite_master")}
        assert {"records", "entries", "history", "entry_search", "schema_version"} <= tables


def test_a_version_1_catalogue_opens_without_loss(tmp_path):
    path = tmp_path / "old.sqlite"
    shutil.copy(DATA / "catalogue_v1.sqlite", path)
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT version FROM schema_version").fetchone()[0] == 1
    with Catalogue(path) as catalogue:
        assert catalogue.schema_version() == SCHEMA_VERSION
        # Same records and entries, byte for byte, as the v1 code exported them.
        assert export_text(catalogue) == (DATA / "catalogue_v1.jsonl").read_text("utf-8")
        assert [row["action"] for row in catalogue.history()] == ["ingest", "edit"]
        assert sorted(Path(f).name for f in catalogue.inputs()) == [
            "000_057fc58b5fe71c16.txt",
            "000_057fc58b5fe71c16.txt",
        ]
        curated = [e for e in catalogue.entries() if e.review_status == "curated"]
        assert len(curated) == 1 and curated[0].design == "rct"
        assert curated[0].dosage.sessions_per_week == (2, 3)
        # The migration filled the search index from what was there.
        found = {hit.entry.record.title for hit in catalogue.search("hypoalgesia")}
        assert found and all("Hypoalgesia" in title for title in found)
    # Opening again (already migrated) changes nothing.
    with Catalogue(path) as catalogue:
        assert export_text(catalogue) == (DATA / "catalogue_v1.jsonl").read_text("utf-8")


def test_a_catalogue_from_a_newer_protocat_is_refused(tmp_path):
    path = tmp_path / "new.sqlite"
    Catalogue(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE schema_version SET version=?", (SCHEMA_VERSION + 1,))
    with pytest.raises(CatalogueError, match="newer protocat"):
        Catalogue(path)


@pytest.mark.parametrize(
    "content, reason",
    [(b"this is not a database at all" * 100, "cannot open"), (None, "not a protocat catalogue")],
)
def test_files_that_are_not_catalogues_are_refused(tmp_path, content, reason):
    path = tmp_path / "other.sqlite"
    if content is None:
        with sqlite3.connect(path) as raw:
            raw.execute("CREATE TABLE something (x)")
    else:
        path.write_bytes(content)
    with pytest.raises(CatalogueError, match=reason):
        Catalogue(path)


# --------------------------------------------------------------------------- ingest


def test_ingesting_the_seed_twice_changes_nothing(tmp_path, seed_file):
    with Catalogue(tmp_path / "c.sqlite") as catalogue:
        first = catalogue.ingest(seed_records(seed_file), stub_mapper, [str(seed_file)])
        assert (first.added, first.entries) == (11, 11)
        before, history = export_text(catalogue), catalogue.history()
        second = catalogue.ingest(seed_records(seed_file), stub_mapper, [str(seed_file)])
        assert (second.added, second.merged, second.unchanged, second.updated) == (0, 0, 11, 0)
        assert export_text(catalogue) == before
        assert catalogue.history() == history  # nothing changed, nothing logged


def test_a_newer_mapper_updates_automatic_entries_but_not_curated_values(tmp_path):
    def newer_mapper(record):
        return [attrs.evolve(entry, design="cohort") for entry in stub_mapper(record)]

    with Catalogue(tmp_path / "c.sqlite") as catalogue:
        catalogue.ingest([make_record(1), make_record(2)], stub_mapper)
        first = catalogue.entry("r000000000001-1")
        catalogue.put_entries([apply_corrections(first, ["design=rct"])], "edit", None)
        report = catalogue.ingest([make_record(1), make_record(2)], newer_mapper)
        assert (report.unchanged, report.updated) == (2, 1)
        assert catalogue.entry("r000000000001-1").design == "rct"
        assert catalogue.entry("r000000000002-1").design == "cohort"
        assert [row["action"] for row in catalogue.history()] == ["ingest", "edit", "ingest"]


def test_duplicates_merge_by_doi_pmid_and_title(tmp_path):
    with Catalogue(tmp_path / "c.sqlite") as catalogue:
        catalogue.ingest(
            [
                make_record(1, doi="10.1/a"),
                make_record(2, pmid="12345"),
                make_record(3, title="Same Title, other export"),
            ],
            stub_mapper,
        )
        report = catalogue.ingest(
            [
                make_record(
                    11,
                    doi="10.1/a",
                    abstract="Walking trial.",
                    origins=(Origin("b.ris", 1, "ris"),),
                ),
                make_record(
                    12, pmid="12345", keywords=("back",), origins=(Origin("b.ris", 9, "ris"),)
                ),
                make_record(
                    13,
                    title="same title  OTHER export",
                    year=2003,
                    origins=(Origin("b.ris", 20, "ris"),),
                ),
            ],
            stub_mapper,
        )
        assert (report.added, report.merged) == (0, 3)
        assert catalogue.counts().records == 3
        first = catalogue.record("r000000000001")
        assert first.abstract == "Walking trial." and len(first.origins) == 2
        # The merged record was mapped again: its abstract now gives a code.
        assert "aerobic" in catalogue.entry("r000000000001-1").exercise_types
        assert report.updated == 1


def test_merge_keeps_what_is_known_and_unites_lists():
    kept = make_record(1, keywords=("a",), journal="J")
    new = make_record(2, keywords=("b", "a"), journal="Other", volume="3")
    merged = merge_into(kept, new)
    assert merged.id == kept.id and merged.journal == "J" and merged.volume == "3"
    assert merged.keywords == ("a", "b")


def test_an_ingest_that_fails_halfway_writes_nothing(tmp_path):
    def records():
        yield make_record(1)
        yield make_record(2)
        raise UnreadableFile("broken.ris", "truncated")

    with Catalogue(tmp_path / "c.sqlite") as catalogue:
        catalogue.ingest([make_record(9)], stub_mapper)
        before, history = export_text(catalogue), catalogue.history()
        with pytest.raises(UnreadableFile):
            catalogue.ingest(records(), stub_mapper, ["broken.ris"])
        assert export_text(catalogue) == before
        assert catalogue.history() == history
        assert catalogue.inputs() == ["made.txt"]


def test_history_says_when_what_how_many_and_from_which_file(tmp_path):
    with Catalogue(tmp_path / "c.sqlite") as catalogue:
        catalogue.ingest([make_record(1), make_record(2)], stub_mapper, ["made.txt"], rejects=[1])
        entry = catalogue.entry("r000000000001-1")
        catalogue.put_entries([apply_corrections(entry, ["design=rct"])], "edit", None)
        rows = catalogue.history()
    assert [(r["action"], r["count"], r["file"]) for r in rows] == [
        ("ingest", 2, "made.txt"),
        ("edit", 1, None),
    ]
    assert rows[0]["detail"]["rejected"] == 1
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", rows[0]["at"])


# --------------------------------------------------------------------------- curation


def test_curated_values_survive_a_later_ingest(tmp_path):
    with Catalogue(tmp_path / "c.sqlite") as catalogue:
        catalogue.ingest([make_record(1, abstract="A randomised trial.")], stub_mapper)
        entry = catalogue.entry("r000000000001-1")
        assert entry.design == "rct" and entry.exercise_types == ("motor_control",)
        corrected = apply_corrections(
            entry, ["exercise_types=aerobic", "dosage.weeks=8", "design=cohort"]
        )
        catalogue.put_entries([corrected], "edit", None)
        # The record comes again with more text: the automatic mapping changes, the
        # person's values stay, and so do automatic values of fields nobody touched.
        report = catalogue.ingest(
            [
                make_record(
                    1,
                    abstract="A randomised trial.",
                    keywords=("hypoalgesia",),
                    origins=(Origin("again.ris", 1, "ris"),),
                )
            ],
            stub_mapper,
        )
        assert report.merged == 1
        after = catalogue.entry("r000000000001-1")
    assert after.exercise_types == ("aerobic",)
    assert after.dosage.weeks == 8 and after.design == "cohort"
    assert [o.domain for o in after.outcomes] == ["hypoalgesia"]
    assert after.review_status == "curated"
    # No automatic span stands behind a value a person replaced.
    curated_spans = [p for p in after.provenance if p.field in ("exercise_types", "design")]
    assert curated_spans and all(p.source == "curator" for p in curated_spans)


def test_apply_curated_takes_only_the_curated_paths():
    record = make_record(1)
    auto = stub_mapper(record)[0]
    curated = apply_corrections(auto, ["dosage.weeks=6-8"])
    fresh = attrs.evolve(auto, design="rct")
    merged = apply_curated(fresh, curated)
    assert merged.design == "rct" and merged.dosage.weeks == (6, 8)
    assert merged.curated_fields == ("dosage.weeks",)
    assert apply_curated(fresh, auto) == fresh


def test_a_curated_entry_stays_when_the_mapping_no_longer_gives_it(tmp_path):
    def two_entries(record):
        first = stub_mapper(record)[0]
        return [first, attrs.evolve(first, entry_id=f"{record.id}-2")]

    with Catalogue(tmp_path / "c.sqlite") as catalogue:
        catalogue.ingest([make_record(1)], two_entries)
        second = catalogue.entry("r000000000001-2")
        catalogue.put_entries([apply_corrections(second, ["arm=B"])], "edit", None)
        catalogue.ingest([make_record(1, volume="2")], stub_mapper)
        assert catalogue.entry("r000000000001-2").arm == "B"


# --------------------------------------------------------------------------- search


@pytest.fixture
def searchable(tmp_path):
    with Catalogue(tmp_path / "c.sqlite") as catalogue:
        catalogue.ingest(
            [
                make_record(1, title="Core stabilisation and hypoalgesia", year=2019),
                make_record(
                    2, title="Walking for back pain", abstract="A randomised trial.", year=2010
                ),
                make_record(3, title="Surgery outcomes", keywords=("lumbar fusion",), year=2021),
            ],
            stub_mapper,
        )
        catalogue.put_entries(
            [apply_corrections(catalogue.entry("r000000000002-1"), ["dosage.weeks=6-12"])],
            "edit",
            None,
        )
        yield catalogue


def ids(hits):
    return [hit.entry.entry_id for hit in hits]


def test_search_full_text_over_title_abstract_keywords_measures_provenance(searchable):
    assert ids(searchable.search("randomised")) == ["r000000000002-1"]  # abstract
    assert ids(searchable.search("fusion")) == ["r000000000003-1"]  # keywords
    assert ids(searchable.search('"pressure pain"')) == ["r000000000001-1"]  # measure
    assert ids(searchable.search("stabili*")) == ["r000000000001-1"]
    assert ids(searchable.search("title:walking")) == ["r000000000002-1"]


def test_search_finds_chinese_words_inside_runs_of_characters(tmp_path):
    with Catalogue(tmp_path / "c.sqlite") as catalogue:
        catalogue.ingest(
            [
                make_record(1, title="核心稳定训练治疗慢性腰痛的疗效", keywords=("运动疗法",)),
                make_record(2, title="步行训练与有氧运动"),
            ],
            stub_mapper,
        )
        assert ids(catalogue.search("稳定训练")) == ["r000000000001-1"]
        assert ids(catalogue.search('"慢性腰痛"')) == ["r000000000001-1"]
        assert set(ids(catalogue.search("训练"))) == {"r000000000001-1", "r000000000002-1"}
        assert set(ids(catalogue.search("有氧 OR 运动疗法"))) == {
            "r000000000001-1",
            "r000000000002-1",
        }
        assert ids(catalogue.search("稳训")) == []


def test_search_ranks_title_words_first(searchable):
    hits = searchable.search("walking OR randomised OR surgery")
    assert len(hits) == 2 and hits[0].score <= hits[1].score


def test_search_filters_by_codes_weeks_and_years(searchable):
    assert ids(searchable.search(where=SearchFilter(types=("motor_control",)))) == [
        "r000000000001-1"
    ]
    assert ids(searchable.search(where=SearchFilter(outcomes=("hypoalgesia",)))) == [
        "r000000000001-1"
    ]
    assert ids(searchable.search(where=SearchFilter(designs=("rct",)))) == ["r000000000002-1"]
    assert ids(searchable.search(where=SearchFilter(min_weeks=6))) == ["r000000000002-1"]
    assert ids(searchable.search(where=SearchFilter(min_weeks=7))) == []  # a range counts low
    assert ids(searchable.search(where=SearchFilter(year_from=2015))) == [
        "r000000000003-1",
        "r000000000001-1",  # newest first without a text query
    ]
    assert ids(searchable.search(where=SearchFilter(status="curated"))) == ["r000000000002-1"]
    both = SearchFilter(types=("motor_control", "aerobic"), year_to=2015)
    assert ids(searchable.search(where=both)) == ["r000000000002-1"]


@pytest.mark.parametrize(
    "query", ['"unclosed', "exercise-induced", "AND", "nosuchcolumn:pain", "(pain", "pain NEAR("]
)
def test_a_query_fts5_cannot_read_is_a_usage_error(searchable, query):
    with pytest.raises(UsageError, match="cannot read the search"):
        searchable.search(query)


def test_search_text_is_never_sql(searchable):
    hostile = "x'); DROP TABLE entries; --"
    with pytest.raises(UsageError):
        searchable.search(hostile)
    assert searchable.search(where=SearchFilter(types=(hostile,))) == []
    assert searchable.search('"' + hostile.replace('"', "") + '"') == []
    assert searchable.counts().entries == 3


def test_find_entry_by_id_prefix_or_record(searchable):
    assert searchable.find_entry("r000000000002-1").entry_id == "r000000000002-1"
    assert searchable.find_entry("r000000000002").entry_id == "r000000000002-1"
    with pytest.raises(UsageError, match="several"):
        searchable.find_entry("r0000")
    with pytest.raises(UsageError, match="no entry"):
        searchable.find_entry("r%")


def test_stats_count_types_outcomes_designs_years(searchable):
    stats = searchable.stats()
    assert (stats["records"], stats["entries"]) == (3, 3)
    assert stats["exercise_types"] == {"aerobic": 1, "motor_control": 1, "(no exercise)": 1}
    assert stats["outcomes"] == {"hypoalgesia": 1}
    assert stats["design"] == {"unknown": 2, "rct": 1}
    assert stats["year"] == {"2010": 1, "2019": 1, "2021": 1}
    assert stats["review_status"] == {"auto": 2, "curated": 1}


# --------------------------------------------------------------------------- import


def test_import_restores_an_export_into_an_empty_catalogue(searchable, tmp_path):
    from protocols.cli import read_jsonl_catalogue

    path = tmp_path / "out.jsonl"
    jsonl.write(searchable, path)
    with Catalogue(tmp_path / "copy.sqlite") as copy:
        assert copy.import_items(read_jsonl_catalogue(str(path)), str(path)) == (3, 3)
        assert export_text(copy) == path.read_text("utf-8")
        assert ids(copy.search("randomised")) == ["r000000000002-1"]
        assert copy.import_items(read_jsonl_catalogue(str(path)), str(path)) == (0, 0)


def test_an_entry_without_its_record_is_refused_and_nothing_is_written(tmp_path):
    entry = stub_mapper(make_record(5))[0]
    with Catalogue(tmp_path / "c.sqlite") as catalogue:
        with pytest.raises(CatalogueError, match="no record"):
            catalogue.import_items([make_record(1), entry], "x.jsonl")
        assert catalogue.counts().records == 0


def test_jsonl_export_can_select_entries(searchable):
    stream = io.StringIO()
    jsonl.write_catalogue(searchable, stream, types=("aerobic",))
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [next(iter(line)) for line in lines] == ["record", "entry"]
    assert lines[1]["entry"]["entry_id"] == "r000000000002-1"


# --------------------------------------------------------------------------- batched writes


def _everything(db: Path) -> list:
    """Every row the catalogue holds, search rows and their FTS text included."""
    with sqlite3.connect(db) as connection:
        return [
            connection.execute(sql).fetchall()
            for sql in (
                "SELECT * FROM records ORDER BY id",
                "SELECT * FROM record_keys ORDER BY key",
                "SELECT * FROM entries ORDER BY entry_id",
                "SELECT * FROM inputs ORDER BY file",
                "SELECT action, count, file, detail FROM history ORDER BY id",
                "SELECT s.row, s.entry_id, e.title, e.abstract, e.keywords, e.measures, "
                "e.provenance FROM search_rows s JOIN entry_search e ON e.rowid = s.row "
                "ORDER BY s.row",
            )
        ]


def _one_or_two_entries(record: Record) -> list[Entry]:
    # A record with "second arm" in its abstract gets a second entry until a duplicate
    # brings its volume: then the entry goes (deleted halfway through a batch) unless a
    # person curated it.
    first = stub_mapper(record)[0]
    if "second arm" in (record.abstract or "") and not record.volume:
        return [first, attrs.evolve(first, entry_id=f"{record.id}-2")]
    return [first]


def test_a_batched_ingest_stores_what_a_record_by_record_one_stores(tmp_path, monkeypatch):
    # Duplicates within one batch (by id, by DOI, by title), entries dropped and curated
    # entries kept: batches of one record each are the record-by-record ingest.
    first = [make_record(n, abstract="Aerobic walking, second arm.") for n in range(1, 9)]
    first.append(make_record(20, doi="10.1/dup", abstract="A randomised trial."))
    second = [
        make_record(3, volume="7"),  # the same work: merged, its second entry dropped
        make_record(21, doi="10.1/dup", keywords=("hypoalgesia",)),  # found by its DOI
        make_record(30, abstract="New, second arm."),
        make_record(30, title="Trial number 30 of stabilisation exercise", volume="1"),
        make_record(31, title="Trial number 2 of stabilisation exercise", year=2002),
        make_record(4, volume="9"),  # curated second entry stays
        make_record(32, abstract="Another new one, second arm."),
        make_record(5, abstract="Aerobic walking, second arm.", issue="2"),
    ]
    stores = {}
    for batch in (1, 3, 500):
        monkeypatch.setattr("protocols.store.INGEST_BATCH", batch)
        db = tmp_path / f"batch{batch}.sqlite"
        with Catalogue(db) as catalogue:
            catalogue.ingest(first, _one_or_two_entries, ["first"])
            entry = catalogue.entry("r000000000004-2")
            catalogue.put_entries([apply_corrections(entry, ["arm=B"])], "edit", None)
            report = catalogue.ingest(second, _one_or_two_entries, ["second"])
            catalogue.ingest(second, _one_or_two_entries, ["second"])
        stores[batch] = (report, _everything(db))
    assert stores[3] == stores[1]
    assert stores[500] == stores[1]
    report = stores[1][0]
    assert (report.added, report.merged) == (2, 6)
    with Catalogue(tmp_path / "batch500.sqlite") as catalogue:
        assert catalogue.entry("r000000000003-2") is None
        assert catalogue.entry("r000000000004-2").arm == "B"
