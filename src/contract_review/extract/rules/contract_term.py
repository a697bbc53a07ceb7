"""The contract's term end as a date (``profile.contract_term``), when the contract states it
determinably: the date the term runs from plus the term ("continues for three (3) years",
"an initial term of thirty-six (36) months from the Effective Date"), or an end date stated
outright ("shall continue until December 31, 2027").

The date the term runs from is, in this order: a date the term clause names itself; a
defined date it names ("from the SOW Effective Date": ``March 2, 2026 (the "Effective
Date")`` or ``"Effective Date" means March 2, 2026``); "the date first written above" / "the
date hereof": the date of the agreement in its preamble ("is dated 3 February 2026",
"entered into as of March 2, 2026"); no anchor at all: the defined Effective Date, else the
preamble's date. A defined date that is an event ("the date Lessee accepts the Equipment
(the "Commencement Date")"), "the later of", "the earlier of" or a term set elsewhere ("the
number of months stated in the Schedule") is not determinable: ``None``, never a guess.

A term that renews ("renews for successive one-year periods", "thereafter until terminated
by either party on notice") is kept with ``renews: true``: the end of the initial term, the
length of each renewal when stated; the end of the current term is then uncertain.

The patterns are here rather than in :mod:`..lexicon`: they read the contract's term, not
its insurance language, and nothing else uses them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import cast

from ...grounding import cite
from ...loaders import Document
from ...parties import PREAMBLE_CHARS
from ...schema import Citation, ContractTerm, add_months
from ..amounts import words_to_number
from ..lazyre import LazyPattern
from ..prefilter import holds_any


def _lazy(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Compiled on first use (:mod:`..lazyre`): the rules extractor imports this module on
    every review, and most reviews never read a term clause."""
    return cast(re.Pattern[str], LazyPattern(pattern, flags))


_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_ORD = r"(?:st|nd|rd|th)?"
#: A written date, without groups (to embed); :data:`_DATE_PARTS` reads one.
DATE = (
    rf"(?:{_MONTH}\s+\d{{1,2}}{_ORD},?\s+\d{{4}}"
    rf"|(?:the\s+)?\d{{1,2}}{_ORD}\s+(?:day\s+of\s+)?{_MONTH},?\s+\d{{4}}"
    r"|\d{4}-\d{1,2}-\d{1,2}"
    r"|\d{1,2}/\d{1,2}/\d{4})"
)
_DATE_PARTS = _lazy(
    rf"(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}}){_ORD},?\s+(?P<y1>\d{{4}})"
    rf"|(?:the\s+)?(?P<d2>\d{{1,2}}){_ORD}\s+(?:day\s+of\s+)?(?P<m2>{_MONTH}),?\s+(?P<y2>\d{{4}})"
    r"|(?P<y3>\d{4})-(?P<m3>\d{1,2})-(?P<d3>\d{1,2})"
    r"|(?P<a4>\d{1,2})/(?P<b4>\d{1,2})/(?P<y4>\d{4})",
    re.I,
)


def parse_date(text: str) -> dt.date | None:
    """``"March 2, 2026"``, ``"2 March 2026"``, ``"the 2nd day of March, 2026"``,
    ``"2026-03-02"``, ``"03/02/2026"`` (month first, as US contracts and the ACORD form write
    it, unless the first number cannot be a month) -> the date; None when it is not one."""
    m = _DATE_PARTS.fullmatch(" ".join(text.split()))
    if not m:
        return None
    try:
        if m.group("y1"):
            return dt.date(int(m.group("y1")), _MONTHS[m.group("m1")[:3].lower()], int(m.group("d1")))
        if m.group("y2"):
            return dt.date(int(m.group("y2")), _MONTHS[m.group("m2")[:3].lower()], int(m.group("d2")))
        if m.group("y3"):
            return dt.date(int(m.group("y3")), int(m.group("m3")), int(m.group("d3")))
        a, b = int(m.group("a4")), int(m.group("b4"))
        month, day = (b, a) if a > 12 else (a, b)
        return dt.date(int(m.group("y4")), month, day)
    except ValueError:  # February 30
        return None


