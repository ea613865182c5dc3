"""Records written as RIS and as MEDLINE by protocat read back equal.

The normalisation under which they are equal (``comparable``), and why:
- text values are one line: control characters dropped, whitespace runs one space,
  ends trimmed, empty text absent (tagged formats have no escapes);
- an abstract's section lines become one line (RIS and MEDLINE hold one AB line);
- pages: spaces around the dash dropped;
- authors compared as their "family given" text without commas (the formats write
  "Family, Given" and cannot mark a comma inside a family name); an author whose
  family name is empty is not written;
- keywords: the first spelling of each, compared case-insensitively, empty ones dropped;
- a DOI without trailing punctuation (not part of a DOI) and lower-cased;
- affiliations per author only in MEDLINE (RIS has no per-author affiliations);
- not compared: id (recomputed from DOI/PMID/title/year), origins, warnings,
  source ids (database ids other than DOI/PMID are not exported).
A record whose title is empty once made one line cannot be identified and is not
generated.
"""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path

from hypothesis import assume, given
from hypothesis import strategies as st

import exporters
from exporters import medline as medline_writer
from exporters import ris as ris_writer
from exporters.tagged_text import one_line
from protocols.model import Author, Record, SourceId
from protocols.records import read_file
from tests.strategies import records


def _text(value):
    if value is None:
        return None
    return one_line(value) or None


def _name(author: Author) -> str:
    return re.sub(
        r"\s+", " ", f"{one_line(author.family)} {one_line(author.given)}".replace(",", " ")
    ).strip()


def _keywords(values) -> tuple:
    seen, out = set(), []
    for value in values:
        text = one_line(value)
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            out.append(text)
    return tuple(out)


def comparable(record: Record, *, author_places: bool) -> dict:
    pages = _text(record.pages)
    return {
        "title": _text(record.title),
        "authors": tuple(
            (_name(a), tuple(p for p in map(_text, a.affiliations) if p) if author_places else ())
            for a in record.authors
            if one_line(a.family) and _name(a)
        ),
        "journal": _text(record.journal),
        "year": record.year,
        "volume": _text(record.volume),
        "issue": _text(record.issue),
        "pages": re.sub(r"\s*[-–—]+\s*", "-", pages) if pages else None,
        "keywords": _keywords(record.keywords),
        "abstract": _text(record.abstract),
        "doi": record.doi.rstrip(".,;").lower() if record.doi else None,
        "pmid": record.pmid,
    }


def _writable(record: Record) -> bool:
    return bool(one_line(record.title))


def _read_back(text: str, suffix: str) -> list:
    with tempfile.NamedTemporaryFile("w", delete=False, suffix=suffix, encoding="utf-8") as handle:
        handle.write(text)
    try:
        return list(read_file(handle.name))
    finally:
        Path(handle.name).unlink()


@given(st.lists(records, min_size=1, max_size=4))
def test_ris_round_trip(originals):
    assume(all(_writable(r) for r in originals))
    stream = io.StringIO()
    assert ris_writer.write_records(originals, stream) == len(originals)
    back = _read_back(stream.getvalue(), ".ris")
    assert all(isinstance(r, Record) for r in back)
    assert [comparable(r, author_places=False) for r in back] == [
        comparable(r, author_places=False) for r in originals
    ]
    assert all(r.origins[0].format == "ris" for r in back)


@given(st.lists(records, min_size=1, max_size=4))
def test_medline_round_trip(originals):
    assume(all(_writable(r) for r in originals))
    stream = io.StringIO()
    medline_writer.write_records(originals, stream)
    back = _read_back(stream.getvalue(), ".nbib")
    assert all(isinstance(r, Record) for r in back)
    assert [comparable(r, author_places=True) for r in back] == [
        comparable(r, author_places=True) for r in originals
    ]


def test_writers_are_registered_and_write_files(tmp_path):
    record = Record(
        id="r000000000001",
        title="Eccentric training for tendinopathy",
        authors=(Author(family="Alfredson", given="Håkan", affiliations=("Umeå University",)),),
        year=1998,
        journal="Am J Sports Med",
        pages="360 - 366",
        doi="10.1177/03635465980260030301",
        pmid="9617396",
        keywords=("tendinopathy", "eccentric"),
        source_ids=(SourceId(scheme="wos", value="X"),),
    )

    class View:
        def records(self):
            yield record

    for name, suffix in (("ris", ".ris"), ("medline", ".nbib")):
        module = exporters.get(name)
        assert name == module.NAME and suffix == module.SUFFIX
        report = module.write(View(), tmp_path / f"out{suffix}")
        assert report.rows == 1
        back = list(read_file(tmp_path / f"out{suffix}"))
        assert back[0].title == record.title
        assert back[0].pmid == "9617396" and back[0].pages == "360-366"
        assert back[0].authors[0].family == "Alfredson"
