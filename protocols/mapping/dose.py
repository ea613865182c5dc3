"""Dose (FITT-VP) from the words of this study: weeks, sessions per week, minutes per
session, total sessions, intensity with its ACSM class, sets and repetitions,
supervision, delivery and setting.

Each dose fact is a regular-expression match on one sentence of the title or of this
study's sections (never the background), read with number words ("eight weeks",
"twice a week", "a single session") and ranges ("2-3 times a week", "40–60 min").
Time points are not programme lengths: "at 12 weeks", "6-month follow-up", "week 14"
and symptom durations ("pain for ≥3 months") are skipped. Where several values are
found the title's wins, then the first one said in the words of a programme ("for 8
weeks", "a 12-week programme"), then the first other one.
"""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

import attrs
from attrs import frozen

from protocols.mapping.cues import Cues
from protocols.mapping.document import Document
from protocols.mapping.numbers import (
    DASH,
    number_pattern,
    number_starts,
    parse_amount,
    range_pattern,
    scan,
)
from protocols.model import Dosage, Intensity, Provenance

_D = f"[\\s{DASH}]*"
# Sensible limits; anything outside is a misreading.
LIMITS = {
    "weeks": 520,
    "sessions_per_week": 14,
    "minutes_per_session": 300,
    "sessions_total": 1000,
    "sets": 20,
    "repetitions": 200,
}


class _Spot(NamedTuple):
    """A Provenance's fields, cheap to build for every candidate fact."""

    field: str
    value: str
    source: str
    start: int
    end: int
    text: str


@frozen
class Fact:
    field: str
    value: object
    strength: int  # 2 title, 1 said as a programme, 0 other
    order: int
    provenance: _Spot  # made a Provenance only when chosen: most candidates are not


@frozen
class Patterns:
    weeks: re.Pattern[str]
    per_week: re.Pattern[str]
    weekly: re.Pattern[str]
    minutes: re.Pattern[str]
    hours: re.Pattern[str]
    sessions: re.Pattern[str]
    single: re.Pattern[str]
    percent: re.Pattern[str]
    rpe: re.Pattern[str]
    mets: re.Pattern[str]
    descriptor: re.Pattern[str]
    sets_reps: re.Pattern[str]


@cache
def lower_patterns(cues: Cues) -> Patterns:
    """The same patterns without IGNORECASE, for lower-cased text (about twice as fast)."""
    full = patterns(cues)
    return Patterns(
        *(
            re.compile(getattr(full, f.name).pattern.lower().replace("(?p<", "(?P<"))
            for f in attrs.fields(Patterns)
        )
    )


