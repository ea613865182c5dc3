"""Exercise arms and comparators: is this an exercise study, and which programmes does it test?

- A named exercise type mentioned in the title, keywords or this study's sections
  (not the background, not negated, not only as advice) is an arm.
- Exercise with no named type ("exercise", "exercise therapy") gives ``general`` only
  when no type is named: vocabulary.md defines ``general`` as exactly that.
- Types named as one programme are one arm: a list that shares its last name's head
  word ("strength and flexibility exercise", "stretching, strengthening and aerobic
  exercises"), or one term that carries several types. A name with a head word of its
  own ("core stabilisation exercise and strengthening exercise"), names set against each
  other ("or", "versus", a list ending in "or") and a type named as a group ("the
  stretching group") stand as arms by themselves.
- Placebo/sham, usual care, waitlist, education/advice and manual/passive therapy are
  comparators and never become exercise types. Another exercise arm is each arm's
  ``other_exercise`` comparator.
- A record whose title names a non-exercise intervention (drug, surgery, injection,
  manual or psychological therapy, diagnosis or prognosis) and no exercise, or whose
  study sections name such an intervention more often than exercise, is not an
  exercise study: it gets no arms.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left

from attrs import frozen

from protocols.mapping.document import Document, Mention
from protocols.mapping.negation import negated
from protocols.mapping.text import canonical_word
from protocols.model import Provenance

# How far before an exercise word "advice to", "encouraged to" ... may stand.
ADVICE_WINDOW = 8


@frozen
class Arm:
    """One exercise programme: its types (in order of first mention), where each was named,
    and its name in the record's words."""

    codes: tuple[str, ...]
    mentions: tuple[Mention, ...]  # one a code
    name: str

    @property
    def mention(self) -> Mention:
        return self.mentions[0]


@frozen
class Arms:
    arms: tuple[Arm, ...]
    comparators: tuple[tuple[str, Mention], ...]
    is_exercise: bool


def _usable(doc: Document, mention: Mention) -> bool:
    cues = doc.cues
    if negated(mention.part.text, mention.hit, cues.negation_before):
        return False
    # Exercise named only as advice ("advised to keep walking") is not an arm.
    return not negated(
        mention.part.text, mention.hit, cues.incidental, window=ADVICE_WINDOW, lists=True
    )


def _is_sham(mention: Mention) -> bool:
    """A placebo or sham word right before an exercise ("sham exercise") makes it a control."""
    part = mention.part
    i = bisect_left(part.firsts, mention.hit.first)  # this match's index, without a scan
    before = part.hits[i - 1] if i > 0 else None
    return (
        before is not None
        and before.has("comparators")
        and "placebo_sham" in before.codes("comparators")
        and mention.hit.first - before.last <= 2
    )


# Words that may stand between an exercise word and the deep muscles it trains.
_TOWARDS_MUSCLES = frozenset(
    {
        "for", "of", "the", "their", "to", "that", "which", "targeting", "target", "targeted",
        "activating", "activate", "activated", "combined", "combine", "involving", "involve",
        "recruiting", "recruit", "train", "training", "isolated", "specific", "local", "deep",
        "muscle",
    }
)  # fmt: skip
DEEP_MUSCLE_WINDOW = 8


def _trains_deep_muscles(mention: Mention) -> bool:
    """Is this unnamed exercise aimed at the deep trunk muscles (then it is motor control)?"""
    part = mention.part
    i = bisect_left(part.firsts, mention.hit.first)
    for hit in part.hits[i + 1 : i + 6]:
        if hit.first - mention.hit.last > DEEP_MUSCLE_WINDOW or hit.start > mention.sentence.end:
            return False
        if hit.has("deep_muscles"):
            between = part.text.canons[mention.hit.last + 1 : hit.first]
            return _TOWARDS_MUSCLES.issuperset(between)
    return False


