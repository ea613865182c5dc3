"""Exercise arms and comparators: is this an exercise study, and which programmes does it test?

- A named exercise type mentioned in the title, keywords or this study's sections
  (not the background, not negated, not only as advice) is an arm.
- Exercise with no named type ("exercise", "exercise therapy") gives ``general`` only
  when no type is named: vocabulary.md defines ``general`` as exactly that.
- Placebo/sham, usual care, waitlist, education/advice and manual/passive therapy are
  comparators and never become exercise types. Another exercise arm is each arm's
  ``other_exercise`` comparator.
- A record whose title names a non-exercise intervention (drug, surgery, injection,
  manual or psychological therapy, diagnosis or prognosis) and no exercise, or whose
  study sections name such an intervention more often than exercise, is not an
  exercise study: it gets no arms.
"""

from __future__ import annotations

from bisect import bisect_left

from attrs import frozen

from protocols.mapping.document import Document, Mention
from protocols.mapping.negation import negated
from protocols.model import Provenance

# How far before an exercise word "advice to", "encouraged to" ... may stand.
ADVICE_WINDOW = 8


@frozen
class Arm:
    code: str
    mention: Mention

    @property
    def name(self) -> str:
        return self.mention.hit.text


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
    count = 0
    for mention in doc.mentions("exercise_types"):
        if not _usable(doc, mention) or _is_sham(mention):
            continue
        count += 1
        for code in mention.hit.codes("exercise_types"):
            named.setdefault(code, mention)
    unnamed = [m for m in doc.mentions("unnamed_exercise") if _usable(doc, m)]
    for mention in unnamed:
        if _trains_deep_muscles(mention):
            named.setdefault("motor_control", mention)
    exercise_mentions = count + len(unnamed)
    if not named and unnamed:
        named["general"] = unnamed[0]
    is_exercise = bool(named) and _studies_exercise(doc, exercise_mentions)
    if not is_exercise:
        return Arms((), (), False)
    arms = tuple(Arm(code, mention) for code, mention in named.items())
    comparators: dict[str, Mention] = {}
    for mention in doc.mentions("comparators"):
        for code in mention.hit.codes("comparators"):
            comparators.setdefault(code, mention)
    return Arms(arms, tuple(comparators.items()), True)


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
        if code not in found and not _joined_to(arm.mention, mention):
            found[code] = mention
    for other in arms.arms:
        if other.code != arm.code:
            found.setdefault("other_exercise", other.mention)
    return tuple((code, found[code].provenance("comparators", code)) for code in sorted(found))
