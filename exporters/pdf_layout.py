"""What the two PDF exporters share: fonts per run of text, styles, the page template.

Fonts. Only reportlab's built-in fonts are used, so a PDF looks the same from any
machine and needs no font file: Helvetica for text its WinAnsi encoding covers
(Latin-1 and the Windows-1252 extras), and the Adobe CID fonts reportlab ships
metrics for, for what Helvetica lacks: ``STSong-Light`` (Adobe-GB1: Simplified and
most Traditional Chinese, Japanese kana, Greek, Cyrillic, full-width forms),
``HeiseiMin-W3`` (Japanese kanji GB lacks) and ``HYSMyeongJo-Medium`` (Korean).
CID fonts are not embedded: the PDF viewer supplies the face, as Acrobat and
poppler do with their CJK font packs. Scripts no built-in font covers (Arabic,
Hebrew, Devanagari, Thai, emoji ...) cannot be drawn with real glyphs; each such
run prints as ``[?]`` and the export report counts them, rather than drawing
black boxes. Latin text always stays in Helvetica, even inside Chinese text,
because Latin letters in a CJK font look poor.

Pages. "Page N of M" is drawn in one pass: each page draws "Page N of " followed
by a PDF form XObject named after its page group, and the forms are written once
the totals are known (at the end of the build). A page group is the whole
document for the summary and one handout each for the handouts.
"""

from __future__ import annotations

import re
import unicodedata
import weakref
from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import quote

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph
from reportlab.platypus.doctemplate import LayoutError

from exporters.escaping import markup_text
from protocols.errors import UsageError

LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
CHINESE = "STSong-Light"
JAPANESE = "HeiseiMin-W3"
KOREAN = "HYSMyeongJo-Medium"
CID_FONTS = (CHINESE, JAPANESE, KOREAN)
UNCOVERED = "[?]"

PAPERS = {"a4": A4, "letter": LETTER}
LANGS = ("en", "zh")
PDF_LANG = {"en": "en", "zh": "zh-CN"}

INK = colors.black
RULE = colors.HexColor("#555555")
BAND = colors.HexColor("#E6E6E6")
LINK = colors.HexColor("#0B3D91")
# The link colour as Paragraph markup: the CSS rgb() form is the one reportlab's colour
# parser reads first; "#0B3D91" is tried against several other notations before it.
LINK_MARKUP = "rgb(11,61,145)"

# Record text is untrusted: a DOI becomes a link only when it looks like one.
_DOI = re.compile(r"^10\.\d{3,9}/\S+$")


def paper_size(paper: str) -> tuple[float, float]:
    try:
        return PAPERS[paper]
    except KeyError:
        raise UsageError(f"unknown paper {paper!r}; use one of: {', '.join(PAPERS)}") from None


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise UsageError(f"unknown language {lang!r}; use one of: {', '.join(LANGS)}")
    return lang


@lru_cache(maxsize=1)
def register_fonts() -> None:
    """Register the CID fonts once; each is its own bold and italic (CID fonts have none)."""
    for name in CID_FONTS:
        pdfmetrics.registerFont(UnicodeCIDFont(name))
        pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)


# --------------------------------------------------------------------------- text runs


def _encodes(ch: str, codec: str) -> bool:
    try:
        ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


@lru_cache(maxsize=65536)
def font_for(ch: str) -> str | None:
    """The font a character is drawn in: "" for the base (Latin) font, None when dropped,
    UNCOVERED when no built-in font has it."""
    if _encodes(ch, "cp1252"):
        return ""
    category = unicodedata.category(ch)
    if category in ("Cc", "Cf", "Mn", "Me", "Cs", "Co", "Cn"):
        # Invisible controls, direction marks, joiners and marks no font here can attach.
        return None
    if category == "Zs" or ch in "\u2028\u2029":
        return " "
    # The codecs stand for the fonts' character collections (Adobe-GB1 covers GBK, ...).
    if _encodes(ch, "gbk"):
        return CHINESE
    if _encodes(ch, "shift_jis"):
        return JAPANESE
    if _encodes(ch, "euc_kr"):
        return KOREAN
    return UNCOVERED


