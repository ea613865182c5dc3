"""The PDF evidence summary and handouts: content, safety, sameness, rendering."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest

import exporters
from exporters import pdf_layout
from exporters.translations import load_translations, parse_translations
from protocols.errors import UsageError, VocabularyError
from tests.pdf_catalogue import CHINESE_TITLE, INJECTION_TITLE, sample_catalogue, sample_records


@pytest.fixture
def catalogue(tmp_path):
    with sample_catalogue(tmp_path / "catalogue.sqlite") as catalogue:
        yield catalogue


def pages_text(path: Path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def squeeze(text: str) -> str:
    """Text without whitespace: lines wrap anywhere in CJK text and between words in Latin."""
    return "".join(text.split())


def one_line(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- summary


def test_summary_has_every_title_dose_and_page_n_of_m(catalogue, tmp_path):
    path = tmp_path / "summary.pdf"
    report = exporters.get("pdf").write(catalogue, path)
    assert report.rows == 3
    pages = pages_text(path)
    whole = squeeze("".join(pages))
    for record in sample_records():
        assert squeeze(record.title) in whole
    for dose in (
        "2–3 sessions a week",
        "45 minutes a session",
        "8 weeks",
        "12–13",
        "3 sets",
        "10 repetitions",
        "30 minutes a session",
    ):
        assert squeeze(dose) in whole, dose
    total = len(pages)
    assert total >= 3
    assert f"Page {total} of {total}" in one_line(pages[-1])
    assert f"Page 1 of {total}" in one_line(pages[0])


def test_summary_says_what_was_not_reported_and_names_missing_cert_items(catalogue, tmp_path):
    path = tmp_path / "summary.pdf"
    exporters.get("pdf").write(catalogue, path)
    text = one_line(" ".join(pages_text(path)))
    assert "Not reported: Frequency, Intensity, Programme length" in text
    assert "3 of 19 items reported" in text
    assert "Provider qualifications" in text and "Progression rule" in text
    # The entry with no exercise type is listed, and the summary says it has no handout.
    assert "Records without an exercise intervention" in text
    assert "no handout was made" in text


def test_summary_outline_metadata_and_doi_link(catalogue, tmp_path):
    path = tmp_path / "summary.pdf"
    exporters.get("pdf").write(catalogue, path)
    reader = pypdf.PdfReader(path)
    meta = reader.metadata
    assert meta.title == "Exercise protocols: evidence summary"
    assert meta.author == "protocat"
    assert meta.subject and "exercise" in meta["/Keywords"].lower()
    assert reader.trailer["/Root"]["/Lang"] == "en"

    def titles(items):
        for item in items:
            if isinstance(item, list):
                yield from titles(item)
            else:
                yield item.title

    outline = list(titles(reader.outline))
    for section in (
        "Exercise protocols: evidence summary",
        "Evidence map",
        "Entries by exercise type",
        "Motor control / stabilisation",
        "Tai chi / qigong",
        "References",
    ):
        assert section in outline
    uris = [
        annot.get_object()["/A"].get("/URI")
        for page in reader.pages
        for annot in page.get("/Annots", [])
        if "/A" in annot.get_object()
    ]
    assert "https://doi.org/10.3389/fnmol.2024.1407445" in uris


def test_summary_in_chinese_uses_vocabulary_labels(catalogue, tmp_path):
    path = tmp_path / "summary-zh.pdf"
    exporters.get("pdf").write(catalogue, path, lang="zh")
    text = squeeze(" ".join(pages_text(path)))
    assert "运动方案证据摘要" in text
    assert "运动控制/核心稳定训练" in text  # the vocabulary's zh label
    assert squeeze(CHINESE_TITLE) in text


# --------------------------------------------------------------------------- handouts


def handout_pages(path: Path) -> list[tuple[int, int, str]]:
    """(n, m, text) of each page, from its "Page n of m" footer."""
    out = []
    for text in pages_text(path):
        found = re.findall(r"Page (\d+) of (\d+)", one_line(text))
        assert found, text
        n, m = map(int, found[-1])
        out.append((n, m, text))
    return out


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_handouts_one_per_exercise_entry_on_at_most_two_pages(catalogue, tmp_path, paper):
    path = tmp_path / "handouts.pdf"
    report = exporters.get("handouts").write(catalogue, path, paper=paper)
    assert report.rows == 2  # the narrative review names no exercise: no handout
    pages = handout_pages(path)
    starts = [i for i, (n, _m, _t) in enumerate(pages) if n == 1]
    assert len(starts) == 2
    for n, m, _text in pages:
        assert 1 <= n <= m <= 2
    assert f"Page {pages[-1][1]} of {pages[-1][1]}" in one_line(pages[-1][2])
    width = float(pypdf.PdfReader(path).pages[0].mediabox.width)
    assert round(width) == {"a4": 595, "letter": 612}[paper]
    assert not any(note.startswith("2 handout") for note in report.notes)


def test_handout_shows_the_dose_and_asks_for_what_the_source_did_not_report(catalogue, tmp_path):
    path = tmp_path / "handouts.pdf"
    exporters.get("handouts").write(catalogue, path)
    pages = handout_pages(path)
    first = one_line(" ".join(t for n, m, t in pages[: pages[0][1]]))
    for text in (
        "2–3 times a week",
        "45 minutes each time",
        "8 weeks",
        "3 sets, 10 repetitions",
        "12–13",
        "What you will do",
        "How often",
        "How hard",
        "How long",
        "When to stop and call us",
        "General guidance written by protocat, not taken from the study",
        "Session log",
        "Patient",
        "Clinician",
        "Contact phone",
        "Start date",
        "My notes",
    ):
        assert text in first, text
    assert squeeze(INJECTION_TITLE) in squeeze(first)
    assert "Ask your clinician" not in first.split("When to stop")[0]
    # The log has a row a week for the 8 weeks, 3 sessions (the top of 2-3) a week.
    assert first.count("Pain ___/10") == 8 * 3
    second = one_line(" ".join(t for n, m, t in pages[pages[0][1] :]))
    # Tai chi entry: only the minutes are known; every other dose field asks.
    assert "30 minutes each time" in second
    assert second.count("Ask your clinician") >= 5
    assert "did not report how many sessions" in second
    # A neck pain handout gets the neck's stop rule, not the low back's.
    assert "turning your head" in second and "bladder" not in second


def test_handout_filters(catalogue, tmp_path):
    write = exporters.get("handouts").write
    path = tmp_path / "h.pdf"
    assert write(catalogue, path, types=["tai_chi_qigong"]).rows == 1
    assert write(catalogue, path, outcomes=["pain_intensity", "brain"]).rows == 2
    assert write(catalogue, path, entry_ids=["r000000000001-1"]).rows == 1
    report = write(catalogue, path, entry_ids=["r000000000001-1", "r000000000003-1"])
    assert report.rows == 1 and any("no exercise type" in n for n in report.notes)
    with pytest.raises(UsageError):
        write(catalogue, path, entry_ids=["nope"])
    with pytest.raises(UsageError):
        write(catalogue, path, types=["not_a_type"])
    with pytest.raises(UsageError):
        write(catalogue, path, types=["yoga"])  # matches nothing
    with pytest.raises(UsageError):
        write(catalogue, path, paper="a5")
    with pytest.raises(UsageError):
        write(catalogue, path, lang="fr")


def test_handouts_in_chinese(catalogue, tmp_path):
    path = tmp_path / "handouts-zh.pdf"
    exporters.get("handouts").write(catalogue, path, lang="zh")
    text = squeeze(" ".join(pages_text(path)))
    for expected in (
        "您的运动方案",
        "请咨询您的治疗师",
        "太极/气功",
        "何时停止运动并联系我们",
        "第1页，共2页",
        "此为protocat编写的一般性指导",
    ):
        assert expected in text, expected
    assert pypdf.PdfReader(path).trailer["/Root"]["/Lang"] == "zh-CN"


# --------------------------------------------------------------------------- safety and sameness


def test_markup_in_record_text_prints_literally_and_reads_no_file(catalogue, tmp_path, monkeypatch):
    import reportlab.lib.utils as rl_utils

    opened = []
    real_open = rl_utils.open_for_read

    def spy(name, *args, **kwargs):
        opened.append(str(name))
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(rl_utils, "open_for_read", spy)
    for name in ("pdf", "handouts"):
        path = tmp_path / f"{name}.pdf"
        exporters.get(name).write(catalogue, path)
        text = squeeze(" ".join(pages_text(path)))
        assert squeeze('<img src="/etc/passwd"/> & <font name="x">]]>') in text
        for page in pypdf.PdfReader(path).pages:
            xobjects = page["/Resources"].get("/XObject", {})
            assert not any(x.get_object().get("/Subtype") == "/Image" for x in xobjects.values())
    assert not any("passwd" in name for name in opened)


@pytest.mark.parametrize("name", ["pdf", "handouts"])
def test_two_builds_are_byte_identical(catalogue, tmp_path, name):
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    exporters.get(name).write(catalogue, first)
    exporters.get(name).write(catalogue, second)
    assert first.read_bytes() == second.read_bytes()


def test_failed_export_leaves_no_file(catalogue, tmp_path):
    path = tmp_path / "h.pdf"
    with pytest.raises(UsageError):
        exporters.get("handouts").write(catalogue, path, paper="tabloid")
    assert not path.exists() and list(tmp_path.glob("*.part")) == []


# --------------------------------------------------------------------------- fonts and words


def test_text_runs_choose_a_font_per_script():
    runs = pdf_layout.runs("Back pain 腰痛 요통 Ωmega مرحبا 😀\u200f")
    assert runs == [
        ("", "Back pain "),
        ("STSong-Light", "腰痛"),
        ("", " "),
        ("HYSMyeongJo-Medium", "요통"),
        ("", " "),
        ("STSong-Light", "Ω"),
        ("", "mega "),
        ("[?]", "[?]"),
        ("", " "),
        ("[?]", "[?]"),
    ]
    scribe = pdf_layout.Scribe()
    assert scribe.text("a<b>&c") == "a&lt;b&gt;&amp;c"
    assert scribe.text("مرحبا") == "[?]" and scribe.uncovered_runs == 1
    assert scribe.link('10.1/x"><img src=y>') == "10.1/x&quot;&gt;&lt;img src=y&gt;"


def test_translations_are_complete_and_validated(tmp_path):
    words = load_translations()
    assert words.text("page", "zh", n=1, m=2) == "第 1 页，共 2 页"
    lines, sources = words.stops("low_back_pain", "en")
    assert len(lines) == len(words.stops(None, "en")[0]) + 1 and sources
    good = {
        "meta": {"version": 1},
        "stop_rules": {"general": {"en": ["a"], "zh": ["甲"], "sources": ["s"]}},
    }
    parse_translations(good)
    with pytest.raises(VocabularyError, match="placeholders"):
        parse_translations({**good, "ui": {"k": {"en": "{n} a", "zh": "{m} 甲"}}})
    with pytest.raises(VocabularyError, match="languages"):
        parse_translations({**good, "ui": {"k": {"en": "a"}}})
    with pytest.raises(VocabularyError, match="condition"):
        parse_translations(
            {**good, "stop_rules": {**good["stop_rules"], "knees": good["stop_rules"]["general"]}}
        )


# --------------------------------------------------------------------------- rendering


def _render_first_page(pdf: Path, tmp_path: Path) -> bytes:
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftoppm (poppler-utils) is missing and CI is set")
        pytest.skip("pdftoppm (Debian package poppler-utils) is not installed")
    prefix = tmp_path / pdf.stem
    subprocess.run(
        [
            "pdftoppm",
            "-gray",
            "-r",
            "40",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(prefix),
        ],
        check=True,
    )
    return (tmp_path / f"{pdf.stem}.pgm").read_bytes()


def _dark_share(pgm: bytes) -> float:
    # Binary PGM: "P5\n<width> <height>\n<maxval>\n" then one byte a pixel.
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", pgm)
    assert header, pgm[:20]
    pixels = pgm[header.end() :]
    return sum(1 for value in pixels if value < 128) / len(pixels)


@pytest.mark.parametrize("name", ["pdf", "handouts"])
def test_first_page_renders_and_is_not_blank(catalogue, tmp_path, name):
    path = tmp_path / f"{name}.pdf"
    exporters.get(name).write(catalogue, path)
    share = _dark_share(_render_first_page(path, tmp_path))
    assert 0.01 < share < 0.5


# --------------------------------------------------------------------------- the seed record


def test_seed_records_build_both_pdfs_with_their_chinese_text(seed_file, tmp_path):
    from protocols.mapping import record_ref
    from protocols.model import Entry, Record
    from protocols.records import read_file
    from protocols.store import Catalogue

    records = [r for r in read_file(seed_file) if isinstance(r, Record)]
    assert len(records) == 11

    def mapper(record):  # one exercise entry a record: the real mapping lives on another branch
        return [
            Entry(entry_id=f"{record.id}-1", record=record_ref(record), exercise_types=("general",))
        ]

    with Catalogue(tmp_path / "seed.sqlite") as catalogue:
        catalogue.ingest(records, mapper, [str(seed_file)])
        summary, handouts = tmp_path / "summary.pdf", tmp_path / "handouts.pdf"
        exporters.get("pdf").write(catalogue, summary)
        assert exporters.get("handouts").write(catalogue, handouts, lang="zh").rows == 11
    text = squeeze(" ".join(pages_text(summary)))
    for record in records:
        assert squeeze(record.title) in text
    assert "神经科学" in text  # the seed's Chinese Library Classification label
    assert "一般运动疗法" in squeeze(" ".join(pages_text(handouts)))


def test_handouts_outline_has_one_bookmark_a_handout(catalogue, tmp_path):
    path = tmp_path / "handouts.pdf"
    exporters.get("handouts").write(catalogue, path)
    titles = [item.title for item in pypdf.PdfReader(path).outline]
    assert titles == [
        "Motor control / stabilisation; Resistance / strength training (r000000000001-1)",
        "Tai chi / qigong (r000000000002-1)",
    ]


@pytest.mark.parametrize("name", ["pdf", "handouts"])
def test_two_catalogues_of_the_same_input_give_identical_pdfs(tmp_path, name):
    outputs = []
    for build in ("one", "two"):
        folder = tmp_path / build
        with sample_catalogue(folder / "catalogue.sqlite") as catalogue:
            exporters.get(name).write(catalogue, folder / "out.pdf")
        outputs.append((folder / "out.pdf").read_bytes())
    assert outputs[0] == outputs[1]


def test_very_long_record_text_still_builds(tmp_path):
    import attrs

    from tests.pdf_catalogue import MemoryView, sample_entries

    long = "A very long title that goes on " * 400
    records = [attrs.evolve(r, title=long + r.title) for r in sample_records()]
    entries = [
        attrs.evolve(
            e,
            record=attrs.evolve(e.record, title=long),
            arm=long[:2000],
            outcomes=tuple(attrs.evolve(o, measure=long) for o in e.outcomes),
        )
        for group in sample_entries(records).values()
        for e in group
    ]
    view = MemoryView(records, entries)
    for name in ("pdf", "handouts"):
        path = tmp_path / f"{name}.pdf"
        exporters.get(name).write(view, path)
        assert len(pypdf.PdfReader(path).pages) >= 2


def test_one_file_a_handout_with_safe_names(tmp_path):
    import attrs

    from exporters.pdf_handouts import write_each
    from tests.pdf_catalogue import MemoryView, sample_entries

    records = sample_records()
    records[0] = attrs.evolve(records[0], title="../../etc/passwd <x>: CON|nul?*")
    entries = [e for group in sample_entries(records).values() for e in group]
    entries = [
        attrs.evolve(e, record=attrs.evolve(e.record, title=records[0].title))
        if e.record.id == records[0].id
        else e
        for e in entries
    ]
    folder = tmp_path / "handouts"
    report = write_each(MemoryView(records, entries), folder)
    assert report.rows == 2
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 2 and all(n.endswith(".pdf") and "/" not in n for n in names)
    assert names[0].startswith("r000000000001-1_") and "passwd" in names[0]
    assert all((folder / name).resolve().parent == folder.resolve() for name in names)
    assert list(tmp_path.rglob("passwd")) == []
    for name in names:
        assert len(pypdf.PdfReader(folder / name).pages) <= 2


def test_handouts_read_the_catalogue_as_they_lay_out(monkeypatch, tmp_path):
    """Handouts are made from the view's entries a few ahead of the layout, never all at once."""
    import attrs

    from exporters import pdf_handouts
    from tests.pdf_catalogue import MemoryView, sample_entries

    records = sample_records()
    first = sample_entries(records)[records[0].id][0]
    entries = [attrs.evolve(first, entry_id=f"{records[0].id}-{n:02d}") for n in range(1, 41)]
    pulled = laid_out = 0

    class CountingView(MemoryView):
        def entries(self):
            nonlocal pulled
            for entry in super().entries():
                pulled += 1
                yield entry

    real_draw = pdf_layout.StartGroup.draw

    def draw(self):
        nonlocal laid_out
        laid_out += 1
        real_draw(self)

    monkeypatch.setattr(pdf_layout.StartGroup, "draw", draw)
    ahead = []
    real_story = pdf_handouts.Handouts.story

    def story(self, entry, number):
        ahead.append(pulled - laid_out)
        return real_story(self, entry, number)

    monkeypatch.setattr(pdf_handouts.Handouts, "story", story)
    report = exporters.get("handouts").write(
        CountingView(records, entries), tmp_path / "handouts.pdf"
    )
    assert report.rows == 40 and pulled == 40 and laid_out == 40
    assert max(ahead) <= 8, ahead
