"""The mapping's cue words (``protocols/data/mapping_cues.toml``), loaded and validated.

The vocabulary holds the codes and their terms; this file holds the words that steer
how a match is read (unnamed exercise, non-exercise interventions, negation, section
labels, number words, ACSM bands, CERT/TIDieR cues).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, wraps
from pathlib import Path
from typing import Any, TypeVar

from attrs import frozen

from protocols.errors import VocabularyError

SECTION_ROLES = ("background", "aim", "methods", "results", "conclusion", "other")
NON_EXERCISE_KINDS = ("drug", "surgery", "injection", "manual", "psychological", "diagnostic")
BAND_METRICS = ("hrmax_pct", "hrr_pct", "vo2max_pct", "rpe", "rpe_cr10", "one_rm_pct", "mets")


@frozen
class Band:
    class_: str
    low: float
    high: float


@frozen(eq=False)  # compared and hashed by identity, so lookups derived from it can be memoised
class Cues:
    design_title_only: tuple[str, ...]
    unnamed_exercise: tuple[str, ...]
    exercise_heads: tuple[str, ...]
    deep_muscles: tuple[str, ...]
    non_exercise: dict[str, tuple[str, ...]]
    negation_before: tuple[str, ...]
    exclusion_sentence: tuple[str, ...]
    incidental: tuple[str, ...]
    not_measured: tuple[str, ...]
    characteristics: tuple[str, ...]
    measured: tuple[str, ...]
    section_labels: dict[str, tuple[str, ...]]
    aim_sentence: tuple[str, ...]
    number_units: tuple[str, ...]
    number_tens: tuple[str, ...]
    number_times: dict[str, int]
    number_one: tuple[str, ...]
    bands: dict[str, tuple[Band, ...]]
    cert: dict[str, tuple[str, ...]]
    tidier: dict[str, tuple[str, ...]]


def _words(value: Any, where: str, allow_empty: bool = False) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise VocabularyError(f"{where}: expected a list of non-empty strings")
    if not value and not allow_empty:
        raise VocabularyError(f"{where}: empty list")
    return tuple(value)


def _table(data: dict[str, Any], name: str, origin: str) -> dict[str, Any]:
    table = data.get(name)
    if not isinstance(table, dict):
        raise VocabularyError(f"{origin}: missing table [{name}]")
    return table


def _bands(spec: Any, where: str, classes: tuple[str, ...]) -> tuple[Band, ...]:
    if not isinstance(spec, list) or not spec:
        raise VocabularyError(f"{where}: expected a list of [class, low, high]")
    bands = []
    for item in spec:
        ok = (
            isinstance(item, list)
            and len(item) == 3
            and item[0] in classes
            and all(isinstance(v, (int, float)) for v in item[1:])
            and item[1] < item[2]
        )
        if not ok:
            raise VocabularyError(f"{where}: bad band {item!r}")
        bands.append(Band(item[0], float(item[1]), float(item[2])))
    return tuple(bands)


def parse_cues(data: dict[str, Any], origin: str, item_codes: dict[str, tuple[str, ...]]) -> Cues:
    """Validate the parsed TOML; ``item_codes`` are the vocabulary's cert/tidier codes."""
    from protocols.vocabulary import codes

    exercise = _table(data, "exercise", origin)
    non_exercise = _table(data, "non_exercise", origin)
    negation = _table(data, "negation", origin)
    sections = _table(data, "sections", origin)
    numbers = _table(data, "numbers", origin)
    outcome_cues = _table(data, "outcomes", origin)
    bands = _table(data, "intensity_bands", origin)
    if set(non_exercise) != set(NON_EXERCISE_KINDS):
        raise VocabularyError(f"{origin}: [non_exercise] must have {NON_EXERCISE_KINDS}")
    times = numbers.get("times")
    if not isinstance(times, dict) or not all(isinstance(v, int) for v in times.values()):
        raise VocabularyError(f"{origin}: [numbers] times must map words to integers")
    if set(bands) != set(BAND_METRICS):
        raise VocabularyError(f"{origin}: [intensity_bands] must have {BAND_METRICS}")
    classes = codes("intensity_class")
    checklists = {}
    for name in ("cert", "tidier"):
        table = _table(data, name, origin)
        if set(table) != set(item_codes[name]):
            raise VocabularyError(f"{origin}: [{name}] must list exactly the vocabulary's items")
        checklists[name] = {
            item: _words(words, f"{origin}: [{name}.{item}]", allow_empty=True)
            for item, words in table.items()
        }
    labels = {
        role: _words(sections.get(role), f"{origin}: [sections] {role}") for role in SECTION_ROLES
    }
    design = _table(data, "design", origin)
    return Cues(
        design_title_only=_words(design.get("title_only"), f"{origin}: [design] title_only"),
        unnamed_exercise=_words(exercise.get("unnamed"), f"{origin}: [exercise] unnamed"),
        exercise_heads=_words(exercise.get("heads"), f"{origin}: [exercise] heads"),
        deep_muscles=_words(exercise.get("deep_muscles"), f"{origin}: [exercise] deep_muscles"),
        non_exercise={
            kind: _words(non_exercise[kind], f"{origin}: [non_exercise] {kind}")
            for kind in NON_EXERCISE_KINDS
        },
        negation_before=_words(negation.get("before"), f"{origin}: [negation] before"),
        exclusion_sentence=_words(
            negation.get("exclusion_sentence"), f"{origin}: [negation] exclusion_sentence"
        ),
        incidental=_words(negation.get("incidental"), f"{origin}: [negation] incidental"),
        not_measured=_words(outcome_cues.get("not_measured"), f"{origin}: [outcomes] not_measured"),
        characteristics=_words(
            outcome_cues.get("characteristics"), f"{origin}: [outcomes] characteristics"
        ),
        measured=_words(outcome_cues.get("measured"), f"{origin}: [outcomes] measured"),
        section_labels=labels,
        aim_sentence=_words(sections.get("aim_sentence"), f"{origin}: [sections] aim_sentence"),
        number_units=_words(numbers.get("units"), f"{origin}: [numbers] units"),
        number_tens=_words(numbers.get("tens"), f"{origin}: [numbers] tens"),
        number_times=dict(times),
        number_one=_words(numbers.get("one"), f"{origin}: [numbers] one"),
        bands={
            metric: _bands(bands[metric], f"{origin}: [intensity_bands] {metric}", classes)
            for metric in BAND_METRICS
        },
        cert=checklists["cert"],
        tidier=checklists["tidier"],
    )


def load_cues(path: str | Path | None = None) -> Cues:
    """Load and validate a cue file (default: the one shipped in the package)."""
    from protocols.vocabulary import default_vocabulary, read_data_file

    data, origin = read_data_file("mapping_cues.toml", path)
    vocabulary = default_vocabulary()
    items = {name: vocabulary.codes(name) for name in ("cert", "tidier")}
    return parse_cues(data, origin, items)


@cache
def default_cues() -> Cues:
    return load_cues()


_T = TypeVar("_T")


def by_identity(derive: Callable[[Any], _T]) -> Callable[[Any], _T]:
    """Memoise ``derive(value)`` by the identity of ``value``, for the tuples of a Cues.

    ``functools.cache`` would hash the whole tuple at every call (a tuple does not keep
    its hash), and the lookups derived from cue lists are asked for many times a record.
    The value is kept with the result, so its identity is not reused.
    """
    memo: dict[int, tuple[Any, _T]] = {}

    @wraps(derive)
    def derived(value: Any) -> _T:
        kept = memo.get(id(value))
        if kept is None or kept[0] is not value:
            kept = memo[id(value)] = (value, derive(value))
        return kept[1]

    return derived