def runs(text: str) -> list[tuple[str, str]]:
    """``text`` cut into (font, text) runs; font "" is the paragraph's own font."""
    text = unicodedata.normalize("NFC", text)
    if text.isascii():
        return [("", text)] if text else []
    out: list[tuple[str, str]] = []
    for ch in text:
        font = font_for(ch)
        if font is None:
            continue
        if font == " ":
            font, ch = "", " "
        elif font == UNCOVERED:
            if out and out[-1][0] == UNCOVERED:
                continue
            ch = UNCOVERED
        if out and out[-1][0] == font:
            out[-1] = (font, out[-1][1] + ch)
        else:
            out.append((font, ch))
    return out


class Scribe:
    """Turns untrusted text into Paragraph markup, and counts what it could not draw."""

    def __init__(self) -> None:
        register_fonts()
        self.uncovered_runs = 0

    def text(self, value: str | None) -> str:
        """Escaped markup of ``value``, each non-Latin run in a font that has its glyphs."""
        if not value:
            return ""
        parts = []
        for font, run in runs(value):
            if font == "":
                parts.append(markup_text(run))
            elif font == UNCOVERED:
                self.uncovered_runs += 1
                parts.append(UNCOVERED)
            else:
                parts.append(f'<font name="{font}">{markup_text(run)}</font>')
        return "".join(parts)

    def link(self, doi: str | None, label: str | None = None) -> str:
        """A DOI as a link to doi.org, or as plain text when it does not look like a DOI."""
        if not doi:
            return ""
        if not _DOI.match(doi):
            return self.text(doi)
        href = markup_text("https://doi.org/" + quote(doi, safe="/:;()._-<>[]"))
        return f'<a href="{href}" color="{LINK_MARKUP}"><u>{self.text(label or doi)}</u></a>'

    def note(self) -> tuple[str, ...]:
        if not self.uncovered_runs:
            return ()
        return (
            f"{self.uncovered_runs} run(s) of text in scripts reportlab's built-in fonts do not "
            f"cover (such as Arabic, Hebrew, Devanagari or emoji) were printed as {UNCOVERED}",
        )


# A CJK run this long has no space to wrap at; shorter ones wrap as words (CJK wrapping
# is several times slower in reportlab, so it is used only where it is needed).
_LONG_CID_RUN = re.compile(r'<font name="[^"]+">[^<]{8,}</font>')


def has_cid(markup: str) -> bool:
    return 'font name="' in markup and _LONG_CID_RUN.search(markup) is not None


class Para(Paragraph):
    """A Paragraph that remembers its line breaks for the last width it was wrapped to.

    A table wraps each cell to size its rows and again to draw it; breaking the
    lines is most of reportlab's time, and the second break gives the same lines.
    """

    _wrapped: tuple | None = None

    def wrap(self, available_width, available_height):
        found = self._wrapped
        if found is not None and found[0] == available_width:
            _, self.width, self.height, self.blPara, self._wrapWidths = found
            return self.width, self.height
        width, height = super().wrap(available_width, available_height)
        self._wrapped = (available_width, width, height, self.blPara, self._wrapWidths)
        return width, height


def para(markup: str, style: ParagraphStyle) -> Paragraph:
    """A Paragraph; text with long CJK runs wraps between any two CJK characters."""
    if has_cid(markup):
        style = _cjk_style(style)
    return Para(markup, style)


