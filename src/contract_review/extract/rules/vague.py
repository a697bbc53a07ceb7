"""``vague_language``: a qualitative standard next to cover or amounts ("adequate",
"consistent with industry standards"), discretion ("in such amounts as X may require", a
right to raise limits later), a type required with no amount anywhere (not workers'
compensation, not statutory, not a formula such as full replacement value), or limits that
live in a document referred to but not attached. Found only by the last two, it is uncertain.
"""

from __future__ import annotations

import re

from ...schema import Citation, InsuranceProfile
from .. import lexicon as lx
from ..prefilter import holds_any
from .clauses import MAX_EVIDENCE, Clauses, Unit, is_title_heading, last_match
from .state import Run


class _Found:
    """The vague-language citations (at most :data:`MAX_EVIDENCE`) and the rules that found any."""

    def __init__(self, clauses: Clauses):
        self.clauses = clauses
        self.cites: list[Citation] = []
        self.rules: set[str] = set()

    def add(self, u: Unit, focus: int, rule: str) -> None:
        self.rules.add(rule)
        if len(self.cites) < MAX_EVIDENCE and not any(c.start <= focus < c.end for c in self.cites):
            self.cites.append(self.clauses.cite(u[0], u[1], focus))


def vague(run: Run, p: InsuranceProfile) -> None:
    """Decide ``vague_language`` on ``p`` (after ``policies``)."""
    found = _Found(run.clauses)
    _standards(run, found)
    _no_amount(run, p, found)
    _unattached(run, p, found)
    p.vague_language = sorted(found.cites, key=lambda c: c.start)
    if found.rules and found.rules <= {"no-amount", "unattached"}:
        run.uncertain.add("vague_language")


def _standards(run: Run, found: _Found) -> None:
    """Discretion and qualitative standards in the obligations and the lists under them."""
    obligation_units = {u for u, _m in run.obligations}
    for u in run.region.units:
        t = run.clauses.text(u)
        cover_duty: bool | None = None  # found only when asked: most units here are insurance units
        if u not in obligation_units and u not in run.region.scope:
            cover_duty = _cover_duty(t)
            if not (cover_duty or run.reader.representation(u)):
                continue
        if not (
            run.reader.is_insurance_unit(u) or run.in_list(u) or (_cover_duty(t) if cover_duty is None else cover_duty)
        ):
            continue
        low = run.clauses.lowered(u)
        if holds_any(low, lx.NOT_A_STANDARD_CLAUSE_NEEDLES) and lx.NOT_A_STANDARD_CLAUSE.search(t):
            continue
        m = _discretion(t, low)
        if m and not _negated(t, m.start()):
            found.add(u, u[0] + m.start(), "discretion")
        m = _standard(t, low)
        if m and not _negated(t, m.start()):
            found.add(u, u[0] + m.start(), "standard")


def _cover_duty(t: str) -> bool:
    """A duty to carry cover named without the word insurance, in a sentence of the region
    ("Contractor shall keep such coverage as a prudent firm in its line of business would
    carry"): its standard is a standard for the insurance the sentence goes on about."""
    if lx.NOT_AN_OBLIGATION.search(t):
        return False
    return any(lx.COVER_AFTER_DUTY.match(t, m.end()) for m in lx.OBLIGATION.finditer(t))


def _negated(t: str, pos: int) -> bool:
    """The clause of ``t`` that holds ``pos`` (between stops and semicolons) negates or
    excuses its duty, or leaves it to an option: then its standard requires nothing."""
    a = max(t.rfind(";", 0, pos), t.rfind(". ", 0, pos)) + 1
    ends = [i for i in (t.find(";", pos), t.find(". ", pos)) if i >= 0]
    clause = t[a : min(ends) if ends else len(t)]
    return bool(lx.VAGUE_NEGATED.search(clause) or lx.NOT_AN_OBLIGATION.search(clause))


