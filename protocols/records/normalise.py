"""Normalising the fields every reader shares: DOIs, titles, years, record identity."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")


def normalise_doi(value: str | None) -> str | None:
    """``https://doi.org/10.1/ABC`` and ``doi:10.1/abc`` are both ``10.1/abc``."""
    if not value:
        return None
    text = _DOI_PREFIX.sub("", value.strip())
    match = _DOI.search(text)
    if not match:
        return None
    return match.group(0).rstrip(".,;").lower()


def normalise_title(title: str) -> str:
    """A key for comparing titles: letters and digits only, case and accents folded."""
    folded = unicodedata.normalize("NFKD", title).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


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
