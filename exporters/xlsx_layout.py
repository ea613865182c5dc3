"""The workbook's columns as data: what each Protocols column shows, and how it reads back.

Every editable column of the Protocols sheet names the entry field it holds
(``population.condition``) and a kind; the kind says how a value becomes a cell
(``render``) and how a cell becomes a value again (``parse``). The writer and the
importer both use these tables, so the way out and the way back cannot drift apart.

Cell conventions (repeated in the About sheet):

- several codes in one cell are separated by ``"; "`` (``;`` or a line break read back);
- a dose range is written ``2–3`` (``2-3`` and ``2 to 3`` read back);
- the outcomes cell holds one outcome a line, ``domain: measure``;
- numbers keep Excel's 15 significant digits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from operator import attrgetter
from typing import Any

import attrs
from attrs import frozen

from exporters.escaping import clean_cell_text
from protocols.model import Entry, Record
from protocols.vocabulary import default_vocabulary

SEPARATOR = "; "
RANGE_DASH = "–"
_LIST_SPLIT = re.compile(r"[;\n]")
_NUMBER = r"([0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?)"
_RANGE = re.compile(rf"^\s*{_NUMBER}\s*(?:-|–|—|to)\s*{_NUMBER}\s*$")

CellValue = str | int | float | None


class CellError(ValueError):
    """A cell that cannot be read back; the message is the reason shown to the person."""


# --------------------------------------------------------------------------- numbers


def canonical(value: Any) -> Any:
    """A value as compared on import: floats to Excel's 15 significant digits."""
    if isinstance(value, float):
        return float(f"{value:.15g}")
    if isinstance(value, tuple):
        return tuple(canonical(v) for v in value)
    return value


def number_text(value: int | float) -> str:
    if isinstance(value, float):
        value = canonical(value)
        if value.is_integer():
            return str(int(value))
        return f"{value:.15g}"
    return str(value)


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)


# --------------------------------------------------------------------------- kinds


def _vocabulary_lookup(kind: str) -> dict[str, str]:
    """Code, English and Chinese label, case-folded → code (people type labels too)."""
    vocabulary = default_vocabulary()
    lookup: dict[str, str] = {}
    for code in vocabulary.codes(kind):
        term = vocabulary.term(kind, code)
        for name in (term.labels["en"], term.labels["zh"], code):
            lookup[name.casefold()] = code
    return lookup


_LOOKUPS: dict[str, dict[str, str]] = {}


def _code(kind: str, text: str) -> str:
    lookup = _LOOKUPS.get(kind)
    if lookup is None:
        lookup = _LOOKUPS[kind] = _vocabulary_lookup(kind)
    code = lookup.get(text.strip().casefold())
    if code is None:
        raise CellError(f"unknown {kind} code {text.strip()!r} (see the Vocabulary sheet)")
    return code


def _as_text(cell: CellValue) -> str | None:
    """A cell as text, or None when it is empty."""
    if cell is None:
        return None
    if isinstance(cell, bool):
        raise CellError(f"expected text, found {cell!r}")
    if isinstance(cell, (int, float)):
        return number_text(cell)
    if not isinstance(cell, str):
        # Excel turns a typed "2-3" into a date: say so, rather than "not a number".
        raise CellError(
            f"found a {type(cell).__name__} ({cell}); Excel may have turned a range into a date: "
            "type it as 2–3 or format the cell as text"
        )
    text = cell.strip()
    return text or None


@frozen
class Kind:
    """How one kind of value is written to a cell and read back from it."""

    render: Callable[[Any], CellValue]
    parse: Callable[[CellValue, str | None], Any]


def _as_is(value: Any) -> CellValue:
    return value


def _parse_text(cell: CellValue, _vocab: str | None) -> str | None:
    return _as_text(cell)


def _parse_code(cell: CellValue, vocab: str | None) -> str | None:
    text = _as_text(cell)
    return None if text is None else _code(vocab, text)


def _render_codes(value: tuple[str, ...]) -> CellValue:
    return SEPARATOR.join(value) or None


def _parse_codes(cell: CellValue, vocab: str | None) -> tuple[str, ...]:
    text = _as_text(cell)
    if text is None:
        return ()
    found: list[str] = []
    for part in _LIST_SPLIT.split(text):
        if part.strip():
            code = _code(vocab, part)
            if code not in found:
                found.append(code)
    return tuple(found)


def _render_number(value: int | float | None) -> CellValue:
    return canonical(value)


def _parse_number(cell: CellValue, _vocab: str | None) -> int | float | None:
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return cell
    text = _as_text(cell)
    if text is None:
        return None
    try:
        return _number(text)
    except ValueError:
        raise CellError(f"not a number: {text!r}") from None


def _parse_count(cell: CellValue, vocab: str | None) -> int | None:
    value = _parse_number(cell, vocab)
    if value is None:
        return None
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(f"not a whole number: {number_text(value)}")
        value = int(value)
    if value < 0:
        raise CellError(f"must not be negative: {value}")
    return value