@cache
def patterns(cues: Cues) -> Patterns:
    n = number_pattern(cues)
    r = range_pattern(cues)
    times = "|".join(cues.number_times)
    freq = rf"(?P<n>{r}|{times})"
    return Patterns(
        weeks=re.compile(rf"(?P<n>{r}){_D}(?P<unit>weeks?|wks?|months?|years?|yrs?)\b", re.I),
        per_week=re.compile(
            rf"{freq}\s*(?:times?|x|×|sessions?|days?|d|visits?|classes|occasions)?\s*"
            rf"(?:/|per|a|each|every|in\s+a)\s*(?:week|wk)\b",
            re.I,
        ),
        # "three times weekly", "twice-weekly"; a bare "12 weekly classes" is a count of classes.
        # "Bi-weekly"/"biweekly" is left unread on purpose: it means twice a week as often as
        # every two weeks, and a wrong frequency is worse than none.
        weekly=re.compile(
            rf"(?:(?P<n>{r}){_D}(?:times?|x|×|sessions?|days?)|(?P<w>{times})){_D}(?:weekly|a-week)\b",
            re.I,
        ),
        minutes=re.compile(rf"(?P<n>{r}){_D}(?:minutes?|mins?)\b", re.I),
        hours=re.compile(
            rf"(?P<n>{r}|an|one|half{_D}an){_D}(?:hours?|hrs?|h)\b"
            rf"(?=[\s,]*(?:\w+\s+){{0,2}}(?:each|per|a|every)?\s*(?:session|class|visit))",
            re.I,
        ),
        sessions=re.compile(
            rf"(?P<n>{r})\s+(?:(?:supervised|individual|group|weekly|exercise|training|treatment|"
            rf"{n}{_D}(?:minutes?|min|hours?|h)|[A-Za-z][\w-]*(?<!weeks)(?<!months)(?<!days))\s+){{0,3}}?"
            rf"(?P<what>sessions?|treatments?|classes|visits)\b",
            re.I,
        ),
        single=re.compile(
            r"\b(?:a\s+single|one\s+single|single|one)\s+(?:exercise\s+)?(?:session|bout)\b", re.I
        ),
        percent=re.compile(
            rf"(?P<n>{r})\s*%\s*(?:of\s+)?(?:the\s+)?(?:their\s+)?(?:participants'\s+)?(?:"
            r"(?P<hrr>HRR|heart\s+rate\s+reserve)"
            r"|(?P<hrmax>(?:age[\s-]predicted\s+)?(?:HR\s*max|max(?:imal|imum)?\s+heart\s+rate|peak\s+heart\s+rate|HRpeak|HR\s*peak))"
            r"|(?P<vo2>(?:peak\s+|max(?:imal)?\s+)?V\u0307?O\s*2\s*(?:max|peak|R)?|oxygen\s+uptake(?:\s+reserve)?)"
            r"|(?P<rm>1\s*-?\s*RM|one[\s-]repetition\s+max(?:imum)?|1[\s-]repetition\s+max(?:imum)?)"
            r"|(?P<mip>MIP|PImax|maximal\s+inspiratory\s+pressure))",
            re.I,
        ),
        rpe=re.compile(
            rf"(?:RPE|rating\s+of\s+perceived\s+exertion|Borg(?:\s+(?:CR[\s-]?10\s+)?scale)?)"
            rf"(?P<cr10>\s*(?:CR[\s-]?10|0{_D}10))?\s*(?:\(\w+\))?\s*(?:of|=|:|at|between|level)?\s*(?P<n>{r})",
            re.I,
        ),
        mets=re.compile(rf"(?P<n>{r})\s*METs?\b", re.I),
        descriptor=re.compile(
            rf"\b(?P<d>low|light|moderate|high|vigorous|maximal|near{_D}maximal|submaximal){_D}intensity\b",
            re.I,
        ),
        sets_reps=re.compile(
            rf"(?P<s>{r})\s*sets?\s*(?:of|x|×)\s*(?P<r>{r})\s*(?:repetitions?|reps?)\b"
            rf"|(?P<s2>{n})\s*[x×]\s*(?P<r2>{n})\s*(?:repetitions?|reps?)\b",
            re.I,
        ),
    )


# Words right before a number of weeks that make it a time point, not a programme length.
class _Ending:
    """A case-ignoring phrase that must end the text it is looked for in (save spaces):
    ``pattern`` says it the usual way, ``mirror`` backwards. A search for the pattern tries
    every position of the text; the mirror, matched at the start of the reversed text, is
    tried once, and these contexts are read for every number found.
    (tests/test_mapping_shortcuts.py checks that the two agree.)"""

    def __init__(self, pattern: str, mirror: str):
        self.pattern = re.compile(pattern, re.I)
        self.mirror = re.compile(mirror, re.I)

    def ends(self, text: str) -> bool:
        return self.mirror.match(text[::-1]) is not None


