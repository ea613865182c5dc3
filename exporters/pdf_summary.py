"""The evidence summary: what a clinician reads to choose a protocol.

A cover (scope, date, counts, what the codes mean), an evidence map of exercise
types against outcome domains, one section per exercise type (a table of its
entries, then a card per entry), the entries that name no exercise (and so have
no handout), and the references. Every page has a running header and "Page N of M";
the outline mirrors the sections.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, PageBreak, Spacer, Table, TableStyle

from exporters import pdf_layout as layout
from exporters.files import ExportReport, atomic_write
from exporters.pdf_content import fitt, labels, outcome_texts, population_text, reference_text
from exporters.pdf_layout import BAND, INK, RULE, Heading, Scribe, para
from exporters.translations import Translations, default_translations
from protocols.errors import ExportError
from protocols.model import Entry
from protocols.vocabulary import Vocabulary, codes, default_vocabulary

NAME = "pdf"
SUFFIX = ".pdf"

BODY = 10
# Tables are cut into chunks: reportlab splits one long table in time that grows
# with the square of its rows, many short ones in linear time.
TABLE_CHUNK = 40
CERT_ITEMS = 19
# A table row cannot break across pages: record text in a cell is cut to this many
# characters (the card below the table prints it whole).
CELL_LIMIT = 200


class Summary:
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
        self.width = layout.paper_size(paper)[0] - 2 * 18 * mm
        self.not_reported = self.t("not_reported")
        self._shared: dict[str, object] = {}
        self.label_font = layout.LATIN_BOLD if lang == "en" else layout.CHINESE
        cell = self.styles["cell"]
        self.card_title = layout.ParagraphStyle(
            "card_title",
            parent=self.styles["cell_bold"],
            backColor=BAND,
            borderPadding=(3, 4, 3, 4),
            spaceBefore=10,
            spaceAfter=3,
            keepWithNext=1,
            leftIndent=4,
            rightIndent=4,
        )
        self.card_body = layout.ParagraphStyle(
            "card_body",
            parent=cell,
            leading=cell.fontSize * 1.4,
            leftIndent=4,
            rightIndent=4,
            borderWidth=0.6,
            borderColor=RULE,
            borderPadding=(3, 4, 4, 4),
            spaceAfter=8,
        )

    def t(self, key: str, **values) -> str:
        return self.words.text(key, self.lang, **values)

    def m(self, text: str | None) -> str:
        return self.scribe.text(text)

    def p(self, text: str | None, style: str = "body"):
        return para(self.m(text), self.styles[style])

    def label(self, kind: str, code: str) -> str:
        return self.vocabulary.label(kind, code, self.lang)

    def heading(
        self, text: str, style: str, level: int, key: str, section: str | None = None
    ) -> Heading:
        return Heading(
            self.m(text), self.styles[style], outline=text, level=level, key=key, section=section
        )

    # ------------------------------------------------------------------ story

    def story(self) -> list:
        entries = list(self.view.entries())
        records = self.records = {record.id: record for record in self.view.records()}
        # References are numbered in the catalogue's (id) order.
        self.ref_numbers = {record_id: n for n, record_id in enumerate(records, 1)}
        exercise = [e for e in entries if e.exercise_types]
        other = [e for e in entries if not e.exercise_types]
        story = self.cover(exercise, other)
        story += self.evidence_map(exercise)
        story += self.type_sections(exercise)
        if other:
            story += self.no_exercise(other)
        story += self.references(records)
        return story

    def cover(self, exercise: list[Entry], other: list[Entry]) -> list:
        counts = self.view.counts()
        story: list = [
            self.heading(
                self.t("summary_title"), "title", 0, "about", section=self.t("about_heading")
            ),
            self.p(
                self.t(
                    "cover_scope",
                    records=counts.records,
                    entries=counts.entries,
                    exercise=len(exercise),
                    date=self.view.as_of(),
                )
            ),
        ]
        inputs = self.view.inputs()
        if inputs:
            story.append(self.p(self.t("cover_inputs", files=", ".join(inputs)), "small"))
        rows = [
            ("count_records", counts.records),
            ("count_entries", counts.entries),
            ("count_exercise", len(exercise)),
            ("count_other", len(other)),
        ]
        table = Table(
            [[self.p(self.t(key), "cell"), self.p(str(value), "cell_bold")] for key, value in rows],
            colWidths=[0.5 * self.width, 0.15 * self.width],
            hAlign="LEFT",
        )
        table.setStyle(
            TableStyle(
                [("GRID", (0, 0), (-1, -1), 0.5, RULE), ("BACKGROUND", (0, 0), (0, -1), BAND)]
            )
        )
        story += [Spacer(1, 3 * mm), table]
        story.append(self.heading(self.t("codes_heading"), "h2", 1, "codes"))
        story += [self.p(self.t(key)) for key in ("codes_fitt", "codes_cert", "codes_status")]
        used_types = sorted(
            {c for e in exercise for c in e.exercise_types}, key=codes("exercise_types").index
        )
        used_outcomes = sorted(
            {o.domain for e in exercise + other for o in e.outcomes}, key=codes("outcomes").index
        )
        for kind, used in (("exercise_types", used_types), ("outcomes", used_outcomes)):
            if not used:
                continue
            header = [
                self.p(self.t("codes_code"), "cell_bold"),
                self.p(self.t("codes_label"), "cell_bold"),
            ]
            data = [header] + [
                [self.p(code, "cell"), self.p(self.label(kind, code), "cell")] for code in used
            ]
            story.append(Spacer(1, 2 * mm))
            story.append(self._grid(data, [0.3 * self.width, 0.7 * self.width]))
        if not exercise and not other:
            story.append(self.p(self.t("empty_catalogue")))
        return story

    def evidence_map(self, exercise: list[Entry]) -> list:
        story: list = [
            PageBreak(),
            self.heading(self.t("map_heading"), "h1", 0, "map", section=self.t("map_heading")),
        ]
        cells: Counter = Counter()
        for entry in exercise:
            for code in entry.exercise_types:
                for domain in {o.domain for o in entry.outcomes}:
                    cells[code, domain] += 1
        if not cells:
            return [*story, self.p(self.t("map_empty"))]
        rows = [c for c in codes("exercise_types") if any(c2 == c for (c2, _) in cells)]
        cols = [d for d in codes("outcomes") if any(d2 == d for (_, d2) in cells)]
        story.append(self.map_drawing(rows, cols, cells))
        story.append(self.p(self.t("map_caption"), "small"))
        return story

    def map_drawing(self, rows: list[str], cols: list[str], cells: Counter) -> Drawing:
        size = 8
        row_labels = [layout.shorten(self.label("exercise_types", r), 34) for r in rows]
        col_labels = [layout.shorten(self.label("outcomes", c), 30) for c in cols]
        label_width = min(0.4 * self.width, max(layout.text_width(t, size) for t in row_labels) + 8)
        cell = min(30.0, (self.width - label_width) / len(cols))
        top = max(layout.text_width(t, size) for t in col_labels) * math.sin(math.radians(55)) + 12
        height = top + cell * len(rows) + 4
        drawing = Drawing(self.width, height)
        most = max(cells.values())
        for i, text in enumerate(row_labels):
            y = height - top - (i + 0.5) * cell
            drawing.add(
                Line(
                    label_width,
                    y,
                    label_width + cell * len(cols),
                    y,
                    strokeColor=BAND,
                    strokeWidth=0.5,
                )
            )
            for font, run, x, _w in layout.string_runs(text, 0, y - size / 3, size):
                drawing.add(
                    String(x, y - size / 3, run, fontName=font, fontSize=size, fillColor=INK)
                )
        for j, text in enumerate(col_labels):
            x = label_width + (j + 0.5) * cell
            drawing.add(
                Line(
                    x,
                    height - top + 4,
                    x,
                    height - top - cell * len(rows),
                    strokeColor=BAND,
                    strokeWidth=0.5,
                )
            )
            group = Group()
            for font, run, at, _w in layout.string_runs(text, 0, 0, size):
                group.add(String(at, 0, run, fontName=font, fontSize=size, fillColor=INK))
            group.translate(x - 2, height - top + 6)
            group.rotate(55)
            drawing.add(group)
        for i, row in enumerate(rows):
            for j, col in enumerate(cols):
                count = cells.get((row, col), 0)
                if not count:
                    continue
                share = count / most
                x = label_width + (j + 0.5) * cell
                y = height - top - (i + 0.5) * cell
                radius = max(3.5, 0.46 * cell * math.sqrt(share))
                shade = colors.Color(0.85 - 0.8 * share, 0.9 - 0.7 * share, 1 - 0.45 * share)
                drawing.add(
                    Circle(
                        x,
                        y,
                        radius,
                        fillColor=shade,
                        strokeColor=colors.HexColor("#1F3B73"),
                        strokeWidth=0.5,
                    )
                )
                text_color = colors.white if share > 0.5 else INK
                digits = str(count)
                digits_size = min(7.0, radius * 1.1) if radius > 5 else 6.0
                drawing.add(
                    String(
                        x,
                        y - digits_size / 3,
                        digits,
                        fontName=layout.LATIN_BOLD,
                        fontSize=digits_size,
                        fillColor=text_color if radius > 5 else INK,
                        textAnchor="middle",
                    )
                )
        return drawing

    # ------------------------------------------------------------------ sections

    def type_sections(self, exercise: list[Entry]) -> list:
        story: list = [PageBreak(), self.heading(self.t("types_heading"), "h1", 0, "types")]
        order = codes("exercise_types")
        primary = {e.entry_id: min(e.exercise_types, key=order.index) for e in exercise}
        # Cards are numbered in the order they are printed: section by section.
        self.cards: dict[str, int] = {}
        by_type = {code: [e for e in exercise if code in e.exercise_types] for code in order}
        for code in order:
            for entry in by_type[code]:
                if primary[entry.entry_id] == code:
                    self.cards[entry.entry_id] = len(self.cards) + 1
        for code in order:
            members = by_type[code]
            if not members:
                continue
            name = self.label("exercise_types", code)
            story.append(CondPageBreak(60 * mm))
            story.append(self.heading(name, "h2", 1, f"type-{code}", section=name))
            story.append(self.p(self.t("section_count", n=len(members)), "small"))
            story += self.entry_tables(members)
            story.append(Spacer(1, 4 * mm))
            for entry in members:
                if primary[entry.entry_id] == code:
                    story.extend(self.card(entry))
        return story

    def entry_tables(self, members: list[Entry]) -> list[Table]:
        header = [
            self.p(self.t(key), "cell_bold")
            for key in (
                "col_card",
                "col_study",
                "col_population",
                "col_design",
                "col_n",
                "col_dose",
            )
        ]
        widths = [w * self.width for w in (0.07, 0.36, 0.2, 0.14, 0.07, 0.16)]
        rows = []
        for entry in members:
            number = self.cards[entry.entry_id]
            dosage = entry.dosage
            dose = " / ".join(
                layout.amount(v) or "\u2013"
                for v in (dosage.sessions_per_week, dosage.minutes_per_session, dosage.weeks)
            )
            year = f" ({entry.record.year})" if entry.record.year else ""
            # An entry of two exercise types has a row in two sections: the same cells.
            rows.append(
                [
                    self.shared_markup(
                        f'<a href="#card-{number}" color="{layout.LINK_MARKUP}">{number}</a>'
                    ),
                    self.shared_markup(
                        self.m(layout.shorten(entry.record.title, CELL_LIMIT) + year)
                    ),
                    self.shared(population_text(entry.population, self.vocabulary, self.lang)),
                    self.shared(self.label("design", entry.design)),
                    # Numbers only: plain cell strings, far cheaper to lay out than Paragraphs.
                    str(entry.population.sample_size)
                    if entry.population.sample_size is not None
                    else "\u2013",
                    dose,
                ]
            )
        return [
            self._grid([header] + rows[start : start + TABLE_CHUNK], widths)
            for start in range(0, len(rows), TABLE_CHUNK)
        ]

    def shared(self, text: str | None):
        """One Paragraph for each distinct cell text: populations and designs repeat across
        thousands of rows, and a Paragraph can be drawn in many cells of one width."""
        return self.shared_markup(self.m(text or "\u2013"))

    def shared_markup(self, markup: str):
        """One cell Paragraph for each distinct markup (see ``shared``)."""
        found = self._shared.get(markup)
        if found is None:
            found = self._shared[markup] = para(markup, self.styles["cell"])
        return found

    def _grid(self, data: list, widths: list[float]) -> Table:
        table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), BAND),
                    ("GRID", (0, 0), (-1, -1), 0.4, RULE),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                    ("FONT", (0, 1), (-1, -1), layout.LATIN, BODY * 0.85, BODY * 1.1),
                ]
            )
        )
        return table

    def card(self, entry: Entry) -> list:
        """A card: a title band and a box of labelled lines (two flowables a card keep a
        catalogue of thousands of entries quick to lay out)."""
        number = self.cards[entry.entry_id]
        record = self.records.get(entry.record.id)
        year = f" ({entry.record.year})" if entry.record.year else ""
        title = f'<a name="card-{number}"/>{number}. ' + self.m(entry.record.title + year)
        parts = fitt(entry, self.vocabulary, self.words, self.lang)
        dose = " \u00b7 ".join(
            f"{self.t(key)}: {value}" for key, value in parts if value is not None
        )
        dose_markup = " \u00b7 ".join(
            f"{self.m(self.t(key))}: {self.m(value)}" for key, value in parts if value is not None
        )
        missing = [self.t(key) for key, value in parts if value is None]
        note = self.t("fitt_not_reported", fields=", ".join(missing)) if missing else None
        design = self.label("design", entry.design)
        if entry.population.sample_size is not None:
            design += "; " + self.t("sample_size", n=entry.population.sample_size)
        population = population_text(entry.population, self.vocabulary, self.lang)
        outcomes = "; ".join(outcome_texts(entry, self.vocabulary, self.lang))
        rows: list[tuple[str, str, str | None]] = [
            ("card_population", population or self.not_reported, None)
        ]
        if dose:
            rows.append(("card_dose", dose, dose_markup))
        rows += [
            ("card_outcomes", outcomes or self.not_reported, None),
            ("card_design", design, None),
        ]
        lines = [self.line(key, text, markup) for key, text, markup in rows]
        if note is not None:
            # The note is in italics: on a line of its own, or as the dose when none is known.
            italic = layout.Line(None, None, note, f"<i>{self.m(note)}</i>", layout.LATIN_ITALIC)
            if dose:
                lines.insert(2, italic)
            else:
                lines.insert(
                    1,
                    italic._replace(
                        label=self.t("card_dose"), label_markup=self.m(self.t("card_dose"))
                    ),
                )
        if entry.comparators:
            compared = labels(self.vocabulary, "comparators", entry.comparators, self.lang)
            lines.append(self.line("card_comparators", "; ".join(compared)))
        if entry.arm:
            lines.append(self.line("card_design", self.t("arm", arm=entry.arm)))
        lines.append(self.line("card_cert", self.cert(entry)))
        reference = f"[{self.ref_numbers.get(entry.record.id, '?')}] "
        reference += reference_text(record, entry.record, with_title=False)
        if entry.record.doi:
            markup = f"[{self.ref_numbers.get(entry.record.id, '?')}] "
            markup += self.m(reference_text(record, entry.record, with_title=False))
            markup += " " + self.scribe.link(entry.record.doi, "doi:" + entry.record.doi)
            lines.append(self.line("card_reference", None, markup))
        else:
            lines.append(self.line("card_reference", reference))
        lines.append(self.line("card_review", entry.review_status + " \u00b7 " + entry.entry_id))
        body = layout.LabelledLines(lines, self.card_body)
        if layout.has_cid("<br/>".join(line.as_markup() for line in lines)):
            # Long CJK runs wrap between any two characters: the whole box as one Paragraph.
            body = body.original()
        plain_title = f"{number}. {entry.record.title}{year}"
        if layout.is_plain(plain_title):
            # Without markup the title is a one-font paragraph: far quicker to lay out.
            title_flowable = layout.anchored(plain_title, self.card_title, f"card-{number}")
        else:
            title_flowable = para(title, self.card_title)
        return [title_flowable, body]

    def line(self, key: str, text: str | None, markup: str | None = None) -> layout.Line:
        """A card line: its label, the text (when plain) and the markup of its value."""
        label = self.t(key)
        if markup is None:
            markup = self.m(text)
        plain = text if layout.is_plain(text) else None
        return layout.Line(label, self.m(label), plain, markup)

    def cert(self, entry: Entry) -> str:
        reporting = entry.reporting
        if not reporting.cert_reported and not reporting.cert_missing:
            return self.t("cert_not_assessed")
        text = self.t("cert_counts", reported=len(reporting.cert_reported), total=CERT_ITEMS)
        if reporting.cert_missing:
            items = "; ".join(
                f"{code} {self.label('cert', code)}" for code in reporting.cert_missing
            )
            text += " " + self.t("cert_missing", items=items)
        return text

    def no_exercise(self, other: list[Entry]) -> list:
        name = self.t("no_exercise_heading")
        story: list = [
            CondPageBreak(50 * mm),
            self.heading(name, "h1", 0, "no-exercise", section=name),
        ]
        story.append(self.p(self.t("no_exercise_intro")))
        header = [
            self.p(self.t(k), "cell_bold") for k in ("col_study", "col_design", "card_outcomes")
        ]
        rows = [
            [
                self.p(
                    layout.shorten(entry.record.title, CELL_LIMIT)
                    + (f" ({entry.record.year})" if entry.record.year else ""),
                    "cell",
                ),
                self.p(self.label("design", entry.design), "cell"),
                self.p(
                    "; ".join(outcome_texts(entry, self.vocabulary, self.lang)) or "\u2013", "cell"
                ),
            ]
            for entry in other
        ]
        widths = [0.5 * self.width, 0.2 * self.width, 0.3 * self.width]
        story += [
            self._grid([header] + rows[s : s + TABLE_CHUNK], widths)
            for s in range(0, len(rows), TABLE_CHUNK)
        ]
        return story

    def references(self, records: dict) -> list:
        name = self.t("references_heading")
        story: list = [PageBreak(), self.heading(name, "h1", 0, "references", section=name)]
        style = layout.ParagraphStyle(
            "ref", parent=self.styles["small"], leftIndent=24, firstLineIndent=-24
        )
        for record_id, record in records.items():
            text = f"[{self.ref_numbers[record_id]}] " + self.m(reference_text(record, record))
            if record.doi:
                text += " " + self.scribe.link(record.doi, "doi:" + record.doi)
            # The source's own classification (the portal's 中图分类号 with its Chinese label).
            classes = [
                " ".join(part for part in (code.scheme.upper(), code.code, code.label) if part)
                for code in record.subject_codes
            ]
            if classes:
                text += " " + self.m("(" + "; ".join(classes) + ")")
            story.append(para(text, style))
        return story

    def build(self, path: Path, invariant: bool, name: Path | None = None) -> int:
        doc = layout.ProtocatDoc(
            path,
            paper=self.paper,
            title=self.t("summary_title"),
            subject=self.t("summary_subject"),
            keywords=["exercise therapy", "evidence summary", "FITT", "CERT", "protocat"],
            lang=self.lang,
            header=self.t("summary_header"),
            footer=self.t("as_of", date=self.view.as_of()),
            page_label=self.t("page"),
            invariant=invariant,
        )
        layout.build(
            doc,
            self.story(),
            lambda exc: ExportError(f"{name or path}: cannot lay out the summary: {exc}"),
        )
        return doc.page_counts().get("all", 0)


def write(
    view,
    path: str | Path,
    *,
    paper: str = "a4",
    lang: str = "en",
    invariant: bool = True,
    **_options,
) -> ExportReport:
    """Write the evidence summary of ``view`` to ``path``; options it does not use are ignored."""
    paper, lang = paper or "a4", lang or "en"  # the CLI passes None for a flag not given
    layout.paper_size(paper)
    layout.check_lang(lang)
    summary = Summary(view, lang, paper, default_vocabulary(), default_translations())
    with atomic_write(path) as tmp:
        summary.build(tmp, invariant, Path(path))
    counts = view.counts()
    return ExportReport(path=str(path), rows=counts.entries, notes=summary.scribe.note())