class Stamp(Flowable):
    """A block that is the same on many pages, laid out once and drawn as one PDF form.

    The first time a stamp of a given name is drawn it is recorded as a form
    XObject; every later one only places the form: the file holds it once and
    the layout work is done once.
    """

    def __init__(self, name: str, make: Callable[[], Flowable], cache: dict) -> None:
        super().__init__()
        self.name = name
        self.make = make
        self.cache = cache

    def wrap(self, available_width, available_height):
        found = self.cache.get(self.name)
        if found is None:
            content = self.make()
            width, height = content.wrap(available_width, available_height)
            found = self.cache[self.name] = (content, width, height)
        self.width, self.height = found[1], found[2]
        return self.width, self.height

    def draw(self) -> None:
        content, width, height = self.cache[self.name]
        name = "stamp_" + re.sub(r"[^A-Za-z0-9]", "_", self.name)
        # A form lives in one document: the layout is shared, the form written once a file.
        written = self.canv.__dict__.setdefault("_protocat_stamps", set())
        if name not in written:
            self.canv.beginForm(name, 0, 0, width, height)
            content.drawOn(self.canv, 0, 0)
            self.canv.endForm()
            written.add(name)
        self.canv.doForm(name)


_CJK_STYLES: dict[int, ParagraphStyle] = {}


def _cjk_style(style: ParagraphStyle) -> ParagraphStyle:
    found = _CJK_STYLES.get(id(style))
    if found is None:
        found = _CJK_STYLES[id(style)] = ParagraphStyle(
            style.name + "-cjk", parent=style, wordWrap="CJK"
        )
    return found


def amount(value) -> str | None:
    """A dose amount as text: 3, 2.5, 2–3."""
    if value is None:
        return None
    if isinstance(value, tuple):
        low, high = value
        return amount(low) if low == high else f"{amount(low)}\u2013{amount(high)}"
    return f"{value:g}"


def upper(value) -> float | None:
    """The upper end of an amount (a planned range counts at its top)."""
    if value is None:
        return None
    return value[1] if isinstance(value, tuple) else value


def string_runs(
    text: str, x: float, y: float, size: float, bold: bool = False
) -> list[tuple[str, str, float, float]]:
    """(font, text, x, width) pieces for a graphics String line, one font a piece."""
    out = []
    for font, run in runs(text):
        name = font or (LATIN_BOLD if bold else LATIN)
        if font == UNCOVERED:
            name = LATIN
        width = pdfmetrics.stringWidth(run, name, size)
        out.append((name, run, x, width))
        x += width
    return out


def text_width(text: str, size: float, bold: bool = False) -> float:
    return sum(piece[3] for piece in string_runs(text, 0, 0, size, bold))


# --------------------------------------------------------------------------- styles


def make_styles(body: float) -> dict[str, ParagraphStyle]:
    """The paragraph styles of a document whose body text is ``body`` points."""
    base = ParagraphStyle(
        "body",
        fontName=LATIN,
        fontSize=body,
        leading=body * 1.35,
        textColor=INK,
        spaceAfter=body * 0.4,
    )
    return {
        "body": base,
        "bullet": ParagraphStyle(
            "bullet",
            parent=base,
            leftIndent=body * 1.1,
            firstLineIndent=-body * 0.8,
            spaceAfter=body * 0.2,
        ),
        "small": ParagraphStyle("small", parent=base, fontSize=body * 0.8, leading=body * 1.05),
        "cell": ParagraphStyle(
            "cell", parent=base, fontSize=body * 0.85, leading=body * 1.1, spaceAfter=0
        ),
        "cell_bold": ParagraphStyle(
            "cell_bold",
            parent=base,
            fontName=LATIN_BOLD,
            fontSize=body * 0.85,
            leading=body * 1.1,
            spaceAfter=0,
        ),
        "note": ParagraphStyle(
            "note",
            parent=base,
            fontSize=max(8.0, body * 0.65),
            leading=max(8.0, body * 0.65) * 1.25,
        ),
        "title": ParagraphStyle(
            "title",
            parent=base,
            fontName=LATIN_BOLD,
            fontSize=body * 1.7,
            leading=body * 2.0,
            spaceAfter=body * 0.5,
        ),
        "h1": ParagraphStyle(
            "h1",
            parent=base,
            fontName=LATIN_BOLD,
            fontSize=body * 1.35,
            leading=body * 1.65,
            spaceBefore=body * 0.4,
            spaceAfter=body * 0.25,
        ),
        "box_heading": ParagraphStyle(
            "box_heading",
            parent=base,
            fontName=LATIN_BOLD,
            fontSize=body * 1.35,
            leading=body * 1.65,
            spaceAfter=body * 0.2,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=LATIN_BOLD,
            fontSize=body * 1.2,
            leading=body * 1.5,
            spaceBefore=body * 0.6,
            spaceAfter=body * 0.3,
        ),
    }


