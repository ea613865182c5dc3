"""Properties of the catalogue under any sequence of ingests, edits and imports."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exporters import jsonl
from protocols import store
from protocols.cli import read_jsonl_catalogue
from protocols.curation import apply_corrections
from protocols.errors import UsageError
from protocols.model import Origin
from protocols.serialize import to_json
from protocols.store import Catalogue, get_path
from tests import strategies
from tests.test_store import export_text, make_record, stub_mapper

# A small pool of works, so that ingests meet the same work again and merge.
_ABSTRACTS = [None, "A randomised trial of walking.", "Hypoalgesia after motor control work."]
pool_records = st.builds(
    lambda number, doi, abstract, keywords, line: make_record(
        number,
        doi=doi,
        abstract=abstract,
        keywords=keywords,
        origins=(Origin(file="pool.ris", line=line, format="ris"),),
    ),
    number=st.integers(min_value=0, max_value=5),
    doi=st.sampled_from([None, "10.1000/a", "10.1000/b"]),
    abstract=st.sampled_from(_ABSTRACTS),
    keywords=st.lists(st.sampled_from(["back pain", "hypoalgesia", "aerobic"]), max_size=2).map(
        tuple
    ),
    line=st.integers(min_value=1, max_value=3),
)
any_records = pool_records | strategies.records

corrections = st.sampled_from(
    [
        "design=rct",
        "design=cohort",
        "exercise_types=aerobic,motor_control",
        "exercise_types=",
        "outcomes=hypoalgesia:pressure pain threshold,disability_function",
        "dosage.weeks=6-12",
        "dosage.sessions_per_week=3",
        "dosage.intensity.metric=rpe",
        "population.condition=low_back_pain",
        "population.sample_size=41",
        "arm=Group A; 'quoted' [bold]",
    ]
)

operations = st.lists(
    st.one_of(
        st.tuples(st.just("ingest"), st.lists(any_records, min_size=1, max_size=4)),
        st.tuples(
            st.just("edit"), st.integers(min_value=0), st.lists(corrections, min_size=1, max_size=3)
        ),
        st.tuples(st.just("import"), st.lists(pool_records, min_size=1, max_size=3)),
    ),
    min_size=1,
    max_size=8,
)


def _curated_values(catalogue: Catalogue) -> dict[tuple[str, str], object]:
    return {
        (entry.entry_id, path): get_path(entry, path)
        for entry in catalogue.entries()
        for path in entry.curated_fields
    }


@given(operations)
def test_any_history_exports_to_jsonl_that_reimports_identically(ops):
    with tempfile.TemporaryDirectory() as folder:
        folder_path = Path(folder)
        with Catalogue(folder_path / "kept.sqlite") as catalogue:
            for step, op in enumerate(ops):
                if op[0] == "ingest":
                    curated = _curated_values(catalogue)
                    catalogue.ingest(op[1], stub_mapper, ["pool.ris"])
                    # A value a person set survives any later ingest.
                    after = {key: get_path(catalogue.entry(key[0]), key[1]) for key in curated}
                    assert after == curated
                elif op[0] == "edit":
                    entries = list(catalogue.entries())
                    if entries:
                        entry = entries[op[1] % len(entries)]
                        catalogue.put_entries([apply_corrections(entry, op[2])], "edit", None)
                else:
                    # Another catalogue's export (records then their entries), imported here.
                    path = folder_path / f"other{step}.jsonl"
                    path.write_text(
                        "".join(
                            jsonl._line({"record": to_json(r)})
                            + "".join(jsonl._line({"entry": to_json(e)}) for e in stub_mapper(r))
                            for r in op[1]
                        ),
                        "utf-8",
                    )
                    catalogue.import_items(read_jsonl_catalogue(str(path)), str(path))
            exported = folder_path / "kept.jsonl"
            jsonl.write(catalogue, exported)
            text = exported.read_text("utf-8")
        with Catalogue(folder_path / "copy.sqlite") as copy:
            copy.import_items(read_jsonl_catalogue(str(exported)), str(exported))
            assert export_text(copy) == text


_QUERY_TEXT = st.text(
    alphabet=st.sampled_from(list("abc \"*:^()-+{},.'NEARORANDNOT0123456789中文") + ["\x00"]),
    max_size=30,
)


@pytest.fixture(scope="module")
def small_catalogue(tmp_path_factory):
    with Catalogue(tmp_path_factory.mktemp("query") / "c.sqlite") as catalogue:
        catalogue.ingest([make_record(1, abstract="near and or not")], stub_mapper)
        yield catalogue


@given(query=st.one_of(_QUERY_TEXT, strategies.text))
def test_any_search_text_gives_results_or_a_usage_error(small_catalogue, query):
    try:
        hits = small_catalogue.search(query)
    except UsageError as exc:
        assert "cannot read the search" in str(exc)
    else:
        assert all(hit.entry.entry_id == "r000000000001-1" for hit in hits)


# Latin, accented and typographic text, runs of each CJK range (kana, Han extension A,
# Han, compatibility ideographs) and characters just outside them, so that both the quick
# check and the spacing are exercised.
_FRAGMENTS = ["ab ", "é", "–±", "\u303f", "\u3040\u3041", "アイ", "\u30ff\u30fe", "\u3100\u3101"]
_FRAGMENTS += ["\u3400\u4dbf", "腰痛", "\u9fff\u4e00", "\ua000\ua001", "\uf900\ufaff", "\ufb00"]
_MIXED_SCRIPT = st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=3), max_size=12).map(
    "".join
)


@given(_MIXED_SCRIPT)
def test_cjk_spacing_skips_only_text_without_cjk(text):
    assert store._cjk_spaced(text) == store._CJK_RUN.sub(store._spaced, text)
