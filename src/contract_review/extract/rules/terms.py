"""The terms of cover (additional insured, waiver of subrogation, primary and
non-contributory, certificate of insurance, cancellation notice), each by its
:data:`lexicon.TERM_RULES` over the region's units in an insurance context. A negation
earlier in the same clause ("has no obligation to", "in no event shall ... operate as a
waiver", "need not", "may, at its option") or right after the match ("... is not required")
cancels a match. A term stated in its negated form ("insurers shall have no right of
subrogation", "Owner's insurance shall not contribute") carries its own "no": only the clause
before it is checked, against :data:`lexicon.CONDITION_NEG`. A term found but negated
elsewhere, or hedged ("reasonable efforts"), or only negated, is marked uncertain.
"""

from __future__ import annotations

import re

from ...schema import Term
from .. import lexicon as lx
from ..prefilter import holds_any
from .clauses import MAX_EVIDENCE, Unit, is_heading
from .state import Run


def term(run: Run, name: str) -> Term:
    """Decide term ``name`` (one of :data:`~contract_review.schema.TERM_FIELDS`); mark it
    uncertain on ``run`` when it is negated or hedged."""
    rule = lx.TERM_RULES[name]
    clauses = run.clauses
    found = Term()
    negated: list[Unit] = []
    weak = False
    for u, span, t, low in term_units(run):
        if rule.exclude and (not rule.exclude_cues or holds_any(low, rule.exclude_cues)) and rule.exclude.search(t):
            continue
        cued = not rule.cues or holds_any(low, rule.cues)
        negated_cued = not rule.negated_cues or holds_any(low, rule.negated_cues)
        for m, own_negation in _matches(rule, t, cued, negated_cued):
            if _negated(rule, t, m, own_negation):
                negated.append(u)
                continue
            if lx.WEAK_QUALIFIER.search(t[max(0, m.start() - 120) : m.end() + 60]):
                weak = True
            if len(found.evidence) < MAX_EVIDENCE and not any(
                c.start <= u[0] + m.start() < c.end for c in found.evidence
            ):
                found.evidence.append(clauses.cite(u[0], span[1], u[0] + m.start()))
            found.present = True
            break
    if (found.present and (negated or weak)) or (not found.present and negated):
        run.uncertain.add(name)
    return found


def term_units(run: Run) -> list[tuple[Unit, Unit, str, str | None]]:
    """The region's units a term can be read in, each with the span read (a sentence cut
    by a page break is read whole), its text and that text lower-cased for the needle tests
    (None: run every pattern): those in an insurance context (their own
    or the unit before's) that are not headings. The same for every term, so found once
    per run."""
    if run.term_units is None:
        clauses = run.clauses
        run.term_units = []
        prev: Unit | None = None
        for u in run.region.units:
            before, prev = prev, u
            span = clauses.continued(u)
            t = clauses.text(span)
            # the unit's own context, or the end of the unit before it in the region
            if not (
                clauses.insurance_context(*span)
                or (before is not None and clauses.insurance_context(max(before[0], before[1] - 200), before[1]))
            ):
                continue
            if is_heading(t):
                continue  # "12.3.3 Additional Insured." names a topic, not a term
            run.term_units.append((u, span, t, clauses.lowered(span)))
    return run.term_units


def _negated(rule: lx.TermRule, t: str, m: re.Match[str], own_negation: bool) -> bool:
    """Match ``m`` of ``rule`` in ``t`` is cancelled: by a negation earlier in its clause, one
    right after it, or a condition or option later in the clause ("... unless Client requests
    otherwise", "... at its option"). A match in the term's negated form is checked only
    before it, against :data:`lexicon.CONDITION_NEG`."""
    window = t[max(0, m.start() - 160) : m.end()]
    clause_start = max(window.rfind(";"), window.rfind(". "))
    window = (
        window[clause_start + 1 :]
        if clause_start >= 0 and clause_start < len(window) - (m.end() - m.start())
        else window
    )
    negative: re.Pattern[str] | None = rule.negative
    if own_negation:  # "insurers shall have no right of subrogation": its "no" is the term
        window, negative = window[: len(window) - (m.end() - m.start())], lx.CONDITION_NEG
    if negative and negative.search(window):
        return True
    if rule.negative_after and rule.negative_after.match(t, m.end(), min(len(t), m.end() + 120)):
        return True
    return bool(rule.after and rule.after.search(_rest_of_clause(t, m.end())))


def _rest_of_clause(t: str, pos: int) -> str:
    """The text of ``t`` from ``pos`` to the end of its clause (a semicolon or a full stop)."""
    ends = [i for i in (t.find(";", pos), t.find(". ", pos)) if i >= 0]
    return t[pos : min(ends) if ends else len(t)]


def _matches(
    rule: lx.TermRule, t: str, cued: bool = True, negated_cued: bool = True
) -> list[tuple[re.Match[str], bool]]:
    """The rule's matches in ``t`` in text order, each with whether it is a statement of the
    term in its negated form (:attr:`~contract_review.extract.lexicon.TermRule.negated_form`);
    not ``cued`` (``t`` holds none of the rule's :attr:`~.lexicon.TermRule.cues`), the
    positive form is not searched, and not ``negated_cued`` (none of its ``negated_cues``),
    the negated form is not."""
    found = [(m, False) for m in rule.positive.finditer(t)] if cued else []
    if rule.negated_form is not None and negated_cued:
        found += [(m, True) for m in rule.negated_form.finditer(t)]
    return sorted(found, key=lambda x: x[0].start())
