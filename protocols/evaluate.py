"""Score the mapping against a gold file, exactly as ``../shared/gold/README.md`` says.

Per record the union of the record's entries is compared with ``gold``:

- ``exercise_types``, ``outcomes``: micro-averaged precision, recall and F1 over all
  records; a predicted outcome listed in ``optional_outcomes`` counts neither for nor
  against.
- ``condition``, ``chronicity``, ``specificity``, ``design``: accuracy (``unknown`` and
  ``unspecified`` are answers too).
- ``dosage``: recall is the share of gold dose facts predicted with the same value (a
  range matches a range with the same ends; 26 weeks and 6 months are the same);
  precision is the share of predicted facts, among the fields gold has, that carry the
  gold value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from attrs import frozen

from protocols.errors import UnreadableFile
from protocols.mapping import map_record
from protocols.model import Entry, Intensity, Provenance, Record
from protocols.records.normalise import normalise_doi, record_id
from protocols.vocabulary import Vocabulary

ACCURACY_FIELDS = ("condition", "chronicity", "specificity", "design")
SET_FIELDS = ("exercise_types", "outcomes")
# A programme of 6 months is 26 weeks (6 x 52 / 12 = 26.0...): weeks match within half a week.
WEEKS_TOLERANCE = 0.5


@frozen
class FieldScore:
    field: str
    precision: float | None = None
    recall: float | None = None
    f1: float | None = None
    accuracy: float | None = None
    counts: str = ""


@frozen
class Difference:
    """Where one record's mapping and its gold differ, with what the prediction rests on."""

    record_id: str
    title: str
    field: str
    gold: str
    predicted: str
    provenance: tuple[Provenance, ...]


@frozen
class EvaluationReport:
    gold_path: str
    records: int
    scores: tuple[FieldScore, ...]
    differences: tuple[Difference, ...]

    def score(self, field: str) -> FieldScore:
        return next(s for s in self.scores if s.field == field)

    def render(self, errors: bool = False) -> str:
        lines = [f"{self.gold_path}: {self.records} records", ""]
        lines.append(
            f"{'field':<16}{'precision':>10}{'recall':>10}{'F1':>10}{'accuracy':>10}  counts"
        )

        def fmt(v):
            return f"{v:>10.3f}" if v is not None else f"{'-':>10}"

        for s in self.scores:
            figures = fmt(s.precision) + fmt(s.recall) + fmt(s.f1) + fmt(s.accuracy)
            lines.append(f"{s.field:<16}{figures}  {s.counts}")
        if errors:
            lines.append("")
            lines.append(f"{len(self.differences)} differences")
            current = None
            for d in self.differences:
                if d.record_id != current:
                    current = d.record_id
                    lines.append("")
                    lines.append(f"{d.record_id}  {d.title}")
                lines.append(f"  {d.field}: gold {d.gold} | predicted {d.predicted}")
                for p in d.provenance:
                    lines.append(
                        f"      {p.field}={p.value} <- {p.source}[{p.start}:{p.end}] {p.text!r}"
                    )
        return "\n".join(lines) + "\n"


def gold_record(item: dict[str, Any]) -> Record:
    """The Record a gold line describes (id as every reader would give it)."""
    doi = normalise_doi(item.get("doi"))
    title = item.get("title") or ""
    year = item.get("year") if isinstance(item.get("year"), int) else None
    return Record(
        id=record_id(doi=doi, pmid=None, title=title, year=year),
        title=title,
        abstract=item.get("abstract") or None,
        doi=doi,
        year=year,
    )


def read_gold(path: str | Path) -> list[dict[str, Any]]:
    items = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableFile(str(path), str(exc)) from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UnreadableFile(str(path), f"line {number}: not JSON ({exc.msg})") from None
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("gold"), dict)
            or "title" not in item
        ):
            raise UnreadableFile(
                str(path), f"line {number}: expected an object with title and gold"
            )
        items.append(item)
    return items


def _amount(value):
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, Intensity):
        return {"metric": value.metric, "low": value.low, "high": value.high, "class": value.class_}
    return value


