"""Population: condition, chronicity, specificity, age group and sample size.

- Condition: the title's, else the condition named most often in this study's sections
  (a named condition wins over "healthy", which often names the controls, and over
  "other", which is often a symptom of it: knee pain in knee osteoarthritis).
- Chronicity and specificity describe the condition: "chronic", "persistent",
  "non-specific" count only right before (or packed into, as in CLBP) a condition, or
  as a stated duration of symptoms ("for at least 3 months", "> 12 weeks").
- A named pathology (disc herniation, stenosis, radiculopathy ...) makes the population
  specific, unless negated ("without sciatica") or in an exclusion sentence.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import cache

from protocols.mapping.document import Document, Mention, provenance_of
from protocols.mapping.negation import negated, sentence_has
from protocols.mapping.numbers import (
    DASH,
    number_pattern,
    number_starts,
    scan,
    word_value,
)
from protocols.mapping.text import Caseless
from protocols.model import Population, Provenance

# How many words may stand between "chronic"/"non-specific" and the condition it describes.
GAP = 3
# However many describers are chained, the condition is within this many words.
REACH = 10
# Participants as the abstract counts them.
_PEOPLE = (
    r"(?:participants|patients|subjects|adults|volunteers|individuals|people|persons|women|men|"
    r"workers|athletes|employees|nurses|children|adolescents|cases|males|females|elderly)"
)
# The same, as canonical words (text.py), to skip sentences that count nobody.
_PEOPLE_WORDS = frozenset(
    [
        "participant",
        "patient",
        "subject",
        "adult",
        "volunteer",
        "individual",
        "people",
        "person",
        "women",
        "men",
        "worker",
        "athlete",
        "employee",
        "nurse",
        "children",
        "adolescent",
        "case",
        "male",
        "female",
        "elderly",
        "n",
    ]
)
_ENROL = Caseless(r"random|allocat|assign|recruit|enrol|includ|consist|compos|participat|divided")


def _describes_condition(doc: Document, mention: Mention) -> bool:
    """Is this chronicity/specificity word attached to a condition (or itself one, CLBP)?

    The condition must follow within ``GAP`` words; other describers in between do not
    count ("chronic non-specific LBP"). Walks forward from the mention only, so the cost
    does not grow with the number of matches in the text.
    """
    if mention.hit.has("condition"):
        return True
    part = mention.part
    hits = part.hits
    i = bisect_left(part.firsts, mention.hit.first)
    words_between = 0
    previous = mention.hit.last
    for j in range(i + 1, len(hits)):  # no slice: that would copy the rest each time
        hit = hits[j]
        if hit.first - mention.hit.last > REACH:
            return False
        words_between += hit.first - previous - 1
        if words_between > GAP - 1:
            return False
        if hit.has("condition"):
            return True
        if not (hit.has("chronicity") or hit.has("specificity")):
            words_between += hit.size
        previous = hit.last
    return False


def _clean(doc: Document, mention: Mention) -> bool:
    text = mention.part.text
    if negated(text, mention.hit, doc.cues.negation_before):
        return False
    s = mention.sentence
    # Several mentions often stand in one sentence: its exclusion cue is looked for once.
    key = ("exclusion sentence", mention.part.source, s.start)
    excluded = doc.memo.get(key)
    if excluded is None:
        excluded = doc.memo[key] = sentence_has(text, s.start, s.end, doc.cues.exclusion_sentence)
    return not excluded


def _pick(mentions: list[tuple[str, Mention]], prefer_not: tuple[str, ...] = ()):
    """The title's code if the title has one, else the most frequent (first on ties)."""
    if len(mentions) < 2:  # the usual case: none, or the one there is
        return mentions[0] if mentions else None
    in_title = [(c, m) for c, m in mentions if m.part.source == "title"]
    pool = in_title or mentions
    for code in prefer_not:  # in order: "healthy" gives way to "other" too
        codes = {c for c, _ in pool}
        if code in codes and len(codes) > 1:  # it gives way to another code
            pool = [(c, m) for c, m in pool if c != code]
    counts: dict[str, int] = {}  # (a Counter costs more than the few mentions it counts)
    for c, _ in pool:
        counts[c] = counts.get(c, 0) + 1
    best = max(counts.values())
    for c, m in pool:  # the first of the most frequent
        if counts[c] == best:
            return c, m
    return None  # (not reached: the pool is never empty)