class Heading(Paragraph):
    """A heading that becomes a PDF bookmark and the running header's section."""

    def __init__(
        self,
        markup: str,
        style: ParagraphStyle,
        outline: str,
        level: int,
        key: str,
        section: str | None = None,
    ) -> None:
        if has_cid(markup):
            style = _cjk_style(style)
        super().__init__(markup, style)
        self.outline = outline
        self.level = level
        self.key = key
        self.section = section


class StartGroup(Flowable):
    """Marks where a page group (a handout) starts; draws nothing."""

    def __init__(self, name: str, section: str) -> None:
        super().__init__()
        self.name = name
        self.section = section
        self.width = self.height = 0

    def wrap(self, *_args):
        return 0, 0

    def draw(self) -> None:
        self.canv._protocat_doc.start_group(self.name, self.section)


# --------------------------------------------------------------------------- the document


class ProtocatDoc(BaseDocTemplate):
    """A document with a running header, "Page N of M" footer and outline from headings."""

    def __init__(
        self,
        path,
        *,
        paper: str,
        title: str,
        subject: str,
        keywords: list[str],
        lang: str,
        header: str,
        footer: str,
        page_label: str,
        margins: float = 18 * mm,
        invariant: bool = True,
    ) -> None:
        register_fonts()
        super().__init__(
            str(path),
            pagesize=paper_size(paper),
            leftMargin=margins,
            rightMargin=margins,
            topMargin=margins + 8 * mm,
            bottomMargin=margins + 6 * mm,
            title=title,
            author="protocat",
            subject=subject,
            creator="protocat",
            producer="protocat (ReportLab)",
            keywords=keywords,
            lang=PDF_LANG[lang],
            displayDocTitle=1,
            invariant=1 if invariant or rl_config.invariant else 0,
            pageCompression=1,
        )
        self.header = header
        self.footer = footer
        # "Page {n} of {m}": what comes before {m} is drawn on the page, the rest in the form.
        before, _, after = page_label.partition("{m}")
        self._page_before, self._page_after = before, after
        # The header names the first section heading on a page, else the one carried over.
        self.section = ""
        self._page_heading: str | None = None
        self._carried = ""
        self._group = "all"
        self._group_first = 1
        self._groups: dict[str, int] = {}
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates(
            [
                PageTemplate(
                    id="page", frames=[frame], onPage=self._start_page, onPageEnd=self._decorate
                )
            ]
        )

    # groups -------------------------------------------------------------

    def start_group(self, name: str, section: str) -> None:
        """A new page group (a handout) starts on this page: its own page count and bookmark."""
        self._group = name
        self._group_first = self.canv.getPageNumber()
        self.section = self._carried = section
        key = f"group{len(self._groups) + 1}"
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(f"{section} ({name})" if section else name, key, level=0)

    def page_counts(self) -> dict[str, int]:
        return dict(self._groups)

    # hooks --------------------------------------------------------------

    def beforeDocument(self) -> None:
        self.canv._protocat_doc = self

    def _start_page(self, canv, doc) -> None:
        self._page_heading = None

    def afterFlowable(self, flowable) -> None:
        if isinstance(flowable, Heading):
            self.canv.bookmarkPage(
                flowable.key, fit="XYZ", top=self.frame._y + flowable.height + 12
            )
            self.canv.addOutlineEntry(
                flowable.outline, flowable.key, level=flowable.level, closed=True
            )
            if flowable.section is not None:
                if self._page_heading is None:
                    self._page_heading = flowable.section
                self.section = flowable.section

    def _decorate(self, canv, doc) -> None:
        width, height = self.pagesize
        left, right = self.leftMargin, width - self.rightMargin
        canv.saveState()
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.6)
        top = height - self.topMargin + 5 * mm
        draw_line(canv, left, top + 2, self.header, 9, bold=True)
        section = self._page_heading or self._carried
        self._carried = self.section
        if section:
            draw_line(canv, right, top + 2, shorten(section, 70), 9, align="right")
        canv.line(left, top, right, top)
        bottom = self.bottomMargin - 6 * mm
        canv.line(left, bottom + 11, right, bottom + 11)
        draw_line(canv, left, bottom, self.footer, 8)
        number = canv.getPageNumber() - self._group_first + 1
        self._groups[self._group] = number
        label = self._page_before.format(n=number)
        label_width = text_width(label, 9) + text_width(self._page_after.format(m=number), 9)
        # Right-aligned as if the total had as many digits as this page's number.
        x = right - label_width - pdfmetrics.stringWidth(str(number), LATIN, 9)
        end = draw_line(canv, x, bottom, label, 9)
        canv.translate(end, bottom)
        canv.doForm(_form_name(self._group))
        canv.restoreState()

    def _endBuild(self) -> None:
        self._doSave = 0
        super()._endBuild()
        for group, total in self._groups.items():
            self.canv.beginForm(_form_name(group))
            draw_line(self.canv, 0, 0, str(total) + self._page_after.format(m=total), 9)
            self.canv.endForm()
        self.canv.save()


