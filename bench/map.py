"""Benchmark: mapping real abstracts, and how the matcher's cost grows.

Reads the real abstracts of the PubMed XML fixtures (../shared/fixtures/pubmed_xml), the
two gold files, and every fixture record with an abstract in every format (as protocat's
readers read them, one of each abstract), repeats each set with fresh identifiers to N
records (default 50,000) and maps them in one process. Then it times the matcher alone
with the shipped vocabulary and with the vocabulary inflated x10 by synthetic terms
(cost should not follow vocabulary size), and on texts of 1x, 2x and 4x length (cost
should follow it). Side by side, as the library underneath: pyahocorasick's ``iter``
over the same texts.

    python bench/map.py [--records 50000]

Measured 2026-11-26/27 (Python 3.11, 2-core VM shared with three other helpers' benchmarks;
CPU time is the steadier figure, wall time follows the load, and even CPU time moves by
a tenth or more from run to run). "Before" is the mapping as it was before the speed work
(commit 2835c26), "after" this version; each pair was run back to back in one invocation,
this script with the package swapped. Records/s, CPU (wall), 50,000 records each:

                                   PubMed XML       gold abstracts   both together
    run 1, load 2.2-2.8   before   2,866 (2,211)    1,560 (1,183)    1,919 (1,621)
                          after*   4,666 (4,373)    2,185 (1,844)    2,713 (2,173)
    run 2, load 3.2-4.4   before   2,625 (1,322)    1,392 (707)      1,880 (1,299)
                          after*   3,922 (2,296)    1,607 (841)      2,126 (1,063)
    run 3, load 3.0-3.8   before   2,824 (1,824)    1,311 (863)      1,646 (1,425)
                          after    3,789 (3,776)    1,790 (1,408)    2,480 (2,047)

    (* without the last dose shortcuts: run 1 the last two, run 2 the last one.)
    run 1, matcher alone, vocabulary x1 / x10 (982 / 9,820 terms):
                                      25.2 / 25.5 ms before,    18.1 / 19.5 ms after
    run 1, matcher alone, text x1 / x2 / x4:
                                      24.0 / 48.8 / 105.2 ms,   18.3 / 35.3 / 69.4 ms
    run 1, one record of 0.15 / 0.74 / 1.49 M characters:
                                      0.085 / 0.375 / 0.784 s,  0.062 / 0.314 / 0.710 s CPU

Again after merging with the rule fixes of the held-out evaluation, on a quiet machine
(load 0.8-0.95), 2026-11-27: 3,998 / 1,859 / 2,532 records/s CPU; matcher x1 / x10
vocabulary 18.4 / 19.2 ms; text x1 / x2 / x4 18.5 / 35.8 / 69.2 ms.

(An earlier run, on 2026-11-26 before this work, gave 2,784 / 1,474 / 1,922 records/s CPU.)

After the reading work (text.py, sections.py, document.py: Engine.read 6-9% less CPU a record),
2026-11-27, 20,000 records, before (ebbb360) and after in turn, twice, load 2.5-4.3:
PubMed XML 4,546 and 4,201 before, 4,629 and 4,447 after; gold 2,171 and 2,051 before,
2,249 and 2,290 after; both 2,724 and 2,543 before, 2,631 and 3,037 after (records/s CPU):
on this load the gain is within the spread from run to run.

Fourth round (Provenance and RecordRef built without validating again, mentions listed without
a filter when none stands in the background, fewer abstracts read for a stated age, smaller
steps), 2026-11-27, load 1.0-1.9: the ingest benchmark's MEDLINE records, 5,000, best of five
turns, 197.4 us a record CPU before (ae7eec1) and 191.7 after; under callgrind 1.72 M
instructions a record before and 1.65 M after. This script, 20,000 records, before and after
in turn, twice: PubMed XML 5,439 and 4,515 before, 5,360 and 5,685 after; gold 2,350 and 2,405
before, 2,430 and 2,526 after; both 3,054 and 3,152 before, 3,074 and 2,982 after (records/s
CPU): a gain of about 3%, within the spread from run to run here. What is left is the C-level
reading of each text (regex split, running offsets, the canonical forms' lookups: about a
third of a record) and many small Python steps.

Fifth round: a compiled accelerator (``protocols/mapping/_scan.pyx``, Cython, optional: a
machine without a C compiler runs the pure-Python path of text.py, same output) for the
reading of a text whose words are ASCII. 2026-11-27 10:04, this script, 20,000 records, in
turns (after, before, after; load 0.84-0.94): PubMed XML 6,524 and 7,133 after, 5,339 and
5,616 before (main at cf5ae97); gold 2,629 and 2,789 after, 2,443 and 2,445 before; both
3,444 and 3,719 after, 3,217 and 3,120 before (records/s CPU). The ingest benchmark's MEDLINE
records, 5,000, best of five rounds, three turns, load 0.9: 143.1-147.4 us a record CPU after,
199.0-210.4 before; ``analyse`` alone 24.2-24.6 us a record after, 67.0-67.7 before.
Then, 10:51, load 0.5-0.8, 50,000 records each: PubMed XML 7,094, gold 2,767, both 3,668,
and every fixture record with an abstract (183 distinct abstracts, all formats) 6,331
records/s CPU.

The output is the same (``bench/map_check.py`` compares every entry of every fixture,
gold and seed record with a dump made before). The matcher's cost follows text length
and not vocabulary size. With the accelerator the mapping is above the 5,000 records/s
target on the PubMed abstracts, on every fixture abstract and on the MEDLINE benchmark
records, and still well below it on the long gold abstracts of exercise trials: what is
left is spread over many small per-sentence and per-match steps (tokenising, sentences
and section labels, the dose patterns, negation), and building the validated model
objects (protocols/model.py, not changed here) is about a tenth of a cProfile of 5,000
records: a Provenance costs 1.7 us validated against 0.5 us without the attrs
validators, a full Reporting 7.9 us against 1.0 us, an Entry 4.2 against 2.4, and an
exercise record has a dozen or more Provenances.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import string
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import attrs

from protocols.errors import ProtocatError
from protocols.mapping import map_record
from protocols.mapping.document import Engine
from protocols.mapping.matcher import longest
from protocols.mapping.text import analyse
from protocols.model import Record
from protocols.records import read_file
from protocols.vocabulary import Vocabulary, default_vocabulary

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def fixture_records() -> list[Record]:
    """The PubMed XML fixtures' records and the gold files' exercise abstracts."""
    return pubmed_records() + gold_records()


def pubmed_records() -> list[Record]:
    records = []
    for path in sorted((SHARED / "fixtures" / "pubmed_xml").glob("*/*.xml")):
        root = ET.parse(path).getroot()
        for article in root.iter("PubmedArticle"):
            title_node = article.find(".//ArticleTitle")
            title = "".join(title_node.itertext()) if title_node is not None else ""
            sections = []
            for node in article.iter("AbstractText"):
                text = "".join(node.itertext()).strip()
                label = node.get("Label")
                sections.append(f"{label}: {text}" if label else text)
            keywords = tuple("".join(k.itertext()) for k in article.iter("Keyword"))
            records.append(
                Record(
                    id="x",
                    title=title or "untitled",
                    abstract="\n".join(sections) or None,
                    keywords=keywords,
                )
            )
    return records


def every_fixture_abstract() -> list[Record]:
    """Every fixture record with an abstract, in every format, as protocat's readers read
    it; one record for each distinct abstract (the formats repeat some articles)."""
    by_abstract: dict[str, Record] = {}
    for line in (SHARED / "fixtures" / "EXPECTED.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        try:
            items = list(read_file(SHARED / "fixtures" / line.split("\t")[0]))
        except ProtocatError:  # a file the fixtures keep to be refused
            continue
        for item in items:
            if isinstance(item, Record) and item.abstract:
                by_abstract.setdefault(item.abstract, item)
    return list(by_abstract.values())


def gold_records() -> list[Record]:
    records = []
    for name in ("seed.jsonl", "clbp_dev.jsonl"):
        for line in (SHARED / "gold" / name).read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            records.append(Record(id="x", title=item["title"], abstract=item.get("abstract")))
    return records


def inflated(vocabulary: Vocabulary, factor: int, seed: int = 7) -> Vocabulary:
    """The vocabulary with (factor - 1) synthetic terms added for every real one."""
    rng = random.Random(seed)
    kinds = {}
    for kind, terms in vocabulary.kinds.items():
        new = {}
        for code, term in terms.items():
            extra = tuple(
                " ".join(
                    "".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 9)))
                    for _ in range(rng.randint(1, 3))
                )
                for _ in range(len(term.terms) * (factor - 1))
            )
            new[code] = attrs.evolve(term, terms=term.terms + extra)
        kinds[kind] = new
    return Vocabulary(version=vocabulary.version, kinds=kinds)


def term_count(vocabulary: Vocabulary) -> int:
    return sum(len(t.terms) for terms in vocabulary.kinds.values() for t in terms.values())


def timed(fn, repeat: int = 5) -> float:
    """Best CPU time of ``repeat`` runs (CPU time: the machine may be shared)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=50_000)
    args = parser.parse_args()
    # On a shared machine wall time depends on the other load; CPU time much less so.
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    vocabulary = default_vocabulary()
    corpora = (
        ("PubMed XML fixtures", pubmed_records()),
        ("exercise abstracts of the gold files", gold_records()),
        ("both together", fixture_records()),
        ("every fixture record with an abstract, all formats", every_fixture_abstract()),
    )
    for name, base in corpora:
        with_abstract = [r for r in base if r.abstract]
        chars = sum(len(r.title) + len(r.abstract or "") for r in base) / len(base)
        records = [attrs.evolve(base[i % len(base)], id=f"r{i:012x}") for i in range(args.records)]
        map_record(records[0], vocabulary)  # build the automaton outside the timing
        t0, c0 = time.perf_counter(), time.process_time()
        entries = 0
        for record in records:
            entries += len(map_record(record, vocabulary))
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(
            f"{name}: {len(base)} records ({len(with_abstract)} with an abstract, "
            f"{chars:.0f} characters on average) repeated to {len(records)}:"
            f" {entries} entries in {elapsed:.2f} s = {len(records) / elapsed:,.0f} records/s"
            f" (CPU time {cpu:.2f} s = {len(records) / cpu:,.0f} records/s)"
        )
    base = fixture_records()
    texts = [analyse(r.title + " " + (r.abstract or "")) for r in base]
    print("\nmatcher alone (best CPU time of 5, all fixture texts x20):")
    for factor in (1, 10):
        vocab = vocabulary if factor == 1 else inflated(vocabulary, factor)
        engine = Engine(vocab)

        def run(engine=engine):
            for _ in range(20):
                for text in texts:
                    longest(engine.matcher.find(text))

        def raw(engine=engine):
            automaton = engine.matcher._automaton
            for _ in range(20):
                for text in texts:
                    for _hit in automaton.iter(text.joined):
                        pass

        print(
            f"  vocabulary x{factor:<3} {term_count(vocab):>6} terms,"
            f" {engine.matcher.size:>6} keys:"
            f" matcher {timed(run) * 1000:7.1f} ms"
            f"   pyahocorasick iter alone {timed(raw) * 1000:7.1f} ms"
        )
    engine = Engine(vocabulary)
    print("\nmatcher by text length (shipped vocabulary):")
    for times in (1, 2, 4):
        longer = [analyse(" ".join([r.title + " " + (r.abstract or "")] * times)) for r in base]

        def run(longer=longer):
            for _ in range(20):
                for text in longer:
                    longest(engine.matcher.find(text))

        print(f"  text x{times}: {timed(run) * 1000:7.1f} ms")

    print("\nmap_record on one record of growing length (all gold abstracts joined, x k):")
    joined = " ".join(r.abstract or "" for r in gold_records())
    for k in (10, 50, 100):
        record = Record(id="rlong", title="Exercise", abstract=" ".join([joined] * k))
        c0 = time.process_time()
        map_record(record, vocabulary)
        print(f"  {len(record.abstract):>9,} characters: {time.process_time() - c0:6.3f} s CPU")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
