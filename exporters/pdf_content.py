"""What an entry says, in words: the texts both PDFs print (plain text, escaped later).

Every function returns only what the entry holds; a field the record did not
report comes back as ``None`` so that each PDF can say so in its own way.
"""

from __future__ import annotations

from exporters.pdf_layout import amount
from exporters.translations import Translations
from protocols.model import Dosage, Entry, Intensity, Population, Record, RecordRef
from protocols.vocabulary import Vocabulary


def labels(vocabulary: Vocabulary, kind: str, values, lang: str) -> list[str]:
    return [vocabulary.label(kind, code, lang) for code in values]


def population_text(population: Population, vocabulary: Vocabulary, lang: str) -> str | None:
    parts = []
    if population.condition:
        parts.append(vocabulary.label("condition", population.condition, lang))
    for kind in ("chronicity", "specificity", "age_group"):
        code = getattr(population, kind)
        if code != "unspecified":
            parts.append(vocabulary.label(kind, code, lang))
    return "; ".join(parts) or None


def intensity_text(intensity: Intensity | None, vocabulary: Vocabulary, lang: str) -> str | None:
    if intensity is None:
        return None
    low, high = intensity.low, intensity.high
    if low is not None and high is not None and low != high:
        span = f"{amount(low)}\u2013{amount(high)}"
    elif low is not None or high is not None:
        span = amount(low if low is not None else high)
    else:
        span = None
    parts = []
    if span is not None or intensity.metric != "descriptor":
        metric = vocabulary.label("intensity_metric", intensity.metric, lang)
        parts.append(f"{metric}: {span}" if span is not None else metric)
    if intensity.class_:
        parts.append(vocabulary.label("intensity_class", intensity.class_, lang))
    return ", ".join(parts) or None


def volume_text(dosage: Dosage, words: Translations, lang: str) -> str | None:
    parts = []
    if dosage.sets is not None:
        parts.append(words.text("sets", lang, x=amount(dosage.sets)))
    if dosage.repetitions is not None:
        parts.append(words.text("repetitions", lang, x=amount(dosage.repetitions)))
    return ", ".join(parts) or None


def delivery_text(dosage: Dosage, vocabulary: Vocabulary, lang: str) -> str | None:
    parts = [
        vocabulary.label(kind, getattr(dosage, kind), lang)
        for kind in ("supervision", "delivery", "setting")
        if getattr(dosage, kind)
    ]
    return " \u00b7 ".join(parts) or None


def frequency_text(dosage: Dosage, words: Translations, lang: str, key: str) -> str | None:
    parts = []
    if dosage.sessions_per_week is not None:
        parts.append(words.text(key, lang, x=amount(dosage.sessions_per_week)))
    if dosage.sessions_total is not None:
        parts.append(words.text("sessions_in_all", lang, x=amount(dosage.sessions_total)))
    return ", ".join(parts) or None


def fitt(
    entry: Entry, vocabulary: Vocabulary, words: Translations, lang: str
) -> list[tuple[str, str | None]]:
    """(label key, text or None) for each FITT part of an entry's dose, in the summary's words."""
    dosage = entry.dosage
    minutes = dosage.minutes_per_session
    weeks = dosage.weeks
    return [
        ("fitt_frequency", frequency_text(dosage, words, lang, "fitt_frequency_value")),
        ("fitt_intensity", intensity_text(dosage.intensity, vocabulary, lang)),
        (
            "fitt_time",
            None if minutes is None else words.text("fitt_time_value", lang, x=amount(minutes)),
        ),
        (
            "fitt_type",
            ", ".join(labels(vocabulary, "exercise_types", entry.exercise_types, lang)) or None,
        ),
        ("fitt_length", None if weeks is None else words.text("weeks", lang, x=amount(weeks))),
        ("fitt_volume", volume_text(dosage, words, lang)),
        ("fitt_delivery", delivery_text(dosage, vocabulary, lang)),
    ]


def outcome_texts(entry: Entry, vocabulary: Vocabulary, lang: str) -> list[str]:
    out = []
    for outcome in entry.outcomes:
        label = vocabulary.label("outcomes", outcome.domain, lang)
        out.append(f"{label} ({outcome.measure})" if outcome.measure else label)
    return out


def _author(author) -> str:
    initials = "".join(part[0] for part in author.given.replace("-", " ").split() if part)
    return f"{author.family} {initials}".strip()


def reference_text(record: Record | None, ref: RecordRef, with_title: bool = True) -> str:
    """A Vancouver-like reference from the record (or the entry's own reference).

    ``with_title=False`` leaves the title out, for a card whose heading shows it.
    """
    if record is None:
        year = f" {ref.year}." if ref.year else ""
        return f"{ref.title.rstrip('.')}.{year}"
    parts = []
    if record.authors:
        names = [_author(a) for a in record.authors[:3]]
        parts.append(", ".join(names) + (", et al." if len(record.authors) > 3 else "."))
    if with_title:
        parts.append(record.title.rstrip(".") + ".")
    where = record.journal.rstrip(".") + "." if record.journal else ""
    issue = ""
    if record.year:
        issue = str(record.year)
    if record.volume:
        issue += f";{record.volume}"
        if record.issue:
            issue += f"({record.issue})"
    if record.pages or record.article_number:
        issue += f":{record.pages or record.article_number}"
    if where or issue:
        parts.append(" ".join(p for p in (where, issue + "." if issue else "") if p))
    return " ".join(parts)