def _form_name(group: str) -> str:
    return "pages_" + re.sub(r"[^A-Za-z0-9]", "_", group)


def draw_line(
    canv, x: float, y: float, text: str, size: float, bold: bool = False, align: str = "left"
) -> float:
    """Draw one line of text, font by font; returns where it ends."""
    if align == "right":
        x -= text_width(text, size, bold)
    end = x
    for font, run, at, width in string_runs(text, x, y, size, bold):
        canv.setFont(font, size)
        canv.drawString(at, y, run)
        end = at + width
    return end


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def build(doc: ProtocatDoc, story: list, on_error: Callable[[Exception], Exception]) -> None:
    """Build ``doc``; a layout that cannot fit becomes the project's own error."""
    try:
        doc.build(story)
    except LayoutError as exc:
        raise on_error(exc) from exc


# --------------------------------------------------------------------------- labelled lines

LATIN_ITALIC = "Helvetica-Oblique"
# WinAnsi characters reportlab draws in Helvetica as they are (no-break and soft hyphen
# are special to its line breaking, so left to the general path).
_PLAIN_CHARS = frozenset(
    ch
    for ch in map(chr, range(0x21, 0x2123))
    if ch.isprintable() and ch not in "\xa0\xad" and _encodes(ch, "cp1252")
)
_PLAIN_TEXT_CHARS = _PLAIN_CHARS | {" "}
# The widest advance (in em) of any of those characters in Helvetica and its bold and oblique.
_WIDEST_GLYPH = max(
    pdfmetrics.stringWidth(ch, font, 1)
    for font in (LATIN, LATIN_BOLD, LATIN_ITALIC)
    for ch in _PLAIN_CHARS
)


def is_plain(text: str | None) -> bool:
    """Is ``text`` one run of Latin words between single spaces (no markup needed)?"""
    return (
        bool(text)
        and text[0] != " "
        and text[-1] != " "
        and "  " not in text
        and set(text) <= _PLAIN_TEXT_CHARS
    )


