"""Normalising the fields every reader shares: DOIs, titles, years, record identity."""

from __future__ import annotations

import hashlib
import itertools
import re
import unicodedata

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|2[01]\d\d)(?!\d)")


def normalise_doi(value: str | None) -> str | None:
    """``https://doi.org/10.1/ABC`` and ``doi:10.1/abc`` are both ``10.1/abc``."""
    if not value:
        return None
    text = _DOI_PREFIX.sub("", value.strip())
    match = _DOI.search(text)
    if not match:
        return None
    return match.group(0).rstrip(".,;").lower()


# Not a letter or digit: exactly the characters str.isalnum() refuses, since the
# regular expression's \w is isalnum() plus "_" (checked over every code point in
# tests/test_records_normalise.py).
_NOT_ALNUM = re.compile(r"[\W_]+")


def normalise_title(title: str) -> str:
    """A key for comparing titles: letters and digits only, case and accents folded."""
    if title.isascii():
        # NFKD leaves ASCII as it is, and casefold() of ASCII is lower().
        return _NOT_ALNUM.sub("", title.lower())
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKD", title).casefold())


def parse_year(value: str | None) -> int | None:
    """The year of a date written any way (``2016/09//``, ``1 Jan.-Feb. 2019``); else None."""
    if not value:
        return None
    match = _YEAR.search(value)
    return int(match.group(1)) if match else None


def record_id(*, doi: str | None, pmid: str | None, title: str, year: int | None) -> str:
    """A stable identifier: the same work gets the same id from any export.

    Keyed on the DOI, else the PMID, else the normalised title and year.
    """
    if doi:
        key = f"doi:{doi}"
    elif pmid:
        key = f"pmid:{pmid}"
    else:
        key = f"title:{normalise_title(title)}:{year or ''}"
    return "r" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


# --------------------------------------------------------------------------- shared by readers

_PMID = re.compile(r"\d{1,9}")
# An inline label that opens a section of a structured abstract: "METHODS: ...".
_LABEL = re.compile(r"[A-Z][A-Z ,/&\-]{2,40}$")
_INITIALS = re.compile(r"^(?:[A-Z](?:\.|\b)[\s\-]*){1,4}$|^[A-Z]{1,3}$")


def clean_text(value: str | None) -> str | None:
    """Runs of whitespace as one space, ends trimmed; empty text is None."""
    if value is None:
        return None
    # str.split() splits on the same whitespace as \s, and is several times faster.
    return " ".join(value.split()) or None


def clean_long_text(value: str) -> str | None:
    """``clean_text`` for long texts (abstracts, addresses), most of which are clean
    already: finding that out (isprintable() is False for every whitespace character
    but the space) is cheaper than splitting the text into words and joining them."""
    if value.isprintable() and "  " not in value and value[:1] != " " and value[-1:] != " ":
        return value or None
    return " ".join(value.split()) or None


def normalise_pmid(value: str | None) -> str | None:
    """The digits of a PubMed id (``PMID: 123``, ``MEDLINE:123``); else None."""
    if not value:
        return None
    match = _PMID.search(value)
    return match.group(0).lstrip("0") or None if match else None


def doi_from_url(value: str | None) -> str | None:
    """A DOI only from a doi.org link: other URLs can carry a DOI-like query string."""
    if value and "doi.org/" in value.lower():
        return normalise_doi(value)
    return None


def year_of(dates: list[str]) -> tuple[int | None, str | None]:
    """The first year in ``dates`` and, when dates were given but hold no year, a warning."""
    for value in dates:
        year = parse_year(value)
        if year is not None:
            return year, None
    given = [d for d in dates if d and d.strip()]
    if given:
        return None, f"no year in the date {given[0].strip()!r}: year left unknown"
    return None, None


_SEPARATOR_PATTERNS: dict[str, re.Pattern[str]] = {";": re.compile("[;]")}


def split_keywords(values: list[str], separators: str = ";") -> list[str]:
    """Keywords from fields that hold one or several, split, trimmed, first spelling kept."""
    if separators:
        pattern = _SEPARATOR_PATTERNS.get(separators) or re.compile(
            "[" + re.escape(separators) + "]"
        )
        values = [part for value in values for part in pattern.split(value)]
    seen: set[str] = set()
    result: list[str] = []
    for value in values:
        keyword = " ".join(value.split())
        if keyword:
            key = keyword.casefold()
            if key not in seen:
                seen.add(key)
                result.append(keyword)
    return result


def _section_starts(line: str) -> list[int]:
    """Where upper-case labels ("METHODS: ") open sections: at the start of the line or
    after a sentence's end. Found from each ": " backwards (str.find runs in C; a
    regular expression tried at every capital letter of a long abstract does not)."""
    starts = []
    colon = line.find(": ")
    while colon != -1:
        match = _LABEL.search(line, max(0, colon - 41), colon)
        if match:
            start = match.start()
            if start == 0 or (start >= 2 and line[start - 2] in ".!?)]"):
                starts.append(start)
        colon = line.find(": ", colon + 2)
    return starts


def abstract_sections(text: str | None) -> str | None:
    """A structured abstract as one ``LABEL: text`` line per section.

    Exports flatten the sections into one paragraph ("BACKGROUND: ... METHODS: ...");
    an upper-case label followed by a colon at the start or after a sentence opens one.
    """
    if text is None:
        return None
    if ": " not in text:
        return clean_text(text)
    return _sections([line for line in map(clean_long_text, text.split("\n")) if line])


def clean_abstract_sections(text: str | None) -> str | None:
    """``abstract_sections`` of a text ``clean_text`` has cleaned already (one line)."""
    if text is None or ": " not in text:
        return text or None
    return _sections([text])


def _sections(lines: list[str]) -> str | None:
    out: list[str] = []
    for line in lines:
        starts = _section_starts(line)
        if len(starts) < 2 and not (starts and starts[0] == 0):
            out.append(line)
            continue
        bounds = ([0] if starts[0] != 0 else []) + starts + [len(line)]
        out.extend(
            part for part in (line[a:b].strip() for a, b in itertools.pairwise(bounds)) if part
        )
    return "\n".join(out) or None


def parse_name(text: str) -> tuple[str, str] | None:
    """(family, given) from a name as exports write it; None for an empty name.

    ``Family, Given``; ``Family GI`` (MEDLINE, Scopus ``Gong B.``); ``Given Family``;
    a name in one piece (``张三``, an organisation) is all family name.
    """
    name = " ".join(text.split())  # clean_text, inline: called for every author
    if not name:
        return None
    if "," in name:
        family, _, given = name.partition(",")
        family, given = family.strip(), given.strip(" ,")
        if not family:
            return (given, "") if given else None
        return family, given
    parts = name.split(" ")
    if len(parts) == 1:
        return name, ""
    if _INITIALS.match(parts[-1]):
        return " ".join(parts[:-1]), parts[-1]
    return parts[-1], " ".join(parts[:-1])
