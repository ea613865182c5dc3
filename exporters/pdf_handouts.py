"""Printable handouts: one a catalogue entry with an exercise intervention, for patients.

Large print (body 14 pt, black on white), plain headings, the dose as a table in
which every field the source did not report says "Ask your clinician", fields
for the clinician to fill in, the project's stop rules marked as general guidance
for the clinician to review, a session log for the programme's weeks, and the
reference at the foot. Nothing here states what the study did not.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Spacer,
    Table,
    TableStyle,
)

from exporters import pdf_layout as layout
from exporters.files import ExportReport, atomic_write, safe_filename
from exporters.pdf_content import (
    delivery_text,
    frequency_text,
    intensity_text,
    labels,
    reference_text,
    volume_text,
)
from exporters.pdf_layout import BAND, INK, RULE, Scribe, StartGroup, para
from exporters.translations import Translations, default_translations
from protocols.errors import ExportError, UsageError
from protocols.model import Entry
from protocols.vocabulary import Vocabulary, codes, default_vocabulary

NAME = "handouts"
SUFFIX = ".pdf"

BODY = 14
MARGIN = 15 * mm
LOG_MAX_WEEKS = 12
LOG_MAX_SESSIONS = 7
LOG_BLANK_ROWS = 8


def select_entries(
    view,
    entry_ids: Sequence[str] = (),
    types: Sequence[str] = (),
    outcomes: Sequence[str] = (),
) -> tuple[Iterator[Entry], list[str]]:
    """The entries that get a handout (in id order), and notes on those left out.

    Filters of different kinds all apply; codes within one kind are alternatives.
    The entries come as an iterator that reads the catalogue as it goes (the notes
    fill in as it is consumed), so a large catalogue is never held in memory.
    """
    for kind, chosen in (("exercise_types", types), ("outcomes", outcomes)):
        unknown = sorted(set(chosen) - set(codes(kind)))
        if unknown:
            raise UsageError(
                f"unknown {kind} code(s) {', '.join(unknown)}; known: {', '.join(codes(kind))}"
            )
    chosen_entries: Iterable[Entry]
    if entry_ids:
        chosen_entries = []
        for entry_id in sorted(set(entry_ids)):
            entry = view.entry(entry_id)
            if entry is None:
                raise UsageError(f"no entry {entry_id!r} in the catalogue")
            chosen_entries.append(entry)
    else:
        chosen_entries = view.entries()
    notes: list[str] = []

    def kept() -> Iterator[Entry]:
        for entry in chosen_entries:
            if not entry.exercise_types:
                if entry_ids:
                    notes.append(f"entry {entry.entry_id} names no exercise type: no handout")
                continue
            if types and not set(types) & set(entry.exercise_types):
                continue
            if outcomes and not set(outcomes) & {o.domain for o in entry.outcomes}:
                continue
            yield entry

    return kept(), notes


class StoryStream(list):
    """A story that is filled from ``parts`` (lists of flowables) as the build consumes it.

    reportlab's build loop asks ``len(story)`` before it takes each flowable, and
    looks ahead only over a run of keep-with-next flowables; so a buffer holding
    at least ``ahead`` flowables (more than one handout) lays out exactly as the
    whole story would, while only a few handouts are held in memory at a time.
    """

    def __init__(self, parts: Iterator[list], ahead: int = 64) -> None:
        super().__init__()
        self._parts = parts
        self._ahead = ahead

    def __len__(self) -> int:
        while self._parts is not None and super().__len__() < self._ahead:
            part = next(self._parts, None)
            if part is None:
                self._parts = None
            else:
                self.extend(part)
        return super().__len__()


class TickBox(Flowable):
    """An empty square to tick, drawn rather than typed (no built-in font has a ballot box)."""

    def __init__(self, size: float = 13) -> None:
        super().__init__()
        self.size = size

    def wrap(self, *_args):
        return self.size, self.size

    def draw(self) -> None:
        self.canv.setLineWidth(1.2)
        self.canv.setStrokeColor(INK)
        self.canv.rect(0, 0, self.size, self.size)


class SessionCell(Flowable):
    """One planned session in the log: a box to tick and a place for the pain score."""

    def __init__(self, label: str, size: float) -> None:
        super().__init__()
        self.label = label
        self.size = size

    def wrap(self, available_width, _available_height):
        self.width = available_width
        return available_width, 13

    def draw(self) -> None:
        self.canv.setLineWidth(1.2)
        self.canv.setStrokeColor(INK)
        self.canv.rect(0, 0, 13, 13)
        layout.draw_line(self.canv, self.width, 2, self.label, self.size, align="right")


class Handouts:
    """Lays out the handouts of one export (one language, one paper size)."""

    def __init__(
        self, view, lang: str, paper: str, vocabulary: Vocabulary, words: Translations
    ) -> None:
        self.view = view
        self.lang = lang
        self.paper = paper
        self.vocabulary = vocabulary
        self.words = words
        self.scribe = Scribe()
        self.styles = layout.make_styles(BODY)
        # Table cells of a handout are body text too: full size.
        for name, font in (("cell", layout.LATIN), ("cell_bold", layout.LATIN_BOLD)):
            self.styles[name] = layout.ParagraphStyle(
                name, parent=self.styles["body"], fontName=font, leading=BODY * 1.2, spaceAfter=0
            )
        self.width = layout.paper_size(paper)[0] - 2 * MARGIN
        self.ask = self.t("ask_clinician")
        self.stamps: dict = {}

    def t(self, key: str, **values) -> str:
        return self.words.text(key, self.lang, **values)

    def m(self, text: str | None) -> str:
        """Markup of text (escaped, a font per script)."""
        return self.scribe.text(text)

    def p(self, text: str | None, style: str = "body"):
        return para(self.m(text), self.styles[style])

    # ------------------------------------------------------------------ parts

    def story(self, entry: Entry, number: int) -> list:
        types = labels(self.vocabulary, "exercise_types", entry.exercise_types, self.lang)
        record = self.view.record(entry.record.id)
        # What every handout repeats is stamped: laid out once, stored once as a PDF form.
        stamp = self.stamp
        story: list = [StartGroup(entry.entry_id, "; ".join(types))]
        story.append(
            stamp("top", lambda: [self.p(self.t("handout_title"), "title"), self.fill_in()])
        )
        story.append(stamp("what", lambda: [self.p(self.t("what_you_do"), "h1")]))
        doing = self.m(self.t("what_you_do_text")) + " <b>" + self.m("; ".join(types)) + "</b>"
        if entry.arm:
            doing += " (" + self.m(entry.arm) + ")"
        story.append(para(doing, self.styles["body"]))
        story.append(stamp("dose", lambda: [self.p(self.t("dose_heading"), "h1")]))
        story.append(self.dose_table(entry, types))
        story.append(Spacer(1, 2 * mm))
        condition = entry.population.condition
        story.append(stamp(f"stop-{condition}", lambda: self.stop_box(entry)))
        story.append(CondPageBreak(90 * mm))
        plan = (layout.upper(entry.dosage.sessions_per_week), layout.upper(entry.dosage.weeks))
        story.append(stamp(f"log-{plan[0]}-{plan[1]}", lambda: self.session_log(entry)))
        story.append(stamp("notes", lambda: [self.p(self.t("notes_heading"), "h2"), self.lines(3)]))
        story.append(KeepTogether(self.source(entry, record)))
        return story

    def stamp(self, name: str, make) -> layout.Stamp:
        def stacked() -> Table:
            table = Table([[make()]], colWidths=[self.width])
            table.setStyle(
                TableStyle(
                    [
                        ("LEFTPADDING", (0, 0), (-1, -1), 0),
                        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                        ("TOPPADDING", (0, 0), (-1, -1), 0),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                    ]
                )
            )
            return table

        return layout.Stamp(name, stacked, self.stamps)

    def fill_in(self) -> Table:
        cell = self.styles["body"]
        rows = [
            [
                para(self.m(self.t("field_patient")), cell),
                "",
                para(self.m(self.t("field_start")), cell),
                "",
            ],
            [
                para(self.m(self.t("field_clinician")), cell),
                "",
                para(self.m(self.t("field_contact")), cell),
                "",
            ],
        ]
        w = self.width
        table = Table(
            rows, colWidths=[0.15 * w, 0.35 * w, 0.23 * w, 0.27 * w], rowHeights=[8 * mm] * 2
        )
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                    ("LINEBELOW", (1, 0), (1, -1), 0.8, INK),
                    ("LINEBELOW", (3, 0), (3, -1), 0.8, INK),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        return table

    def cell(self, text: str, style: str, width: float):
        """Latin text that fits on one line as a plain cell string (cheap to lay out),
        anything else as a Paragraph; the table's FONT matches the style."""
        pieces = layout.runs(text)
        if len(pieces) == 1 and pieces[0][0] == "":
            font = self.styles[style].fontName
            if layout.pdfmetrics.stringWidth(pieces[0][1], font, BODY) <= width - 14:
                return pieces[0][1]
        return self.p(text, style)

    def dose_table(self, entry: Entry, types: list[str]) -> Table:
        dosage = entry.dosage
        minutes = dosage.minutes_per_session
        weeks = dosage.weeks
        rows = [
            ("how_often", frequency_text(dosage, self.words, self.lang, "times_a_week")),
            ("how_hard", intensity_text(dosage.intensity, self.vocabulary, self.lang)),
            (
                "how_long",
                None if minutes is None else self.t("minutes_each", x=layout.amount(minutes)),
            ),
            ("exercise_type", ", ".join(types)),
            (
                "programme_length",
                None if weeks is None else self.t("weeks", x=layout.amount(weeks)),
            ),
            ("sets_reps", volume_text(dosage, self.words, self.lang)),
            ("where_how", delivery_text(dosage, self.vocabulary, self.lang)),
        ]
        widths = [0.34 * self.width, 0.66 * self.width]
        data = [
            [
                self.cell(self.t(key), "cell_bold", widths[0]),
                self.cell(value if value else self.ask, "cell", widths[1]),
            ]
            for key, value in rows
        ]
        table = Table(data, colWidths=widths)
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (0, -1), layout.LATIN_BOLD, BODY, BODY * 1.2),
                    ("FONT", (1, 0), (1, -1), layout.LATIN, BODY, BODY * 1.2),
                    ("BACKGROUND", (0, 0), (0, -1), BAND),
                    ("GRID", (0, 0), (-1, -1), 0.8, INK),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                    ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ]
            )
        )
        return table

    def stop_box(self, entry: Entry) -> list:
        lines, _sources = self.words.stops(entry.population.condition, self.lang)
        inner = [self.p(self.t("stop_heading"), "box_heading")]
        inner += [para("\u2022 " + self.m(line), self.styles["bullet"]) for line in lines]
        inner.append(para("<b>" + self.m(self.t("stop_guidance")) + "</b>", self.styles["body"]))
        inner.append(self.p(self.t("stop_reviewed") + " ____________________", "cell"))
        box = Table([[inner]], colWidths=[self.width])
        box.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 2.5, INK),
                    ("LEFTPADDING", (0, 0), (-1, -1), 10),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ]
            )
        )
        return [box]

    def session_log(self, entry: Entry) -> list:
        dosage = entry.dosage
        per_week = layout.upper(dosage.sessions_per_week)
        weeks = layout.upper(dosage.weeks)
        head = [self.p(self.t("log_heading"), "h1"), self.p(self.t("log_intro"))]
        if not per_week:
            return [*head, self.p(self.t("log_unplanned")), self.blank_log()]
        planned = math.ceil(per_week)
        sessions = min(planned, LOG_MAX_SESSIONS)
        notes = []
        if sessions < planned:
            notes.append(self.p(self.t("log_capped_sessions", shown=sessions, planned=planned)))
        if weeks:
            total_weeks = math.ceil(weeks)
            rows = min(total_weeks, LOG_MAX_WEEKS)
            if rows < total_weeks:
                notes.append(self.p(self.t("log_capped", shown=rows, weeks=total_weeks)))
            week_labels = [str(week) for week in range(1, rows + 1)]
        else:
            notes.append(self.p(self.ask + ": " + self.t("programme_length")))
            week_labels = [""] * LOG_BLANK_ROWS
        size = 13 if sessions <= 4 else 11
        header_style = layout.ParagraphStyle(
            "loghead", parent=self.styles["cell_bold"], fontSize=size, leading=size * 1.2
        )
        header = [para(self.m(self.t("log_week")), header_style)]
        for number in range(1, sessions + 1):
            header.append(para(self.m(self.t("log_session", n=number)), header_style))
        pain = self.t("log_pain") + " ___/10"
        rows_data = [header]
        for label in week_labels:
            rows_data.append([label] + [SessionCell(pain, size - 1) for _ in range(sessions)])
        week_width = 0.12 * self.width
        column = (self.width - week_width) / sessions
        table = Table(
            rows_data,
            colWidths=[week_width] + [column] * sessions,
            repeatRows=1,
            rowHeights=[None] + [8.5 * mm] * len(week_labels),
        )
        table.setStyle(self._log_style())
        return [*head, *notes, table]

    def blank_log(self) -> Table:
        style = self.styles["cell_bold"]
        header = [para(self.m(self.t(key)), style) for key in ("log_date", "log_done", "log_pain")]
        rows = [header] + [["", TickBox(), "___ /10"] for _ in range(LOG_BLANK_ROWS)]
        w = self.width
        table = Table(
            rows,
            colWidths=[0.45 * w, 0.2 * w, 0.35 * w],
            repeatRows=1,
            rowHeights=[None] + [10 * mm] * LOG_BLANK_ROWS,
        )
        table.setStyle(self._log_style())
        return table

    @staticmethod
    def _log_style() -> TableStyle:
        return TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), BAND),
                ("GRID", (0, 0), (-1, -1), 0.6, RULE),
                ("BOX", (0, 0), (-1, -1), 1, INK),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("FONT", (0, 1), (-1, -1), layout.LATIN_BOLD, 13),
                ("ALIGN", (0, 1), (0, -1), "CENTER"),
            ]
        )

    def lines(self, count: int) -> Table:
        table = Table([[""]] * count, colWidths=[self.width], rowHeights=[10 * mm] * count)
        table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.6, RULE)]))
        return table

    def source(self, entry: Entry, record) -> list:
        parts = [
            self.p(self.t("source_heading"), "h2"),
            self.p(reference_text(record, entry.record), "small"),
        ]
        doi = entry.record.doi
        if doi:
            parts.append(para("DOI: " + self.scribe.link(doi), self.styles["small"]))
        _lines, sources = self.words.stops(entry.population.condition, self.lang)
        parts.append(self.p(self.t("stop_sources", sources="; ".join(sources)), "note"))
        return parts

    # ------------------------------------------------------------------ document

    def build(
        self, path: Path, entries: Iterable[Entry], invariant: bool, name: Path | None = None
    ) -> dict[str, int]:
        doc = layout.ProtocatDoc(
            path,
            paper=self.paper,
            title=self.t("handout_header"),
            subject=self.t("handout_subject"),
            keywords=["exercise", "handout", "protocat"],
            lang=self.lang,
            header=self.t("handout_header"),
            footer="protocat",
            page_label=self.t("page"),
            margins=MARGIN,
            invariant=invariant,
        )

        def parts() -> Iterator[list]:
            """Each handout's flowables, made only when the build reaches them."""
            number = 0
            for number, entry in enumerate(entries, 1):
                story = self.story(entry, number)
                yield [PageBreak(), *story] if number > 1 else story
            if number == 0:
                yield [StartGroup("none", ""), self.p(self.t("handouts_none"))]

        story = StoryStream(parts())
        layout.build(
            doc,
            story,
            lambda exc: ExportError(f"{name or path}: cannot lay out the handouts: {exc}"),
        )
        return doc.page_counts()


