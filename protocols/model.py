"""The domain model: a bibliographic Record and the intervention Entries mapped from it.

Small frozen attrs classes, validated at the boundary. Absent scalars are ``None``,
absent lists are empty tuples. Codes are checked against the vocabulary
(``protocols/data/vocabulary.toml``); the classes hold no mapping logic.
"""

from __future__ import annotations

import attrs
from attrs import frozen
from attrs.validators import and_, deep_iterable, ge, in_, instance_of, optional

from protocols.vocabulary import codes

Number = int | float
# A dose amount: one number, or an inclusive (low, high) range ("2-3 times a week").
Amount = int | float | tuple[Number, Number] | None

REVIEW_STATUSES = ("auto", "curated")


def _strings(value=()) -> tuple[str, ...]:
    return tuple(value)


# The validators run for every model object the mapping builds (a dozen Provenances a
# record), and attrs' own cost several times a plain test. So each validator below tries
# one cheap test that accepts the usual value and hands any other value to the attrs
# validator it stands for, which accepts or rejects it exactly as before, with the same
# error (the repr, which errors show, is that validator's too).
class _Fast:
    """An attrs validator: ``full`` runs only for a value the cheap test does not accept."""

    __slots__ = ("full",)

    def __init__(self, full) -> None:
        self.full = full

    def __repr__(self) -> str:
        return repr(self.full)


class _Text(_Fast):
    __slots__ = ()

    def __call__(self, instance, attribute, value) -> None:
        if value.__class__ is not str:
            self.full(instance, attribute, value)


class _OptionalText(_Fast):
    __slots__ = ()

    def __call__(self, instance, attribute, value) -> None:
        if value is not None and value.__class__ is not str:
            self.full(instance, attribute, value)


class _Count(_Fast):
    """An int, not negative (a bool is an int too, as ``instance_of(int)`` sees it)."""

    __slots__ = ()

    def __call__(self, instance, attribute, value) -> None:
        if value.__class__ is not int or value < 0:
            self.full(instance, attribute, value)


class _OptionalCount(_Fast):
    __slots__ = ()

    def __call__(self, instance, attribute, value) -> None:
        if value is not None and (value.__class__ is not int or value < 0):
            self.full(instance, attribute, value)


class _OptionalInt(_Fast):
    __slots__ = ()

    def __call__(self, instance, attribute, value) -> None:
        if value is not None and value.__class__ is not int:
            self.full(instance, attribute, value)


class _Texts(_Fast):
    """A tuple of str (most often empty)."""

    __slots__ = ()

    def __call__(self, instance, attribute, value) -> None:
        if value.__class__ is not tuple or (value and any(v.__class__ is not str for v in value)):
            self.full(instance, attribute, value)


class _Code(_Fast):
    """One code of a kind (a str equal to a code is in the tuple of codes too)."""

    __slots__ = ("codes",)

    def __init__(self, full, codes: tuple[str, ...]) -> None:
        super().__init__(full)
        self.codes = frozenset(codes)

    def __call__(self, instance, attribute, value) -> None:
        if value.__class__ is not str or value not in self.codes:
            self.full(instance, attribute, value)


class _OptionalCode(_Code):
    __slots__ = ()

    def __call__(self, instance, attribute, value) -> None:
        if value is not None and (value.__class__ is not str or value not in self.codes):
            self.full(instance, attribute, value)


class _Codes(_Code):
    """A tuple of codes of a kind."""

    __slots__ = ()

    def __call__(self, instance, attribute, value) -> None:
        try:
            if value.__class__ is tuple and self.codes.issuperset(value):
                return
        except TypeError:  # an unhashable member: the full validator decides
            pass
        self.full(instance, attribute, value)


def _codes_of(kind: str) -> _Codes:
    full = deep_iterable(member_validator=in_(codes(kind)), iterable_validator=instance_of(tuple))
    return _Codes(full, codes(kind))


def _code(kind: str) -> _Code:
    return _Code(in_(codes(kind)), codes(kind))


def _optional_code(kind: str) -> _OptionalCode:
    return _OptionalCode(optional(in_(codes(kind))), codes(kind))


def _amount(_instance, attribute, value) -> None:
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        if value is not None and value < 0:
            raise ValueError(f"{attribute.name} must not be negative: {value!r}")
        return
    if (
        isinstance(value, tuple)
        and len(value) == 2
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
        and 0 <= value[0] <= value[1]
    ):
        return
    raise ValueError(f"{attribute.name} must be a number or a (low, high) range: {value!r}")