_NUMWORD = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight"
    r"|nine))?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
    r"|seventeen|eighteen|nineteen)"
)
_N = rf"(?P<n>\d{{1,3}}|{_NUMWORD})(?:\s*\(\s*(?P<d>\d{{1,3}})\s*\))?"
_UNIT = r"(?P<unit>years?|months?)"
_DEFINED = r"[\"“”](?P<name>[^\"“”]{1,40}?Date)[\"“”]"

#: ``March 2, 2026 (the "Effective Date")``; ``"Effective Date" means March 2, 2026``.
_DEFINED_DATE = _lazy(rf"(?P<date>{DATE})\s*\(\s*(?:the\s+|this\s+)?{_DEFINED}\s*\)", re.I)
_MEANS_DATE = _lazy(rf"{_DEFINED}\s+(?:means|shall\s+mean|is)\s+(?P<date>{DATE})", re.I)
#: The date of the agreement in its preamble.
_PREAMBLE_DATE = _lazy(
    r"\b(?:dated|entered\s+into|made(?:\s+and\s+entered\s+into)?|made\s+effective|effective|executed)\s+"
    rf"(?:as\s+of\s+|on\s+|this\s+)?(?P<date>{DATE})",
    re.I,
)
#: A term as a period: "continues for three (3) years", "an initial term of 24 months".
_PERIODS = (
    _lazy(
        r"\b(?:(?:continu|remain|run|last)\w*(?:\s+in\s+(?:full\s+)?(?:force|effect)(?:\s+and\s+effect)?)?"
        r"|(?:be|is|shall\s+be)\s+in\s+(?:full\s+)?(?:force|effect))\s+for\s+"
        r"(?:a\s+(?:period|term)\s+of\s+|an?\s+initial\s+(?:period|term)\s+of\s+)?"
        rf"{_N}\s+{_UNIT}",
        re.I,
    ),
    _lazy(
        r"\b(?:initial\s+)?(?:term|period)\s+(?:of\s+(?:this|the)\s+\w+(?:\s+\w+)?\s+)?(?:is|shall\s+be|will\s+be|of)\s+"
        rf"{_N}\s+{_UNIT}",
        re.I,
    ),
)
#: A term as an end date: "shall continue until December 31, 2027", "expires on 2027-12-31".
_UNTIL = _lazy(
    r"\b(?:(?:continu|remain|run)\w*(?:\s+in\s+(?:full\s+)?(?:force|effect)(?:\s+and\s+effect)?)?\s+(?:until|through)"
    r"|(?:end|expire|terminate)s?\s+on)\s+"
    rf"(?P<date>{DATE})",
    re.I,
)
#: What a term clause is about (its subject).
_SUBJECT = _lazy(
    r"\b(?:this|the)\s+(?:(?:master\s+)?agreement|sow|statement\s+of\s+work|lease|contract|engagement|licen[cs]e"
    r"|(?:initial\s+)?term)\b",
    re.I,
)
#: A period that runs after something (a tail, a survival period), not the term itself.
_AFTER = _lazy(
    r"\s*(?:after|following|thereafter|beyond|from\s+(?:the\s+)?(?:end|expir|terminat)|['’]?\s*(?:prior\s+)?"
    r"(?:written\s+)?notice)",
    re.I,
)
#: A period of something else: "on a notice period of three (3) months", "a cure period of".
_OTHER_PERIOD = _lazy(r"\b(?:notice|cure|grace|payment|warranty|retention|transition)\s+$", re.I)
_UNDETERMINED = _lazy(r"\b(?:later|earlier)\s+of\b|\bstated\s+in\s+(?:the|each|any)\s+\w+", re.I)
#: What a sentence holds that :data:`_UNTIL` ("until", "through", "ends on", "expires on",
#: "terminates on") or one of :data:`_PERIODS` (years, months) can match, lower-cased
#: (:mod:`..prefilter`): the term patterns read only such sentences.
_TERM_CUES = ("year", "month", "until", "through", "end", "expire", "terminate")
_NOT_TERM = _lazy(r"\binsur|\bcoverage\b|\bpolic(?:y|ies)\b|\bconfidential|\bwarrant|\bsurviv", re.I)
#: A word that each of :data:`_SUBJECT`, :data:`_NOT_TERM` and :data:`_UNTIL` needs, lower-cased
#: (:mod:`..prefilter`): a sentence without one is not searched (three case-insensitive
#: patterns per sentence with a cue were half of the term loop).
_SUBJECT_WORDS = ("agreement", "sow", "statement", "lease", "contract", "engagement", "licen", "term")
_NOT_TERM_WORDS = ("insur", "coverage", "polic", "confidential", "warrant", "surviv")
_UNTIL_WORDS = ("until", "through", "end", "expire", "terminate")
_ANCHOR = _lazy(
    r"\b(?:from|(?:begin|commenc|start)\w*\s+(?:on|upon|as\s+of)|effective\s+(?:on|upon|as\s+of))\s+"
    rf"(?:(?P<date>{DATE})|(?P<above>the\s+date\s+(?:first\s+)?(?:written|stated|set\s+(?:out|forth))\s+above"
    r"|the\s+date\s+(?:hereof|of\s+this\s+\w+)|the\s+date\s+stated\s+at\s+the\s+beginning)"
    r"|(?:the\s+)?(?P<name>(?:[A-Z][\w-]*\s+){0,3}Date)\b|(?P<other>the\s+date\s+\w+))",
)
_RENEWS = _lazy(
    r"\brenew\w*|\bsuccessive\b|\bextend\w*\s+automatically|\bautomatically\s+extend\w*"
    r"|\bthereafter\s+until\s+terminated|\buntil\s+terminated\s+by",
    re.I,
)
#: A renewal the parties would have to agree on: the term still ends when it says.
_AGREED_RENEWAL = _lazy(
    r"\b(?:may|can)\s+be\s+(?:renewed|extended)(?:\s+(?:only\s+)?by\s+(?:mutual\s+|written\s+)*agreement"
    r"(?:\s+of\s+the\s+parties)?)?",
    re.I,
)
_RENEWAL_PERIODS = (
    _lazy(rf"(?:periods?|terms?)\s+of\s+{_N}\s*[- ]?\s*{_UNIT}", re.I),
    _lazy(rf"{_N}\s*[- ]\s*{_UNIT}\s+(?:renewal\s+)?(?:periods?|terms?)", re.I),
)