_TIME_POINT_BEFORE = _Ending(
    r"(?:\bat|\bafter|\bby|\bwithin|\buntil|\bpost|follow[\s-]*ups?\s+(?:of|at)|followed\s+(?:up\s+)?(?:for|at)|"
    r"history\s+of|\blast|\bpast|\bprevious|\bprior|\bfirst|\bnext|≥|>|<|≤|more\s+than|longer\s+than|"
    r"at\s+least|greater\s+than|less\s+than|aged?|every|week|and|baseline,?)\s*$",
    r"\s*(?:ta\b|retfa\b|yb\b|nihtiw\b|litnu\b|tsop\b|(?:fo|ta)\s+s?pu[\s-]*wollof|(?:rof|ta)\s+(?:pu\s+)?dewollof|"
    r"fo\s+yrotsih|tsal\b|tsap\b|suoiverp\b|roirp\b|tsrif\b|txen\b|≥|>|<|≤|naht\s+erom|naht\s+regnol|"
    r"tsael\s+ta|naht\s+retaerg|naht\s+ssel|d?ega|yreve|keew|dna|,?enilesab)",
)
# A spread (mean ± SD) and the duration of the participants' symptoms at baseline: numbers
# of weeks that describe the population, not the programme.
_BASELINE_DURATION_BEFORE = re.compile(
    r"(?:±|\+/-|\bSD|(?:pain|symptoms?|complaints?|LBP|NP)\s+duration\s*(?:of|was|:|=|\()?\s*(?:\w+\s+)?|"
    r"duration\s+of\s+(?:\w+\s+){0,3}?(?:pain|symptoms?|complaints?|LBP)\s*(?:of|was|:|=|\()?\s*(?:\w+\s+)?|"
    r"(?:had|having|suffered|suffering|experienced|experiencing|with)\s+(?:[\w-]+\s+){0,4}?"
    r"(?:pain|symptoms?|complaints?|LBP|problems?)\s+(?:for|lasting|of)|"
    r"(?:pain|symptoms?|complaints?)\s+(?:had\s+)?lasted)\s*$",
    re.I,
)
_WEEK_BEFORE = re.compile(r"\bweek\s*$", re.I)  # "week 14" is a time point
_NOT_SESSION_MINUTES_AFTER = re.compile(
    r"^[\s\-‐‑–]*(?:walk|step|run|stair|test|rest|break|recovery|pause|interval|after|post|"
    r"later|apart)",
    re.I,
)
# "4 x 4 min" is an interval bout, not the session; "after 10 min" a time point.
_NOT_SESSION_MINUTES_BEFORE = _Ending(
    r"(?:\bafter|\bwithin|\bevery|\bfirst|\blast|[x×])\s*$",
    r"\s*(?:retfa\b|nihtiw\b|yreve\b|tsrif\b|tsal\b|[x×])",
)
_SESSION_MINUTES_AFTER = re.compile(
    r"^[\s\-‐‑–]*(?:\w+[\s\-‐‑–]+){0,2}?(?:sessions?|class|of|each|per)", re.I
)
_FREQUENCY_AFTER = re.compile(
    r"^\s*(?:/|per|a|each|every|in\s+a)\s*(?:week|wk|day|month)|^[\s\-‐‑–]*(?:weekly|daily)",
    re.I,
)
_WEEKLY_COUNT = re.compile(r"\s+weekly\b", re.I)
WEEKLY_COUNT_MIN = 4
_NOT_TOTAL_BEFORE = re.compile(r"(?:\bfirst|\blast|\bevery|\bafter|\bthe)\s*$", re.I)
_DESCRIPTOR_DASHES = re.compile(rf"[{DASH}\s]+")
_BORG_6_20 = re.compile(r"6\s*[-–]\s*20")
_WEAK_BEFORE = re.compile(r"\bafter\s*$", re.I)
_TIME_POINT_AFTER = re.compile(
    # "6 months, and 12 months following treatment": the first of a list of time points too
    r"^(?:[\s,]*(?:and|or)?\s*[\w.]+[\s\-‐‑–]*(?:weeks?|months?|years?))*"
    r"[\s\-‐‑–]*(?:follow[\s-]*ups?|followup|following|post|after|later|or\s+(?:longer|more)|history|old|of\s+age|of\s+(?:pain|symptoms|LBP)|"
    r"duration\s+of\s+(?:pain|symptoms)|(?:of\s+)?(?:pain|symptoms)\b|apart|interval|intervals|retention|prior)",
    re.I,
)
_PROGRAMME_BEFORE = _Ending(
    r"(?:\bfor|\bover|\bduring|\blasting|period\s+of|duration\s+of|course\s+of|\ba|\ban|\bthe|\beach|\bof)\s*(?:\w+\s+)?$",
    r"(?:\s+\w+)?\s*(?:rof\b|revo\b|gnirud\b|gnitsal\b|fo\s+doirep|fo\s+noitarud|fo\s+esruoc|a\b|na\b|eht\b|"
    r"hcae\b|fo\b)",
)
_PROGRAMME_AFTER = re.compile(
    r"^[\s\-‐‑–]*(?:\w+[\s\-‐‑–]+){0,3}?(?:program|programme|intervention|training|treatment|exercise|"
    r"period|course|regimen|therapy|rehabilitation|protocol|class|sessions?|trial\s+of)",
    re.I,
)