def _to_amount(value):
    if isinstance(value, list):
        return tuple(value)
    return value


_text = _Text(instance_of(str))
_optional_text = _OptionalText(optional(instance_of(str)))
_tuple_of_text = _Texts(
    deep_iterable(member_validator=instance_of(str), iterable_validator=instance_of(tuple))
)
_optional_int = _OptionalInt(optional(instance_of(int)))
_count = _Count(and_(instance_of(int), ge(0)))
_optional_count = _OptionalCount(optional([instance_of(int), ge(0)]))


# --------------------------------------------------------------------------- records


@frozen
class Author:
    family: str = attrs.field(validator=_text)
    given: str = attrs.field(default="", validator=_text)
    # Affiliation texts of this author, resolved from the source's numbering.
    affiliations: tuple[str, ...] = attrs.field(
        default=(), converter=_strings, validator=_tuple_of_text
    )


@frozen
class Origin:
    """Where a record was read: the file, the 1-based line its record starts on."""

    file: str = attrs.field(validator=_text)
    line: int = attrs.field(validator=[instance_of(int), ge(1)])
    format: str = attrs.field(validator=_text)
    encoding: str = attrs.field(default="utf-8", validator=_text)


@frozen
class SourceId:
    """An identifier a database gave the work (``wos``, ``scopus``, ``pmc``, ``embase`` ...)."""

    scheme: str = attrs.field(validator=_text)
    value: str = attrs.field(validator=_text)


@frozen
class SubjectCode:
    """A classification the source assigned (``clc`` Chinese Library Classification, ...)."""

    scheme: str = attrs.field(validator=_text)
    code: str = attrs.field(validator=_text)
    label: str = attrs.field(default="", validator=_text)


@frozen
class Record:
    """One bibliographic record, as read from an export file and normalised.

    ``abstract`` keeps a structured abstract's sections one a line as ``LABEL: text``.
    """

    id: str = attrs.field(validator=_text)
    title: str = attrs.field(validator=_text)
    authors: tuple[Author, ...] = attrs.field(default=(), converter=tuple)
    affiliations: tuple[str, ...] = attrs.field(
        default=(), converter=_strings, validator=_tuple_of_text
    )
    journal: str | None = attrs.field(default=None, validator=_optional_text)
    year: int | None = attrs.field(default=None, validator=_optional_int)
    volume: str | None = attrs.field(default=None, validator=_optional_text)
    issue: str | None = attrs.field(default=None, validator=_optional_text)
    pages: str | None = attrs.field(default=None, validator=_optional_text)
    article_number: str | None = attrs.field(default=None, validator=_optional_text)
    page_count: int | None = attrs.field(default=None, validator=_optional_int)
    keywords: tuple[str, ...] = attrs.field(
        default=(), converter=_strings, validator=_tuple_of_text
    )
    abstract: str | None = attrs.field(default=None, validator=_optional_text)
    language: str | None = attrs.field(default=None, validator=_optional_text)
    doi: str | None = attrs.field(default=None, validator=_optional_text)
    pmid: str | None = attrs.field(default=None, validator=_optional_text)
    source_ids: tuple[SourceId, ...] = attrs.field(default=(), converter=tuple)
    publication_types: tuple[str, ...] = attrs.field(
        default=(), converter=_strings, validator=_tuple_of_text
    )
    subject_codes: tuple[SubjectCode, ...] = attrs.field(default=(), converter=tuple)
    times_cited: int | None = attrs.field(default=None, validator=_optional_int)
    # Titles of the works the source page lists as related (the portal's 相关论文).
    related: tuple[str, ...] = attrs.field(default=(), converter=_strings, validator=_tuple_of_text)
    origins: tuple[Origin, ...] = attrs.field(default=(), converter=tuple)
    # What the reader noticed but kept: an unreadable year, a recovered missing TY line ...
    warnings: tuple[str, ...] = attrs.field(
        default=(), converter=_strings, validator=_tuple_of_text
    )


@frozen
class Reject:
    """A record of an input that could not be parsed: reported, never dropped silently."""

    file: str = attrs.field(validator=_text)
    line: int = attrs.field(validator=[instance_of(int), ge(0)])
    reason: str = attrs.field(validator=_text)


# --------------------------------------------------------------------------- entries


