"""Scoring as ../shared/gold/README.md says."""

from __future__ import annotations

import json

import pytest

from protocols.errors import UnreadableFile
from protocols.evaluate import evaluate, gold_record, same_dose
from tests.conftest import shared_path


def _gold(tmp_path, items):
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(json.dumps(i) for i in items) + "\n", encoding="utf-8")
    return path


BASE = {
    "condition": "low_back_pain",
    "chronicity": "chronic",
    "specificity": "unspecified",
    "design": "rct",
    "dosage": {},
    "optional_outcomes": [],
}


def test_scores_by_hand(tmp_path):
    items = [
        {  # types: pilates tp, general tp; outcomes: pain tp, disability fn
            "id": "a",
            "title": "Pilates versus general exercise for chronic low back pain: a randomised "
            "trial",
            "abstract": "METHODS: Eight weeks of Pilates, twice a week. Pain (NRS) was measured.",
            "gold": {
                **BASE,
                "exercise_types": ["pilates", "general"],
                "outcomes": ["pain_intensity", "disability_function"],
                "dosage": {"weeks": 8, "sessions_per_week": 3},
            },
        },
        {  # types: yoga fp against gold aerobic fn; design wrong
            "id": "b",
            "title": "Yoga for chronic low back pain",
            "abstract": "METHODS: Yoga. Adverse events and quality of life were recorded.",
            "gold": {
                **BASE,
                "exercise_types": ["aerobic"],
                "outcomes": ["quality_of_life"],
                "optional_outcomes": ["adverse_events"],
            },
        },
    ]
    report = evaluate(_gold(tmp_path, items))
    t = report.score("exercise_types")
    assert (t.precision, t.recall) == (2 / 3, 2 / 3)
    o = report.score("outcomes")
    # adverse_events is optional: neither for nor against.
    assert (o.precision, o.recall) == (1.0, 2 / 3)
    d = report.score("dosage")
    assert (d.precision, d.recall) == (1 / 2, 1 / 2)  # weeks right, sessions_per_week 2 not 3
    assert report.score("design").accuracy == 0.5
    assert report.score("condition").accuracy == 1.0
    text = report.render(errors=True)
    assert "exercise_types" in text and "precision" in text
    # The errors show what the prediction rests on.
    assert "'Yoga'" in text and "title[0:4]" in text


def test_dose_equivalences():
    assert same_dose("weeks", 26, 26)
    assert same_dose("weeks", 26, 26.07)  # 6 months
    assert same_dose("sessions_per_week", [2, 3], (2, 3))
    assert not same_dose("sessions_per_week", [2, 3], 2)
    assert not same_dose("minutes_per_session", 60, 45)


def test_gold_record_ids_are_the_readers_ids():
    a = gold_record({"title": "T", "doi": "https://doi.org/10.1234/ABC", "year": 2020})
    b = gold_record({"title": "Other", "doi": "10.1234/abc"})
    assert a.id == b.id and a.doi == "10.1234/abc"


def test_bad_gold_files(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"title": "x"}\n', encoding="utf-8")
    with pytest.raises(UnreadableFile):
        evaluate(path)
    path.write_text("not json\n", encoding="utf-8")
    with pytest.raises(UnreadableFile):
        evaluate(path)
    with pytest.raises(UnreadableFile):
        evaluate(tmp_path / "missing.jsonl")


@pytest.mark.parametrize("name", ["seed.jsonl", "clbp_dev.jsonl"])
def test_gold_files_meet_the_issue_targets(name):
    report = evaluate(shared_path("gold", name))
    assert report.score("exercise_types").f1 >= 0.90
    assert report.score("outcomes").f1 >= 0.85
    for field in ("design", "condition", "chronicity", "specificity"):
        assert report.score(field).accuracy >= 0.90
    dose = report.score("dosage")
    assert dose.recall >= 0.80 and dose.precision >= 0.95