# Canonical words (see text.py) that a sentence stating each kind of dose contains.
_WEEK = frozenset({"week", "wk", "month", "weekly", "mo", "year", "yr"})
_GROUPS = {
    "minute": frozenset({"minute", "min"}),
    "hour": frozenset({"hour", "hr", "h"}),
    "session": frozenset({"session", "treatment", "class", "visit"}),
    "single": frozenset({"session", "bout"}),
    "repetition": frozenset({"repetition", "rep"}),
    "intensity": frozenset(
        {
            "rpe",
            "borg",
            "perceived",
            "met",
            "intensity",
            "hrmax",
            "hrr",
            "heart",
            "hr",
            "vo2",
            "vo2max",
            "vo2peak",
            "vo",
            "oxygen",
            "rm",
            "1rm",
            "repetition",
            "mip",
            "pimax",
            "inspiratory",
            "cr10",
            "cr",
        }
    ),
}
_TRIGGERS = _WEEK.union(*_GROUPS.values())


def _weeks_value(amount, unit: str):
    if unit.lower().startswith("m"):

        def convert(v):
            return round(v * 52 / 12)
    elif unit.lower().startswith("y"):

        def convert(v):
            return round(v * 52)
    else:

        def convert(v):
            return v

    if isinstance(amount, tuple):
        return (convert(amount[0]), convert(amount[1]))
    return convert(amount)


def _in_limit(field: str, value) -> bool:
    limit = LIMITS.get(field)
    values = value if isinstance(value, tuple) else (value,)
    return limit is None or all(0 < v <= limit for v in values)


def _show(value) -> str:
    if isinstance(value, tuple):
        return f"{value[0]}-{value[1]}"
    return str(value)


def _fact(field, value, strength, part, offset, match, order) -> Fact | None:
    if value is None or not _in_limit(field, value):
        return None
    start, end = offset + match.start(), offset + match.end()
    text = part.text.source[start:end]
    return Fact(
        field,
        value,
        strength,
        order,
        _Spot(f"dosage.{field}", _show(value), part.source, start, end, text),
    )


def _chunks(doc: Document):
    """(part, offset, sentence text, its canonical words, its word range) of the title and
    study sentences that have a dose word: most sentences state no dose."""
    for part in doc.parts:
        if part.source == "keywords":
            continue
        canons = part.text.canons
        for sentence, (first, stop) in zip(part.sentences, part.word_ranges, strict=True):
            if sentence.role == "background":
                continue
            if _TRIGGERS.isdisjoint(canons[first:stop]):
                continue
            words = frozenset(canons[first:stop])
            chunk = part.text.source[sentence.start : sentence.end]
            yield part, sentence.start, chunk, words, range(first, stop)


# The words the single-session and intensity-descriptor patterns start with (a descriptor
# may be run together with "intensity": "lowintensity").
_SINGLE_FIRST = frozenset({"a", "one", "single"})
_DESCRIPTOR_FIRST = (
    "low",
    "light",
    "moderate",
    "high",
    "vigorous",
    "maximal",
    "near",
    "submaximal",
)