def _prepare(view, paper, lang, entry_ids, types, outcomes):
    paper, lang = paper or "a4", lang or "en"  # the CLI passes None for a flag not given
    layout.paper_size(paper)
    layout.check_lang(lang)
    entries, notes = select_entries(view, entry_ids or (), types or (), outcomes or ())
    # Look at the first entry before any file is written: filters that match nothing fail.
    first = next(entries, None)
    if (entry_ids or types or outcomes) and first is None:
        raise UsageError(
            "no entry with an exercise intervention matches the filters; no handouts written"
        )
    handouts = Handouts(view, lang, paper, default_vocabulary(), default_translations())
    chosen = Counted(itertools.chain(() if first is None else (first,), entries))
    return handouts, chosen, notes


class Counted:
    """An iterator that counts the items it has handed out (the report's rows)."""

    def __init__(self, items: Iterator[Entry]) -> None:
        self._items = items
        self.count = 0

    def __iter__(self) -> Counted:
        return self

    def __next__(self) -> Entry:
        item = next(self._items)
        self.count += 1
        return item


def _long_note(pages: dict[str, int]) -> list[str]:
    long = sorted(name for name, count in pages.items() if count > 2)
    if not long:
        return []
    return [f"{len(long)} handout(s) run over two pages: {', '.join(long[:5])}"]


