"""Corrections a person makes to an entry (``protocat edit``, ``protocat review``).

A correction is ``field=value`` with a dotted field path (``design=rct``,
``dosage.weeks=8-12``, ``exercise_types=motor_control,walking``,
``outcomes=hypoalgesia:pressure pain threshold,disability``). The value is
parsed by the type of the model's attribute and checked by the model's own
validators; an unknown code gets the nearest codes of the vocabulary. The field
becomes curated: later ingests keep it (``protocols.store.apply_curated``).
"""

from __future__ import annotations

import difflib
import typing
from typing import Any

import attrs

from protocols.errors import UsageError
from protocols.model import (
    Amount,
    Dosage,
    Entry,
    Intensity,
    Number,
    Outcome,
    Population,
    Provenance,
    Reporting,
)
from protocols.store import set_path
from protocols.vocabulary import default_vocabulary

# Content a person may set; identity (entry_id, record) and bookkeeping are not.
EDITABLE = (
    "exercise_types",
    "comparators",
    "population",
    "outcomes",
    "design",
    "dosage",
    "reporting",
    "arm",
)
# The vocabulary kind of each coded field path.
CODE_KINDS = {
    "exercise_types": "exercise_types",
    "comparators": "comparators",
    "outcomes": "outcomes",
    "design": "design",
    "population.condition": "condition",
    "population.chronicity": "chronicity",
    "population.specificity": "specificity",
    "population.age_group": "age_group",
    "dosage.intensity.metric": "intensity_metric",
    "dosage.intensity.class_": "intensity_class",
    "dosage.supervision": "supervision",
    "dosage.delivery": "delivery",
    "dosage.setting": "setting",
    "reporting.cert_reported": "cert",
    "reporting.cert_missing": "cert",
    "reporting.tidier_reported": "tidier",
    "reporting.tidier_missing": "tidier",
}
_NONE = ("", "none", "null", "-")


def check_code(kind: str, code: str, option: str) -> str:
    """``code`` if the vocabulary has it (or a label of it); else a usage error with suggestions."""
    vocabulary = default_vocabulary()
    known = vocabulary.kinds[kind]
    if code in known:
        return code
    folded = code.strip().casefold()
    if folded.replace(" ", "_").replace("-", "_") in known:
        return folded.replace(" ", "_").replace("-", "_")
    for term in known.values():
        if folded in (term.code.casefold(), *(label.casefold() for label in term.labels.values())):
            return term.code
    close = difflib.get_close_matches(code, list(known), n=3, cutoff=0.5)
    labels = {term.labels["en"].casefold(): term.code for term in known.values()}
    close += [labels[m] for m in difflib.get_close_matches(folded, list(labels), n=3, cutoff=0.6)]
    close = list(dict.fromkeys(close))[:3]
    hint = f"; did you mean {' or '.join(close)}?" if close else f"; known: {', '.join(known)}"
    raise UsageError(f"{option}: {code!r} is not a code of {kind}{hint}")


def _types(cls: type) -> dict[str, Any]:
    # Resolved here: with postponed annotations attrs may hold the type as a string.
    return typing.get_type_hints(cls)


# Classes an edit reaches into by a dotted path.
_NESTED: dict[Any, type] = {
    Population: Population,
    Dosage: Dosage,
    Reporting: Reporting,
    Intensity | None: Intensity,
}


def editable_paths() -> list[str]:
    """Every field path ``edit --set`` accepts."""
    paths: list[str] = []

    def walk(cls: type, prefix: str) -> None:
        for name, type_ in _types(cls).items():
            path = prefix + name
            if type_ == Intensity | None:
                paths.append(path)  # "none" clears it
            if type_ in _NESTED:
                walk(_NESTED[type_], path + ".")
            else:
                paths.append(path)

    entry_types = _types(Entry)
    for name in EDITABLE:
        if entry_types[name] in _NESTED:
            walk(_NESTED[entry_types[name]], name + ".")
        else:
            paths.append(name)
    return paths


def _field_type(path: str) -> Any:
    cls: type = Entry
    *parents, last = path.split(".")
    for name in parents:
        cls = _NESTED[_types(cls)[name]]
    return _types(cls)[last]