def _word_starts(part, words: range, offset: int, firsts) -> list[int]:
    """Where, counted from ``offset``, the words of ``words`` that are one of ``firsts`` (a
    set) or start with one (a tuple) start: where a pattern that begins with a word
    boundary and one of them may match, in lower-cased text (see ``numbers.scan``)."""
    canons, starts = part.text.canons, part.text.starts
    if isinstance(firsts, tuple):
        return [starts[i] - offset for i in words if canons[i].startswith(firsts)]
    return [starts[i] - offset for i in words if canons[i] in firsts]


def _with_times(doc: Document, low: str, starts: list[int]) -> list[int]:
    """``starts`` and wherever a frequency word ("twice") begins: the patterns take those
    inside a word too."""
    found = list(starts)
    for word in doc.cues.number_times:
        at = low.find(word)
        while at != -1:
            found.append(at)
            at = low.find(word, at + 1)
    return sorted(found)


def find_facts(doc: Document) -> list[Fact]:
    p = patterns(doc.cues)
    facts: list[Fact] = []
    order = 0

    def add(fact):
        nonlocal order
        if fact is not None:
            facts.append(fact)
            order += 1

    for part, offset, chunk, words, word_range in _chunks(doc):
        title = part.source == "title"
        weeks = not words.isdisjoint(_WEEK)
        has = {name: not words.isdisjoint(group) for name, group in _GROUPS.items()}
        # Lower-cased text with case-sensitive patterns, when lower-casing keeps the offsets;
        # the patterns that start with a number are tried only where a number starts.
        low = chunk.lower()
        if len(low) == len(chunk):
            p, target = lower_patterns(doc.cues), low
            numbers = number_starts(part.text, word_range, offset, doc.cues)
            frequencies = _with_times(doc, low, numbers) if weeks else None
        else:
            p, target = patterns(doc.cues), chunk
            numbers = frequencies = None
        for m in scan(p.weeks, target, numbers) if weeks else ():
            before, after = chunk[max(0, m.start() - 30) : m.start()], chunk[m.end() : m.end() + 40]
            if _TIME_POINT_AFTER.match(after) or (
                (_TIME_POINT_BEFORE.ends(before) or _BASELINE_DURATION_BEFORE.search(before))
                and not _WEAK_BEFORE.search(before)
            ):
                continue
            if _WEEK_BEFORE.search(before):
                continue
            years = m.group("unit")[0] in "yY"
            if years and not _PROGRAMME_AFTER.match(after):
                continue  # years are said of recruitment and follow-up unless they name the programme
            programme = bool(_PROGRAMME_AFTER.match(after) or _PROGRAMME_BEFORE.ends(before))
            if _WEAK_BEFORE.search(before):
                programme = False
            value = _weeks_value(parse_amount(m.group("n"), doc.cues), m.group("unit"))
            add(_fact("weeks", value, 2 if title else int(programme), part, offset, m, order))
        # Words each pattern must contain, to skip the ones that cannot match at once (in
        # the lower-cased sentence; none holds a letter that ignoring case takes for
        # another, see text.FOLDED_ODDLY).
        frequency_patterns = (
            (p.per_week, "week" in low or "wk" in low),
            (p.weekly, "weekly" in low or "a-week" in low),
        )
        for pattern, possible in frequency_patterns if weeks else ():
            for m in scan(pattern, target, frequencies) if possible else ():
                text = m.group("n") or m.group("w")
                if text.casefold() in doc.cues.number_times:
                    value = int(doc.cues.number_times[text.casefold()])
                else:
                    value = parse_amount(text, doc.cues)
                add(_fact("sessions_per_week", value, 2 if title else 1, part, offset, m, order))
        for m in scan(p.minutes, target, numbers) if has["minute"] else ():
            after = chunk[m.end() : m.end() + 30]
            before = chunk[max(0, m.start() - 15) : m.start()]
            if _NOT_SESSION_MINUTES_AFTER.match(after):
                continue
            if _NOT_SESSION_MINUTES_BEFORE.ends(before):
                continue  # "4 x 4 min" is an interval bout, not the session
            value = parse_amount(m.group("n"), doc.cues)
            strong = bool(_SESSION_MINUTES_AFTER.match(after))
            add(
                _fact(
                    "minutes_per_session",
                    value,
                    2 if title else int(strong),
                    part,
                    offset,
                    m,
                    order,
                )
            )
        for m in p.hours.finditer(target) if has["hour"] and has["session"] else ():
            text = m.group("n").casefold()
            if text.startswith("half"):
                value = 30
            else:
                amount = 1 if text in ("an", "one") else parse_amount(text, doc.cues)
                value = (
                    None
                    if amount is None
                    else (
                        (round(amount[0] * 60), round(amount[1] * 60))
                        if isinstance(amount, tuple)
                        else round(amount * 60)
                    )
                )
            add(_fact("minutes_per_session", value, 1, part, offset, m, order))
        for m in scan(p.sessions, target, numbers) if has["session"] else ():
            after = chunk[m.end() : m.end() + 20]
            before = chunk[max(0, m.start() - 12) : m.start()]
            if _FREQUENCY_AFTER.match(after):
                continue
            if _NOT_TOTAL_BEFORE.search(before):
                continue
            value = parse_amount(m.group("n"), doc.cues)
            add(_fact("sessions_total", value, 2 if title else 1, part, offset, m, order))
            # "6 weekly 1-hour sessions": six sessions, one a week (weak: a stated
            # frequency elsewhere wins). "3 weekly sessions" is as often written for three a
            # week, so small counts give no frequency.
            weekly_count = isinstance(value, int) and value >= WEEKLY_COUNT_MIN
            if weekly_count and _WEEKLY_COUNT.match(target, m.end("n")):
                add(_fact("sessions_per_week", 1, 0, part, offset, m, order))
        if has["single"]:
            singles = None
            if numbers is not None:  # lower-cased text: the words are as the canonical ones
                singles = _word_starts(part, word_range, offset, _SINGLE_FIRST)
        for m in scan(p.single, target, singles) if has["single"] else ():
            add(_fact("sessions_total", 1, 2 if title else 1, part, offset, m, order))
        for m in scan(p.sets_reps, target, numbers) if has["repetition"] else ():
            sets = m.group("s") or m.group("s2")
            reps = m.group("r") or m.group("r2")
            add(_fact("sets", parse_amount(sets, doc.cues), 1, part, offset, m, order))
            add(_fact("repetitions", parse_amount(reps, doc.cues), 1, part, offset, m, order))
        if has["intensity"]:
            for fact in _intensity(
                doc, p, part, offset, chunk, target, title, order, numbers, word_range
            ):
                add(fact)
    return facts