def condition(doc: Document):
    found = [
        (code, m)
        for m in doc.mentions("condition")
        if _clean(doc, m)
        for code in m.hit.codes("condition")
    ]
    return _pick(found, prefer_not=("healthy", "other"))


def chronicity(doc: Document):
    found = [
        (code, m)
        for m in doc.mentions("chronicity")
        if _describes_condition(doc, m) and _clean(doc, m)
        for code in m.hit.codes("chronicity")
    ]
    picked = _pick(found)
    if picked:
        in_title = picked[1].part.source == "title"
        mixed = next(
            (
                m
                for _, m in found
                if (m.part.source == "title") == in_title and _coordinated_chronicity(m)
            ),
            None,
        )
        if mixed is not None:
            return "unspecified", mixed  # "acute and chronic LBP": no one chronicity
        return picked
    return _duration(doc)


# Words that join two chronicity words into one mixed population ("acute and chronic").
_COORDINATION = frozenset({"and", "or", "to", "and/or"})


def _coordinated_chronicity(mention: Mention) -> bool:
    """Is this chronicity word joined to a different one ("acute or subacute", "acute/chronic")?"""
    part = mention.part
    i = bisect_left(part.firsts, mention.hit.first)
    if i + 1 >= len(part.hits):
        return False
    nxt = part.hits[i + 1]
    if not nxt.has("chronicity") or set(nxt.codes("chronicity")) == set(
        mention.hit.codes("chronicity")
    ):
        return False
    between = part.text.canons[mention.hit.last + 1 : nxt.first]
    gap = part.text.source[mention.hit.end : nxt.start]
    return (len(between) == 1 and between[0] in _COORDINATION) or gap.strip() in ("/", ",")


# Canonical words (text.py) a sentence stating a duration of symptoms has: a unit, and
# what lasted.
_DURATION_UNITS = frozenset({"month", "week", "year"})
# The same as words of a canonical text's ``joined`` (each word between spaces).
_DURATION_UNITS_JOINED = tuple(f" {unit} " for unit in sorted(_DURATION_UNITS))
_DURATION_OF = frozenset({"pain", "symptom", "history", "lbp", "duration", "clbp", "complaint"})


@cache
def _duration_pattern(cues) -> Caseless:
    n = number_pattern(cues)
    return Caseless(
        rf"(?P<bound>>|≥|more than|greater than|longer than|at least|over|exceeding|lasting)"
        rf"\s*(?:a\s+)?"
        rf"(?P<n>{n})[\s{DASH}]*(?P<unit>months?|weeks?|years?)",
    )


# Right after "N years": the number was an age.
_AGE_NEAR = re.compile(r"\s*(?:of\s+age|old|or\s+older|and\s+older|of\s+older|\+)", re.I)


def _duration(doc: Document):
    """Chronicity from a stated duration of symptoms ("LBP for ≥3 months")."""
    pattern = _duration_pattern(doc.cues)
    part = doc.part("abstract")
    if part is None:
        return None
    # Most abstracts name no unit at all: a few substring searches of the canonical text
    # rule them out without a look at each sentence.
    joined = part.text.joined
    if not any(unit in joined for unit in _DURATION_UNITS_JOINED):
        return None
    canons = part.text.canons
    for sentence, (first, stop) in zip(part.sentences, part.word_ranges, strict=True):
        if sentence.role == "background":
            continue
        words = canons[first:stop]
        if _DURATION_UNITS.isdisjoint(words) or _DURATION_OF.isdisjoint(words):
            continue
        chunk = part.text.source[sentence.start : sentence.end]
        compiled, target = pattern.on(chunk)
        for match in compiled.finditer(target):
            value = word_value(match.group("n"), doc.cues)
            if value is None:
                continue
            unit = match.group("unit").lower()
            if unit.startswith("y") and (value >= 18 or _AGE_NEAR.match(chunk, match.end())):
                continue  # "≥50 years (old)" is an age, not how long the pain has lasted
            weeks = value * {"m": 4.33, "w": 1.0, "y": 52.0}[unit[0]]
            if weeks < 12 and match.group("bound").lower() != "lasting":
                continue  # "at least 6 weeks" may be more than 12: no one band follows
            code = "chronic" if weeks >= 12 else "subacute" if weeks >= 6 else "acute"
            start = sentence.start + match.start()
            end = sentence.start + match.end()
            prov = provenance_of(
                "population.chronicity", code, "abstract", start, end, part.text.source[start:end]
            )
            return code, prov
    return None