def write(
    view,
    path: str | Path,
    *,
    paper: str = "a4",
    lang: str = "en",
    entry_ids: Sequence[str] = (),
    types: Sequence[str] = (),
    outcomes: Sequence[str] = (),
    invariant: bool = True,
    **_options,
) -> ExportReport:
    """Write the handouts of ``view``'s exercise entries (or those the filters choose)."""
    handouts, entries, notes = _prepare(view, paper, lang, entry_ids, types, outcomes)
    with atomic_write(path) as tmp:
        pages = handouts.build(tmp, entries, invariant, Path(path))
    notes += _long_note(pages)
    return ExportReport(
        path=str(path), rows=entries.count, notes=tuple(notes) + handouts.scribe.note()
    )


def handout_filename(entry: Entry) -> str:
    """``<entry id>_<title>.pdf``, made safe: the title is untrusted text."""
    return safe_filename(f"{entry.entry_id}_{entry.record.title}", SUFFIX, max_length=90)


def write_each(
    view,
    folder: str | Path,
    *,
    paper: str = "a4",
    lang: str = "en",
    entry_ids: Sequence[str] = (),
    types: Sequence[str] = (),
    outcomes: Sequence[str] = (),
    invariant: bool = True,
    **_options,
) -> ExportReport:
    """Write one PDF a handout into ``folder``, each named by ``handout_filename``."""
    handouts, entries, notes = _prepare(view, paper, lang, entry_ids, types, outcomes)
    folder = Path(folder)
    for entry in entries:
        path = folder / handout_filename(entry)
        with atomic_write(path) as tmp:
            notes += _long_note(handouts.build(tmp, [entry], invariant, path))
    return ExportReport(
        path=str(folder), rows=entries.count, notes=tuple(notes) + handouts.scribe.note()
    )