def find_arms(doc: Document) -> Arms:
    named: dict[str, Mention] = {}
    usable: list[Mention] = []
    for mention in doc.mentions("exercise_types"):
        if not _usable(doc, mention) or _is_sham(mention):
            continue
        usable.append(mention)
        for code in mention.hit.codes("exercise_types"):
            named.setdefault(code, mention)
    unnamed = [m for m in doc.mentions("unnamed_exercise") if _usable(doc, m)]
    for mention in unnamed:
        if _trains_deep_muscles(mention):
            named.setdefault("motor_control", mention)
    exercise_mentions = len(usable) + len(unnamed)
    if not named and unnamed:
        named["general"] = unnamed[0]
    is_exercise = bool(named) and _studies_exercise(doc, exercise_mentions)
    if not is_exercise:
        return Arms((), (), False)
    arms = _programmes(named, usable)
    comparators: dict[str, Mention] = {}
    for mention in doc.mentions("comparators"):
        for code in mention.hit.codes("comparators"):
            comparators.setdefault(code, mention)
    return Arms(arms, tuple(comparators.items()), True)


# The head word that ends an exercise's name: a name that has one stands on its own.
# (In canonical form, as the text's words are: "exercises" is "exercize".)
_HEADS = frozenset(
    canonical_word(word)
    for word in (
        "exercise", "training", "program", "therapy", "intervention", "regime", "regimen",
        "protocol", "class", "session", "workout", "method", "technique", "approach",
        "rehabilitation", "group",
    )
)  # fmt: skip
# What may stand between the names of a list: "A, B and C" (commas are not words).
_LIST_WORDS = frozenset({"and", "plus", "as", "well"})
_GROUP_WORDS = frozenset({"group", "arm", "cohort"})


# Between two names of one list: "and", "plus", "as well as", or other short items set off
# by commas ("stretching, strengthening, spine flexibility, and aerobic exercises").
_LIST_ITEM = re.compile(r"\s*(?:(?:and|plus|as well as|&)\s+)?(?:[\w-]+(?:\s+[\w-]+)?)?\s*")


def _in_one_list(a: Mention, b: Mention) -> bool:
    between = a.part.text.canons[a.hit.last + 1 : b.hit.first]
    if _LIST_WORDS.issuperset(between):
        return True
    pieces = a.part.text.source[a.hit.end : b.hit.start].split(",")
    return len(pieces) > 1 and all(_LIST_ITEM.fullmatch(piece) for piece in pieces)


# Words that set two names against each other: "yoga or stretching", "A versus B".
_CONTRAST_WORDS = frozenset({"or", "versus", "vs", "compared", "than", "against"})
_CONTRAST_GAP = 3  # words at most between two names set against each other


def _chains(usable: list[Mention]) -> list[list[tuple[Mention, Mention, str]]]:
    """Runs of names that follow each other in one sentence, each pair joined as a list
    ("list"), by punctuation alone ("comma") or set against each other ("contrast")."""
    chains: list[list[tuple[Mention, Mention, str]]] = []
    chain: list[tuple[Mention, Mention, str]] = []
    for a, b in itertools.pairwise(usable):
        kind = None
        if a.part is b.part and a.sentence == b.sentence:
            between = a.part.text.canons[a.hit.last + 1 : b.hit.first]
            if len(between) <= _CONTRAST_GAP and not _CONTRAST_WORDS.isdisjoint(between):
                kind = "contrast"
            elif not between:  # "A, B": only punctuation between
                kind = "comma"
            elif _in_one_list(a, b):
                kind = "list"
        if kind is not None and chain and chain[-1][1] is a:
            chain.append((a, b, kind))
            continue
        if chain:
            chains.append(chain)
        chain = [(a, b, kind)] if kind is not None else []
    if chain:
        chains.append(chain)
    return chains


def _contrast_follows(mention: Mention) -> bool:
    """Does "or" (or "versus") come right after this name?"""
    after = mention.part.text.canons[mention.hit.last + 1 : mention.hit.last + 2]
    return bool(after) and after[0] in _CONTRAST_WORDS


def _names_a_group(mention: Mention) -> bool:
    """Is this type named as a trial's group ("the stretching group", "a yoga exercise arm")?"""
    canons = mention.part.text.canons
    after = canons[mention.hit.last + 1 : mention.hit.last + 3]
    return bool(after) and (
        after[0] in _GROUP_WORDS
        or (len(after) == 2 and after[0] in _HEADS and after[1] in _GROUP_WORDS)
    )


def _name(first: Mention, lists: list[tuple[Mention, Mention]]) -> str:
    """An arm's name: its first name, or the whole list that starts with it."""
    start, end = first.hit.start, first.hit.end
    for a, b in lists:  # in text order: a list's pairs follow on
        if a.part is first.part and a.hit.start <= end and a.hit.end >= end:
            end = b.hit.end
    return first.part.text.source[start:end]


