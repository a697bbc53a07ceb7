"""What the contract requires of each policy, beyond its type and limits (the requirements
profile a certificate of insurance is checked against): who carries it, whether the
additional-insured, waiver and primary/non-contributory terms apply to it, occurrence or
claims-made and how long cover must last, the minimum insurer rating, and when the
certificate is due. Every value is a quote of the region's units (see :mod:`.lexicon`).

A term clause that names policy types ("additional insureds under the Commercial General
Liability and Automobile Liability policies") applies to those types only; one that names
none applies to every required policy (additional-insured and primary wording not to
workers' compensation or employers' liability, where it has no meaning). A form, duration
or rating goes to the types named in its clause, else to the type named in the clause
before it (a table row), else, for a duration or a rating, to every policy.
"""

from __future__ import annotations

import re

from ...schema import POLICY_TERMS, InsuranceProfile, Policy, Stated, Term
from .. import lexicon as lx
from ..amounts import words_to_number
from ..prefilter import holds_any
from .clauses import Unit, is_heading
from .obligations import subjects
from .state import Run

_SCOPED_TERMS = POLICY_TERMS


def policy_requirements(run: Run, p: InsuranceProfile) -> None:
    """Fill the per-policy requirement fields of ``p``'s policies, and ``certificate_due``."""
    if not p.policies:
        return
    _carried_by(run, p)
    for name in _SCOPED_TERMS:
        _scope_term(run, p, name)
    lows = {u: run.clauses.lowered(u) for u in run.region.units}
    for u in run.region.units:
        _forms(run, p, u, lows[u])
        _rating_and_retro(run, p, u, lows[u])
    for u in run.region.units:  # after the forms: a claims-made tail is not an occurrence policy's
        _duration(run, p, u, run.clauses.text(u), lows[u])
    _certificate_due(run, p)


def _forms(run: Run, p: InsuranceProfile, u: Unit, low: str | None = None) -> None:
    """An occurrence form required, or a claims-made form allowed, for the policies named.
    ``low``: the unit's text lower-cased, for the needle tests (:mod:`..prefilter`)."""
    t = run.clauses.text(u)
    occurrence = lx.OCCURRENCE_FORM.search(t) if holds_any(low, lx.OCCURRENCE_FORM_NEEDLES) else None
    if occurrence:
        for pol in _policies_for(run, p, u, every=False, at=u[0] + occurrence.start()):
            _set_form(run, pol, "occurrence", u, occurrence.start())
    m = lx.CLAIMS_MADE_FORM.search(t) if holds_any(low, lx.CLAIMS_MADE_NEEDLES) else None
    if m and not occurrence:
        for pol in _policies_for(run, p, u, every=False, at=u[0] + m.start()):
            _set_form(run, pol, "claims_made", u, m.start())


def _rating_and_retro(run: Run, p: InsuranceProfile, u: Unit, low: str | None = None) -> None:
    """The retroactive date and the minimum insurer rating stated in unit ``u`` (``low`` as
    for :func:`_forms`)."""
    t = run.clauses.text(u)
    m = lx.RETRO_DATE.search(t) if holds_any(low, lx.RETRO_DATE_NEEDLES) else None
    if m:
        for pol in _policies_for(run, p, u, every=True, at=u[0] + m.start()):
            pol.retroactive_date = pol.retroactive_date or Stated(
                value=" ".join(m.group(0).split()), evidence=[run.clauses.cite(u[0], u[1], u[0] + m.start())]
            )
    m = lx.RATING.search(t) if holds_any(low, lx.RATING_NEEDLES) else None
    if m and lx.BEST.search(t):
        value = m.group("r") + (f" {m.group('c')}" if m.group("c") else "")
        for pol in _policies_for(run, p, u, every=True):
            pol.min_rating = pol.min_rating or Stated(
                value=value, evidence=[run.clauses.cite(u[0], u[1], u[0] + m.start())]
            )