def specificity(doc: Document):
    nonspecific = []
    specific = []
    for m in doc.mentions("specificity"):  # one walk over the mentions for both lists
        codes = m.hit.codes("specificity")
        if "nonspecific" in codes and _describes_condition(doc, m) and _clean(doc, m):
            nonspecific.append(("nonspecific", m))
        if "specific" in codes and _clean(doc, m):
            specific.append(("specific", m))
    for source in ("title", None):
        for found in (nonspecific, specific):
            chosen = [f for f in found if source is None or f[1].part.source == source]
            if chosen:
                return chosen[0]
    return None


def age_group(doc: Document):
    found = [
        (code, m)
        for m in doc.mentions("age_group")
        if _clean(doc, m)
        for code in m.hit.codes("age_group")
    ]
    for code in ("older_adults", "adolescents", "children", "adults"):
        for c, m in found:
            if c == code:
                return c, m
    return _stated_age(doc)


_AGE_RANGE = Caseless(
    rf"\b(?:aged|ages?|age\s+range|between\s+the\s+ages\s+of)\s*(?:of\s+|between\s+|from\s+)?"
    rf"(?P<low>\d{{1,3}})\s*(?:[{DASH}]|to|and)\s*(?P<high>\d{{1,3}})"
)
_MEAN_AGE = Caseless(r"\bmean\s+age\b\D{0,15}?(?P<mean>\d{1,3}(?:\.\d+)?)")
# The words a match of each opens with, in lower case.
_OPENINGS = {_AGE_RANGE: ("age", "between"), _MEAN_AGE: ("mean",)}


def _first_match(pattern: Caseless, chunk: str) -> re.Match[str] | None:
    """``pattern``'s first match in ``chunk``, as ``search`` finds it.

    A search tries every place of the text (the patterns open with a word boundary: there
    is no literal start the regex engine could skip to); on lower-cased text only the
    places where an opening word stands are tried (see ``numbers.scan``).
    """
    compiled, target = pattern.on(chunk)
    if compiled is not pattern.lower:  # a text with letters that fold oddly: search it all
        return compiled.search(target)
    starts = []
    for word in _OPENINGS[pattern]:
        at = target.find(word)
        while at != -1:
            starts.append(at)
            at = target.find(word, at + 1)
    starts.sort()
    return next(scan(compiled, target, starts), None)


def _age_code(low: float, high: float) -> str | None:
    """The age group of an age range, by vocabulary.md (older adults 65+)."""
    if low >= 65:
        return "older_adults"
    if low >= 18:
        return "adults"
    if high < 13:
        return "children"
    if low >= 12 and high <= 19:
        return "adolescents"
    return None