def _band(cues: Cues, metric: str, value) -> str | None:
    bands = cues.bands.get(metric)
    if not bands:
        return None
    low, high = value if isinstance(value, tuple) else (value, value)

    def band_of(v):
        return next((b.class_ for b in bands if b.low <= v < b.high), None)

    a, b = band_of(low), band_of(high)
    return a if a == b else band_of((low + high) / 2)


def _intensity(doc, p, part, offset, chunk, target, title, order, numbers, words) -> list[Fact]:
    found = []
    for m in scan(p.percent, target, numbers) if "%" in chunk else ():
        metric = next(
            name
            for group, name in (
                ("hrr", "hrr_pct"),
                ("hrmax", "hrmax_pct"),
                ("vo2", "vo2max_pct"),
                ("rm", "one_rm_pct"),
                ("mip", "mip_pct"),
            )
            if m.group(group)
        )
        found.append((metric, parse_amount(m.group("n"), doc.cues), m))
    for m in p.rpe.finditer(target):
        value = parse_amount(m.group("n"), doc.cues)
        if value is None:
            continue
        high = value[1] if isinstance(value, tuple) else value
        cr10 = bool(m.group("cr10")) or high <= 10 and not _BORG_6_20.search(chunk)
        if high > 20:
            continue
        found.append(("rpe_cr10" if cr10 else "rpe", value, m))
    for m in scan(p.mets, target, numbers) if "met" in chunk.lower() else ():
        found.append(("mets", parse_amount(m.group("n"), doc.cues), m))
    facts = []
    for metric, value, m in found:
        if value is None:
            continue
        low, high = value if isinstance(value, tuple) else (value, value)
        intensity = Intensity(
            metric=metric, low=low, high=high, class_=_band(doc.cues, metric, value)
        )
        fact = _fact("intensity", intensity, 2 if title else 1, part, offset, m, order)
        if fact is not None:
            facts.append(
                Fact(
                    fact.field,
                    intensity,
                    fact.strength,
                    order,
                    _Spot(
                        "dosage.intensity",
                        f"{metric} {_show(value)}",
                        part.source,
                        fact.provenance.start,
                        fact.provenance.end,
                        fact.provenance.text,
                    ),
                )
            )
    if not facts:
        starts = None
        if numbers is not None:  # lower-cased text: the words are as the canonical ones
            starts = _word_starts(part, words, offset, _DESCRIPTOR_FIRST)
        for m in scan(p.descriptor, target, starts):
            word = _DESCRIPTOR_DASHES.sub("-", m.group("d").casefold())
            class_ = {
                "low": "light",
                "light": "light",
                "moderate": "moderate",
                "high": "vigorous",
                "vigorous": "vigorous",
                "maximal": "near_maximal",
                "near-maximal": "near_maximal",
            }.get(word)
            intensity = Intensity(metric="descriptor", class_=class_)
            start, end = offset + m.start(), offset + m.end()
            facts.append(
                Fact(
                    "intensity",
                    intensity,
                    0,
                    order,
                    _Spot(
                        "dosage.intensity",
                        f"descriptor {class_ or word}",
                        part.source,
                        start,
                        end,
                        part.text.source[start:end],
                    ),
                )
            )
    return facts