class Line(NamedTuple):
    """One line of a ``LabelledLines`` box: "<b>label:</b> value", or the value alone.

    ``plain`` is the value as text when it is plain (``is_plain``), else None;
    ``markup`` is always the value's markup, ``font`` the font the value is drawn in.
    """

    label: str | None
    label_markup: str | None
    plain: str | None
    markup: str
    font: str = LATIN

    def as_markup(self) -> str:
        if self.label_markup is None:
            return self.markup
        return f"<b>{self.label_markup}:</b> {self.markup}"


class LabelledLines(Flowable):
    """Lines of "**label:** value" in one bordered box: what ``para(markup, style)`` draws
    for ``markup = "<br/>".join(line.as_markup() ...)``, laid out several times faster.

    reportlab breaks a paragraph that mixes fonts word by word through its general
    (multi-fragment) path; a paragraph in one font takes a path about six times
    quicker. Each line starts a new line in the original, so each is laid out on its
    own: a plain value is a one-font Paragraph whose first line is indented by its
    label (drawn beside it in bold), any other line a Paragraph of its own markup.
    Lines break where the original breaks them: the first line of a value may run
    over by what the original's shrinkable spaces allow (reportlab lets a line run
    over by 5 % of its spaces' width, the label's and the one after it included),
    and a value whose widest word does not fit after its label takes the general
    path (the original would move that word to the next line). Markup with long CJK
    runs (``has_cid``) and a box taller than a page are left to the original.
    """

    def __init__(self, lines: list[Line], style: ParagraphStyle) -> None:
        super().__init__()
        self.lines = lines
        self.style = style
        self._laid_out: tuple | None = None

    def getSpaceBefore(self) -> float:
        return self.style.spaceBefore

    def getSpaceAfter(self) -> float:
        return self.style.spaceAfter

    def original(self) -> Paragraph:
        return para("<br/>".join(line.as_markup() for line in self.lines), self.style)

    def wrap(self, available_width, available_height):
        if self._laid_out is None or self._laid_out[0] != available_width:
            self._laid_out = (available_width, self._lay_out(available_width))
        self.width = available_width
        # As reportlab counts a paragraph's height: its lines times the leading.
        lines = sum(len(row.blPara.lines) for _label, row in self._laid_out[1])
        self.height = lines * self.style.leading
        return self.width, self.height

    def _lay_out(self, width: float) -> list[tuple[str | None, Paragraph]]:
        """(label drawn beside the line or None, the line's Paragraph) for each line."""
        style, size = self.style, self.style.fontSize
        space = pdfmetrics.stringWidth(" ", LATIN, size)
        inner = width - style.leftIndent - style.rightIndent
        rows = []
        for line in self.lines:
            indent = 0.0
            fast = line.plain is not None and line.font in (LATIN, LATIN_BOLD, LATIN_ITALIC)
            if fast and line.label is not None:
                fast = is_plain(line.label)
                indent = pdfmetrics.stringWidth(f"{line.label}:", LATIN_BOLD, size) + space
            if fast:
                words = line.plain.split(" ")
                longest = max(map(len, words))
                # No glyph of these fonts is wider than 1.015 em: measure only when it matters.
                if longest * _WIDEST_GLYPH * size > inner - indent:
                    widest = max(pdfmetrics.stringWidth(word, line.font, size) for word in words)
                    fast = widest <= inner - indent
            if not fast:
                row = Para(line.as_markup(), _line_style(style, 0.0, style.fontName))
                row.wrap(width, 1e9)
                rows.append((None, row))
                continue
            line_style = _line_style(style, indent, line.font)
            row = _LabelledParagraph(
                line.plain, line_style, frags=[_frag_like(line_style, line.plain)]
            )
            row.label = line.label
            # What Paragraph.wrap does, with the first line's allowance of the original.
            extra = 0.0
            if line.label is not None:
                extra = style.spaceShrinkage * space * (line.label.count(" ") + 1)
            row.width = width
            row._wrapWidths = [inner - indent + extra, inner]
            row.blPara = row.breakLines(row._wrapWidths)
            row.height = len(row.blPara.lines) * style.leading
            rows.append((line.label, row))
        return rows

    def split(self, available_width, available_height):
        # Only a box taller than a page splits: exactly as the original Paragraph would.
        return self.original().split(available_width, available_height)

    def draw(self) -> None:
        canvas, style = self.canv, self.style
        stroke = bool(style.borderColor and style.borderWidth)
        if stroke or style.backColor:
            # The box as Paragraph draws its border and background, around the lines.
            top, right, bottom, left = _trbl(style.borderPadding)
            canvas.saveState()
            if stroke:
                canvas.setStrokeColor(style.borderColor)
                canvas.setLineWidth(style.borderWidth)
            if style.backColor:
                canvas.setFillColor(style.backColor)
            canvas.rect(
                style.leftIndent - left,
                -bottom,
                self.width - (style.leftIndent + style.rightIndent) + left + right,
                self.height + top + bottom,
                fill=1 if style.backColor else 0,
                stroke=1 if stroke else 0,
            )
            canvas.restoreState()
        done = 0
        for _label, row in self._laid_out[1]:
            # Line n of the original has its baseline n leadings below the first one.
            done += len(row.blPara.lines)
            row.drawOn(canvas, 0, self.height - done * style.leading)