def _stated_age(doc: Document):
    """The age group from stated ages ("aged 18-70 years", "mean age: 44.0 y")."""
    part = doc.part("abstract")
    if part is None:
        return None
    # Both patterns need a word that opens with the letters "age" (in any case: "aged",
    # "ages", "age"; after a word boundary). In an ASCII text such a word's canonical form
    # opens with them too (text.py: lower case, and no spelling rule touches a word's
    # start), so one search of the canonical text rules out most abstracts ("average",
    # "management" and "stage" hold the letters too, but not at a word's start).
    if part.text.source.isascii() and " age" not in part.text.joined:
        return None
    source = part.text.source
    # An ASCII text is lower-cased once (its offsets stay), rather than each sentence.
    lowered = source.lower() if source.isascii() else None
    for sentence in part.sentences:
        if sentence.role == "background":
            continue
        if lowered is not None:
            if lowered.find("age", sentence.start, sentence.end) == -1:
                continue
            chunk = source[sentence.start : sentence.end]
        else:
            chunk = source[sentence.start : sentence.end]
            if "age" not in chunk.casefold():
                continue
        for pattern in (_AGE_RANGE, _MEAN_AGE):
            match = _first_match(pattern, chunk)
            if not match:
                continue
            if pattern is _AGE_RANGE:
                code = _age_code(float(match.group("low")), float(match.group("high")))
            else:
                mean = float(match.group("mean"))
                code = _age_code(mean, mean) if mean >= 18 else None
            if code:
                start, end = sentence.start + match.start(), sentence.start + match.end()
                text = part.text.source[start:end]
                return code, provenance_of(
                    "population.age_group", code, "abstract", start, end, text
                )
    return None


# Capital N is the whole sample; "(n = 20)" is one group's.
_STATED = re.compile(r"\bN\s*=\s*(?P<n>\d+)(?![\d\s]*\))")
_GROUP = re.compile(r"\(\s*n\s*=\s*(?P<n>\d+)\s*[);,]", re.I)


@cache
def _counted_pattern(cues) -> Caseless:
    n = number_pattern(cues)
    return Caseless(rf"(?<![\d.%])(?P<n>{n})\s+(?:[\w\-‑]+\s+){{0,3}}?{_PEOPLE}\b")


def sample_size(doc: Document):
    """The number randomised or enrolled: "Eighty-seven volunteers ... were randomized",
    "N = 174 adults"; else the sum of the group sizes "(n = 11)" of one sentence."""
    part = doc.part("abstract")
    if part is None:
        return None
    counted = _counted_pattern(doc.cues)
    canons = part.text.canons
    for sentence, (first, stop) in zip(part.sentences, part.word_ranges, strict=True):
        if sentence.role == "background":
            continue
        if _PEOPLE_WORDS.isdisjoint(canons[first:stop]):
            continue
        chunk = part.text.source[sentence.start : sentence.end]
        enrol, target = _ENROL.on(chunk)
        if not enrol.search(target):
            continue
        # The count is tried only where a number starts (see numbers.scan), on lower-cased
        # text (see Caseless): the same text as ``_ENROL``'s, lower-cased once.
        counted_in = counted.lower if enrol is _ENROL.lower else counted.caseless
        starts = None
        if counted_in is counted.lower:
            starts = number_starts(part.text, range(first, stop), sentence.start, doc.cues)
        stated = _STATED.search(chunk) if "=" in chunk else None
        for match in (stated, next(scan(counted_in, target, starts), None)):
            if match:
                value = word_value(match.group("n"), doc.cues)
                if value is not None and value == int(value) and 2 <= value <= 10**6:
                    return int(value), _prov(part, sentence.start, match, int(value))
        groups = list(_GROUP.finditer(chunk))
        if len(groups) >= 2:
            total = sum(int(g.group("n")) for g in groups)
            start = sentence.start + groups[0].start()
            end = sentence.start + groups[-1].end()
            return total, provenance_of(
                "population.sample_size",
                str(total),
                "abstract",
                start,
                end,
                part.text.source[start:end],
            )
    return None


def _prov(part, offset: int, match: re.Match, value: int) -> Provenance:
    start, end = offset + match.start(), offset + match.end()
    return provenance_of(
        "population.sample_size", str(value), part.source, start, end, part.text.source[start:end]
    )


def population(doc: Document) -> tuple[Population, list[Provenance]]:
    provenance: list[Provenance] = []
    values: dict[str, object] = {}
    for field, finder in (
        ("condition", condition),
        ("chronicity", chronicity),
        ("specificity", specificity),
        ("age_group", age_group),
    ):
        found = finder(doc)
        if not found:
            continue
        code, where = found
        values[field] = code
        if isinstance(where, Provenance):
            provenance.append(where)
        else:
            provenance.append(where.provenance(f"population.{field}", code))
    size = sample_size(doc)
    if size:
        values["sample_size"] = size[0]
        provenance.append(size[1])
    return Population(**values), provenance