def _discretion(t: str, low: str | None = None) -> re.Match[str] | None:
    """The first discretion phrase of ``t`` that is not about a statutory or formula amount
    (amounts left to a party's approval included). ``low``: ``t`` lower-cased for the needle
    tests (:mod:`..prefilter`), None to run every pattern."""
    patterns = [
        pattern
        for pattern, needles in (
            (lx.VAGUE_DISCRETION, lx.VAGUE_DISCRETION_NEEDLES),
            (lx.VAGUE_ACCEPTABLE, lx.VAGUE_ACCEPTABLE_NEEDLES),
        )
        if holds_any(low, needles)
    ]
    for pattern in patterns:
        for m in pattern.finditer(t):
            if lx.NOT_VAGUE_AMOUNT.search(t[m.start() : m.end() + 60]):
                continue
            return m
    return None


def _standard(t: str, low: str | None = None) -> re.Match[str] | None:
    """The first qualitative standard of ``t`` that qualifies cover, amounts or limits (a
    target within six words before it or three after), not the insurer or an ordinary use.
    ``low`` as for :func:`_discretion`; the second pattern runs only when the first gave none
    that qualifies."""
    for pattern, needles in (
        (lx.VAGUE_STANDARD, lx.VAGUE_STANDARD_NEEDLES),
        (lx.VAGUE_STANDARD_MORE, lx.VAGUE_STANDARD_MORE_NEEDLES),
    ):
        if holds_any(low, needles):
            m = _qualifying(t, pattern)
            if m is not None:
                return m
    return None


def _qualifying(t: str, pattern: re.Pattern[str]) -> re.Match[str] | None:
    """The first match of standard ``pattern`` in ``t`` that qualifies cover (see :func:`_standard`)."""
    for m in pattern.finditer(t):
        lo, hi = max(0, m.start() - 60), min(len(t), m.end() + 45)
        near = t[lo:hi]
        before = t[lo : m.start()]
        last_target = last_match(lx.VAGUE_TARGET, before)
        near_before = last_target is not None and len(lx.WORD.findall(before, last_target.end())) <= 6
        if not (near_before or lx.TARGET_AFTER.match(t, m.end(), hi)):
            continue
        if any(
            n.start() <= m.start() - lo + 5 and n.end() >= m.start() - lo for n in lx.NOT_VAGUE_TARGET.finditer(near)
        ):
            continue
        if lx.NOT_VAGUE_USE.search(t[max(0, m.start() - 30) : m.end() + 40]):
            continue
        if lx.STATUTORY.search(t[max(0, m.start() - 100) : m.end() + 40]):
            continue  # "in the statutorily required amount (or ... the appropriate state fund)"
        return m
    return None


def _no_amount(run: Run, p: InsuranceProfile, found: _Found) -> None:
    """A type of cover required with no amount anywhere for it."""
    limited = {pol.type for pol in p.policies if pol.limits}
    answers: dict[Unit, bool] = {}  # per unit: a unit may name thousands of policies
    for mtn in run.mentions:
        if mtn.type in limited or mtn.type in ("workers_compensation", "employers_liability"):
            continue
        if mtn.unit not in answers:
            answers[mtn.unit] = _required_without_amount(run, mtn.unit)
        if answers[mtn.unit]:
            found.add(mtn.unit, mtn.start, "no-amount")


def _required_without_amount(run: Run, u: Unit) -> bool:
    """Cover named in unit ``u`` is required by an obligation (or a list under one) and no
    amount, statutory amount or formula is given for it there or in the next unit."""
    reader, clauses = run.reader, run.clauses
    if not (reader.obligation(u) or run.in_list(u)):
        return False
    t = clauses.text(u)
    if lx.TERM_CLAUSE.search(t) or is_title_heading(t):
        return False
    if not (reader.obligation(u) or (u in run.region.scope and lx.INSURANCE_WORD.search(t))):
        return False
    nxt = clauses.next_unit(u)
    scope = t + (clauses.text(nxt) if nxt else "")
    if lx.NOT_VAGUE_AMOUNT.search(scope) or reader.amounts(u) or (nxt and reader.amounts(nxt)):
        return False
    if u in run.amount_units or (nxt and nxt in run.amount_units):
        return False
    return not lx.SET_OUT_ELSEWHERE.search(t)


def _unattached(run: Run, p: InsuranceProfile, found: _Found) -> None:
    """Limits that live in a document that is referred to but not attached."""
    if run.region.missing_refs and not any(pol.limits for pol in p.policies):
        for u, m in run.obligations:
            if lx.XREF.search(run.clauses.text(u)):
                found.add(u, u[0] + m.start(), "unattached")
                break
