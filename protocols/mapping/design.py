"""Design: from the title, the publication types and this study's sections.

The title and publication types decide when they name a design; otherwise the
abstract's study sections do. Of several designs named, the one first in ``PRECEDENCE``
wins: a protocol of a randomised trial is a protocol, a systematic review of randomised
trials is a review, a meta-analysis wins over a systematic review (vocabulary.md).
Some words count only in a title or publication type (``[design] title_only`` in
mapping_cues.toml): in an abstract "review" is as likely an ethics review board.
"""

from __future__ import annotations

from protocols.mapping.cues import by_identity
from protocols.mapping.document import Document, Engine, Mention
from protocols.mapping.text import analyse
from protocols.model import Provenance

PRECEDENCE = (
    "protocol",
    "meta_analysis",
    "systematic_review",
    "guideline",
    "editorial",
    "narrative_review",
    "non_randomised_trial",
    "rct",
    "qualitative",
    "case_control",
    "cohort",
    "cross_sectional",
    "case_series",
    "experimental",
    "other",
)


# Each design's place in PRECEDENCE (a code not in it comes last).
_RANK = {code: rank for rank, code in enumerate(PRECEDENCE)}


@by_identity
def _title_only(words: tuple[str, ...]) -> frozenset[tuple[str, ...]]:
    return frozenset(analyse(t).canons for t in words)


def _key(mention: Mention) -> tuple[str, ...]:
    return mention.part.text.canons[mention.hit.first : mention.hit.last + 1]


def _best(found: list[tuple[str, Mention]]) -> tuple[str, Mention] | None:
    if not found:
        return None
    if len(found) == 1:
        return found[0]
    last = len(PRECEDENCE)
    return min(found, key=lambda f: _RANK.get(f[0], last))


def design(doc: Document, engine: Engine) -> tuple[str, list[Provenance]]:
    title_only = _title_only(doc.cues.design_title_only)
    title: list[tuple[str, Mention]] = []
    abstract: list[tuple[str, Mention]] = []
    for mention in doc.mentions("design"):
        source = mention.part.source
        for code in mention.hit.codes("design"):
            if source == "title":
                title.append((code, mention))
            elif _key(mention) not in title_only:
                abstract.append((code, mention))
    # Publication types are labels of the whole work: read them like a title. They are
    # not one of the texts provenance may cite, so the title or abstract words are cited
    # when they agree; otherwise the type is used only to break a tie.
    chosen = _best(title)
    if chosen is None and abstract:  # the types are read only when they may break a tie
        types = _publication_types(doc, engine)
        chosen = _best([f for f in abstract if f[0] in types]) or _best(abstract)
    if chosen is None:
        return "unknown", []
    code, mention = chosen
    return code, [mention.provenance("design", code)]


def _publication_types(doc: Document, engine: Engine) -> set[str]:
    codes: set[str] = set()
    for pub_type in doc.record.publication_types:
        codes.update(engine.publication_type_designs(pub_type))
    return codes
