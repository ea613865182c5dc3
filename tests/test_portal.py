"""The literature-portal page of the seed record (issue 2)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from protocols.errors import ProtocatError, UnreadableFile
from protocols.model import Record, Reject
from protocols.records import portal, read_file
from protocols.records.decoding import open_input


def _read(path):
    items = list(read_file(path))
    return [i for i in items if isinstance(i, Record)], [i for i in items if isinstance(i, Reject)]


def test_the_seed_file_gives_eleven_records(seed_file):
    records, rejects = _read(seed_file)
    assert len(records) == 11
    assert rejects == []
    assert len({r.id for r in records}) == 11


def test_every_field_of_the_seed_page_is_read(seed_file):
    main = _read(seed_file)[0][0]
    assert main.title.startswith("Exercise-induced neuroplasticity: a new perspective")
    assert [(a.family, a.given) for a in main.authors] == [("Zou", "Jianpeng"), ("Hao", "Shijie")]
    assert (
        main.authors[0]
        .affiliations[0]
        .startswith("Shandong Univ Tradit Chinese Med, Affiliated Hosp")
    )
    assert main.authors[1].affiliations[0].endswith("Coll Rehabil Med, Jinan, Peoples R China")
    assert len(main.affiliations) == 2
    assert main.journal == "FRONTIERS IN MOLECULAR NEUROSCIENCE"
    assert (main.year, main.volume) == (2024, "17")
    assert main.doi == "10.3389/fnmol.2024.1407445"
    assert main.times_cited == 2
    assert main.page_count == 8
    assert main.keywords[:2] == ("exercise-induced neuroplasticity", "chronic low back pain")
    assert len(main.keywords) == 12 and "CORTEX" in main.keywords
    assert [(s.scheme, s.code, s.label) for s in main.subject_codes] == [
        ("clc", "Q189", "神经科学"),
        ("discipline", "071006", ""),
    ]
    assert main.abstract.startswith("Chronic low back pain patients often experience")
    assert main.abstract.endswith("for chronic low back pain.")
    assert len(main.related) == 10
    assert main.origins[0].line == 1 and main.origins[0].format == "portal"


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (
            1,
            dict(
                journal="JOURNAL OF BACK AND MUSCULOSKELETAL REHABILITATION",
                year=2023,
                volume="36",
                issue="03",
                pages="525-526",
                article_number=None,
            ),
        ),
        (7, dict(journal="RESPIRATORY MEDICINE", year=2025, volume="236", issue=None, pages=None)),
        (
            8,
            dict(
                journal="ARCHIVES OF PHYSICAL MEDICINE AND REHABILITATION",
                year=2008,
                volume="89",
                issue="07",
                pages="1305-1313",
            ),
        ),
        (
            10,
            dict(
                journal="EUROPEAN JOURNAL OF PAIN", year=2025, volume="29", issue="03", pages=None
            ),
        ),
    ],
)
def test_related_paper_source_lines(seed_file, index, expected):
    record = _read(seed_file)[0][index]
    for name, value in expected.items():
        assert getattr(record, name) == value, name


def test_related_paper_authors_and_lines(seed_file):
    records = _read(seed_file)[0]
    kuithan = records[2]
    assert kuithan.title.startswith("Lack of Exercise-Induced Hypoalgesia")
    assert [a.family for a in kuithan.authors] == [
        "Kuithan",
        "Heneghan",
        "Rushton",
        "Sanderson",
        "Falla",
    ]
    assert kuithan.authors[1].given == "Nicola R."
    lines = [r.origins[0].line for r in records[1:]]
    assert lines == sorted(lines) and len(set(lines)) == 10


@pytest.mark.parametrize(
    ("line", "fields"),
    [
        ("JOURNAL X, 2023, 36 (03) : 525 - 526", dict(volume="36", issue="03", pages="525-526")),
        ("JOURNAL X, 2025, 236", dict(volume="236")),
        (
            "JOURNAL X, 2008, 89 (07): : 1305 - 1313",
            dict(volume="89", issue="07", pages="1305-1313"),
        ),
        ("JOURNAL X, 2025, 29 (03)", dict(volume="29", issue="03")),
        ("JOURNAL X, 2021, 11 : e0245", dict(volume="11", pages="e0245")),
        ("JOURNAL X, 2019", dict()),
    ],
)
def test_source_line_variants(line, fields):
    parsed = portal._parse_related_source(line)
    assert parsed["journal"] == "JOURNAL X"
    for name, value in fields.items():
        assert parsed[name] == value


def test_a_broken_related_paper_is_reported_and_the_others_kept(seed_file, tmp_path):
    text = seed_file.read_text("utf-8")
    broken = text.replace("    PAIN PRACTICE, 2019, 19 (07) : 740 - 750\n", "")
    path = tmp_path / "page.txt"
    path.write_text(broken, "utf-8")
    records, rejects = _read(path)
    assert len(records) == 10
    assert len(rejects) == 1
    assert rejects[0].file == str(path)
    assert "source line" in rejects[0].reason
    assert broken.splitlines()[rejects[0].line - 1].strip().startswith("• [2] Lack of Exercise")


def test_records_and_rejects_add_up_to_the_page(seed_file, tmp_path):
    """Every related bullet is either a record or a reject."""
    records, rejects = _read(seed_file)
    assert len(records) - 1 + len(rejects) == seed_file.read_text("utf-8").count("• [")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x00\x01\x02\x89PNG\x00\x00binary", "binary"),
        (b"Just some notes\nnothing bibliographic here\n", "not a bibliographic export"),
    ],
)
def test_unreadable_files_get_one_clear_error(tmp_path, content, reason):
    path = tmp_path / "input.txt"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as info:
        list(read_file(path))
    assert reason in str(info.value)
    assert str(path) in str(info.value)


def test_a_truncated_page_is_an_error(seed_file, tmp_path):
    text = seed_file.read_text("utf-8")
    path = tmp_path / "cut.txt"
    path.write_text(text[: text.index("来源")], "utf-8")
    with pytest.raises(UnreadableFile, match="truncated"):
        list(read_file(path, "portal"))


def test_a_gbk_page_reads_with_its_encoding_named(seed_file, tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes(seed_file.read_text("utf-8").replace("•", "*").encode("gbk"))
    records, _ = _read(path)
    assert len(records) == 11
    assert records[0].subject_codes[0].label == "神经科学"
    assert records[0].origins[0].encoding == "gb18030"
    assert open_input(path).encoding == "gb18030"


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_arbitrary_text_gives_records_or_the_projects_error(tmp_path, text):
    path = tmp_path / "fuzz.txt"
    path.write_text("作者\n来源\n" + text, "utf-8")
    try:
        for item in read_file(path, "portal"):
            assert isinstance(item, (Record, Reject))
    except ProtocatError:
        pass
