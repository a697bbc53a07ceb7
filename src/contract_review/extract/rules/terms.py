"""The terms of cover (additional insured, waiver of subrogation, primary and
non-contributory, certificate of insurance, cancellation notice), each by its
:data:`lexicon.TERM_RULES` over the region's units in an insurance context. A negation
earlier in the same clause ("has no obligation to", "in no event shall ... operate as a
waiver") cancels a match; a term found but negated elsewhere, or hedged ("reasonable
efforts"), or only negated, is marked uncertain.
"""

from __future__ import annotations

from ...schema import Term
from .. import lexicon as lx
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
    prev_t = ""
    for u in run.region.units:
        t = clauses.text(u)
        had_context, prev_t = prev_t, t
        span = clauses.continued(u)  # a sentence cut by a page break is read whole
        if span != u:
            t = clauses.text(span)
        if rule.exclude and rule.exclude.search(t):
            continue
        if not (lx.INSURANCE_CONTEXT.search(t) or lx.INSURANCE_CONTEXT.search(had_context[-200:])):
            continue
        if is_heading(t):
            continue  # "12.3.3 Additional Insured." names a topic, not a term
        for m in rule.positive.finditer(t):
            window = t[max(0, m.start() - 160) : m.end()]
            clause_start = max(window.rfind(";"), window.rfind(". "))
            window = (
                window[clause_start + 1 :]
                if clause_start >= 0 and clause_start < len(window) - (m.end() - m.start())
                else window
            )
            if rule.negative and rule.negative.search(window):
                negated.append(u)
                continue
            if rule.after and rule.after.search(_rest_of_clause(t, m.end())):
                negated.append(u)  # "... unless Client requests otherwise", "... at its option"
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


def _rest_of_clause(t: str, pos: int) -> str:
    """The text of ``t`` from ``pos`` to the end of its clause (a semicolon or a full stop)."""
    ends = [i for i in (t.find(";", pos), t.find(". ", pos)) if i >= 0]
    return t[pos : min(ends) if ends else len(t)]
