"""The same work across files becomes one record keeping every id and origin."""

from __future__ import annotations

import glob

from hypothesis import given
from hypothesis import strategies as st

from protocols.model import Origin, Record, SourceId
from protocols.records import read_files
from protocols.records.merge import _Identities, merge_records, title_key
from tests.conftest import shared_path


def _file(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


RIS_A = (
    "TY  - JOUR\nTI  - Exercise for knee pain\nPY  - 2020\nDO  - https://doi.org/10.1000/KNEE\n"
    "AN  - WOS:1\nER  - \n"
    "TY  - JOUR\nTI  - Yoga and balance\nPY  - 2018\nER  - \n"
    "TY  - JOUR\nTI  - Different work, same title\nPY  - 2019\nDO  - 10.1000/other\nER  - \n"
)
NBIB_B = (
    "PMID- 111\nTI  - Exercise for knee pain.\nDP  - 2020\nLID - 10.1000/knee [doi]\n"
    "AB  - Abstract only in MEDLINE.\n\n"
    "PMID- 222\nTI  - Yoga and Balance\nDP  - 2018 Jan\n\n"
    "PMID- 333\nTI  - Different work, same title\nDP  - 2019\nLID - 10.1000/third [doi]\n"
)


def test_duplicates_across_files_merge_and_keep_everything(tmp_path):
    a = _file(tmp_path, "a.ris", RIS_A)
    b = _file(tmp_path, "b.nbib", NBIB_B)
    result = read_files([a, b])
    records = list(result.records())
    assert result.duplicates == 2
    assert len(records) == 4
    assert result.summary() == (
        "6 records read from 2 file(s), 4 after merging 2 duplicate(s), 0 rejected"
    )
    knee = next(r for r in records if r.doi == "10.1000/knee")
    assert {o.file for o in knee.origins} == {str(a), str(b)}
    assert knee.pmid == "111" and knee.abstract == "Abstract only in MEDLINE."
    assert SourceId(scheme="accession", value="WOS:1") in knee.source_ids
    yoga = next(r for r in records if r.title.startswith("Yoga"))
    assert yoga.pmid == "222" and len(yoga.origins) == 2
    # Two DOIs that differ are two works, whatever their titles say.
    assert sum(r.title.startswith("Different work") for r in records) == 2
    assert [(f.format, f.records, f.rejects) for f in result.files] == [
        ("ris", 3, 0),
        ("medline", 3, 0),
    ]


def test_unreadable_file_is_reported_and_the_others_read(tmp_path):
    good = _file(tmp_path, "a.ris", RIS_A)
    bad = _file(tmp_path, "notes.txt", "just some words\n")
    result = read_files([bad, good])
    assert len(list(result.records())) == 3
    assert [e.file for e in result.errors] == [str(bad)]


def test_no_merge_passes_every_record_through(tmp_path):
    a = _file(tmp_path, "a.ris", RIS_A)
    result = read_files([a, a], merge=False)
    assert len(list(result.records())) == 6 and result.duplicates == 0


def test_mixed_folder_of_fixtures_prints_each_work_once():
    shared_path("fixtures", "ris", "asreview")
    paths = sorted(glob.glob(str(shared_path("fixtures", "ris", "asreview") / "*.ris")))
    paths += sorted(glob.glob(str(shared_path("fixtures", "medline", "nbib") / "*")))
    result = read_files(paths)
    records = list(result.records())
    dois = [r.doi for r in records if r.doi]
    assert len(dois) == len(set(dois))
    # ovid_psycinfo.ris and ovid_zotero.ris hold the same six works.
    both = [
        r
        for r in records
        if {o.file.rsplit("/", 1)[-1] for o in r.origins}
        >= {"ovid_psycinfo.ris", "ovid_zotero.ris"}
    ]
    assert len(both) == 6
    read = sum(f.records for f in result.files)
    assert len(records) + result.duplicates == read


def _record(n: int, doi, pmid, title, year) -> Record:
    return Record(
        id=f"r{n:012d}",
        title=title,
        year=year,
        doi=doi,
        pmid=pmid,
        origins=(Origin(file=f"f{n}", line=1, format="ris"),),
    )


keys = st.tuples(
    st.sampled_from([None, "10.1/a", "10.1/b"]),
    st.sampled_from([None, "1", "2"]),
    st.sampled_from(["Title A", "title a.", "Title B"]),
    st.sampled_from([None, 2000]),
)


@given(st.lists(keys, min_size=1, max_size=8))
def test_merge_groups_follow_the_identity_rule(rows):
    records = [_record(n, *row) for n, row in enumerate(rows)]
    identities = _Identities()
    for record in records:
        identities.add(record)
    identities.close()

    def group(record):
        return identities.find(identities.anchor(record))

    for a in records:
        for b in records:
            if a.doi and a.doi == b.doi or a.pmid and a.pmid == b.pmid:
                assert group(a) == group(b)
            if not (a.doi or a.pmid or b.doi or b.pmid) and title_key(a) == title_key(b):
                assert group(a) == group(b)
    groups: dict[str, list[Record]] = {}
    for record in records:
        groups.setdefault(group(record), []).append(record)
    for members in groups.values():
        if all(r.doi and not r.pmid for r in members):
            # Without a PMID to link them, two DOIs are two works, whatever the titles say.
            assert len({r.doi for r in members}) == 1
    merged = [merge_records(g) for g in groups.values()]
    assert sorted(o.file for r in merged for o in r.origins) == sorted(
        f"f{n}" for n in range(len(rows))
    )