def _carried_by(run: Run, p: InsuranceProfile) -> None:
    """The subjects of the obligation at or before each policy's first quote."""
    for pol in p.policies:
        if not pol.evidence:
            continue
        at = pol.evidence[0].start
        before = [(u, m) for u, m in run.obligations if u[0] <= at]
        if not before:
            continue
        u, m = before[-1]
        names = [n for n in subjects(run.clauses.text(u)[: m.start()]) if n != "Each Party"]
        names = [n for n in names if n in p.obligated_parties] or list(p.obligated_parties)
        if names:
            pol.carried_by = names
            pol.carried_by_evidence = [run.clauses.cite(u[0], u[1], u[0] + m.start())]


_SENTENCE_END = re.compile(r"\.\s|;\s|:\s*\n")
_LONG_SENTENCE = 400


def _types_in(run: Run, u: Unit, at: int | None = None) -> set[str]:
    """The policy types named in unit ``u``, or, with ``at`` (an offset in the document),
    in the sentence of ``u`` that holds it; in a long run of table cells with no sentence
    end, only the type named last before ``at``."""
    mentions = run.reader.mentions_in(u)
    if at is None:
        return {m.type for m in mentions}
    t = run.clauses.text(u)
    rel = at - u[0]
    start = max([m.end() for m in _SENTENCE_END.finditer(t, 0, rel)] or [0])
    nxt = _SENTENCE_END.search(t, rel)
    end = nxt.start() if nxt else len(t)
    if end - start <= _LONG_SENTENCE:
        found = {m.type for m in mentions if u[0] + start <= m.start < u[0] + end}
        if found:
            return found
    before = [m for m in mentions if m.start < at]  # a table row: the type named last before it
    return {before[-1].type} if before and at - before[-1].start < 250 else set()


def _sentence_types(run: Run, u: Unit, at: int) -> set[str]:
    """The policy types named in the sentence of unit ``u`` that holds offset ``at``."""
    t = run.clauses.text(u)
    rel = at - u[0]
    start = max([m.end() for m in _SENTENCE_END.finditer(t, 0, rel)] or [0])
    nxt = _SENTENCE_END.search(t, rel)
    end = nxt.start() if nxt else len(t)
    if end - start > _LONG_SENTENCE:
        return set()
    return {m.type for m in run.reader.mentions_in(u) if u[0] + start <= m.start < u[0] + end}


def _policies_for(run: Run, p: InsuranceProfile, u: Unit, every: bool, at: int | None = None) -> list[Policy]:
    """The policies a requirement in unit ``u`` (at offset ``at``) is about: the types its
    sentence names, else those of the unit before it (a table row), else every policy
    when ``every``."""
    if is_heading(run.clauses.text(u)):
        return []  # "C.5 Claims-Made Policies." names a topic
    types = _types_in(run, u, at)
    if not types and (at is None or u[1] - u[0] < 120):
        prev = run.clauses.prev_unit(u)
        for _ in range(3):
            if prev is None or prev == u:
                break
            types = _types_in(run, prev)
            if types:
                break
            prev = run.clauses.prev_unit(prev)
    if types:
        return [pol for pol in p.policies if pol.type in types]
    return list(p.policies) if every else []


def _set_form(run: Run, pol: Policy, form: str, u: Unit, at: int) -> None:
    if pol.coverage_form is None or (form == "occurrence" and pol.coverage_form != "occurrence"):
        pol.coverage_form = form  # type: ignore[assignment]  # one of CoverageForm
        pol.coverage_form_evidence = [run.clauses.cite(u[0], u[1], u[0] + at)]


