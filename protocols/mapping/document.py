"""A record read for mapping: its title, keywords and abstract, split into sentences with
section roles, and every vocabulary match in them.

The matcher for a vocabulary is built once and memoised; reading a record is then one
pass of the automaton over each text.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from functools import lru_cache
from itertools import repeat
from operator import itemgetter
from typing import NamedTuple

from attrs import field, frozen

from protocols import unchecked
from protocols.mapping.cues import Cues, default_cues
from protocols.mapping.matcher import Hit, Matcher, longest
from protocols.mapping.sections import STUDY_ROLES, Sentence, aim_keys, split_abstract
from protocols.mapping.text import Text, analyse
from protocols.model import Provenance, Record
from protocols.vocabulary import Vocabulary

# The kinds of the vocabulary the matcher looks for (the others are read by rules).
MATCHED_KINDS = (
    "exercise_types",
    "comparators",
    "condition",
    "chronicity",
    "specificity",
    "age_group",
    "outcomes",
    "design",
    "supervision",
    "delivery",
    "setting",
)
KEYWORD_SEPARATOR = "; "
_STUDY_ROLES = frozenset(STUDY_ROLES)
_new = tuple.__new__
# A Provenance built from a match: its field is the caller's name for it, its value a code,
# its source a part's name, its offsets and text the match's (ints from 0, and a slice of
# the source), all of the types Provenance's validators ask for; a dozen a record.
provenance_of = unchecked.builder(Provenance)


class Part(NamedTuple):
    """One source text of a record (``title``, ``keywords`` or ``abstract``).

    (A NamedTuple: built three times a record, at a fraction of a frozen attrs class's cost.)
    """

    source: str
    text: Text
    sentences: tuple[Sentence, ...]
    hits: tuple[Hit, ...]
    starts: tuple[int, ...]  # where each sentence starts
    word_ranges: tuple[tuple[int, int], ...]  # each sentence's words: (first, stop)
    firsts: tuple[int, ...]  # each hit's first word, for bisecting

    def sentence_of(self, hit: Hit) -> Sentence:
        i = max(bisect_right(self.starts, hit.start) - 1, 0)
        return self.sentences[i]


class Mention(NamedTuple):
    """A match in a part, with the role of the sentence it stands in (a NamedTuple: hot path)."""

    part: Part
    hit: Hit
    sentence: Sentence

    @property
    def role(self) -> str:
        return self.sentence.role

    @property
    def in_study(self) -> bool:
        return self.role in STUDY_ROLES

    def provenance(self, field: str, value: str) -> Provenance:
        hit = self.hit
        return provenance_of(field, value, self.part.source, hit.start, hit.end, hit.text)


@frozen
class Document:
    record: Record
    parts: tuple[Part, ...]
    cues: Cues
    # kind -> every match that has it, as a Mention, in order: title, keywords, abstract
    # (the steps ask for them by kind, and each Mention is built once).
    by_kind: dict[str, list[Mention]]
    # The kinds with a mention in a sentence outside this study's (the background): the
    # mentions of any other kind are all the study's, and no filter is needed.
    background_kinds: set[str]
    # What the steps work out about this record and ask for again (a sentence's exclusion
    # cue ...): a record's own memo, so mapping stays a pure function of the record.
    memo: dict[object, object] = field(init=False, factory=dict, eq=False, repr=False)

    def part(self, source: str) -> Part | None:
        for part in self.parts:  # (a loop, not next() over a generator: asked for often)
            if part.source == source:
                return part
        return None

    def mentions(self, kind: str, study_only: bool = True) -> list[Mention]:
        """Every mention of a code of ``kind``, in order: title, keywords, abstract."""
        found = self.by_kind.get(kind)
        if not found:
            return []
        if not study_only or kind not in self.background_kinds:
            return list(found)
        return [m for m in found if m.sentence.role in _STUDY_ROLES]


def keywords_text(record: Record) -> str:
    """The keywords as one source text: joined with ``"; "`` (provenance offsets use it)."""
    return KEYWORD_SEPARATOR.join(record.keywords)


class Engine:
    """The matcher and cues for one vocabulary."""

    def __init__(self, vocabulary: Vocabulary, cues: Cues | None = None):
        self.vocabulary = vocabulary
        self.cues = cues or default_cues()
        terms: list[tuple[str, str, str]] = []
        for kind in MATCHED_KINDS:
            for code, term in vocabulary.kinds[kind].items():
                words = list(term.terms)
                for narrower in term.narrower.values():
                    words.extend(narrower)
                terms.extend((word, kind, code) for word in words)
        terms.extend((w, "unnamed_exercise", "general") for w in self.cues.unnamed_exercise)
        terms.extend((w, "deep_muscles", "motor_control") for w in self.cues.deep_muscles)
        # Matched only to hide the outcome words inside them (nothing reads this kind).
        terms.extend((w, "not_measured", "none") for w in self.cues.not_measured)
        for kind, words in self.cues.non_exercise.items():
            terms.extend((w, "non_exercise", kind) for w in words)
        # The aim phrases of split_abstract are found in the same pass, apart.
        self.matcher = Matcher(terms, apart=aim_keys(self.cues.aim_sentence))
        # Publication types are few and repeat from record to record: each is read once.
        self.publication_type_designs = lru_cache(maxsize=4096)(self._designs_named)

    def _designs_named(self, phrase: str) -> frozenset[str]:
        """The design codes of every term in ``phrase`` (a publication type)."""
        return frozenset(
            code for hit in self.matcher.find(analyse(phrase)) for code in hit.codes("design")
        )

    def read(self, record: Record) -> Document:
        parts = []
        by_kind: dict[str, list[Mention]] = {}
        background_kinds: set[str] = set()
        sources = (
            ("title", record.title or ""),
            ("keywords", keywords_text(record)),
            ("abstract", record.abstract or ""),
        )
        for source, string in sources:
            if not string or string.isspace():  # (as ``not string.strip()``, without a copy)
                continue
            text = analyse(string)
            found, aims = self.matcher.find_apart(text)
            hits = tuple(longest(found))
            if source == "abstract":
                sentences = tuple(split_abstract(text, self.cues, aims))
                if not sentences:
                    continue
                # Columns by zip, each sentence's words by bisect mapped over them: in C,
                # not a Python call per sentence.
                _, starts, ends = zip(*sentences, strict=True)
                word_ranges = tuple(
                    zip(
                        map(bisect_left, repeat(text.starts), starts),
                        map(bisect_right, repeat(text.ends), ends),
                        strict=True,
                    )
                )
            else:  # one sentence, all the words
                sentences = (_new(Sentence, (source, 0, len(string))),)
                starts, word_ranges = (0,), ((0, len(text)),)
            firsts = tuple(map(itemgetter(0), hits))  # Hit.first
            # Part(...) and Sentence(...) without their NamedTuple __new__ (in Python).
            part = _new(Part, (source, text, sentences, hits, starts, word_ranges, firsts))
            parts.append(part)
            for hit in hits:
                sentence = sentences[max(bisect_right(starts, hit.start) - 1, 0)]  # sentence_of
                mention = _new(Mention, (part, hit, sentence))  # Mention(...), without its __new__
                if sentence.role not in _STUDY_ROLES:
                    background_kinds.update(hit.kinds)
                for kind in hit.kinds:
                    listed = by_kind.get(kind)
                    if listed is None:
                        by_kind[kind] = [mention]
                    else:
                        listed.append(mention)
        return Document(record, tuple(parts), self.cues, by_kind, background_kinds)
