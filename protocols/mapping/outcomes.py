"""Outcomes: every domain this study measured, with the measure named.

An outcome is measured whatever was found, so negation does not remove it ("no adverse
events occurred"). A parenthesised list right after a named domain gives that domain's
measures ("health-related fitness (sit and reach, handgrip strength)" is fitness, not
three domains). The measure shown is the most specific words found for the domain
("Oswestry Disability Index" over "disability").
"""

from __future__ import annotations

from protocols.mapping.document import Document, Mention
from protocols.model import Outcome, Provenance

# A list of measures in brackets is short; a longer stretch is not one list (and an
# unclosed bracket must not make the cost grow with the square of the text).
MAX_LIST = 300


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
    for mention in doc.mentions("outcomes"):
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