def _number(text: str, path: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{path}: {text!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise UsageError(f"{path}: {text!r} is not a number")
    return value


def parse_value(path: str, text: str) -> Any:
    """The model value of ``text`` for the field at ``path``."""
    if path not in editable_paths():
        raise UsageError(f"cannot set {path!r}; fields: {', '.join(editable_paths())}")
    type_ = _field_type(path)
    raw = text.strip()
    kind = CODE_KINDS.get(path)
    if type_ == tuple[str, ...]:
        items = tuple(part.strip() for part in raw.split(",") if part.strip())
        return tuple(check_code(kind, item, path) for item in items) if kind else items
    if type_ == tuple[Outcome, ...]:
        outcomes = []
        for part in (p.strip() for p in raw.split(",")):
            if part:
                domain, _, measure = part.partition(":")
                outcomes.append(
                    Outcome(check_code("outcomes", domain.strip(), path), measure.strip() or None)
                )
        return tuple(outcomes)
    if raw.casefold() in _NONE and type_ is not str:
        return None
    if type_ == Amount:
        low, dash, high = raw.partition("-")
        if dash and low.strip():
            return (_number(low.strip(), path), _number(high.strip(), path))
        return _number(raw, path)
    if type_ == int | None:
        value = _number(raw, path)
        if not isinstance(value, int):
            raise UsageError(f"{path}: {text!r} is not a whole number")
        return value
    if type_ == Number | None:
        return _number(raw, path)
    if type_ == Intensity | None:
        raise UsageError(f"{path}: only 'none' clears it; set {path}.metric to create one")
    if kind:
        return check_code(kind, raw, path)
    return raw


def apply_corrections(entry: Entry, assignments: list[str]) -> Entry:
    """``entry`` with each ``field=value`` applied, validated, and marked curated."""
    result = entry
    curated = list(entry.curated_fields)
    provenance = list(entry.provenance)
    for assignment in assignments:
        path, equals, text = assignment.partition("=")
        path = path.strip()
        if path == "dosage.intensity.class":  # the JSON name of class_
            path += "_"
        if not equals or not path:
            raise UsageError(f"--set {assignment!r}: write field=value, e.g. design=rct")
        value = parse_value(path, text)
        try:
            if path.startswith("dosage.intensity.") and result.dosage.intensity is None:
                if path != "dosage.intensity.metric":
                    raise UsageError(f"{path}: set dosage.intensity.metric first")
                result = set_path(result, "dosage.intensity", Intensity(metric=value))
            else:
                result = set_path(result, path, value)
        except (TypeError, ValueError) as exc:
            raise UsageError(f"{path}: {exc}") from None
        # The automatic spans of a value a person replaced no longer support it.
        provenance = [p for p in provenance if not _covers(path, p.field)]
        provenance.append(
            Provenance(
                field=path,
                value=value_text(value),
                source="curator",
                start=0,
                end=0,
                text=text.strip(),
            )
        )
        if not any(_covers(kept, path) for kept in curated):
            curated = [kept for kept in curated if not _covers(path, kept)] + [path]
    return attrs.evolve(
        result, provenance=tuple(provenance), review_status="curated", curated_fields=tuple(curated)
    )


def value_text(value: Any) -> str:
    """A parsed value written back the way ``--set`` takes it."""
    if value is None:
        return "none"
    if (
        isinstance(value, tuple)
        and len(value) == 2
        and all(isinstance(v, (int, float)) for v in value)
    ):
        return f"{value[0]}-{value[1]}"
    if isinstance(value, tuple):
        return ",".join(
            f"{v.domain}:{v.measure}"
            if isinstance(v, Outcome) and v.measure
            else v.domain
            if isinstance(v, Outcome)
            else str(v)
            for v in value
        )
    return str(value)


def accept(entry: Entry) -> Entry:
    """The entry as a person confirmed it: every content field becomes curated."""
    return attrs.evolve(
        entry,
        review_status="curated",
        curated_fields=tuple(dict.fromkeys((*entry.curated_fields, *EDITABLE))),
    )


def _covers(path: str, field: str) -> bool:
    return field == path or field.startswith(path + ".")