def _render_amount(value: Any) -> CellValue:
    if isinstance(value, tuple):
        low, high = value
        return f"{number_text(low)}{RANGE_DASH}{number_text(high)}"
    return canonical(value)


def _parse_amount(cell: CellValue, vocab: str | None) -> Any:
    if isinstance(cell, str):
        match = _RANGE.match(cell)
        if match:
            low, high = _number(match.group(1)), _number(match.group(2))
            if low > high:
                raise CellError(f"range runs backwards: {cell.strip()!r}")
            return (low, high)
    if cell is not None and not isinstance(cell, (str, int, float)):
        _as_text(cell)  # raises, naming what Excel made of the cell
    try:
        value = _parse_number(cell, vocab)
    except CellError:
        raise CellError(f"not a number or a range such as 2{RANGE_DASH}3: {cell!r}") from None
    if value is not None and value < 0:
        raise CellError(f"must not be negative: {number_text(value)}")
    return value


def _render_outcomes(value: tuple) -> CellValue:
    lines = []
    for outcome in value:
        measure = (outcome.measure or "").replace("\r", " ").replace("\n", " ").strip()
        lines.append(f"{outcome.domain}: {measure}" if measure else outcome.domain)
    return "\n".join(lines) or None


def _parse_outcomes(cell: CellValue, _vocab: str | None) -> tuple[tuple[str, str | None], ...]:
    """``((domain, measure), ...)``: the importer builds ``Outcome`` objects from them."""
    text = _as_text(cell)
    if text is None:
        return ()
    outcomes: list[tuple[str, str | None]] = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        domain_text, _, measure = line.partition(":")
        domain = _code("outcomes", domain_text)
        if any(domain == seen for seen, _ in outcomes):
            raise CellError(f"outcome domain {domain!r} is listed twice")
        outcomes.append((domain, measure.strip() or None))
    return tuple(outcomes)


def _parse_status(cell: CellValue, _vocab: str | None) -> str | None:
    text = _as_text(cell)
    if text is None:
        return None
    if text.casefold() not in ("auto", "curated"):
        raise CellError(f"review status must be 'auto' or 'curated', not {text!r}")
    return text.casefold()


TEXT = Kind(_as_is, _parse_text)
CODE = Kind(_as_is, _parse_code)
CODES = Kind(_render_codes, _parse_codes)
NUMBER = Kind(_render_number, _parse_number)
COUNT = Kind(_render_number, _parse_count)
AMOUNT = Kind(_render_amount, _parse_amount)
OUTCOMES = Kind(_render_outcomes, _parse_outcomes)
STATUS = Kind(_as_is, _parse_status)


# --------------------------------------------------------------------------- columns


@frozen
class Column:
    """One column of a sheet.

    ``field`` is the dotted entry field an editable column holds; ``value`` computes
    what a read-only column shows from the entry and its record.
    """

    header: str
    kind: Kind | None = None
    field: str | None = None
    vocab: str | None = None  # the vocabulary kind of a code column
    default: Any = None  # what an empty cell means for a field that cannot be empty
    value: Callable[[Entry, Record | None], CellValue] | None = None
    width: int = 40  # the most a fitted width may take
    colour_scale: bool = False  # a 0-100 share, coloured red to green
    link: bool = False
    prompt: str | None = None  # shown by Excel when the cell is selected

    @property
    def editable(self) -> bool:
        return self.field is not None


@cache
def _getter(path: str) -> Callable[[Any], Any]:
    return attrgetter(path)


def get_path(entry: Entry, path: str) -> Any:
    """The value of a dotted field; None when a part on the way is None (no intensity)."""
    try:
        return _getter(path)(entry)
    except AttributeError:
        return None


def _first_author_year(entry: Entry, record: Record | None) -> CellValue:
    family = record.authors[0].family if record and record.authors else ""
    more = " et al." if record and len(record.authors) > 1 else ""
    year = entry.record.year
    return f"{family}{more} ({year})" if year else (f"{family}{more}" or None)


def completeness(reported: tuple[str, ...], checklist: str) -> int:
    """Per cent of the checklist's items reported (CERT has 19 lines, TIDieR 12).

    A whole number rather than a share in a "0%" format: a number format is a cell
    style, and styled cells cost openpyxl's streaming writer a cell object each.
    """
    return round(100 * len(set(reported)) / len(default_vocabulary().codes(checklist)))


def doi_url(doi: str | None) -> str | None:
    return f"https://doi.org/{doi}" if doi else None


def pmid_url(pmid: str | None) -> str | None:
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid else None


_CODES_PROMPT = "Codes separated by '; ' (see the Vocabulary sheet). Checked when re-imported."
_AMOUNT_PROMPT = "A number, or a range such as 2–3. Leave empty when not reported."