def _blank(m: re.Match[str]) -> str:
    return " " * len(m.group(0))


def _number(m: re.Match[str]) -> int | None:
    if m.group("d"):
        return int(m.group("d"))
    n = m.group("n")
    value = float(n) if n.isdigit() else words_to_number(n.replace("-", " "))
    return int(value) if value else None


def _months(m: re.Match[str]) -> int | None:
    n = _number(m)
    if n is None:
        return None
    return n * 12 if m.group("unit").lower().startswith("year") else n


#: Where a sentence ends, as one pattern: a full stop or semicolon before a space, a blank
#: line, a heading line in capitals (its line break included), the line break before a
#: numbered clause ("10.1 ..."). It is the definition; :func:`_break_ends` finds its matches
#: with :data:`_BREAK_AT` and :data:`_HEADING_LINE`, which ``re`` runs three times faster.
_BREAK = _lazy(
    r"[.;](?=\s)|\n\s*\n|(?<=\n)[ \t]*(?:\d+(?:\.\d+)*\.?\s+)?[A-Z][A-Z0-9 ,&'-]{3,}\n|\n(?=[ \t]*\d+(?:\.\d+)+\.?\s)"
)
#: :data:`_BREAK` without its heading-line branch. Every branch left starts with ".", ";" or
#: a line break: read first, as a class, so that ``re`` scans for those characters instead
#: of trying the alternation at each position; the lookbehinds then pick the branch
#: (``[.;](?=\s)``, ``\n\s*\n``, ``\n(?=...)``, in ``_BREAK``'s order).
_BREAK_AT = _lazy(r"[.;\n](?:(?<=[.;])(?=\s)|(?<=\n)\s*\n|(?<=\n)(?=[ \t]*\d+(?:\.\d+)+\.?\s))")
#: The heading-line branch of :data:`_BREAK` as a search for the line break before it (the
#: line, in group 1, is matched inside a lookahead, so the break is not consumed): the
#: lookbehind ``(?<=\n)`` that starts the branch defeats ``re``'s first-character scan.
_HEADING_LINE = _lazy(r"\n(?=([ \t]*(?:\d+(?:\.\d+)*\.?\s+)?[A-Z][A-Z0-9 ,&'-]{3,}\n))")


