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


def _line_texts(paragraph) -> list[str]:
    """The text of each line reportlab broke a paragraph into (after ``wrap``)."""
    if paragraph.blPara.kind == 0:  # one font: (unused width, words) a line
        texts = [" ".join(words) for _extra, words in paragraph.blPara.lines]
    else:  # several: fragments a line
        texts = [
            "".join(getattr(word, "text", "") for word in line.words)
            for line in paragraph.blPara.lines
        ]
    return [" ".join(text.split()) for text in texts]


def _box_lines(box) -> list[str]:
    out = []
    for label, row in box._laid_out[1]:
        texts = _line_texts(row)
        if label is not None:
            texts[0] = f"{label}: {texts[0]}"
        out += texts
    return out


latin_words = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzMW;:()–·%0123456789&<>", min_size=1, max_size=14),
    min_size=1,
    max_size=60,
).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(latin_words, min_size=1, max_size=6),
    labels=st.lists(
        st.sampled_from(["Population", "Dose (FITT)", "CERT", "A b c d", None]), min_size=6
    ),
    width=st.floats(min_value=120, max_value=520),
)
def test_labelled_lines_break_where_the_paragraph_does(values, labels, width):
    """The fast card box lays out exactly the lines of the one Paragraph it stands for."""
    from exporters import pdf_layout
    from exporters.escaping import markup_text

    style = pdf_layout.ParagraphStyle(
        "box", fontName="Helvetica", fontSize=8.5, leading=11.9, leftIndent=4, rightIndent=4
    )
    lines = [
        pdf_layout.Line(label, markup_text(label), value, markup_text(value))
        if label is not None
        # A line of its own in italics (the card's note on what was not reported).
        else pdf_layout.Line(None, None, value, f"<i>{markup_text(value)}</i>", "Helvetica-Oblique")
        for label, value in zip(labels, values, strict=False)
    ]
    box = pdf_layout.LabelledLines(lines, style)
    original = box.original()
    _, height = original.wrap(width, 1e9)
    assert box.wrap(width, 1e9)[1] == height
    assert _box_lines(box) == _line_texts(original)
