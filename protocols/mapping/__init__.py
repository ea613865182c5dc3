"""Mapping: from a bibliographic Record to its intervention Entries.

``map_record`` is a pure function of the record and the vocabulary: no global
state, no dependence on the order records come in, so it can run in worker
processes (or any distributed engine) unchanged. (The automaton built for a
vocabulary is memoised; that changes speed, not results.)

The steps, one module each: ``text`` (canonical words with source offsets),
``matcher`` (Aho-Corasick over the vocabulary), ``sections`` (structured
abstracts), ``negation``, ``arms`` (exercise arms and comparators), ``population``,
``outcomes``, ``design``, ``dose`` (FITT-VP) and ``reporting`` (CERT/TIDieR).
Every coded value carries a Provenance whose ``text`` is
``<source text>[start:end]``; the source texts are the title, the keywords joined
with ``"; "`` and the abstract.
"""

from __future__ import annotations

from collections import OrderedDict

from protocols import unchecked
from protocols.mapping.arms import arm_comparators, find_arms
from protocols.mapping.design import design as find_design
from protocols.mapping.document import Engine
from protocols.mapping.dose import dosage as find_dosage
from protocols.mapping.outcomes import outcomes as find_outcomes
from protocols.mapping.population import population as find_population
from protocols.mapping.reporting import reporting as find_reporting
from protocols.model import Dosage, Entry, Record, RecordRef, Reporting
from protocols.vocabulary import Vocabulary, default_vocabulary

# Automata already built, by vocabulary (identity); a handful is plenty.
_ENGINES: OrderedDict[int, tuple[Vocabulary, Engine]] = OrderedDict()
_ENGINES_KEPT = 4


# A record that studies no exercise has no dose and no checklist (immutable: built once).
_NO_DOSAGE = Dosage()
_NO_REPORTING = Reporting()


def engine_for(vocabulary: Vocabulary) -> Engine:
    kept = _ENGINES.get(id(vocabulary))
    if kept is not None and kept[0] is vocabulary:
        _ENGINES.move_to_end(id(vocabulary))
        return kept[1]
    engine = Engine(vocabulary)
    _ENGINES[id(vocabulary)] = (vocabulary, engine)
    while len(_ENGINES) > _ENGINES_KEPT:
        _ENGINES.popitem(last=False)
    return engine


# The values come from a Record, whose validators for these fields are RecordRef's own:
# they are not checked again (protocols/unchecked.py).
_record_ref = unchecked.builder(RecordRef, ("id", "title", "doi", "pmid", "year"))


def record_ref(record: Record) -> RecordRef:
    return _record_ref(record.id, record.title, record.doi, record.pmid, record.year)


def map_record(record: Record, vocabulary: Vocabulary | None = None) -> list[Entry]:
    """The entries of one record (at least one; none of its codes without provenance).

    One entry per exercise arm; a record that studies no exercise gives one entry with
    no exercise types (design.md), still with its population, outcomes and design.
    """
    vocabulary = vocabulary or default_vocabulary()
    engine = engine_for(vocabulary)
    doc = engine.read(record)
    ref = record_ref(record)
    arms = find_arms(doc)
    population, population_prov = find_population(doc)
    outcomes, outcome_prov = find_outcomes(doc)
    design, design_prov = find_design(doc, engine)
    shared = population_prov + outcome_prov + design_prov
    if not arms.is_exercise:
        return [
            Entry(
                entry_id=f"{record.id}-1",
                record=ref,
                population=population,
                outcomes=outcomes,
                design=design,
                dosage=_NO_DOSAGE,
                reporting=_NO_REPORTING,
                provenance=tuple(shared),
            )
        ]
    dosage, dose_prov = find_dosage(doc)
    items = {name: vocabulary.codes(name) for name in ("cert", "tidier")}
    arm_provs = [
        [
            mention.provenance("exercise_types", code)
            for code, mention in zip(arm.codes, arm.mentions, strict=True)
        ]
        for arm in arms.arms
    ]
    # The checklist items are the record's: read once, cited from the first arm's name.
    reporting, reporting_prov = find_reporting(doc, arm_provs[0][:1] + shared + dose_prov, items)
    entries = []
    for n, (arm, arm_prov) in enumerate(zip(arms.arms, arm_provs, strict=True), start=1):
        comparators = arm_comparators(arms, arm)
        comparator_prov = [prov for _, prov in comparators]
        entries.append(
            Entry(
                entry_id=f"{record.id}-{n}",
                record=ref,
                exercise_types=arm.codes,
                comparators=tuple(code for code, _ in comparators),
                population=population,
                outcomes=outcomes,
                design=design,
                dosage=dosage,
                reporting=reporting,
                provenance=tuple(
                    [*arm_prov, *comparator_prov, *shared, *dose_prov, *reporting_prov]
                ),
                arm=arm.name if len(arms.arms) > 1 else None,
            )
        )
    return entries
