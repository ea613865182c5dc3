"""Property: entries → workbook → import gives the same entries, under the documented
normalisation (``exporters.xlsx_import``'s docstring):

- text loses the control characters XML forbids and its surrounding spaces; empty is None;
- line breaks inside an outcome measure become spaces;
- numbers keep 15 significant digits (Excel's precision);
- Unicode (CJK, emoji) and text a spreadsheet would take for a formula come back as they were.

The workbook of catalogue A is imported into catalogue B, which holds the same entry ids
with nothing else filled in, so every editable column has to be read back to pass.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from exporters.escaping import ILLEGAL_XML
from exporters.xlsx import import_workbook, write
from exporters.xlsx_layout import canonical
from protocols.model import Entry, Outcome
from tests.strategies import entries
from tests.xlsx_helpers import catalogue_with


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    return ILLEGAL_XML.sub("", value).strip() or None


def _measure(value: str | None) -> str | None:
    if value is None:
        return None
    return _text(ILLEGAL_XML.sub("", value).replace("\r", " ").replace("\n", " "))


def normalised(entry: Entry) -> dict:
    """What the workbook carries of an entry, in the form it comes back."""
    dosage = entry.dosage
    return {
        "arm": _text(entry.arm),
        "exercise_types": entry.exercise_types,
        "comparators": entry.comparators,
        "population": entry.population,
        "design": entry.design,
        "outcomes": tuple((o.domain, _measure(o.measure)) for o in entry.outcomes),
        "dosage": canonical(
            tuple(
                getattr(dosage, f.name) for f in attrs.fields(type(dosage)) if f.name != "intensity"
            )
        ),
        "intensity": dosage.intensity and canonical(attrs.astuple(dosage.intensity)),
        "reporting": entry.reporting,
    }


def _unique_records(items: list[Entry]) -> list[Entry]:
    # One record a record id: entries of the same record share its reference.
    refs = {}
    return [attrs.evolve(e, record=refs.setdefault(e.record.id, e.record)) for e in items]


@settings(max_examples=40)
@given(
    st.lists(entries(), min_size=1, max_size=6, unique_by=lambda e: e.entry_id).map(_unique_records)
)
def test_entries_come_back_from_the_workbook(items):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        blanks = [Entry(entry_id=e.entry_id, record=e.record) for e in items]
        with catalogue_with(tmp / "a.sqlite", items) as a:
            write(a, tmp / "a.xlsx")
            # Unchanged: the workbook of a catalogue, imported into it, changes nothing.
            assert import_workbook(tmp / "a.xlsx", a).changed == ()
        with catalogue_with(tmp / "b.sqlite", blanks) as b:
            result = import_workbook(tmp / "a.xlsx", b)
            assert result.errors == ()
            for entry in items:
                back = b.entry(entry.entry_id)
                assert normalised(back) == normalised(entry)
                blank = Entry(entry_id=entry.entry_id, record=entry.record)
                if normalised(entry) != normalised(blank) or entry.review_status == "curated":
                    assert back.review_status == "curated"
            # And again: nothing more to change.
            assert import_workbook(tmp / "a.xlsx", b).changed == ()


# Text as clinicians' sources hold it: CJK, emoji, and a leading formula trigger.
_scripts = st.text(
    alphabet=st.sampled_from("腰痛运动疗法🏃💪é ß=+-@;:\n\t\"'<>&") | st.characters(codec="utf-8"),
    max_size=30,
)
_risky = st.tuples(
    st.sampled_from(["=", "+", "-", "@", "\t", "\r", "=HYPERLINK(", ""]), _scripts
).map("".join)


@settings(max_examples=30)
@given(entries(), _risky, _risky)
def test_risky_text_comes_back_as_text(entry, arm, measure):
    outcome = entry.outcomes[:1] or (Outcome("pain_intensity"),)
    entry = attrs.evolve(
        entry,
        arm=arm,
        outcomes=tuple(attrs.evolve(o, measure=measure) for o in outcome),
    )
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        with catalogue_with(tmp / "a.sqlite", [entry]) as a:
            write(a, tmp / "a.xlsx")
        blank = Entry(entry_id=entry.entry_id, record=entry.record)
        with catalogue_with(tmp / "b.sqlite", [blank]) as b:
            assert import_workbook(tmp / "a.xlsx", b).errors == ()
            assert normalised(b.entry(entry.entry_id)) == normalised(entry)