def _break_ends(text: str) -> Iterator[int]:
    """The end of each match of ``_BREAK.finditer(text)``, in order, from two scans.

    At one position at most one of the two can match: the heading line starts with a space,
    a tab, a digit or a capital, :data:`_BREAK_AT` with ".", ";" or a line break. So the
    leftmost match of ``_BREAK`` from a position is the leftmost of the two scans' from
    there, and it is the same match (``_BREAK`` has no empty match, and its lookbehind sees
    the text before the position scanned from, as ``finditer`` does). Each scan goes on
    past the matches that end before the last break; a match of :data:`_BREAK_AT` that
    holds the break (a blank line after a heading line) is searched again from it."""
    ats, heads = _BREAK_AT.finditer(text), _HEADING_LINE.finditer(text)
    at, head = next(ats, None), next(heads, None)
    while at is not None or head is not None:
        if head is not None and (at is None or head.start() < at.start()):  # the line starts first
            pos = head.end(1)
        else:
            assert at is not None
            pos = at.end()
        yield pos
        while at is not None and at.start() < pos:
            if at.end() > pos:
                ats = _BREAK_AT.finditer(text, pos)
            at = next(ats, None)
        while head is not None and head.start() + 1 < pos:  # the line starts after the break searched
            head = next(heads, None)


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence, in order and found as they are asked for (the term
    clause is often among the first): up to a full stop or semicolon before a space, a blank
    line, a heading line in capitals or a numbered clause's line ("10.1 ..."); a line break
    inside a sentence is a wrapped line."""
    pos = 0
    for end in _break_ends(text):
        if not text[pos:end].isspace() and pos < end:
            yield pos, end
        pos = end
    if not text[pos:].isspace() and pos < len(text):
        yield pos, len(text)


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


class _Dates:
    """The dates a term can run from: the defined ones and the preamble's."""

    def __init__(self, doc: Document):
        self.doc, text = doc, doc.norm
        self.defined: dict[str, tuple[dt.date | None, Citation]] = {}
        for rx in (_DEFINED_DATE, _MEANS_DATE):
            for m in rx.finditer(text):
                name = " ".join(m.group("name").split()).casefold()
                if name not in self.defined:
                    self.defined[name] = (parse_date(m.group("date")), cite(doc, m.start(), m.end()))
        self.preamble: tuple[dt.date, Citation] | None = None
        found = _PREAMBLE_DATE.search(text, 0, min(len(text), PREAMBLE_CHARS))
        day = parse_date(found.group("date")) if found else None
        if found and day:
            self.preamble = (day, cite(doc, found.start(), found.end()))

    def effective(self) -> tuple[dt.date, Citation] | None:
        """The date the agreement runs from when its term clause names none."""
        for name, (day, c) in self.defined.items():
            if name.endswith("effective date") and day is not None:
                return day, c
        return self.preamble

    def anchor(self, sentence: str) -> tuple[dt.date, Citation | None] | None | bool:
        """The date the term in ``sentence`` runs from: ``(date, quote stating it)``,
        ``None`` when it names none, ``False`` when it names one that is not a date."""
        m = _ANCHOR.search(sentence)
        if not m:
            return None
        if m.group("date"):
            day = parse_date(m.group("date"))
            return (day, None) if day else False
        if m.group("above"):
            return self.preamble or False
        if m.group("name"):
            found = self.defined.get(" ".join(m.group("name").split()).casefold())
            if found is None or found[0] is None:
                return False  # an event ("the date Lessee accepts the Equipment"), or not defined here
            return found[0], found[1]
        return False  # "from the date Lessee accepts ..."