def _programmes(named: dict[str, Mention], usable: list[Mention]) -> tuple[Arm, ...]:
    """The arms: the named types, those named as one programme joined into one arm."""
    joined: dict[str, str] = {code: code for code in named}  # union-find over codes

    def root(code: str) -> str:
        while joined[code] != code:
            code = joined[code]
        return code

    def join(a: str, b: str) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:  # the earlier-named code stays the root: arms keep first-mention order
            first, second = sorted((ra, rb), key=order.__getitem__)
            joined[second] = first

    order = {code: n for n, code in enumerate(named)}
    # One term with several types ("strength and flexibility exercise") is one programme.
    for mention in usable:
        codes = mention.hit.codes("exercise_types")
        for code in codes[1:]:
            join(codes[0], code)
    grouped = {c for m in usable if _names_a_group(m) for c in m.hit.codes("exercise_types")}
    lists: list[tuple[Mention, Mention]] = []  # consecutive names joined as one programme
    for chain in _chains(usable):
        # A list that sets names against each other is a list of arms, however its first
        # names are joined; so is one of names set off by commas only, when "or" follows
        # its last ("yoga, stretching or a self-care book").
        kinds = {kind for _, _, kind in chain}
        if "contrast" in kinds or (kinds == {"comma"} and _contrast_follows(chain[-1][1])):
            continue
        for a, b, _kind in chain:
            if a.part.text.canons[a.hit.last] in _HEADS:
                continue
            a_codes, b_codes = a.hit.codes("exercise_types"), b.hit.codes("exercise_types")
            if grouped.intersection(a_codes) or grouped.intersection(b_codes):
                continue
            join(a_codes[0], b_codes[0])
            lists.append((a, b))
    members: dict[str, list[str]] = {}
    for code in named:
        members.setdefault(root(code), []).append(code)
    arms = []
    for head, codes in members.items():
        arms.append(Arm(tuple(codes), tuple(named[c] for c in codes), _name(named[head], lists)))
    return tuple(arms)


def _non_prefixed(canons: tuple[str, ...], hit) -> bool:
    """A "non-" word ("non-pharmacological", "non-surgical") names what a treatment is not."""
    return hit.first > 0 and canons[hit.first - 1] == "non"


_EXERCISE_KINDS = frozenset({"exercise_types", "unnamed_exercise"})


def _studies_exercise(doc: Document, exercise_mentions: int) -> bool:
    title = doc.part("title")
    if title is not None:
        # (The kinds tested as sets: a method call a hit costs more, on every record.)
        if any(not _EXERCISE_KINDS.isdisjoint(h.kinds) for h in title.hits):
            return True
        canons = title.text.canons
        if any("non_exercise" in h.kinds and not _non_prefixed(canons, h) for h in title.hits):
            return False
    other = sum(
        1 for m in doc.mentions("non_exercise") if not _non_prefixed(m.part.text.canons, m.hit)
    )
    return exercise_mentions >= other


# Words that join a co-intervention to an arm ("motor control exercise plus manual therapy").
_JOINERS = frozenset({"plus", "with", "and", "combined", "added", "alongside"})
_CONTRASTS = frozenset({"compared", "versus", "vs", "than", "or", "against", "control"})


def _joined_to(arm: Mention, other: Mention) -> bool:
    """Is ``other`` part of the arm itself, joined right after its name?"""
    if arm.part is not other.part:
        return False
    gap = other.hit.first - arm.hit.last
    between = arm.part.text.canons[arm.hit.last + 1 : other.hit.first]
    return 1 < gap <= 3 and not _JOINERS.isdisjoint(between) and _CONTRASTS.isdisjoint(between)


def arm_comparators(arms: Arms, arm: Arm) -> tuple[tuple[str, Provenance], ...]:
    """The comparators of one arm, each with the words it came from."""
    found: dict[str, Mention] = {}
    for code, mention in arms.comparators:
        if code not in found and not any(_joined_to(own, mention) for own in arm.mentions):
            found[code] = mention
    for other in arms.arms:
        if other is not arm:
            found.setdefault("other_exercise", other.mention)
    return tuple((code, found[code].provenance("comparators", code)) for code in sorted(found))