def _choose(facts: list[Fact]) -> Fact:
    return max(facts, key=lambda f: (f.strength, -f.order))


def _coded(doc: Document, kind: str):
    """A code of supervision/delivery/setting from the matcher: both of two -> mixed."""
    found: dict[str, object] = {}
    for mention in doc.mentions(kind):
        if mention.part.source == "keywords":
            continue
        for code in mention.hit.codes(kind):
            found.setdefault(code, mention)
    return found


def dosage(doc: Document) -> tuple[Dosage, list[Provenance]]:
    facts = find_facts(doc)
    values: dict[str, object] = {}
    provenance: list[Provenance] = []
    for field in (
        "weeks",
        "sessions_per_week",
        "minutes_per_session",
        "sessions_total",
        "intensity",
        "sets",
        "repetitions",
    ):
        of_field = [f for f in facts if f.field == field]
        if of_field:
            chosen = _choose(of_field)
            values[field] = chosen.value
            provenance.append(Provenance(*chosen.provenance))
    for kind, pair in (
        ("supervision", {"supervised", "unsupervised"}),
        ("delivery", {"individual", "group"}),
    ):
        found = _coded(doc, kind)
        if not found:
            continue
        codes = set(found)
        if kind == "supervision" and "home" in _coded(doc, "setting"):
            codes.add("unsupervised")  # exercise at home is done on one's own (CERT 4)
        code = "mixed" if pair <= codes else next(iter(found))
        values[kind] = code
        for c, mention in found.items():
            if code == "mixed" or c == code:
                provenance.append(mention.provenance(f"dosage.{kind}", code))
    settings = _coded(doc, "setting")
    if settings:
        code, mention = next(iter(settings.items()))
        values["setting"] = code
        provenance.append(mention.provenance("dosage.setting", code))
    return Dosage(**values), provenance
