"""Outcomes: every domain this study measured, with the measure named.

An outcome is measured whatever was found, so negation does not remove it ("no adverse
events occurred"). A parenthesised list right after a named domain gives that domain's
measures ("health-related fitness (sit and reach, handgrip strength)" is fitness, not
three domains). The measure shown is the most specific words found for the domain
("Oswestry Disability Index" over "disability").

Not outcomes: what a sentence describing the participants gives as their characteristics
("mean age 44, BMI 27") unless it says they were measured, and a word in capitals naming
a group or trial ("the STRENGTH group").
"""

from __future__ import annotations

from protocols.mapping.document import Document, Mention
from protocols.mapping.negation import sentence_has
from protocols.model import Outcome, Provenance

# A list of measures in brackets is short; a longer stretch is not one list (and an
# unclosed bracket must not make the cost grow with the square of the text).
MAX_LIST = 300
# Words after a name in capitals that show it names a group or a trial.
_NAMED_THINGS = frozenset(
    {"group", "arm", "trial", "study", "cohort", "condition", "intervention", "program"}
)


def _names_a_group(mention: Mention) -> bool:
    """Is this a common word in capitals, in mixed-case text, naming a group ("STRENGTH group")?"""
    word = mention.hit.text
    if not (word.isalpha() and word.isupper() and len(word) > 5):
        return False  # short capitals are abbreviations of measures (VAS, ODI, HADS)
    source = mention.part.text.source
    if not any(ch.islower() for ch in source[mention.sentence.start : mention.sentence.end]):
        return False  # a title or abstract all in capitals
    canons = mention.part.text.canons
    after = mention.hit.last + 1
    return after < len(canons) and canons[after] in _NAMED_THINGS


def _a_characteristic(doc: Document, mention: Mention) -> bool:
    """Does the mention stand in a sentence describing who took part, not what was measured?"""
    text, s = mention.part.text, mention.sentence
    return sentence_has(text, s.start, s.end, doc.cues.characteristics) and not sentence_has(
        text, s.start, s.end, doc.cues.measured
    )


def _inside_parentheses_after(mention: Mention, previous: Mention | None) -> bool:
    """Does ``mention`` stand inside "( ... )" that opens right after ``previous``?"""
    if previous is None or previous.part is not mention.part:
        return False
    if mention.hit.start - previous.hit.end > MAX_LIST:
        return False
    source = mention.part.text.source
    between = source[previous.hit.end : mention.hit.start]
    stripped = between.lstrip()
    if not stripped.startswith(("(", "[")):
        return False
    # Still inside: more brackets opened than closed between the two.
    opened = between.count("(") + between.count("[")
    return opened > between.count(")") + between.count("]")


def outcomes(doc: Document) -> tuple[tuple[Outcome, ...], list[Provenance]]:
    best: dict[str, Mention] = {}
    order: list[str] = []
    head: Mention | None = None  # the domain a parenthesised list belongs to
    characteristic: dict[tuple[str, int], bool] = {}  # by sentence: read each once
    for mention in doc.mentions("outcomes"):
        where = (mention.part.source, mention.sentence.start)
        describes_people = characteristic.get(where)
        if describes_people is None:
            describes_people = characteristic[where] = _a_characteristic(doc, mention)
        if describes_people or _names_a_group(mention):
            continue
        domains = mention.hit.codes("outcomes")
        if head is not None and _inside_parentheses_after(mention, head):
            domains = head.hit.codes("outcomes")
        else:
            head = mention
        for domain in domains:
            if domain not in best:
                order.append(domain)
                best[domain] = mention
            elif mention.hit.size > best[domain].hit.size:
                best[domain] = mention
    found = tuple(Outcome(domain=d, measure=best[d].hit.text) for d in order)
    provenance = [best[d].provenance("outcomes", d) for d in order]
    return found, provenance
