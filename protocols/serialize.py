"""The JSON shape of records and entries (design.md), as one cattrs converter.

``to_json``/``from_json`` turn a Record or an Entry into the plain dict that
``protocat records`` / ``protocat map`` print as JSON Lines, and back.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from cattrs import Converter
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from protocols.model import Amount, Entry, Intensity, Record

T = TypeVar("T")

json_converter = Converter()


def _unstructure_amount(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _structure_amount(value: Any, _type: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ValueError(f"a range has two ends: {value!r}")
        return (_number(value[0]), _number(value[1]))
    return _number(value)


def _number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"not a number: {value!r}")
    return value


json_converter.register_unstructure_hook_func(lambda t: t == Amount, _unstructure_amount)
json_converter.register_structure_hook_func(lambda t: t == Amount, _structure_amount)
json_converter.register_structure_hook(
    int | float | None, lambda v, _t: None if v is None else _number(v)
)

# ``class`` is a Python keyword, so the attribute is ``class_``.
json_converter.register_unstructure_hook(
    Intensity, make_dict_unstructure_fn(Intensity, json_converter, class_=override(rename="class"))
)
json_converter.register_structure_hook(
    Intensity, make_dict_structure_fn(Intensity, json_converter, class_=override(rename="class"))
)


def to_json(obj: Record | Entry) -> dict[str, Any]:
    return json_converter.unstructure(obj)


def from_json(data: dict[str, Any], cls: type[T]) -> T:
    return json_converter.structure(data, cls)


def dumps(obj: Record | Entry) -> str:
    """One JSON Lines line: keys in a fixed order, non-ASCII kept readable."""
    return json.dumps(to_json(obj), ensure_ascii=False, sort_keys=False)