def contract_term(doc: Document, low: str | None = None) -> ContractTerm | None:
    """The contract's term end, read from its first term clause; None when there is none or
    it is not determinable. ``low``, the text's :func:`~..prefilter.caseless` form when the
    caller has it, spares the period patterns the sentences that name no years or months."""
    text = doc.norm
    spans = _sentences(text)
    cues = _NextCue(low) if low is not None else None
    for s, e in spans:
        if cues is not None and cues.at_or_after(s) + _SHORTEST_CUE > e:
            continue  # no cue starts in the sentence early enough to end in it
        if not holds_any(low, _TERM_CUES, s, e):
            continue
        sentence = text[s:e]
        if not (holds_any(low, _SUBJECT_WORDS, s, e) and _SUBJECT.search(sentence)):
            continue
        if holds_any(low, _NOT_TERM_WORDS, s, e) and _NOT_TERM.search(sentence):
            continue
        until = _UNTIL.search(sentence) if holds_any(low, _UNTIL_WORDS, s, e) else None
        found = [
            p
            for rx in (_PERIODS if _may_name_a_period(low, s, e) else ())
            for p in rx.finditer(sentence)
            if not _AFTER.match(sentence, p.end()) and not _OTHER_PERIOD.search(sentence, 0, p.start())
        ]
        period = min(found, key=lambda p: p.start()) if found else None
        if not (until or period):
            continue
        if _UNDETERMINED.search(sentence):
            return None  # "ends on the later of August 31, 2026 and acceptance of the final Deliverable"
        after = next(spans, None)  # the sentence after it, for a renewal
        return _term(doc, _Dates(doc), [(s, e)] if after is None else [(s, e), after], 0, until, period)
    return None


_SHORTEST_CUE = min(len(c) for c in _TERM_CUES)


class _NextCue:
    """Where the first of :data:`_TERM_CUES` written at or after an offset of ``low``
    starts, for offsets that only grow: most sentences of a long contract name none, and
    this answers them with a comparison, from one search per cue written, where slicing
    each sentence for the ``in`` tests cost a third of :func:`contract_term`."""

    def __init__(self, low: str):
        self.low = low
        self.never = len(low) + 1
        self.next = {c: -1 for c in _TERM_CUES}  # each cue's first start at or after the offset asked
        self.first = -1

    def at_or_after(self, pos: int) -> int:
        if self.first < pos:
            for c, at in self.next.items():
                if at < pos:
                    found = self.low.find(c, pos)
                    self.next[c] = found if found >= 0 else self.never
            self.first = min(self.next.values())
        return self.first


def _may_name_a_period(low: str | None, s: int, e: int) -> bool:
    """Sentence ``[s, e)`` can hold one of :data:`_PERIODS`: each is in years or months."""
    return holds_any(low, ("year", "month"), s, e)


def _term(
    doc: Document,
    dates: _Dates,
    spans: list[tuple[int, int]],
    i: int,
    until: re.Match[str] | None,
    period: re.Match[str] | None,
) -> ContractTerm | None:
    text = doc.norm
    s, e = _trim(text, *spans[i])
    sentence = text[s:e]
    clause = cite(doc, s, e)
    evidence = [clause]
    effective: dt.date | None = None
    if until is not None and (period is None or until.start() < period.start()):
        end = parse_date(until.group("date"))
        value = until.group(0)
        if end is None:
            return None
    else:
        assert period is not None
        months = _months(period)
        anchor = dates.anchor(sentence)
        if anchor is None:
            anchor = dates.effective()
        if not isinstance(anchor, tuple) or months is None:
            return None
        effective, stated = anchor
        if stated is not None and stated != clause:
            evidence.append(stated)
        end = add_months(effective, months)
        value = period.group(0)
    # renewal: in the term sentence or the one after it
    after = text[spans[i + 1][0] : spans[i + 1][1]] if i + 1 < len(spans) else ""
    follow = after if not _NOT_TERM.search(after) else ""
    sentence, follow = _AGREED_RENEWAL.sub(_blank, sentence), _AGREED_RENEWAL.sub(_blank, follow)
    in_sentence = _RENEWS.search(sentence)
    renews_m = in_sentence or _RENEWS.search(follow)
    renewal_months = None
    if renews_m:
        where = sentence if in_sentence else follow
        found = [m for rx in _RENEWAL_PERIODS if (m := rx.search(where, renews_m.start()))]
        rp = min(found, key=lambda m: m.start()) if found else None
        renewal_months = _months(rp) if rp else None
        if follow and where is follow:
            fs, fe = _trim(text, *spans[i + 1])
            evidence.append(cite(doc, fs, fe))
    return ContractTerm(
        effective=effective,
        end=end,
        renews=bool(renews_m),
        renewal_months=renewal_months,
        value=" ".join(value.split()),
        evidence=evidence,
    )
