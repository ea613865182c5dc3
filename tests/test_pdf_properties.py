"""Property tests: record text in any script, with any markup characters, never breaks a PDF."""

from __future__ import annotations

import attrs
import pypdf
from hypothesis import given, settings
from hypothesis import strategies as st

import exporters
from tests import strategies
from tests.pdf_catalogue import MemoryView

# Scripts and characters people's exports hold: CJK, Hangul, right-to-left, emoji,
# combining marks, direction controls, and reportlab's markup characters.
pieces = st.sampled_from(
    list("<>&;\"'/]]=#%abc XYZ 中文腰痛康复 한국어 עברית عربي हिन्दी 😀👍🏽 é\u0301\u200f\u200b\t\n")
    + ["<img src='/etc/passwd'/>", "<font>", "</para>", "]]>", "&amp;", "<br/>", "<a href='x'>"]
)
awkward = st.lists(pieces, min_size=1, max_size=30).map("".join).filter(lambda s: s.strip() != "")
titles = st.one_of(awkward, strategies.nonempty_text)


@st.composite
def catalogues(draw):
    records = draw(st.lists(strategies.records, min_size=1, max_size=3, unique_by=lambda r: r.id))
    records = [
        attrs.evolve(r, title=draw(titles), abstract=draw(st.none() | titles)) for r in records
    ]
    entries = []
    for record in records:
        entry = draw(strategies.entries())
        ref = attrs.evolve(
            entry.record, id=record.id, title=record.title, year=record.year, doi=record.doi
        )
        entries.append(
            attrs.evolve(entry, entry_id=f"{record.id}-1", record=ref, arm=draw(st.none() | titles))
        )
    return MemoryView(records, entries)


@settings(max_examples=25)
@given(
    view=catalogues(), lang=st.sampled_from(["en", "zh"]), paper=st.sampled_from(["a4", "letter"])
)
def test_any_text_builds_both_pdfs(tmp_path_factory, view, lang, paper):
    folder = tmp_path_factory.mktemp("pdf")
    for name in ("pdf", "handouts"):
        path = folder / f"{name}.pdf"
        report = exporters.get(name).write(view, path, lang=lang, paper=paper)
        reader = pypdf.PdfReader(path)
        assert len(reader.pages) >= 1
        assert report.path == str(path)
