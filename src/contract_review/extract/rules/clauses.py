"""Clause units and what their text names. A document is cut into units (sentences, list
items, table cells) at :data:`lexicon.UNIT_BREAK`; :class:`Clauses` finds the unit and the
section at an offset and cites a span trimmed to a readable quote; the helpers tell a
heading from a clause and find the policy types a text names.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from ...chunking import Section
from ...grounding import cite
from ...loaders import Document
from ...schema import Citation
from .. import lexicon as lx
from ..prefilter import holds_any

#: A unit of text as ``(start, end)`` offsets in :attr:`Document.norm`.
Unit = tuple[int, int]

MAX_EVIDENCE = 3  # citations kept per field


def last_match(pattern: re.Pattern[str], text: str, *span: int) -> re.Match[str] | None:
    """The last match of ``pattern`` in ``text`` (``span``: the ``pos`` and ``endpos`` of
    :meth:`re.Pattern.finditer`), None when there is none."""
    found = None
    for m in pattern.finditer(text, *span):
        found = m
    return found


class Spans:
    """Half-open ``[start, end)`` spans, merged, that answer "does one hold this offset?"
    in O(log n): a check per clause unit against every span would make the extractor
    quadratic in the length of a document with many sections or obligations."""

    def __init__(self, spans: Iterable[tuple[int, int]]):
        merged: list[list[int]] = []
        for a, b in sorted(s for s in spans if s[0] < s[1]):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self._starts = [a for a, _b in merged]
        self._ends = [b for _a, b in merged]

    def __contains__(self, pos: int) -> bool:
        i = bisect_right(self._starts, pos) - 1
        return i >= 0 and pos < self._ends[i]

    def __bool__(self) -> bool:
        return bool(self._starts)


#: :data:`lexicon.UNIT_BREAK`, which is the definition, read the way ``re`` runs fast: every
#: branch starts at ".", ";", ":" or a line break, so that character is read first, as a
#: class (``re`` then scans for it instead of trying the alternation at each position), and a
#: lookbehind picks the branch, in the same order. The last branch, empty in ``UNIT_BREAK``
#: (a lookahead at the line break before a list item), here holds that line break:
#: :func:`unit_breaks` takes its start. Nothing else can match at that line break (the
#: blank-line branch came first), so the next match is the same either way.
_UNIT_BREAK_AT = re.compile(
    r"[.;:\n](?:(?<=[.;])(?=[\"')\]]?\s+[\"'(\[]?[A-Z0-9(\[])"
    r"|(?<=:)[ \t]*(?=\n)"
    r"|(?<=\n)[ \t]*\n"
    r"|(?<=\n)(?=[ \t]*(?:\(?[a-zA-Z]{1,4}\)|\(?\d{1,2}(?:\.\d{1,2}){0,3}[.)]|[A-Z][.)]|[ivxIVX]{1,5}[.)]|[-\u2022*\u25cf\u25aa])[ \t]+\S))"
)


def unit_breaks(norm: str) -> list[int]:
    """The offsets where each clause unit of ``norm`` starts (the first is 0): the ends of
    the matches of :data:`lexicon.UNIT_BREAK`, but at a full stop after an abbreviation or
    a list marker."""
    breaks = [0]
    for m in _UNIT_BREAK_AT.finditer(norm):
        b = m.end()
        found = m.group(0)
        if found == "\n":  # UNIT_BREAK's empty match before a list item
            b -= 1
        elif found == ".":
            s = m.start()
            # After seven ASCII letters no abbreviation ends: each is six characters at most
            # and starts at a word boundary (or is one letter, or follows a full stop).
            word = norm[s - 7 : s] if s >= 7 else ""
            if not (word.isascii() and word.isalpha()) and lx.ABBREVIATION.search(norm, max(0, s - 8), s):
                continue
            line_start = norm.rfind("\n", max(0, s - 20), s) + 1
            if line_start and lx.LIST_MARKER.fullmatch(norm, line_start, s):
                continue  # "1.   Commercial General Liability": a list marker, not a sentence
        if b > breaks[-1]:
            breaks.append(b)
    return breaks


@dataclass
class Clauses:
    """One document cut into clause units, with its sections and the currency its dollars are."""

    doc: Document
    norm: str
    breaks: list[int]
    sections: list[Section]
    sec_starts: list[int]
    dollar: str = "USD"
    #: ``norm`` lower-cased for the needle tests of :mod:`..prefilter` (None: run every pattern)
    low: str | None = None

    def unit_at(self, pos: int) -> Unit:
        i = bisect_right(self.breaks, pos) - 1
        s = self.breaks[i] if i >= 0 else 0
        e = self.breaks[i + 1] if i + 1 < len(self.breaks) else len(self.norm)
        return s, e

    def next_unit(self, unit: Unit) -> Unit | None:
        if unit[1] >= len(self.norm):
            return None
        return self.unit_at(unit[1])

    def prev_unit(self, unit: Unit) -> Unit | None:
        return self.unit_at(unit[0] - 1) if unit[0] > 0 else None

    def continued(self, unit: Unit) -> Unit:
        """``unit`` with the unit after it when a blank line (a page break, with or without a
        running footer) cut a sentence: the unit ends with no stop, colon or semicolon and
        the next one starts in lower case ("cannot be canceled without thirty (30) days
        prior" / "written notice to Owner"). Otherwise ``unit`` itself."""
        t = self.text(unit)
        if not lx.BLANK_LINE_END.search(t) or lx.SENTENCE_END_CHAR.search(t):
            return unit
        nxt = self.next_unit(unit)
        if nxt is None or not lx.LOWER_START.match(self.text(nxt)):
            return unit
        return unit[0], nxt[1]

    def insurance_context(self, start: int, end: int) -> bool:
        """``lexicon.INSURANCE_CONTEXT`` matches ``norm[start:end]`` (searched as a string of
        its own). Asked of most units of the region, and most of them say "insur": a plain
        ``in`` test answers that, and the pattern runs only for the words it must bound."""
        if self.low is not None:
            seg = self.low[start:end]  # sliced once for both tests
            if holds_any(seg, lx.INSURANCE_CONTEXT_SURE):
                return True
            if not holds_any(seg, lx.INSURANCE_CONTEXT_NEEDLES):
                return False
        return lx.INSURANCE_CONTEXT.search(self.norm[start:end]) is not None

    def section_at(self, pos: int) -> Section:
        i = bisect_right(self.sec_starts, pos) - 1
        return self.sections[max(i, 0)]

    def text(self, unit: Unit) -> str:
        return self.norm[unit[0] : unit[1]]

    def lowered(self, unit: Unit) -> str | None:
        """The text of ``unit`` lower-cased, for the needle tests of :mod:`..prefilter`
        (None when :attr:`low` is: the caller runs every pattern)."""
        return self.low[unit[0] : unit[1]] if self.low is not None else None

    def cite(self, start: int, end: int, focus: int | None = None) -> Citation:
        """A citation of ``[start, end)`` trimmed to at most :data:`lexicon.MAX_QUOTE`
        characters around ``focus`` and to word boundaries."""
        start, end = self._trim(start, end)
        if end - start > lx.MAX_QUOTE:
            focus = start if focus is None else focus
            lo = max(start, focus - lx.MAX_QUOTE // 3)
            hi = min(end, lo + lx.MAX_QUOTE)
            lo = max(start, hi - lx.MAX_QUOTE)
            if lo > start:
                # start at the clause that holds the focus when one begins shortly before it
                cut = last_match(lx.QUOTE_START, self.norm, lo, focus)
                if cut is not None:
                    lo = cut.end()
                else:
                    sp = self.norm.find(" ", lo, lo + 30)
                    lo = sp + 1 if sp >= 0 else lo
                hi = min(end, lo + lx.MAX_QUOTE)
            if hi < end:
                sp = self.norm.rfind(" ", hi - 30, hi)
                hi = sp if sp > lo else hi
            start, end = lo, hi
        return cite(self.doc, start, end)

    def _trim(self, start: int, end: int) -> tuple[int, int]:
        while start < end and self.norm[start] in " \n\t;,:":
            start += 1
        while end > start and self.norm[end - 1] in " \n\t;,:":
            end -= 1
        return start, end


# --------------------------------------------------------------------------- headings


def is_heading(text: str) -> bool:
    """A short unit without a verb: a caption ("12.3.3 Additional Insured.")."""
    t = text.strip()
    return len(t) < 60 and not lx.VERB.search(t)


def is_title_heading(text: str) -> bool:
    """ "12.3.4 Product Liability Insurance." (a caption) rather than "15.1.5 Data theft and
    cybersecurity coverage." (an item of a list of required cover)."""
    t = lx.LIST_ITEM.sub("", text.strip(), count=1) if lx.LIST_ITEM.match(text.strip()) else text.strip()
    words = [w for w in lx.TITLE_WORD.findall(t) if len(w) > 3]
    return is_heading(text) and bool(words) and all(w[0].isupper() for w in words)


# --------------------------------------------------------------------------- policy types named


@dataclass
class Mention:
    """A policy type named in the document: its phrase's span and the unit that holds it."""

    type: str
    start: int
    end: int
    unit: Unit


class _Taken:
    """Non-overlapping spans of one text, sorted (so their ends are sorted too): whether a
    span overlaps one, and the ends in a range, by bisection (a unit naming thousands of
    policies was quadratic)."""

    def __init__(self, spans: Iterable[tuple[int, int]] = ()):
        self.starts: list[int] = []
        self.ends: list[int] = []
        for a, b in sorted(spans):
            self.add(a, b)

    def overlaps(self, s: int, e: int) -> bool:
        i = bisect_left(self.starts, e)  # the spans that start before e: the last ends latest
        return i > 0 and self.ends[i - 1] > s

    def ends_between(self, lo: int, hi: int) -> list[int]:
        return self.ends[bisect_left(self.ends, lo) : bisect_right(self.ends, hi)]

    def add(self, s: int, e: int) -> None:
        i = bisect_left(self.starts, s)
        self.starts.insert(i, s)
        self.ends.insert(i, e)


def policy_mentions_in(text: str) -> list[tuple[str, int, int]]:
    """(type, start, end) of each policy-type phrase in ``text``; where two overlap the
    more specific (earlier in :data:`lexicon.POLICY_PATTERNS`) wins, and a bare
    "liability insurance" right after a named type belongs to that type. The region, the
    reader and the limits ask this of the same unit's text: the last answers are kept."""
    return list(_policy_mentions(text))


@lru_cache(maxsize=4096)
def _policy_mentions(text: str) -> tuple[tuple[str, int, int], ...]:
    taken = _Taken()
    out: list[tuple[str, int, int]] = []
    for typ, pat in lx.POLICY_PATTERNS:
        for m in pat.finditer(text):
            s, e = m.span()
            if taken.overlaps(s, e):
                continue
            taken.add(s, e)
            out.append((typ, s, e))
    # "product liability and infringement claims": a kind of claim, not a kind of cover
    out = [(t, s, e) for t, s, e in out if not lx.CLAIM_KIND.match(text, e)]
    taken = _Taken((s, e) for _t, s, e in out)
    for m in lx.GENERIC_LIABILITY.finditer(text):
        s, e = m.span()
        if taken.overlaps(s, e):
            continue
        if any(not lx.MENTION_BREAK.search(text[b:s]) for b in taken.ends_between(s - 30, s)):
            continue
        taken.add(s, e)
        out.append(("general_liability", s, e))
    out.sort(key=lambda x: x[1])
    return tuple(out)
