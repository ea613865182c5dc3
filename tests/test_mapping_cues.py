"""The mapping cue file is data, validated on load."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from protocols.errors import VocabularyError
from protocols.mapping.cues import load_cues, parse_cues
from protocols.vocabulary import default_vocabulary


def _data():
    raw = resources.files("protocols").joinpath("data/mapping_cues.toml").read_text("utf-8")
    return tomllib.loads(raw)


def _items():
    v = default_vocabulary()
    return {"cert": v.codes("cert"), "tidier": v.codes("tidier")}


def test_shipped_cues_load():
    cues = load_cues()
    assert "exercise" in cues.unnamed_exercise
    assert cues.bands["hrmax_pct"][1].class_ == "moderate"


@pytest.mark.parametrize(
    "breaks",
    [
        lambda d: d.pop("numbers"),
        lambda d: d["non_exercise"].pop("drug"),
        lambda d: d["intensity_bands"].__setitem__("rpe", [["huge", 0, 1]]),
        lambda d: d["cert"].pop("7a"),
        lambda d: d["exercise"].__setitem__("unnamed", ["", "x"]),
        lambda d: d["sections"].__setitem__("background", "background"),
    ],
)
def test_broken_cue_files_are_refused_with_the_projects_error(breaks):
    data = _data()
    breaks(data)
    with pytest.raises(VocabularyError):
        parse_cues(data, "test", _items())


def test_unreadable_cue_file(tmp_path):
    path = tmp_path / "cues.toml"
    path.write_text("not = [valid", encoding="utf-8")
    with pytest.raises(VocabularyError):
        load_cues(path)


def test_every_vocabulary_term_is_a_non_empty_string():
    for kind in default_vocabulary().kinds.values():
        for term in kind.values():
            assert all(t.strip() for t in term.terms)
