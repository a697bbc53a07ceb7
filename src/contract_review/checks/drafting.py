"""Suggested clauses written for the contract at hand.

A rule's *Use instead* clause is a generic example with generic roles ("Supplier",
"Customer"): fine for the docs, wrong in a lawyer's draft. :class:`Drafter` writes each
suggestion for the contract being reviewed: the party that must carry the insurance and the
party it protects as the contract names them (the obligated party the extractor found, the
other of the two parties the preamble defines; "each party" / "the other party" when the
obligation is mutual; a bracketed neutral term such as ``[Protected Party]`` that a lawyer can
search for when a name cannot be known), the policies the contract actually requires, the
amounts of the playbook, and the numbering of the contract's insurance section ("required by
this Section 10"). Nothing here reads the document text: only the profile and the playbook.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from ..extract import lexicon as lx
from ..extract.amounts import find_amounts
from ..parties import counterparty
from ..schema import TERM_FIELDS, Citation, Fix, InsuranceProfile

if TYPE_CHECKING:  # pragma: no cover
    from ..playbook import MinLimit, Playbook

#: Who a reviewed document's comments are written for.
Audience = Literal["internal", "counterparty"]
AUDIENCES: tuple[str, ...] = ("internal", "counterparty")

#: A counterparty comment per rule: a request, in the contract's names.
REQUESTS = {
    "no-insurance-clause": "We ask that the agreement include the insurance section proposed here, so that the "
    "indemnities are backed by insurance.",
    "missing-additional-insured": "We ask that {protected} be named as an additional insured under the liability "
    "policies required of {insured}.",
    "missing-waiver-of-subrogation": "We ask that {insured} waive, and have its insurers waive, rights of "
    "subrogation against {protected}.",
    "vague-insurance-language": "We ask that the insurance obligation name the policies and minimum limits "
    "required, as proposed here, rather than a general standard.",
    "missing-minimum-limits": "We ask that the agreement state minimum limits for the required insurance.",
    "missing-certificate-of-insurance": "We ask that certificates of insurance be delivered before performance "
    "begins and on each renewal.",
    "missing-primary-noncontributory": "We ask that the insurance required of {insured} be primary and "
    "non-contributory to {protected}'s own insurance.",
    "missing-cancellation-notice": "We ask for prior written notice of any cancellation, non-renewal or material "
    "reduction of the required insurance.",
    "limit-below-playbook": "We ask that this limit be increased as shown, to the minimum we can accept for this "
    "engagement.",
    "missing-required-policy": "We ask that the agreement also require the insurance proposed here.",
    "struck-insurance-protection": "We cannot accept this change and ask that the original wording be kept, as "
    "restored here.",
}
DEFAULT_REQUEST = "We ask that you consider the change proposed here."

#: Stand-ins for a party whose name cannot be known from the contract.
INSURED_PARTY = "[Insured Party]"
PROTECTED_PARTY = "[Protected Party]"

#: How a clause names each policy type.
CLAUSE_NAMES = {
    "general_liability": "commercial general liability",
    "product_liability": "product liability",
    "professional_liability": "professional liability",
    "technology_eo": "technology errors and omissions",
    "cyber": "cyber liability (network security and privacy liability)",
    "workers_compensation": "workers' compensation",
    "employers_liability": "employers' liability",
    "auto": "automobile liability",
    "umbrella_excess": "umbrella or excess liability",
    "property": "property",
    "d_and_o": "directors' and officers' liability",
    "clinical_trial": "clinical trial liability",
    "media_liability": "media liability",
    "crime_fidelity": "crime and fidelity",
    "other": "other",
}
#: Policies on which an additional insured is usually endorsed.
AI_POLICIES = ("general_liability", "auto", "umbrella_excess", "product_liability")
BASIS_WORDS = {
    "per_occurrence": "per occurrence",
    "aggregate": "in the aggregate",
    "per_claim": "per claim",
    "combined_single": "combined single limit",
    "each_accident": "each accident",
    "per_person": "per person",
    "other": "per occurrence",
}
SYMBOLS = {"USD": "$", "GBP": "\u00a3", "EUR": "\u20ac"}
NUMBER_WORDS = {
    5: "five",
    7: "seven",
    10: "ten",
    14: "fourteen",
    15: "fifteen",
    20: "twenty",
    30: "thirty",
    45: "forty-five",
    60: "sixty",
    90: "ninety",
}


def clause_money(amount: float, currency: str) -> str:
    """An amount as a clause writes it: ``$5,000,000``, ``£2,000,000``, ``CAD 1,000,000``."""
    figure = f"{amount:,.2f}".removesuffix(".00")
    symbol = SYMBOLS.get(currency.upper())
    return f"{symbol}{figure}" if symbol else f"{currency.upper()} {figure}"


def days(n: int) -> str:
    word = NUMBER_WORDS.get(n)
    return f"{word} ({n}) days'" if word else f"{n} days'"


def title_case(text: str) -> str:
    small = {"and", "or", "of", "the", "a", "an", "in", "on", "for", "to"}
    words = text.replace("(", "").replace(")", "").split()
    return " ".join(w if i and w in small else w[:1].upper() + w[1:] for i, w in enumerate(words))


@dataclass
class Drafter:
    """Writes suggested clauses for one contract (``profile``) under one ``playbook``."""

    profile: InsuranceProfile
    playbook: Playbook

    # ------------------------------------------------------------------ who and where
    @cached_property
    def obligated(self) -> list[str]:
        out: list[str] = []
        for name in self.profile.obligated_parties:
            name = " ".join(name.split())
            if name and name.casefold() not in (p.casefold() for p in out):
                out.append(name)
        return out

    @property
    def mutual(self) -> bool:
        return len(self.obligated) > 1

    @cached_property
    def insured(self) -> str:
        """The party that must carry the insurance, as the contract names it."""
        if self.mutual:
            return "Each party"
        return self.obligated[0] if self.obligated else INSURED_PARTY

    @cached_property
    def protected(self) -> str:
        """The party the insurance protects: the other of the contract's two parties."""
        if self.mutual:
            return "the other party"
        if self.obligated:
            other = counterparty(self.obligated[0], self.profile.contract_parties)
            if other:
                return other
        return PROTECTED_PARTY

    @property
    def its(self) -> str:
        """The insured party's possessive: "its", or "your" where the contract calls it "you"."""
        return "your" if self.insured.casefold() == "you" else "its"

    @property
    def verb_s(self) -> str:
        """The present-tense ending that agrees with the insured party ("waives", "you waive")."""
        return "" if self.insured.casefold() == "you" else "s"

    @cached_property
    def section(self) -> str:
        """How a clause refers to the insurance section: "this Section 10", "this clause 9"."""
        sec = self.profile.insurance_section
        if sec is None or not sec.number:
            return "this Agreement"
        return f"this {sec.called} {sec.number}"

    # ------------------------------------------------------------------ what
    @cached_property
    def policy_types(self) -> list[str]:
        """The policies the contract requires, in its order, each once."""
        out: list[str] = []
        for p in self.profile.policies:
            if p.type not in out and p.type != "other":
                out.append(p.type)
        return out

    def limits_for(self, policy_type: str) -> list[MinLimit]:
        """The playbook's amounts for a policy type: its minimums when it requires the type
        (or accepts it in place of one it requires), else its drafting amounts."""
        for req in self.playbook.required_policies:
            if policy_type in req.accepted_types and req.min_limits:
                return list(req.min_limits)
        return list(self.playbook.drafting.limits.get(policy_type, []))  # type: ignore[call-overload]

    def policy_phrase(self, policy_type: str) -> str:
        """ "commercial general liability insurance with limits of not less than $1,000,000
        per occurrence and $2,000,000 in the aggregate"."""
        name = CLAUSE_NAMES[policy_type]
        if policy_type == "workers_compensation":
            return f"{name} insurance as required by law"
        if policy_type == "property":
            return f"{name} insurance for the full replacement value of the property at risk"
        lims = self.limits_for(policy_type)
        if not lims:
            return f"{name} insurance with limits of not less than $[amount] per occurrence"
        amounts = " and ".join(f"{clause_money(m.amount, m.currency)} {BASIS_WORDS[m.basis]}" for m in lims)
        return f"{name} insurance with limits of not less than {amounts}"

    def coverage_list(self, types: list[str]) -> str:
        phrases = [self.policy_phrase(t) for t in types]
        if len(phrases) <= 2:
            return " and ".join(phrases)
        return "; ".join(f"({chr(97 + i)}) {p}" for i, p in enumerate(phrases[:-1])) + (
            f"; and ({chr(97 + len(phrases) - 1)}) {phrases[-1]}"
        )

    @cached_property
    def required_types(self) -> list[str]:
        """The policies a clause about limits names: the contract's, else the playbook's."""
        return (
            self.policy_types
            or [r.type for r in self.playbook.required_policies]
            or list(self.playbook.drafting.policies)
        )

    # ------------------------------------------------------------------ clauses
    def maintain(self, types: list[str], who: str | None = None) -> str:
        """``who`` (default: the insured party) maintains ``types`` with the playbook's amounts."""
        who = who or self.insured
        its = "your" if who.casefold() == "you" else "its"
        return (
            f"{who} shall maintain, at {its} own expense and throughout the term of this Agreement, "
            f"{self.coverage_list(types)}."
        )

    def additional_insured(self) -> str:
        ai = [CLAUSE_NAMES[t] for t in self.policy_types if t in AI_POLICIES]
        policies = (" and ".join(ai) + " policies") if ai else "liability policies"
        return (
            f"{self.insured} shall cause {self.protected}, its affiliates and their respective officers, directors "
            f"and employees to be named as additional insureds under {self.its} {policies} required by {self.section}, "
            "by endorsement, with respect to liability arising out of the performance of this Agreement."
        )

    def waiver(self) -> str:
        return (
            f"{self.insured} waive{self.verb_s}, and shall cause {self.its} insurers to waive, all rights of subrogation against "
            f"{self.protected} and its affiliates under each policy required by {self.section}."
        )

    def certificate(self) -> str:
        return (
            f"Before performing under this Agreement and upon each renewal of {self.its} policies, {self.insured} shall "
            f"deliver to {self.protected} certificates of insurance evidencing the coverage required by "
            f"{self.section}."
        )

    def primary(self) -> str:
        whose = "each party" if self.mutual else self.insured
        return (
            f"The insurance required of {whose} by {self.section} shall be primary and non-contributory to any "
            f"insurance or self-insurance maintained by {self.protected}."
        )

    def notice(self) -> str:
        return (
            f"{self.insured} shall give {self.protected} at least {days(self.playbook.drafting.notice_days)} prior "
            f"written notice of any cancellation, non-renewal or material reduction of the insurance required by "
            f"{self.section}."
        )

    def insurance_article(self) -> str:
        """A whole insurance section, for a contract that has none."""
        return " ".join(
            [
                self.maintain(self.required_types),
                self.additional_insured(),
                self.waiver(),
                self.primary(),
                self.certificate(),
                self.notice(),
            ]
        )

    # ------------------------------------------------------------------ fixes
    def insert(self, caption: str, text: str) -> Fix:
        sec = self.profile.insurance_section
        return Fix(action="insert", caption=caption, text=text, at=sec.end if sec else None)

    def replace_vague(self, quote: Citation) -> Fix | None:
        """Replace a vague obligation with one that states policies and amounts. The span
        replaced is the quote without the heading lines and clause number it starts with; when
        the contract already states limits and the quote names no policy, there is nothing
        definite to put in its place (None)."""
        target = _clause_of(quote)
        subject = _whole_obligation(target.quote)
        if subject is None or len(target.quote) > MAX_REPLACED or self._holds_a_term(target):
            # A fragment or list item (a sentence in its place would not read), a long sentence
            # that may oblige more than insurance, or one that also holds another term: a
            # replacement would lose words that matter, so the suggestion stays a comment.
            return None
        named = [t for t in self.policy_types if _overlaps_policy(self.profile, t, quote)]
        if not named and self.profile.has_minimum_limits:
            return None
        types = named or self.required_types
        who = subject if subject.casefold() in (p.casefold() for p in self.obligated) else None
        return Fix(action="replace", target=target, text=self.maintain(types, who), policies=types)

    def vague_suggestion(self, quote: Citation) -> str:
        """What to say instead of a vague obligation, whether or not it can be replaced in place."""
        named = [t for t in self.policy_types if _overlaps_policy(self.profile, t, quote)]
        subject = _whole_obligation(_clause_of(quote).quote)
        who = subject if subject and subject.casefold() in (p.casefold() for p in self.obligated) else None
        return self.maintain(named or self.required_types, who)

    def _holds_a_term(self, span: Citation) -> bool:
        return any(
            c.start < span.end and span.start < c.end
            for name in TERM_FIELDS
            for c in getattr(self.profile, name).evidence
        )

    def raise_limit(
        self, evidence: list[Citation], amount: float, currency: str, new: MinLimit, types: tuple[str, ...]
    ) -> Fix | None:
        """Replace the written amount ``amount`` of a policy of ``types`` in its quotes by the
        minimum ``new``: the occurrence that the nearest policy named before it is one of
        ``types`` and that the words after it give ``new``'s kind of basis (aggregate or per
        event). None when no occurrence is that one for sure."""
        for c in evidence:
            for a in find_amounts(c.quote):
                if a.value != amount or (a.currency or "").upper() != currency.upper():
                    continue
                if _policy_before(c.quote, a.start) not in (*types, None):
                    continue
                if _is_aggregate(c.quote[a.end : a.end + 60]) != (new.basis == "aggregate"):
                    continue
                start = c.start + a.start
                span = Citation(quote=c.quote[a.start : a.end], page=c.page, start=start, end=c.start + a.end)
                return Fix(action="replace", target=span, text=clause_money(new.amount, new.currency))
        return None