PROTOCOL_COLUMNS: tuple[Column, ...] = (
    Column("Entry ID", TEXT, value=lambda e, r: e.entry_id, width=24),
    Column("First author, year", value=_first_author_year, width=28),
    Column("Title", value=lambda e, r: e.record.title, width=60),
    Column("Arm", TEXT, field="arm", width=30),
    Column(
        "Exercise types", CODES, "exercise_types", "exercise_types", prompt=_CODES_PROMPT, width=36
    ),
    Column("Comparators", CODES, "comparators", "comparators", prompt=_CODES_PROMPT, width=36),
    Column("Condition", CODE, "population.condition", "condition", width=20),
    Column("Chronicity", CODE, "population.chronicity", "chronicity", "unspecified", width=14),
    Column("Specificity", CODE, "population.specificity", "specificity", "unspecified", width=14),
    Column("Age group", CODE, "population.age_group", "age_group", "unspecified", width=14),
    Column("Sample size", COUNT, "population.sample_size", width=12),
    Column("Design", CODE, "design", "design", "unknown", width=20),
    Column("Weeks", AMOUNT, "dosage.weeks", prompt=_AMOUNT_PROMPT, width=10),
    Column(
        "Sessions per week", AMOUNT, "dosage.sessions_per_week", prompt=_AMOUNT_PROMPT, width=10
    ),
    Column(
        "Minutes per session", AMOUNT, "dosage.minutes_per_session", prompt=_AMOUNT_PROMPT, width=10
    ),
    Column("Total sessions", AMOUNT, "dosage.sessions_total", prompt=_AMOUNT_PROMPT, width=10),
    Column("Intensity metric", CODE, "dosage.intensity.metric", "intensity_metric", width=16),
    Column("Intensity low", NUMBER, "dosage.intensity.low", width=10),
    Column("Intensity high", NUMBER, "dosage.intensity.high", width=10),
    Column("Intensity class", CODE, "dosage.intensity.class_", "intensity_class", width=14),
    Column("Sets", AMOUNT, "dosage.sets", prompt=_AMOUNT_PROMPT, width=8),
    Column("Repetitions", AMOUNT, "dosage.repetitions", prompt=_AMOUNT_PROMPT, width=8),
    Column("Supervision", CODE, "dosage.supervision", "supervision", width=14),
    Column("Delivery", CODE, "dosage.delivery", "delivery", width=12),
    Column("Setting", CODE, "dosage.setting", "setting", width=12),
    Column(
        "Outcomes (domain: measure)",
        OUTCOMES,
        "outcomes",
        prompt="One outcome a line: domain code, a colon, the measure "
        "(domains: see the Vocabulary sheet).",
        width=50,
    ),
    Column(
        "CERT completeness (%)",
        value=lambda e, r: completeness(e.reporting.cert_reported, "cert"),
        colour_scale=True,
        width=12,
    ),
    Column(
        "CERT reported", CODES, "reporting.cert_reported", "cert", prompt=_CODES_PROMPT, width=24
    ),
    Column("CERT missing", CODES, "reporting.cert_missing", "cert", prompt=_CODES_PROMPT, width=24),
    Column(
        "TIDieR completeness (%)",
        value=lambda e, r: completeness(e.reporting.tidier_reported, "tidier"),
        colour_scale=True,
        width=12,
    ),
    Column(
        "TIDieR reported",
        CODES,
        "reporting.tidier_reported",
        "tidier",
        prompt=_CODES_PROMPT,
        width=24,
    ),
    Column(
        "TIDieR missing",
        CODES,
        "reporting.tidier_missing",
        "tidier",
        prompt=_CODES_PROMPT,
        width=24,
    ),
    Column("DOI", value=lambda e, r: e.record.doi, link=True, width=28),
    Column("PMID", value=lambda e, r: e.record.pmid, link=True, width=12),
    Column("Record ID", value=lambda e, r: e.record.id, width=18),
    Column("Review status", STATUS, "review_status", width=12),
)
ID_HEADER = PROTOCOL_COLUMNS[0].header
INTENSITY_PREFIX = "dosage.intensity."


def cell_value(column: Column, entry: Entry, record: Record | None) -> CellValue:
    """What protocat writes in ``column`` for ``entry``."""
    if column.value is not None:
        return column.value(entry, record)
    return column.kind.render(get_path(entry, column.field))


def written(value: CellValue) -> CellValue:
    """A cell value as it reads back after writing (control characters and length)."""
    if isinstance(value, str):
        text = clean_cell_text(value).text
        return text or None
    return value


def expected(column: Column, entry: Entry) -> Any:
    """The value a column of an untouched row reads back as, for comparison on import."""
    parsed = column.kind.parse(written(cell_value(column, entry, None)), column.vocab)
    return canonical(parsed)


def with_field(obj: Any, path: str, value: Any) -> Any:
    """``obj`` with the dotted field ``path`` set (frozen classes, so rebuilt on the way up)."""
    name, _, rest = path.partition(".")
    if not rest:
        return attrs.evolve(obj, **{name: value})
    return attrs.evolve(obj, **{name: with_field(getattr(obj, name), rest, value)})
