"""What one clause unit says: whether it is about insurance (not benefits, deposits or a
cost line), the phrase that obliges a party to carry insurance (a duty verb whose object is
insurance, not a negated duty or a mere option), a representation that a party carries it,
its money amounts and the policy types it names. :class:`Reader` answers these per unit and
remembers the answers, since the region and every field ask them again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .. import lexicon as lx
from ..amounts import Amount, find_amounts
from ..prefilter import holds_any
from .clauses import Clauses, Mention, Spans, Unit, last_match, policy_mentions_in


class Reader:
    """The per-unit questions over one document, memoised. ``ins_sections`` are the spans
    of the sections about insurance (a unit under one may oblige without the word)."""

    def __init__(self, clauses: Clauses, ins_sections: list[Unit]):
        self.clauses = clauses
        self.ins_sections = ins_sections
        self._in_sections = Spans(ins_sections)
        self._insurance: dict[Unit, bool] = {}
        self._obligation: dict[Unit, re.Match[str] | None] = {}
        self._amounts: dict[Unit, list[Amount]] = {}
        self._mentions: dict[Unit, list[Mention]] = {}

    # -- memoised ----------------------------------------------------------------------
    def is_insurance_unit(self, unit: Unit) -> bool:
        """The unit mentions insurance in a sense other than benefits, deposits, costs."""
        if unit not in self._insurance:
            self._insurance[unit] = self._is_insurance_unit(unit)
        return self._insurance[unit]

    def obligation(self, unit: Unit) -> re.Match[str] | None:
        """The phrase of ``unit`` that obliges a party to carry insurance, if any."""
        if unit not in self._obligation:
            self._obligation[unit] = self._find_obligation(unit)
        return self._obligation[unit]

    def amounts(self, unit: Unit) -> list[Amount]:
        """The money amounts of ``unit`` (offsets in the document)."""
        if unit not in self._amounts:
            c = self.clauses
            self._amounts[unit] = find_amounts(c.norm, unit[0], unit[1], c.dollar, c.low)
        return self._amounts[unit]

    def mentions_in(self, unit: Unit) -> list[Mention]:
        """The policy types ``unit`` names (offsets in the document)."""
        if unit not in self._mentions:
            self._mentions[unit] = [
                Mention(t, unit[0] + s, unit[0] + e, unit) for t, s, e in policy_mentions_in(self.clauses.text(unit))
            ]
        return self._mentions[unit]

    # -- not memoised --------------------------------------------------------------------
    def list_intro(self, unit: Unit) -> re.Match[str] | None:
        """ "M&I shall maintain at all times at its own cost and expense:" followed by a
        list of insurance: the obligation is the intro."""
        t = self.clauses.text(unit)
        if not t.rstrip().endswith(":") or lx.NOT_AN_OBLIGATION.search(t):
            return None
        nxt = self.clauses.next_unit(unit)
        if nxt is None or not self.is_insurance_unit(nxt):
            return None
        m = last_match(lx.OBLIGATION, t)
        if m is None or len(t) - m.end() > 120:
            return None
        return m

    def representation(self, unit: Unit) -> re.Match[str] | None:
        """A representation that a party carries insurance ("represents that it maintains
        ... insurance", "is insured")."""
        t = self.clauses.text(unit)
        if not self.is_insurance_unit(unit):
            return None
        if lx.NOT_AN_OBLIGATION.search(t):
            return None
        for m in lx.REPRESENTATION.finditer(t):
            if lx.INSURANCE_WORD.search(t, m.start(), min(len(t), m.end() + 200)) or lx.INSURANCE_WORD.search(
                m.group(0)
            ):
                return m
        return None

    # -- the answers -------------------------------------------------------------------
    def _is_insurance_unit(self, unit: Unit) -> bool:
        c = self.clauses
        t = c.text(unit)
        low = c.lowered(unit)
        # every branch of INSURANCE_WORD holds "insur"
        words = [m.span() for m in lx.INSURANCE_WORD.finditer(t)] if holds_any(low, ("insur",)) else []
        if not words:
            # "Errors & Omissions coverage of at least USD 2 million": a named type of cover
            return bool(lx.COVER_NOUN.search(t) and policy_mentions_in(t))
        if holds_any(low, lx.DEPOSIT_NEEDLES) and lx.DEPOSIT_INSURANCE.search(t) and not policy_mentions_in(t):
            return False  # deposit insurance of a bank is not cover a party carries
        excluded = [m.span() for m in lx.NON_REQUIREMENT_CONTEXT.finditer(t)]
        if holds_any(low, ("insure",)):  # both senses of ENSURE_SENSE start with the word
            excluded += [m.span() for m in lx.ENSURE_SENSE.finditer(t)]
        return any(not any(a <= s < b or s <= a < e for a, b in excluded) for s, e in words)

    def _find_obligation(self, unit: Unit) -> re.Match[str] | None:
        t = self.clauses.text(unit)
        if not self.is_insurance_unit(unit):
            if unit[0] in self._in_sections:
                # under an insurance heading: "Contractor shall carry the coverage set forth in Exhibit C"
                for m in lx.OBLIGATION.finditer(t):
                    if lx.COVER_AFTER_DUTY.match(t[m.end() :]) and not lx.NOT_AN_OBLIGATION.search(t):
                        return m
            return self.list_intro(unit)
        imp = lx.IMPERATIVE_ITEM.match(t)
        if imp and lx.INSURANCE_WORD.search(t, imp.end(), imp.end() + 200):
            return imp
        duties = list(lx.OBLIGATION.finditer(t))
        negs: list[tuple[int, int]] | None = None  # found when there is a duty to check
        for m in self._duties_then_coordinated(t, duties):
            if negs is None:
                negs = [n.span() for n in lx.NOT_AN_OBLIGATION.finditer(t)]
            if any(a - 40 <= m.start() <= b + 5 or m.start() <= a <= m.end() for a, b in negs):
                continue
            if self._duty_to_insure(t, m):
                return m
        return None

    @staticmethod
    def _duties_then_coordinated(t: str, duties: list[re.Match[str]]) -> Iterator[re.Match[str]]:
        """The duty phrases of ``t``, then the coordinated duties that start elsewhere; those
        are searched only when no duty phrase obliged."""
        yield from duties
        for m in lx.COORDINATED_DUTY.finditer(t):
            if not any(c.start() == m.start() for c in duties):
                yield m

    def _duty_to_insure(self, t: str, m: re.Match[str]) -> bool:
        """The insurance word belongs to the duty phrase ``m`` of ``t``: after it, or
        shortly before; and the duty is not a mere option."""
        end = m.end()
        chain = lx.ACT_CHAIN.match(t, end)
        if chain:
            end = chain.end()
        weak_verb = lx.WEAK_DUTY_VERB.search(t[m.start() : end])
        reach = 60 if weak_verb else 220
        tail = t[m.end() : end + reach]
        if weak_verb and not lx.COVER_OBJECT.search(tail):
            return False  # "will provide to the Insurer a statement": the insurer is not the object
        head = t[max(0, m.start() - 160) : m.start()]
        own = lx.INSURE_VERB.search(t[m.start() : end]) and not lx.ENSURE_SENSE.search(t, m.start(), end + 100)
        named_cover = lx.COVER_NOUN.search(tail) and policy_mentions_in(tail)
        if own or named_cover or lx.INSURANCE_WORD.search(tail) or lx.INSURANCE_BEFORE_DUTY.search(head):
            return not lx.OPTION_ONLY.search(t[max(0, m.start() - 30) : m.end()])
        return False