class _LabelledParagraph(Paragraph):
    """A one-font Paragraph with its label drawn in bold before its first line."""

    label: str | None = None

    def beginText(self, x, y):
        text = super().beginText(x, y)
        if self.label is not None:
            # The label opens the first line's text object, as in the original Paragraph:
            # the value then moves on from the line's start, and text extraction reads
            # "label: value" as one line.
            text.setFont(LATIN_BOLD, self.style.fontSize)
            text.textOut(f"{self.label}:")
        return text


def _trbl(padding) -> tuple[float, float, float, float]:
    """A border padding as (top, right, bottom, left), the way CSS and reportlab read it."""
    if isinstance(padding, (int, float)):
        return (padding,) * 4
    if len(padding) == 2:
        return padding[0], padding[1], padding[0], padding[1]
    if len(padding) == 3:
        return padding[0], padding[1], padding[2], padding[1]
    return tuple(padding)


_LINE_STYLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _line_style(style: ParagraphStyle, indent: float, font: str) -> ParagraphStyle:
    """The box's style for one line: no border or spacing, in ``font``, first line indented."""
    styles = _LINE_STYLES.setdefault(style, {})
    found = styles.get((indent, font))
    if found is None:
        found = styles[indent, font] = ParagraphStyle(
            f"{style.name}-line",
            parent=style,
            fontName=font,
            firstLineIndent=indent,
            borderWidth=0,
            borderPadding=0,
            borderColor=None,
            backColor=None,
            spaceBefore=0,
            spaceAfter=0,
        )
    return found


_FRAGS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _frag_like(style: ParagraphStyle, text: str):
    """The fragment reportlab's markup parser makes of plain ``text`` in ``style``."""
    found = _FRAGS.get(style)
    if found is None:
        found = _FRAGS[style] = Paragraph("x", style).frags[0]
    return found.clone(text=text)


def anchored(text: str, style: ParagraphStyle, anchor: str) -> Paragraph:
    """What ``para(f'<a name="{anchor}"/>' + markup_text(text), style)`` draws, for plain
    ``text`` (``is_plain``): one font, so reportlab's quick path lays it out."""
    paragraph = _Anchored(text, style, frags=[_frag_like(style, text)])
    paragraph.anchor = anchor
    return paragraph


class _Anchored(Paragraph):
    """A one-font Paragraph that is a link target, as if it began with ``<a name=.../>``."""

    anchor = ""

    def draw(self) -> None:
        # Where reportlab puts an <a name> at the start of the first line: the line's
        # left end, one leading above its baseline (a font size below the top).
        style = self.style
        self.canv.bookmarkHorizontal(
            self.anchor,
            style.leftIndent + style.firstLineIndent,
            self.height - style.fontSize + style.leading,
        )
        super().draw()