def same_dose(field: str, gold, predicted) -> bool:
    gold, predicted = _amount(gold), _amount(predicted)
    if isinstance(gold, dict):
        if not isinstance(predicted, dict):
            return False
        return all(predicted.get(k) == v for k, v in gold.items() if v is not None)
    tolerance = WEEKS_TOLERANCE if field == "weeks" else 1e-9
    if isinstance(gold, tuple) or isinstance(predicted, tuple):
        if not (isinstance(gold, tuple) and isinstance(predicted, tuple)):
            return False
        return all(abs(g - p) <= tolerance for g, p in zip(gold, predicted, strict=True))
    try:
        return abs(float(gold) - float(predicted)) <= tolerance
    except (TypeError, ValueError):
        return gold == predicted


def _show(values) -> str:
    if isinstance(values, (set, frozenset, list, tuple)) and not (
        isinstance(values, tuple)
        and len(values) == 2
        and all(isinstance(v, (int, float)) for v in values)
    ):
        return "[" + ", ".join(sorted(str(v) for v in values)) + "]"
    return str(values)


def _prov(entries: list[Entry], field: str, values=None) -> tuple[Provenance, ...]:
    seen, out = set(), []
    for entry in entries:
        for p in entry.provenance:
            if (p.field == field or p.field.startswith(field + ".")) and (
                values is None or p.value in values
            ):
                key = (p.field, p.value, p.source, p.start, p.end)
                if key not in seen:
                    seen.add(key)
                    out.append(p)
    return tuple(out)


class _Counts:
    def __init__(self):
        self.tp = self.fp = self.fn = 0

    def score(self, field: str) -> FieldScore:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else None
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else None
        f = 2 * p * r / (p + r) if p and r else (0.0 if p is not None and r is not None else None)
        return FieldScore(field, p, r, f, None, f"tp={self.tp} fp={self.fp} fn={self.fn}")


def evaluate(gold_path: str | Path, vocabulary: Vocabulary | None = None) -> EvaluationReport:
    """Map every gold record and score the mapping field by field."""
    items = read_gold(gold_path)
    sets = {f: _Counts() for f in SET_FIELDS}
    dose = _Counts()
    right = dict.fromkeys(ACCURACY_FIELDS, 0)
    differences: list[Difference] = []
    for item in items:
        record = gold_record(item)
        gold = item["gold"]
        entries = map_record(record, vocabulary)

        def differ(field, gold_value, predicted, provenance, record=record):
            differences.append(
                Difference(
                    record.id, record.title, field, _show(gold_value), _show(predicted), provenance
                )
            )

        predicted_sets = {
            "exercise_types": {code for e in entries for code in e.exercise_types},
            "outcomes": {o.domain for e in entries for o in e.outcomes},
        }
        for field in SET_FIELDS:
            truth = set(gold.get(field) or [])
            optional = (
                set(gold.get("optional_outcomes") or []) - truth if field == "outcomes" else set()
            )
            predicted = predicted_sets[field] - optional
            counts = sets[field]
            counts.tp += len(predicted & truth)
            counts.fp += len(predicted - truth)
            counts.fn += len(truth - predicted)
            if predicted != truth:
                differ(field, truth, predicted, _prov(entries, field, predicted - truth))
        first = entries[0]
        predicted_one = {
            "condition": first.population.condition,
            "chronicity": first.population.chronicity,
            "specificity": first.population.specificity,
            "design": first.design,
        }
        for field in ACCURACY_FIELDS:
            if predicted_one[field] == gold.get(field):
                right[field] += 1
            else:
                where = "design" if field == "design" else f"population.{field}"
                differ(field, gold.get(field), predicted_one[field], _prov(entries, where))
        for field, truth in (gold.get("dosage") or {}).items():
            values = []
            for entry in entries:
                value = getattr(entry.dosage, field, None)
                if value is not None and not any(same_dose(field, v, value) for v in values):
                    values.append(value)
            hit = any(same_dose(field, truth, v) for v in values)
            dose.tp += hit
            dose.fn += not hit
            dose.fp += sum(1 for v in values if not same_dose(field, truth, v))
            if not hit or len(values) > 1:
                differ(f"dosage.{field}", truth, values or None, _prov(entries, f"dosage.{field}"))
    n = len(items)
    scores = [sets[f].score(f) for f in SET_FIELDS]
    # Dose: recall over gold facts; precision over predicted facts in the fields gold has.
    d = dose.score("dosage")
    scores.append(FieldScore("dosage", d.precision, d.recall, d.f1, None, d.counts))
    for field in ACCURACY_FIELDS:
        scores.append(
            FieldScore(
                field, accuracy=right[field] / n if n else None, counts=f"{right[field]}/{n}"
            )
        )
    return EvaluationReport(str(gold_path), n, tuple(scores), tuple(differences))
