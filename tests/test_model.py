import json

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocols import model
from protocols.model import (
    Dosage,
    Entry,
    Intensity,
    Outcome,
    Population,
    Provenance,
    Record,
    RecordRef,
)
from protocols.serialize import from_json, to_json
from protocols.vocabulary import codes
from tests.strategies import entries, records


@given(entries())
def test_entry_json_round_trip(entry):
    assert from_json(json.loads(json.dumps(to_json(entry))), Entry) == entry


@given(records)
def test_record_json_round_trip(record):
    assert from_json(json.loads(json.dumps(to_json(record))), Record) == record


def test_entry_json_has_the_design_shape():
    entry = Entry(
        entry_id="r1-1",
        record=RecordRef(id="r1", title="T", year=2019),
        exercise_types=["motor_control"],
        population=Population(condition="low_back_pain", chronicity="chronic", sample_size=41),
        outcomes=[Outcome("hypoalgesia", "pressure pain threshold")],
        design="rct",
        dosage=Dosage(
            weeks=8,
            sessions_per_week=3,
            minutes_per_session=(40, 60),
            intensity=Intensity("rpe", 12, 13, "moderate"),
        ),
    )
    data = to_json(entry)
    assert data["dosage"]["minutes_per_session"] == [40, 60]
    assert data["dosage"]["intensity"]["class"] == "moderate"
    assert data["population"]["sample_size"] == 41
    assert data["review_status"] == "auto"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"exercise_types": ["not_a_code"]},
        {"design": "anecdote"},
        {"review_status": "maybe"},
    ],
)
def test_invalid_values_are_refused(kwargs):
    with pytest.raises((ValueError, TypeError)):
        Entry(entry_id="x", record=RecordRef(id="r", title="t"), **kwargs)


def test_a_negative_dose_is_refused():
    with pytest.raises(ValueError):
        Dosage(weeks=-1)


def test_a_range_must_be_ordered():
    with pytest.raises(ValueError):
        Dosage(sessions_per_week=(3, 2))


class _Str(str):
    """A str subclass: the fast validators leave it to the attrs validator."""


_FAST_VALIDATED = [
    (cls, attribute)
    for cls in (Record, RecordRef, Population, Outcome, Intensity, Dosage, Provenance, Entry)
    for attribute in attrs.fields(cls)
    if isinstance(attribute.validator, model._Fast)
]
_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False),
    st.sampled_from(["", "x", "rct", "chronic", "aerobic", "auto", "pain_intensity", "12"]),
    st.sampled_from([c for kind in ("design", "exercise_types") for c in codes(kind)]),
    st.builds(_Str, st.sampled_from(["rct", "x"])),
    st.lists(st.sampled_from(["aerobic", "yoga", "x", _Str("yoga")]), max_size=3).map(tuple),
    st.lists(st.sampled_from(["aerobic", "x"]), max_size=2),
    st.tuples(st.just("aerobic"), st.just([1])),
    st.tuples(st.integers(), st.text(max_size=2)),
)


def _outcome(validator, attribute, value):
    try:
        validator(None, attribute, value)
    except Exception as exc:  # the same error, with the same message
        return type(exc), str(exc)
    return None


@settings(max_examples=1000)
@given(st.sampled_from(_FAST_VALIDATED), _values)
def test_fast_validators_accept_and_refuse_as_attrs_does(field_of, value):
    _cls, attribute = field_of
    fast = attribute.validator
    assert _outcome(fast, attribute, value) == _outcome(fast.full, attribute, value)
    assert repr(fast) == repr(fast.full)