@frozen
class RecordRef:
    """The few record fields an entry carries with it."""

    id: str = attrs.field(validator=_text)
    title: str = attrs.field(validator=_text)
    doi: str | None = attrs.field(default=None, validator=_optional_text)
    pmid: str | None = attrs.field(default=None, validator=_optional_text)
    year: int | None = attrs.field(default=None, validator=_optional_int)


@frozen
class Population:
    condition: str | None = attrs.field(default=None, validator=_optional_code("condition"))
    chronicity: str = attrs.field(default="unspecified", validator=_code("chronicity"))
    specificity: str = attrs.field(default="unspecified", validator=_code("specificity"))
    age_group: str = attrs.field(default="unspecified", validator=_code("age_group"))
    sample_size: int | None = attrs.field(default=None, validator=_optional_count)


@frozen
class Outcome:
    domain: str = attrs.field(validator=_code("outcomes"))
    measure: str | None = attrs.field(default=None, validator=_optional_text)


@frozen
class Intensity:
    metric: str = attrs.field(validator=_code("intensity_metric"))
    low: Number | None = None
    high: Number | None = None
    class_: str | None = attrs.field(default=None, validator=_optional_code("intensity_class"))


@frozen
class Dosage:
    """FITT-VP dose; every field is ``None`` when the record does not say."""

    weeks: Amount = attrs.field(default=None, converter=_to_amount, validator=_amount)
    sessions_per_week: Amount = attrs.field(default=None, converter=_to_amount, validator=_amount)
    minutes_per_session: Amount = attrs.field(default=None, converter=_to_amount, validator=_amount)
    sessions_total: Amount = attrs.field(default=None, converter=_to_amount, validator=_amount)
    intensity: Intensity | None = None
    sets: Amount = attrs.field(default=None, converter=_to_amount, validator=_amount)
    repetitions: Amount = attrs.field(default=None, converter=_to_amount, validator=_amount)
    supervision: str | None = attrs.field(default=None, validator=_optional_code("supervision"))
    delivery: str | None = attrs.field(default=None, validator=_optional_code("delivery"))
    setting: str | None = attrs.field(default=None, validator=_optional_code("setting"))


@frozen
class Reporting:
    """Which CERT and TIDieR items the record reports, and which it leaves out."""

    cert_reported: tuple[str, ...] = attrs.field(
        default=(), converter=_strings, validator=_codes_of("cert")
    )
    cert_missing: tuple[str, ...] = attrs.field(
        default=(), converter=_strings, validator=_codes_of("cert")
    )
    tidier_reported: tuple[str, ...] = attrs.field(
        default=(), converter=_strings, validator=_codes_of("tidier")
    )
    tidier_missing: tuple[str, ...] = attrs.field(
        default=(), converter=_strings, validator=_codes_of("tidier")
    )


@frozen
class Provenance:
    """The words a coded value came from: ``text == record.<source>[start:end]``."""

    field: str = attrs.field(validator=_text)
    value: str = attrs.field(validator=_text)
    source: str = attrs.field(validator=_text)  # title | keywords | abstract | curator
    start: int = attrs.field(validator=_count)
    end: int = attrs.field(validator=_count)
    text: str = attrs.field(validator=_text)


@frozen
class Entry:
    """One intervention (an exercise arm) of a record, in the vocabulary's codes.

    A record that studies no exercise gives one entry with no exercise types.
    """

    entry_id: str = attrs.field(validator=_text)
    record: RecordRef
    exercise_types: tuple[str, ...] = attrs.field(
        default=(), converter=_strings, validator=_codes_of("exercise_types")
    )
    comparators: tuple[str, ...] = attrs.field(
        default=(), converter=_strings, validator=_codes_of("comparators")
    )
    population: Population = Population()
    outcomes: tuple[Outcome, ...] = attrs.field(default=(), converter=tuple)
    design: str = attrs.field(default="unknown", validator=_code("design"))
    dosage: Dosage = Dosage()
    reporting: Reporting = Reporting()
    provenance: tuple[Provenance, ...] = attrs.field(default=(), converter=tuple)
    review_status: str = attrs.field(
        default="auto", validator=_Code(in_(REVIEW_STATUSES), REVIEW_STATUSES)
    )
    # The arm's name in the record's words, when a record describes several.
    arm: str | None = attrs.field(default=None, validator=_optional_text)
    # Fields a person set (workbook import, ``protocat edit``); an ingest never overwrites them.
    curated_fields: tuple[str, ...] = attrs.field(
        default=(), converter=_strings, validator=_tuple_of_text
    )

    @property
    def is_exercise(self) -> bool:
        return bool(self.exercise_types)
