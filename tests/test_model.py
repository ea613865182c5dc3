import json

import pytest
from hypothesis import given

from protocols.model import Dosage, Entry, Intensity, Outcome, Population, Record, RecordRef
from protocols.serialize import from_json, to_json
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
