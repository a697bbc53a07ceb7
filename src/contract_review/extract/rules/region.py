"""The insurance region: the units every field is decided over. It holds the units that
mention insurance (with the sentences that go on about "such policies" and a list intro
just before), every section whose title is about insurance, the list items that follow an
insurance obligation (a table in an exhibit comes out of pypdf one cell per line), and the
exhibits or schedules an insurance clause refers to; a paragraph addressed to a review tool
is data, not terms, and is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...schema import SearchedSection
from .. import lexicon as lx
from ..prefilter import holds_any, occurrences
from .clauses import Clauses, Spans, Unit, policy_mentions_in
from .reader import Reader

CONTINUATION_CHARS = 3000  # how far a list that follows an insurance obligation may run
EXHIBIT_MAX_CHARS = 25000  # the most of an exhibit or section that is read
META_LOOKBACK = 2000  # how far back a paragraph addressed to a review tool may start


@dataclass
class Region:
    """The insurance region of one document and what was found while gathering it."""

    units: list[Unit]  # in document order
    scope: set[Unit]  # the units of insurance sections, obligation lists and exhibits
    exhibits: list[Unit] = field(default_factory=list)  # spans of the referred exhibits found
    missing_refs: list[str] = field(default_factory=list)  # referred exhibits not attached
    headings: list[tuple[int, str]] = field(default_factory=list)  # exhibit headings inside merged sections
    notes: list[str] = field(default_factory=list)


def find_region(reader: Reader, hits: list[int]) -> Region:
    """The region around the keyword ``hits`` (offsets of :data:`lexicon.KEYWORDS` matches)."""
    clauses = reader.clauses
    ins_units = [
        u for u in keyword_units(clauses, hits) if reader.is_insurance_unit(u) or "subrogat" in clauses.text(u).lower()
    ]
    region: dict[Unit, None] = dict.fromkeys(ins_units)
    scope: dict[Unit, None] = {}
    # sections about insurance ("10. INSURANCE" with its subsections)
    for a, b in reader.ins_sections:
        _add_span(clauses, region, a, b)
        _add_span(clauses, scope, a, b)
    ins_set = set(ins_units)
    sec_units = [u for u in region if u not in ins_set]
    intros = _follow_on(reader, region, ins_units)
    # list items that follow an insurance obligation
    starts = [
        u for u in ins_units + intros + sec_units if reader.obligation(u) or clauses.text(u).rstrip().endswith(":")
    ]
    walks = _Walks(clauses, set(starts))
    for u in starts:
        scope.setdefault(u)
        walks.go(u, region, scope)
    # exhibits and schedules referred to by insurance clauses
    exhibits, missing, headings = exhibit_spans(clauses, ins_units + sec_units)
    for a, b in exhibits:
        _add_span(clauses, region, a, b)
        _add_span(clauses, scope, a, b)
    notes = []
    meta = Spans(meta_spans(clauses.norm, clauses.low))
    if meta:
        for u in list(region):
            if u[0] in meta or u[1] - 1 in meta:
                region.pop(u)
                scope.pop(u, None)
        notes.append("ignored text addressed to a review tool (treated as data, not as terms)")
    return Region(sorted(region), set(scope), exhibits, missing, headings, notes)


def keyword_units(clauses: Clauses, hits: list[int]) -> list[Unit]:
    """The units that hold the keyword hits, each once, in order."""
    units: dict[Unit, None] = {}
    for h in hits:
        units.setdefault(clauses.unit_at(h))
    return list(units)


def insurance_sections(clauses: Clauses) -> list[Unit]:
    """The spans of the sections whose title is about insurance (not benefits and the like)."""
    spans = []
    for i, s in enumerate(clauses.sections):
        if s.title and lx.INSURANCE_TITLE.search(s.title) and not lx.NON_REQUIREMENT_CONTEXT.search(s.title):
            spans.append(section_span(clauses, i))
    return spans


def section_span(clauses: Clauses, i: int) -> Unit:
    """Section ``i`` with its numbered subsections ("10. INSURANCE" takes in "10.6 Notice
    of Cancellation"); an unnumbered one with the unnumbered sections after it."""
    s = clauses.sections[i]
    num = lx.SECTION_NUMBER.match(s.title or "")
    sub = lx.subsection_of(num.group(1)) if num else None
    end = s.end
    for s2 in clauses.sections[i + 1 :]:
        t2 = s2.title or ""
        if sub is not None and sub.match(t2):
            end = s2.end
            continue
        if not num and not lx.SECTION_NUMBER.match(t2) and not lx.EXHIBIT_TITLE.match(t2) and s2.start - s.start < 6000:
            end = s2.end
            continue
        break
    return s.start, min(end, s.start + EXHIBIT_MAX_CHARS)


def _add_span(clauses: Clauses, region: dict[Unit, None], start: int, end: int) -> None:
    u: Unit | None = clauses.unit_at(start)
    while u and u[0] < end:
        region.setdefault(u)
        u = clauses.next_unit(u)


def _follow_on(reader: Reader, region: dict[Unit, None], ins_units: list[Unit]) -> list[Unit]:
    """Add the sentences that go on about "such policies" after each insurance unit and a
    list intro that ends with a colon just before one; return those intros."""
    clauses = reader.clauses
    intros: list[Unit] = []
    for u in ins_units:
        nxt = clauses.next_unit(u)
        for _ in range(2):
            if nxt is None or not clauses.insurance_context(*nxt):
                break
            region.setdefault(nxt)
            nxt = clauses.next_unit(nxt)
        prev = clauses.prev_unit(u)
        if prev and prev != u and reader.list_intro(prev):
            region.setdefault(prev)
            intros.append(prev)
    return intros


class _Walks:
    """The walks from the units in ``starts`` over the list items after them (see
    :meth:`go`). A walk that reaches another start in its own section, right after an item
    it added, stops there: that start's walk goes on from the same state and further, so
    the result is the same, and a document of back-to-back obligations is read once, not
    once per obligation within :data:`CONTINUATION_CHARS` before each unit."""

    def __init__(self, clauses: Clauses, starts: set[Unit]):
        self.clauses = clauses
        self.starts = starts
        self._reads: dict[Unit, bool] = {}

    def reads_as_insurance(self, u: Unit) -> bool:
        """A type, an amount, a term, a limit word, or a short cell."""
        if u not in self._reads:
            t = self.clauses.text(u)
            self._reads[u] = bool(
                policy_mentions_in(t)
                or (holds_any(self.clauses.low, lx.AMOUNT_NEEDLES, *u) and lx.AMOUNT.search(t))
                or self.clauses.insurance_context(*u)
                or lx.TERM_CLAUSE.search(t)
                or lx.LIMIT_WORD.search(t)
                or len(t.strip()) < 40
            )
        return self._reads[u]

    def go(self, unit: Unit, region: dict[Unit, None], scope: dict[Unit, None]) -> None:
        """Add the list items after ``unit`` while they read as insurance, up to the next
        article or exhibit (and at most :data:`CONTINUATION_CHARS` on)."""
        clauses = self.clauses
        limit, gap = unit[1] + CONTINUATION_CHARS, 0
        sec0 = clauses.section_at(unit[0])
        num0 = lx.SECTION_NUMBER.match(sec0.title or "")
        u = clauses.next_unit(unit)
        while u and u[0] < limit:
            sec = clauses.section_at(u[0])
            if sec is not sec0:  # stop at the next article or exhibit
                title = sec.title or ""
                num = lx.SECTION_NUMBER.match(title)
                if lx.EXHIBIT_TITLE.match(title) or (num and (not num0 or num.group(1) != num0.group(1))):
                    break
            if self.reads_as_insurance(u):
                region.setdefault(u)
                scope.setdefault(u)
                gap = 0
                if u in self.starts and sec is sec0:
                    break  # its own walk takes it from here
            else:
                gap += 1
                if gap > 1:
                    break
            u = clauses.next_unit(u)


# --------------------------------------------------------------------------- exhibits


def exhibit_spans(clauses: Clauses, units: list[Unit]) -> tuple[list[Unit], list[str], list[tuple[int, str]]]:
    """Spans of the exhibits/schedules the insurance ``units`` refer to, the references
    that point to nothing attached, and the headings found inside merged sections."""
    spans: list[Unit] = []
    missing: list[str] = []
    headings: list[tuple[int, str]] = []
    for key, at in _exhibit_refs(clauses, units).items():
        if key.endswith("|external"):
            missing.append(key.split("|")[0])
            continue
        found = _exhibit_sections(clauses, key, at)
        spans.extend(found)
        if not found:
            # the heading may sit inside a section the chunker merged: find the line itself
            line = _exhibit_heading(clauses, key, at)
            if line is not None:
                spans.append(line[0])
                headings.append(line[1])
                continue
            missing.append(key)
    return spans, missing, headings


def _exhibit_refs(clauses: Clauses, units: list[Unit]) -> dict[str, int]:
    """Each attachment referred to ("exhibit c") with the offset of its first reference; a
    reference to another document's attachment is keyed ``"exhibit b|external"``."""
    refs: dict[str, int] = {}
    for u in units:
        for m in lx.XREF.finditer(clauses.text(u)):
            tail = clauses.text(u)[m.end() : m.end() + 40]
            key = f"{m.group(1).lower()} {m.group(2).lower().rstrip('.')}"
            if lx.EXTERNAL_REF.match(tail) and not lx.THIS_REF.match(tail):
                refs.setdefault(f"{key}|external", u[0])
                continue
            refs.setdefault(key, u[0])
    return refs


def _exhibit_sections(clauses: Clauses, key: str, at: int) -> list[Unit]:
    """The spans of the sections titled as attachment ``key`` (not the one that refers to
    it), each up to the next attachment."""
    spans = []
    for i, s in enumerate(clauses.sections):
        title = (s.title or "").lower()
        if not title.startswith(key) or not lx.TITLE_KEY_END.match(title[len(key) : len(key) + 1] or " "):
            continue
        if s.start <= at < s.end:
            continue
        end = s.end
        for s2 in clauses.sections[i + 1 :]:
            if lx.EXHIBIT_TITLE.match(s2.title or ""):
                break
            end = s2.end
        spans.append((s.start, min(end, s.start + EXHIBIT_MAX_CHARS)))
    return spans


def _exhibit_heading(clauses: Clauses, key: str, at: int) -> tuple[Unit, tuple[int, str]] | None:
    """The span of attachment ``key`` from a heading line of its own (not the reference),
    and that heading."""
    norm = clauses.norm
    kind, _, ident = key.partition(" ")
    for hm in lx.exhibit_heading(kind, ident).finditer(norm):
        if hm.start() <= at < hm.end() + 200:
            continue
        nxt = lx.NEXT_EXHIBIT_HEADING.search(norm, hm.end())
        end = nxt.start() if nxt else len(norm)
        return (hm.start(), min(end, hm.start() + EXHIBIT_MAX_CHARS)), (
            hm.start(),
            lx.SPACES.sub(" ", hm.group(0)).strip(),
        )
    return None


# --------------------------------------------------------------------------- the rest


def meta_spans(norm: str, low: str | None = None) -> list[Unit]:
    """Paragraphs that address a review tool instead of the parties; ``low``, the text's
    :func:`~..prefilter.caseless` form, spares the search of a document with no cue of one."""
    spans: list[Unit] = []
    if low is not None and not any(_cue_in(low, word, cue) for word, cue in lx.META_CUES):
        return spans
    for m in lx.META_INSTRUCTION.finditer(norm):
        # both searches bounded, so that many matches on one long line stay linear
        lo = max(0, m.start() - META_LOOKBACK)
        a = max(norm.rfind("\n", lo, m.start()) + 1, lo)
        blank = lx.BLANK_LINE.search(norm, m.end(), m.end() + 1000)
        b = min(blank.start() if blank else len(norm), m.end() + 800)
        spans.append((a, b))
    return spans


def _cue_in(low: str, word: str, cue: re.Pattern[str]) -> bool:
    """``cue``, a pattern that starts with ``word``, matches somewhere in ``low``: tried only
    where the word is (a plain find), not at every position."""
    return any(cue.match(low, at) for at in occurrences(low, word))


def searched(clauses: Clauses, region: Region) -> list[SearchedSection]:
    """The sections the region covers (each exhibit heading found inside a merged section
    counts as its own), or every section when the region is empty."""
    seen: dict[tuple[int, str | None], None] = {}
    heads = sorted(region.headings)
    for u in region.units:
        s = clauses.section_at(u[0])
        own = [h for h in heads if s.start <= h[0] <= u[0]]
        if own:
            seen.setdefault((clauses.doc.page_at(own[-1][0]), own[-1][1]))
        else:
            seen.setdefault((s.page, s.title))
    if not seen:
        for s in clauses.sections:
            seen.setdefault((s.page, s.title))
    return [SearchedSection(page=pg, section=t) for pg, t in seen]