def _duration(run: Run, p: InsuranceProfile, u: Unit, t: str, low: str | None = None) -> None:
    m = lx.COVER_DURATION.search(t) if holds_any(low, lx.COVER_DURATION_NEEDLES) else None
    tail = lx.TAIL_WORDS.search(t) if holds_any(low, lx.TAIL_NEEDLES) else None
    if not (m or tail):
        return
    duty = any(
        ou == u for ou, _m in run.obligations
    )  # "During the Term and for two (2) years thereafter, Vendor shall carry:"
    if m and not (duty or lx.INSURANCE_WORD.search(t) or lx.CLAIMS_MADE_FORM.search(t) or tail):
        return
    years: float | None = None
    if m:
        years = float(m.group("d")) if m.group("d") else words_to_number(m.group("n"))
        if years is None and m.group("n").isdigit():
            years = float(m.group("n"))
    focus = (m or tail).start()  # type: ignore[union-attr]  # one of them matched
    value = " ".join((m or tail).group(0).split())  # type: ignore[union-attr]
    targets = _policies_for(run, p, u, every=True, at=u[0] + focus)
    if lx.CLAIMS_MADE_FORM.search(t) and not _types_in(run, u, u[0] + focus):
        # "If any required coverage is written on a claims-made basis, ... for three years after":
        # only cover that can be claims-made (not one required on an occurrence form, nor WC/EL)
        targets = [
            pol for pol in targets if pol.coverage_form != "occurrence" and pol.type not in lx.NOT_LIABILITY_TYPES
        ]
    for pol in targets:
        if pol.duration is None:
            pol.duration = Stated(value=value, evidence=[run.clauses.cite(u[0], u[1], u[0] + focus)])
            pol.tail_years = years


#: Wording that puts a term on every policy, not the one it names ("under Vendor's liability
#: policies", "under every policy required by this Section").
_EVERY_POLICY = re.compile(
    r"\b(?:its|their|[A-Z]\w*'s)\s+liability\s+polic|\b(?:all|each|every|any)\s+(?:such\s+)?(?:of\s+(?:the|its)\s+)?"
    r"(?:required\s+)?(?:insurance\s+)?polic(?:y|ies)\b",
)


_TERM_WORD = {
    "additional_insured": "insured",
    "waiver_of_subrogation": "subrogat",
    "primary_noncontributory": "primary",
}


def _scope_term(run: Run, p: InsuranceProfile, name: str) -> None:
    """Which policies the profile's term ``name`` applies to, each with its quote."""
    term: Term = getattr(p, name)
    if not term.present:
        return
    named: dict[str, list] = {}
    general = []
    for c in term.evidence:
        u = run.clauses.unit_at(c.start)
        t = run.clauses.text(u)
        rel = c.start - u[0]
        sentence = t[rel : rel + 400].split(". ")[0]
        key = c.quote.lower().find(_TERM_WORD[name])
        if key < 0 and name == "additional_insured":
            continue  # a quote that does not say "insured" cannot say on which policy
        types = set() if _EVERY_POLICY.search(sentence) else _sentence_types(run, u, c.start + max(key, 0))
        if types:
            for typ in types:
                named.setdefault(typ, []).append(c)
        else:
            general.append(c)
    if named:
        general = []  # the clause that names the policies says it; "copies of the endorsements" does not widen it
    for pol in p.policies:
        if pol.type in named:
            setattr(pol, name, Term(present=True, evidence=named[pol.type]))
        elif general and not (name != "waiver_of_subrogation" and pol.type in lx.NOT_LIABILITY_TYPES):
            setattr(pol, name, Term(present=True, evidence=general))
        elif named:
            setattr(pol, name, Term(present=False))  # the clause names other policies


def _certificate_due(run: Run, p: InsuranceProfile) -> None:
    for c in p.certificate_of_insurance.evidence:
        u = run.clauses.unit_at(c.start)
        t = run.clauses.text(u)
        m = lx.CERTIFICATE_DUE.search(t)
        if m:
            p.certificate_due = Stated(
                value=" ".join(m.group(0).split()), evidence=[run.clauses.cite(u[0], u[1], u[0] + m.start())]
            )
            return
