"""Reporting completeness: which CERT (Slade et al. 2016) and TIDieR (Hoffmann et al. 2014)
items the record reports, and which it leaves out.

An item is reported when its cue words appear in the title or this study's sections
(``[cert]``/``[tidier]`` in mapping_cues.toml), or when a field the mapping already
coded is that item: the exercise name (TIDieR 1), the dose (CERT 13, TIDieR 8), the
setting (CERT 12, TIDieR 7), supervision (CERT 4), individual/group (CERT 3), adverse
events and adherence outcomes (CERT 11, 5). Each reported item cites the words it came
from; what is not found is missing, which is what a clinician needs to see.
"""

from __future__ import annotations

from functools import cache

from protocols.mapping.cues import Cues
from protocols.mapping.document import Document
from protocols.mapping.matcher import Matcher, longest
from protocols.model import Provenance, Reporting

# Items read from fields already coded: checklist item -> provenance field prefixes.
DERIVED = {
    ("cert", "3"): ("dosage.delivery",),
    ("cert", "4"): ("dosage.supervision",),
    ("cert", "5"): ("outcomes:adherence",),
    ("cert", "11"): ("outcomes:adverse_events",),
    ("cert", "12"): ("dosage.setting",),
    ("cert", "13"): (
        "dosage.weeks",
        "dosage.sessions_per_week",
        "dosage.minutes_per_session",
        "dosage.sessions_total",
        "dosage.intensity",
    ),
    ("tidier", "1"): ("exercise_types",),
    ("tidier", "7"): ("dosage.setting",),
    ("tidier", "8"): (
        "dosage.weeks",
        "dosage.sessions_per_week",
        "dosage.minutes_per_session",
        "dosage.sessions_total",
        "dosage.intensity",
    ),
}

# The same, by field (or "field:value"): which items a coded field is.
_DERIVED_FROM: dict[str, tuple[tuple[str, str], ...]] = {}
for _item, _fields in DERIVED.items():
    for _field in _fields:
        _DERIVED_FROM[_field] = (*_DERIVED_FROM.get(_field, ()), _item)
# The fields whose value too may name an item ("outcomes:adherence"): only for these is
# "field:value" looked up.
_BY_VALUE = frozenset(key.partition(":")[0] for key in _DERIVED_FROM if ":" in key)


@cache
def _matcher(cues: Cues) -> Matcher:
    terms = []
    for checklist in ("cert", "tidier"):
        for item, words in getattr(cues, checklist).items():
            terms.extend((w, checklist, item) for w in words)
    return Matcher(terms)


def reporting(
    doc: Document, coded: list[Provenance], item_codes: dict[str, tuple[str, ...]]
) -> tuple[Reporting, list[Provenance]]:
    # The first words found for each item; made Provenances only for the items kept.
    found: dict[tuple[str, str], tuple[str, str, str, int, int, str]] = {}
    for prov in coded:
        derived = _DERIVED_FROM.get(prov.field, ())
        if prov.field in _BY_VALUE:
            derived += _DERIVED_FROM.get(f"{prov.field}:{prov.value}", ())
        for checklist, item in derived:
            if (checklist, item) not in found:
                found[(checklist, item)] = (
                    f"reporting.{checklist}",
                    item,
                    prov.source,
                    prov.start,
                    prov.end,
                    prov.text,
                )
    matcher = _matcher(doc.cues)
    for part in doc.parts:
        if part.source == "keywords":
            continue
        for hit in longest(matcher.find(part.text)):
            if part.sentence_of(hit).role == "background":
                continue
            for label in hit.labels:
                key = (label.kind, label.code)
                if key not in found:
                    found[key] = (
                        f"reporting.{label.kind}",
                        label.code,
                        part.source,
                        hit.start,
                        hit.end,
                        hit.text,
                    )
    result = {}
    provenance = []
    for checklist in ("cert", "tidier"):
        # In the vocabulary's order of the items (1, 2, ... 7a, 7b, ...).
        reported, missing = [], []
        for item in item_codes[checklist]:
            spot = found.get((checklist, item))
            if spot is None:
                missing.append(item)
            else:
                reported.append(item)
                provenance.append(Provenance(*spot))
        result[f"{checklist}_reported"] = tuple(reported)
        result[f"{checklist}_missing"] = tuple(missing)
    return Reporting(**result), provenance
