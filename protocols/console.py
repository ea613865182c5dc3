"""What the catalogue commands print for people: tables, one entry with its
provenance highlighted in the record's text, statistics, history.

Everything here builds ``rich`` renderables from ``Text`` objects, never from
markup strings: record text is untrusted and a title such as ``[bold]`` must
print as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from protocols.model import Dosage, Entry, Provenance, Record
from protocols.store import SearchHit
from protocols.vocabulary import Vocabulary, default_vocabulary

# Provenance spans count the record's keywords joined like this (see protocols.mapping).
KEYWORD_SEPARATOR = "; "
HIGHLIGHT = "bold black on yellow"


def amount(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return f"{_number(value[0])}–{_number(value[1])}"
    return _number(value)


def _number(value: float | int) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def dosage_text(dosage: Dosage) -> str:
    parts = []
    for name, label in (
        ("weeks", "weeks"),
        ("sessions_per_week", "sessions/week"),
        ("minutes_per_session", "min/session"),
        ("sessions_total", "sessions in all"),
        ("sets", "sets"),
        ("repetitions", "repetitions"),
    ):
        value = getattr(dosage, name)
        if value is not None:
            parts.append(f"{amount(value)} {label}")
    if dosage.intensity is not None:
        intensity = dosage.intensity
        span = (
            amount((intensity.low, intensity.high))
            if intensity.low is not None and intensity.high is not None
            else amount(intensity.low or intensity.high)
        )
        parts.append(f"intensity {intensity.metric} {span} {intensity.class_ or ''}".strip())
    for name in ("supervision", "delivery", "setting"):
        if getattr(dosage, name):
            parts.append(f"{name} {getattr(dosage, name)}")
    return ", ".join(parts)


def hits_table(hits: Sequence[SearchHit]) -> Table:
    table = Table(show_lines=False, header_style="bold")
    table.add_column("entry", no_wrap=True)
    table.add_column("year", no_wrap=True)
    table.add_column("title", ratio=3, overflow="fold")
    for name in ("exercise", "outcomes"):
        table.add_column(name, ratio=1, overflow="fold")
    for name in ("design", "weeks", "status"):
        table.add_column(name, no_wrap=True)
    for hit in hits:
        entry = hit.entry
        table.add_row(
            Text(entry.entry_id),
            Text(str(entry.record.year or "")),
            Text(entry.record.title),
            Text(", ".join(entry.exercise_types) or "—"),
            Text(", ".join(o.domain for o in entry.outcomes)),
            Text(entry.design),
            Text(amount(entry.dosage.weeks)),
            Text(entry.review_status, style="green" if entry.review_status == "curated" else ""),
        )
    return table


def source_text(record: Record, source: str) -> str | None:
    """The record text a provenance ``source`` names."""
    if source == "title":
        return record.title
    if source == "abstract":
        return record.abstract
    if source == "keywords":
        return KEYWORD_SEPARATOR.join(record.keywords)
    return None


def span_found(record: Record | None, prov: Provenance) -> bool:
    text = source_text(record, prov.source) if record else None
    return (
        text is not None
        and 0 <= prov.start < prov.end <= len(text)
        and text[prov.start : prov.end] == prov.text
    )


def highlighted(text: str, spans: Iterable[tuple[int, int, int]]) -> Text:
    """``text`` with each (start, end, number) span marked «like this»¹ and styled."""
    opens: dict[int, int] = {}
    closes: dict[int, list[tuple[int, int]]] = {}
    for start, end, number in spans:
        opens[start] = opens.get(start, 0) + 1
        closes.setdefault(end, []).append((start, number))
    result = Text()
    depth = 0
    position = 0
    for cut in sorted(set(opens) | set(closes) | {len(text)}):
        result.append(text[position:cut], style=HIGHLIGHT if depth else "")
        position = cut
        # The span opened last closes first, so nested marks pair up.
        for _start, number in sorted(closes.get(cut, []), key=lambda c: (-c[0], c[1])):
            result.append(f"»{number}", style="bold")
            depth -= 1
        for _ in range(opens.get(cut, 0)):
            result.append("«", style="bold")
            depth += 1
    return result


def _label(vocabulary: Vocabulary, kind: str, code: str | None) -> str:
    if code is None:
        return "—"
    return f"{code} ({vocabulary.label(kind, code)})" if code in vocabulary.kinds[kind] else code


def entry_view(
    entry: Entry, record: Record | None, vocabulary: Vocabulary | None = None
) -> RenderableType:
    """Everything about one entry, each value with the numbers of the spans it came from."""
    vocabulary = vocabulary or default_vocabulary()
    numbered = list(enumerate(entry.provenance, start=1))

    def marks(field: str, value: str | None = None) -> str:
        numbers = [
            n
            for n, p in numbered
            if (p.field == field or p.field.startswith(field + "."))
            and (value is None or p.value == value or p.source == "curator")
        ]
        return "".join(f" [{n}]" for n in numbers)

    status = entry.review_status + (
        f" (set by a person: {', '.join(entry.curated_fields)})" if entry.curated_fields else ""
    )
    head = Text()
    head.append(f"Entry {entry.entry_id}", style="bold")
    head.append(f"  {status}\n")
    head.append(entry.record.title, style="italic")
    authors = (
        [a.family + (f" {a.given}" if a.given else "") for a in record.authors] if record else []
    )
    details = [
        ", ".join(authors[:3]) + (" et al." if len(authors) > 3 else "") if authors else None,
        record.journal if record else None,
        str(entry.record.year) if entry.record.year else None,
        f"doi:{entry.record.doi}" if entry.record.doi else None,
        f"PMID {entry.record.pmid}" if entry.record.pmid else None,
        f"record {entry.record.id}",
    ]
    head.append("\n" + " · ".join(d for d in details if d))

    fields = Table.grid(padding=(0, 2))
    fields.add_column(style="bold")
    fields.add_column()
    pop = entry.population
    rows = [
        ("arm", entry.arm or "—"),
        (
            "exercise types",
            ", ".join(
                _label(vocabulary, "exercise_types", c) + marks("exercise_types", c)
                for c in entry.exercise_types
            )
            or "none (not an exercise study)" + marks("exercise_types"),
        ),
        (
            "comparators",
            ", ".join(
                _label(vocabulary, "comparators", c) + marks("comparators", c)
                for c in entry.comparators
            )
            or "—",
        ),
        (
            "population",
            ", ".join(
                f"{name} {value}{marks('population.' + name)}"
                for name, value in (
                    ("condition", pop.condition),
                    ("chronicity", pop.chronicity),
                    ("specificity", pop.specificity),
                    ("age group", pop.age_group),
                    ("sample size", pop.sample_size),
                )
                if value not in (None, "unspecified")
            )
            or "—",
        ),
        (
            "outcomes",
            "; ".join(
                _label(vocabulary, "outcomes", o.domain)
                + (f": {o.measure}" if o.measure else "")
                + marks("outcomes", o.domain)
                for o in entry.outcomes
            )
            or "—",
        ),
        ("design", _label(vocabulary, "design", entry.design) + marks("design")),
        ("dosage", (dosage_text(entry.dosage) or "—") + marks("dosage")),
        ("CERT", _checklist(entry.reporting.cert_reported, entry.reporting.cert_missing)),
        ("TIDieR", _checklist(entry.reporting.tidier_reported, entry.reporting.tidier_missing)),
    ]
    for name, value in rows:
        fields.add_row(Text(name), Text(str(value)))

    parts: list[RenderableType] = [head, Text(""), fields]
    if record is not None:
        by_source: dict[str, list[tuple[int, int, int]]] = {}
        for n, prov in numbered:
            if span_found(record, prov):
                by_source.setdefault(prov.source, []).append((prov.start, prov.end, n))
        parts.append(Text("\nIn the record's words", style="bold underline"))
        for source in ("title", "keywords", "abstract"):
            text = source_text(record, source)
            if not text or (source != "title" and source not in by_source):
                continue
            line = Text(f"{source}: ", style="bold")
            line.append_text(highlighted(text, by_source.get(source, [])))
            parts.append(line)
    if numbered:
        parts.append(Text("\nProvenance", style="bold underline"))
        for n, prov in numbered:
            line = Text(f"[{n}] {prov.field} = {prov.value}: ")
            if prov.source == "curator":
                line.append("set by a person", style="green")
            elif span_found(record, prov):
                line.append(f"{prov.source} {prov.start}–{prov.end} “{prov.text}”")
            else:
                line.append(
                    f"{prov.source} {prov.start}–{prov.end} “{prov.text}” "
                    "(not found in the record's text: the record changed after mapping)",
                    style="red",
                )
            parts.append(line)
    return Group(*parts)


def _checklist(reported: Sequence[str], missing: Sequence[str]) -> str:
    text = f"{len(reported)} reported, {len(missing)} missing"
    return text + (f" (missing: {', '.join(missing)})" if missing else "")


def stats_view(stats: dict[str, Any]) -> RenderableType:
    head = Text(
        f"{stats['records']} records, {stats['entries']} entries "
        f"({stats['exercise_entries']} of exercise), "
        + ", ".join(f"{n} {status}" for status, n in stats["review_status"].items())
    )
    parts: list[RenderableType] = [head]
    for key, title in (
        ("exercise_types", "exercise type"),
        ("outcomes", "outcome"),
        ("design", "design"),
        ("year", "year"),
    ):
        table = Table(title=None, header_style="bold")
        table.add_column(title)
        table.add_column("entries", justify="right")
        for name, count in stats[key].items():
            table.add_row(Text(name), Text(str(count)))
        parts.append(table)
    reporting = Table(header_style="bold")
    for column in ("checklist", "entries assessed", "items reported (mean)", "most often missing"):
        reporting.add_column(column)
    for kind, values in stats["reporting"].items():
        mean = values["mean_reported"]
        reporting.add_row(
            Text(kind.upper() if kind == "cert" else "TIDieR"),
            Text(str(values["assessed"])),
            Text(f"{mean:.0%}" if mean is not None else "—"),
            Text(", ".join(f"{item} ({n})" for item, n in values["most_missing"].items()) or "—"),
        )
    parts.append(reporting)
    return Group(*parts)


def history_table(rows: Sequence[dict[str, Any]]) -> Table:
    table = Table(header_style="bold")
    for name in ("when", "what", "how many", "from", "detail"):
        table.add_column(name, overflow="fold")
    for row in rows:
        detail = row["detail"]
        if isinstance(detail, dict):
            detail = ", ".join(f"{k} {v}" for k, v in detail.items())
        table.add_row(
            Text(row["at"]),
            Text(row["action"]),
            Text(str(row["count"])),
            Text(row["file"] or ""),
            Text(str(detail or "")),
        )
    return table