def _policy_before(text: str, end: int) -> str | None:
    """The type of the policy named last before ``end`` in ``text`` (None when none is)."""
    best: tuple[int, str] | None = None
    for typ, pat in lx.POLICY_PATTERNS:
        for m in pat.finditer(text, 0, end):
            if best is None or m.end() > best[0]:
                best = (m.end(), typ)
    return best[1] if best else None


def _is_aggregate(after: str) -> bool:
    """Whether the words just after an amount make it an aggregate limit."""
    head = re.split(r"[;]|\$|\bper\b|\beach\b", after, maxsplit=1)[0] if not after.lstrip().startswith("per") else ""
    return bool(re.search(r"\baggregate\b", head, re.IGNORECASE))


#: A clause number at the start of a line ("6.1 ", "(a) ", "Section 4.2 ").
_LEAD = re.compile(
    r"^[ \t]*(?:(?:Section|SECTION|Article|ARTICLE|Clause|CLAUSE)[ \t]+)?(?:\d{1,3}(?:\.\d{1,3})*\.?|\([a-z]{1,3}\))[ \t]+"
)


def _is_heading(line: str) -> bool:
    words = line.split()
    return len(words) <= 8 and " shall " not in f" {line} " and not line.rstrip().endswith((",", ";"))


def _clause_of(quote: Citation) -> Citation:
    """``quote`` without the heading lines ("6. INSURANCE") and the clause number ("6.1 ")
    it starts with: the words a replacement takes the place of."""
    text, offset = quote.quote, 0
    while "\n" in text[offset:] and _is_heading(text[offset : text.index("\n", offset)]):
        offset = text.index("\n", offset) + 1
    m = _LEAD.match(text[offset:])
    if m:
        offset += m.end()
    if not text[offset:].strip():
        return quote
    return Citation(quote=text[offset:], page=quote.page, start=quote.start + offset, end=quote.end)


#: A whole obligation: a sentence that starts with its subject and binds it ("Vendor shall carry
#: insurance as required by Customer.", "The Consultant will maintain adequate insurance."); a
#: right ("shall have the right to self-insure") is not one.
_OBLIGATION = re.compile(
    r"^(?:The |Each )?(?P<who>[A-Z][\w.&'-]*(?: [A-Z][\w.&'-]*){0,3}) (?:shall|must|will|agrees to|is to)\b"
    r"(?! (?:have|be entitled|retain)\b)[^\n]*[.;]\s*$"
)
#: The longest vague sentence replaced whole; a longer one may oblige more than insurance.
MAX_REPLACED = 200


def _whole_obligation(text: str) -> str | None:
    """The subject of ``text`` when it is one whole obligation sentence, else None."""
    m = _OBLIGATION.match(text.strip())
    return m.group("who") if m and text.count(". ") <= 1 else None


def _overlaps_policy(profile: InsuranceProfile, policy_type: str, quote: Citation) -> bool:
    return any(
        c.start < quote.end and quote.start < c.end
        for p in profile.policies
        if p.type == policy_type
        for c in p.evidence
    )
