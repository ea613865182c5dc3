"""Objects rebuilt without validation equal those their values came from."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given

from protocols import model, unchecked
from protocols.model import Provenance, Record
from protocols.serialize import dumps
from tests.strategies import entries, records


def _values(obj) -> tuple:
    return tuple(getattr(obj, field.name) for field in attrs.fields(type(obj)))


def _rebuilt(obj):
    """``obj`` and every model object inside it, rebuilt from their values."""
    if attrs.has(type(obj)):
        return unchecked.builder(type(obj))(*map(_rebuilt, _values(obj)))
    if isinstance(obj, tuple):
        return tuple(map(_rebuilt, obj))
    return obj


@given(entries())
def test_an_entry_rebuilt_from_its_values_equals_it(entry):
    rebuilt = _rebuilt(entry)
    assert rebuilt == entry
    assert dumps(rebuilt) == dumps(entry)
    assert hash(rebuilt) == hash(entry)


@given(records)
def test_a_record_rebuilt_from_its_values_equals_it(record):
    assert _rebuilt(record) == record


def test_fields_not_named_take_their_defaults():
    build = unchecked.builder(Record, ["title", "id"])
    assert build("A title", "r1") == Record(id="r1", title="A title")


def test_a_rebuilt_object_stays_frozen():
    provenance = unchecked.builder(Provenance)(
        *_values(Provenance("exercise_types", "aerobic", "title", 0, 7, "walking"))
    )
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        provenance.start = 1


def test_a_field_the_class_lacks_or_a_required_one_left_out_is_refused():
    with pytest.raises(ValueError, match="no field"):
        unchecked.builder(Record, ["id", "title", "colour"])
    with pytest.raises(ValueError, match="no default"):
        unchecked.builder(Record, ["id"])


def test_every_model_class_has_a_builder():
    for cls in vars(model).values():
        if isinstance(cls, type) and attrs.has(cls):
            assert callable(unchecked.builder(cls))
