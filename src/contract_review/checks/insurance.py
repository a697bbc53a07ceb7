"""The built-in insurance rules. They read only the :class:`InsuranceProfile` (whichever
extractor produced it) and the playbook; each is registered with :func:`rule`, exactly as a
plugin would register its own."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .. import fmt
from ..extract.amounts import find_amounts
from ..fmt import short
from ..schema import AmountChange, Citation, Fix, InsuranceProfile, Limit, Policy, Revision
from .drafting import CLAUSE_NAMES, Drafter, title_case
from .registry import Hit, rule

if TYPE_CHECKING:  # pragma: no cover
    from ..playbook import MinLimit, Playbook, PolicyRequirement

POLICY_LABELS = {
    "general_liability": "general liability",
    "product_liability": "product liability",
    "professional_liability": "professional liability",
    "technology_eo": "technology errors and omissions",
    "cyber": "cyber liability",
    "workers_compensation": "workers' compensation",
    "employers_liability": "employers' liability",
    "auto": "automobile liability",
    "umbrella_excess": "umbrella/excess liability",
    "property": "property",
    "d_and_o": "directors' and officers' liability",
    "clinical_trial": "clinical trial liability",
    "media_liability": "media liability",
    "crime_fidelity": "crime/fidelity",
    "other": "other",
}

BASIS_LABELS = {
    "per_occurrence": "per occurrence",
    "aggregate": "aggregate",
    "per_claim": "per claim",
    "combined_single": "combined single limit",
    "each_accident": "each accident",
    "per_person": "per person",
    "other": "(basis not stated)",
}

# How a contract limit's basis relates to a playbook minimum's basis (see INS008's Known limits).
PER_EVENT = frozenset({"per_occurrence", "per_claim", "each_accident", "combined_single"})
COMPARABLE_BASES: dict[str, frozenset[str]] = {
    **{b: PER_EVENT | {"other"} for b in PER_EVENT},
    "other": PER_EVENT | {"other"},
    "aggregate": frozenset({"aggregate"}),
    "per_person": frozenset({"per_person"}),
}

MAX_EVIDENCE = 3


def money(amount: float | None, currency: str | None) -> str:
    return fmt.money(amount, currency, unknown_currency="(currency not stated)")


def describe_limit(lim: Limit) -> str:
    return f"{money(lim.amount, lim.currency)} {BASIS_LABELS[lim.basis]}"


def _dedupe(cites: list[Citation], limit: int = MAX_EVIDENCE) -> list[Citation]:
    seen, out = set(), []
    for c in sorted(cites, key=lambda c: c.start):
        if (c.start, c.end) not in seen:
            seen.add((c.start, c.end))
            out.append(c)
    return out[:limit]


def insurance_clause(profile: InsuranceProfile) -> list[Citation]:
    """Where an absent term belongs: the quotes that establish the insurance requirement,
    else the policies' quotes."""
    cites = list(profile.insurance_evidence)
    if not cites:
        for p in profile.policies:
            cites.extend(p.evidence)
    return _dedupe(cites)


def parties(profile: InsuranceProfile) -> list[str]:
    """The obligated parties as the contract names them, each once, on one line."""
    out: list[str] = []
    for name in profile.obligated_parties:
        name = " ".join(name.split())
        if name and name.casefold() not in (p.casefold() for p in out):
            out.append(name)
    return out


def who(profile: InsuranceProfile) -> str:
    return " and ".join(parties(profile)) or "a party"


def _absent(profile: InsuranceProfile, what: str, caption: str = "", clause: str = "", term: str = "") -> Hit:
    """A term the contract lacks; ``clause`` (written for the contract) is the suggestion,
    inserted as a new sub-clause ``caption`` of its insurance section, unless a tracked
    deletion struck the ``term``'s wording: putting that back is INS010's fix."""
    hit = Hit(f"{who(profile)} must carry insurance, but the contract {what}", insurance_clause(profile))
    if clause:
        sec = profile.insurance_section
        hit.suggestion = clause
        if not any(term in rev.struck for rev in profile.revisions):
            hit.fixes = [Fix(action="insert", caption=caption, text=clause, at=sec.end if sec else None)]
    return hit


@rule(
    code="INS000",
    slug="no-insurance-clause",
    severity="medium",
    requires_insurance=False,
    roles=("Supplier", "Customer"),
)
def no_insurance_clause(profile: InsuranceProfile, playbook: Playbook) -> Iterator[Hit]:
    """The contract requires no party to carry insurance.

    What it does:
        Fires when the profile shows no provision by which a party must obtain, maintain or
        represent that it carries insurance. Every other rule is silent on such a contract.
    Why it matters:
        An indemnity is only as good as the balance sheet behind it. Without an insurance
        requirement the other party may be uninsured for the very losses it promises to
        indemnify, and none of the endorsements and limits the other rules check can exist.
    Example:
        Indemnification. Supplier shall defend, indemnify and hold harmless Customer and its
        officers, directors and employees from and against all losses, damages and expenses
        arising out of Supplier's negligence or willful misconduct in performing the Services.
    Use instead:
        Insurance. During the term of this Agreement, Supplier shall maintain, at its own
        expense, commercial general liability insurance with limits of not less than
        $1,000,000 per occurrence and $2,000,000 in the aggregate, and shall deliver to
        Customer a certificate of insurance evidencing that coverage before performing any
        Services.
    Known limits:
        Only as good as the extractor's reading: an insurance requirement that lives in an
        exhibit or schedule that is not part of the file, or in a document incorporated by
        reference, is not seen. A bare option ("Supplier may insure") is not a requirement,
        so it fires; a representation that a party carries insurance counts as one, so it
        does not.
    """
    if not profile.insurance_required:
        n = len(profile.searched)
        searched = f" ({n} section{'s' if n != 1 else ''} searched)" if n else ""
        article = Drafter(profile, playbook).insurance_article()
        fix = Fix(action="insert", level="section", caption="Insurance", text=article)
        yield Hit(f"No party is required to carry insurance{searched}", suggestion=article, fixes=[fix])


@rule(code="INS001", slug="missing-additional-insured", severity="medium", roles=("Supplier", "Customer"))
def missing_additional_insured(profile: InsuranceProfile, playbook: Playbook) -> Iterator[Hit]:
    """Insurance is required, but no party must be named as an additional insured.

    What it does:
        Fires when the contract requires insurance and no clause requires a party to be named
        (or endorsed) as an additional insured on the obligated party's policies. The finding
        cites the insurance clause where the requirement belongs.
    Why it matters:
        Only an insured can claim under a policy. As an additional insured your company can
        claim directly under the other party's liability policy, with its own defence, for
        claims arising from that party's work; without it you depend on a contractual
        indemnity that may be disputed, capped or uncollectable.
    Example:
        Insurance. Supplier shall maintain commercial general liability insurance with limits
        of not less than $1,000,000 per occurrence and $2,000,000 in the aggregate, and shall
        furnish Customer with a certificate of insurance upon request.
    Use instead:
        Insurance. Supplier shall maintain commercial general liability insurance with limits
        of not less than $1,000,000 per occurrence and $2,000,000 in the aggregate, endorsed to
        name Customer, its affiliates and their respective officers, directors and employees
        as additional insureds with respect to liability arising out of the Services.
    Known limits:
        Does not check which policies carry the endorsement or who is named: an additional
        insured requirement on any policy, for any party, silences it. A loss payee or a
        certificate holder is not an additional insured (the rule fires); a party "named as
        an insured" is treated as one (it does not).
    """
    if not profile.additional_insured.present:
        clause = Drafter(profile, playbook).additional_insured()
        yield _absent(
            profile,
            "requires no party to be named as an additional insured",
            "Additional Insured",
            clause,
            "additional_insured",
        )


@rule(code="INS002", slug="missing-waiver-of-subrogation", severity="low", roles=("Contractor", "Owner"))
def missing_waiver_of_subrogation(profile: InsuranceProfile, playbook: Playbook) -> Iterator[Hit]:
    """Insurance is required, but the insurers' rights of subrogation are not waived.

    What it does:
        Fires when the contract requires insurance and contains no waiver of subrogation,
        neither a party's own waiver nor a requirement that its policies waive the insurer's
        rights of recovery.
    Why it matters:
        After paying a loss, an insurer steps into its insured's shoes and may sue whoever
        caused it: your company. A waiver of subrogation keeps the loss with the insurance
        that was bought for it, instead of turning it into a lawsuit between the parties.
    Example:
        Insurance. Contractor shall maintain commercial general liability insurance with
        limits of not less than $1,000,000 per occurrence, naming Owner as an additional
        insured, and workers' compensation insurance as required by law.
    Use instead:
        Insurance. Contractor shall maintain commercial general liability insurance with
        limits of not less than $1,000,000 per occurrence and workers' compensation insurance
        as required by law. Contractor waives, and shall cause its insurers to waive, all
        rights of subrogation against Owner and its affiliates under each policy required by
        this Section.
    Known limits:
        A waiver that applies only "to the extent the policy permits" counts as a waiver. The
        rule does not check that the waiver covers every required policy or runs in favour of
        the right party. A party's own right of subrogation (an indemnitor subrogated to a
        claim) is not a waiver.
    """
    if not profile.waiver_of_subrogation.present:
        clause = Drafter(profile, playbook).waiver()
        yield _absent(
            profile, "contains no waiver of subrogation", "Waiver of Subrogation", clause, "waiver_of_subrogation"
        )


@rule(code="INS003", slug="vague-insurance-language", severity="medium", roles=("Consultant",))
def vague_insurance_language(profile: InsuranceProfile, playbook: Playbook) -> Iterator[Hit]:
    """An insurance obligation states no amount or relies on a qualitative standard.

    What it does:
        Fires when the profile lists vague language: an insurance obligation with no amount
        ("shall maintain general liability insurance"), or one measured by a qualitative
        standard ("adequate", "appropriate", "customary", "reasonable", "in such amounts as
        Supplier deems necessary", "insurance as required"). One finding cites every vague
        quote.
    Why it matters:
        A qualitative standard cannot be checked against a certificate and is argued about
        only after a loss, when it is too late to buy more cover. A fixed amount and basis
        make compliance a yes-or-no question.
    Example:
        Insurance. Consultant shall maintain adequate insurance coverage with reputable
        insurers against such risks and in such amounts as are customary for businesses of
        its size and type.
    Use instead:
        Insurance. Consultant shall maintain professional liability insurance with limits of
        not less than $2,000,000 per claim, commercial general liability insurance with
        limits of not less than $1,000,000 per occurrence, and workers' compensation insurance
        as required by law.
    Known limits:
        The rule trusts the extractor's list: statutory workers' compensation ("as required
        by law") and redacted amounts are not vague, and neither are amounts set in an
        attached schedule. A qualitative word beside a fixed floor ("adequate, but not less
        than $1,000,000") is reported as vague, which a reviewer may accept.
    """
    if profile.vague_language:
        quotes = _dedupe(profile.vague_language, limit=len(profile.vague_language))
        shown = "; ".join(f'"{short(c.quote, 70)}" (p.{c.page})' for c in quotes[:3])
        more = f" and {len(quotes) - 3} more" if len(quotes) > 3 else ""
        n = len(quotes)
        d = Drafter(profile, playbook)
        fixes = [f for f in (d.replace_vague(q) for q in quotes) if f is not None]
        yield Hit(
            f"{n} insurance obligation{'s' if n != 1 else ''} state{'' if n != 1 else 's'} no amount or "
            f"rel{'y' if n != 1 else 'ies'} on a qualitative standard: {shown}{more}",
            quotes,
            suggestion=fixes[0].text if fixes else d.vague_suggestion(quotes[0]),
            fixes=fixes,
        )


@rule(code="INS004", slug="missing-minimum-limits", severity="medium", roles=("Distributor", "Manufacturer"))
def missing_minimum_limits(profile: InsuranceProfile, playbook: Playbook) -> Iterator[Hit]:
    """Insurance is required, but no monetary limit is stated anywhere.

    What it does:
        Fires when the contract requires insurance and no required policy has a monetary
        limit. A redacted amount ($[***]) counts as a limit: the filing hides it, the signed
        contract has one.
    Why it matters:
        A policy with a $100,000 limit satisfies "shall maintain general liability
        insurance". Without a minimum the requirement can be met with cover too thin to pay
        a real claim.
    Example:
        Insurance. Distributor shall carry product liability insurance and commercial general
        liability insurance covering its activities under this Agreement, and shall name
        Manufacturer as an additional insured on those policies.
    Use instead:
        Insurance. Distributor shall carry product liability insurance and commercial general
        liability insurance, each with limits of not less than $2,000,000 per occurrence and
        $5,000,000 in the aggregate, and shall name Manufacturer as an additional insured on
        those policies.
    Known limits:
        Any one limit silences the rule, even when other required policies have none (those
        are reported as vague language, INS003). Amounts set by a formula ("full replacement
        value") are not monetary limits, so a contract whose only amount is a formula fires.
    """
    if not profile.has_minimum_limits:
        d = Drafter(profile, playbook)
        # A clause of policies that take no monetary limit (property at replacement value,
        # statutory workers' compensation) would not state one either: no tracked change then.
        monetary = [t for t in d.required_types if d.limits_for(t)]
        clause = d.maintain(d.required_types)
        hit = _absent(profile, "states no minimum limit for any policy", "Minimum Limits", clause)
        if not monetary:
            hit.fixes = []
        for fix in hit.fixes:
            fix.policies = list(d.required_types)  # type: ignore[arg-type]
        yield hit


@rule(code="INS005", slug="missing-certificate-of-insurance", severity="medium", roles=("Contractor", "Company"))
def missing_certificate_of_insurance(profile: InsuranceProfile, playbook: Playbook) -> Iterator[Hit]:
    """Insurance is required, but no certificate or other evidence of coverage must be delivered.

    What it does:
        Fires when the contract requires insurance and no clause obliges the insured party to
        deliver a certificate of insurance, a copy of the policy or other evidence of coverage,
        not even on request.
    Why it matters:
        Without a right to evidence you learn that the cover was never bought, or has lapsed,
        after the claim. A certificate before work starts is the cheapest control there is.
    Example:
        Insurance. Contractor shall maintain commercial general liability insurance with
        limits of not less than $1,000,000 per occurrence and automobile liability insurance
        with a combined single limit of not less than $1,000,000.
    Use instead:
        Insurance. Contractor shall maintain commercial general liability insurance with
        limits of not less than $1,000,000 per occurrence and automobile liability insurance
        with a combined single limit of not less than $1,000,000. Before starting any work and
        upon each renewal, Contractor shall deliver to Company certificates of insurance
        evidencing the coverage required by this Section.
    Known limits:
        Evidence delivered "on request" counts. The rule does not check when the certificate
        is due (before work starts or later) or that it must show the endorsements.
    """
    if not profile.certificate_of_insurance.present:
        clause = Drafter(profile, playbook).certificate()
        what = "does not require a certificate of insurance or other evidence of coverage"
        yield _absent(profile, what, "Certificates of Insurance", clause, "certificate_of_insurance")


@rule(code="INS006", slug="missing-primary-noncontributory", severity="low", roles=("Vendor", "Client"))
def missing_primary_noncontributory(profile: InsuranceProfile, playbook: Playbook) -> Iterator[Hit]:
    """Insurance is required, but it need not be primary and non-contributory.

    What it does:
        Fires when the contract requires insurance and does not say that the insured party's
        cover is primary (pays first) and/or non-contributory (does not call on your own
        insurance to share the loss).
    Why it matters:
        Without that wording the other party's insurer may argue that your own policy must
        share the loss, eroding your limits and raising your premiums for a loss the other
        party caused.
    Example:
        Insurance. Vendor shall maintain commercial general liability insurance with limits of
        not less than $1,000,000 per occurrence, naming Client as an additional insured.
    Use instead:
        Insurance. Vendor shall maintain commercial general liability insurance with limits of
        not less than $1,000,000 per occurrence, naming Client as an additional insured. The
        insurance required of Vendor shall be primary and non-contributory to any insurance or
        self-insurance maintained by Client.
    Known limits:
        "Primary" alone silences the rule. The rule does not check which policies the
        wording covers.
    """
    if not profile.primary_noncontributory.present:
        clause = Drafter(profile, playbook).primary()
        yield _absent(
            profile,
            "does not make that insurance primary and non-contributory",
            "Primary and Non-Contributory",
            clause,
            "primary_noncontributory",
        )


@rule(code="INS007", slug="missing-cancellation-notice", severity="low", roles=("Vendor", "Client"))
def missing_cancellation_notice(profile: InsuranceProfile, playbook: Playbook) -> Iterator[Hit]:
    """Insurance is required, but prior notice of its cancellation is not.

    What it does:
        Fires when the contract requires insurance and no clause requires prior notice before
        a policy is cancelled, not renewed or materially changed.
    Why it matters:
        A certificate shows the cover on the day it was issued. Without notice of
        cancellation a policy can lapse mid-contract and you find out when a claim is denied.
    Example:
        Insurance. Vendor shall maintain commercial general liability insurance with limits of
        not less than $1,000,000 per occurrence and shall provide Client with a certificate of
        insurance on request.
    Use instead:
        Insurance. Vendor shall maintain commercial general liability insurance with limits of
        not less than $1,000,000 per occurrence. Vendor shall give Client at least thirty (30)
        days' prior written notice of any cancellation, non-renewal or material reduction of
        that insurance.
    Known limits:
        A duty to report a lapse after it happens does not count (the rule fires). The notice
        period is not checked.
    """
    if not profile.cancellation_notice.present:
        clause = Drafter(profile, playbook).notice()
        what = "requires no prior notice of cancellation, non-renewal or material change"
        yield _absent(profile, what, "Notice of Cancellation", clause, "cancellation_notice")


def _matching_policies(profile: InsuranceProfile, req: PolicyRequirement) -> list[Policy]:
    return [p for p in profile.policies if p.type in req.accepted_types]


def _label(req: PolicyRequirement) -> str:
    return POLICY_LABELS[req.type]


def requirement_clause(profile: InsuranceProfile, playbook: Playbook, req: PolicyRequirement) -> str:
    """A clause that meets ``req`` (the suggestion of INS008 and INS009), in the contract's names."""
    d = Drafter(profile, playbook)
    return f"{d.insured} shall maintain {d.policy_phrase(req.type)} throughout the term of this Agreement."


def _best(pols: list[Policy], minimum: MinLimit) -> Limit | None:
    """The highest limit of ``pols`` comparable with ``minimum`` (same currency, a basis it accepts)."""
    same = [
        lim
        for p in pols
        for lim in p.limits
        if lim.basis in COMPARABLE_BASES[minimum.basis]
        and not lim.redacted
        and lim.amount is not None
        and (lim.currency or "").upper() == minimum.currency
    ]
    return max(same, key=lambda lim: lim.amount or 0, default=None)


def _compare(pols: list[Policy], req: PolicyRequirement, minimum: MinLimit) -> str | None:
    """Compare the limits of ``pols`` with one minimum. Returns None when it is met, a
    message ending in "the playbook minimum of {floor}" when a limit is below it, or an
    information note starting with "i:" and containing "{floors}" when the limits cannot be
    compared (notes with the same text for several minimums are merged)."""
    label = _label(req)
    floor = f"{money(minimum.amount, minimum.currency)} {BASIS_LABELS[minimum.basis]}"
    bases = COMPARABLE_BASES[minimum.basis]
    stated = [lim for p in pols for lim in p.limits]
    candidates = [lim for lim in stated if lim.basis in bases]
    if not candidates:
        what = "no limit" if not stated else f"no {BASIS_LABELS[minimum.basis]} limit"
        return f"i:The {label} requirement states {what} to compare with {{floors}}"
    same = [
        lim
        for lim in candidates
        if not lim.redacted and lim.amount is not None and (lim.currency or "").upper() == minimum.currency
    ]
    if same:
        best = max(same, key=lambda lim: lim.amount or 0)
        if (best.amount or 0) >= minimum.amount:
            return None
        return f"{label.capitalize()} limit {describe_limit(best)} is below the playbook minimum of {floor}"
    if any(lim.redacted or lim.amount is None for lim in candidates):
        return f"i:The {label} limit is redacted and cannot be compared with {{floors}}"
    other = ", ".join(describe_limit(lim) for lim in candidates)
    if all(not lim.currency for lim in candidates):
        why = "states no currency, so it cannot be compared with"
    else:
        why = "is in another currency than"
    return f"i:The {label} limit ({other}) {why} {{floors}}; amounts are not converted, so compare them by hand"


@rule(
    code="INS008",
    slug="limit-below-playbook",
    severity="high",
    example_playbook="technology-services",
    roles=("Provider",),
)
def limit_below_playbook(profile: InsuranceProfile, playbook: Playbook) -> Iterator[Hit]:
    """A required limit is below the playbook's minimum for that policy type and basis.

    What it does:
        For each policy the playbook requires with minimum limits, compares the contract's
        limits for that policy type (or a type the playbook accepts in its place) with each
        minimum. A limit below the minimum is a finding at the rule's severity; a limit that
        cannot be compared (redacted, in another currency, or no limit of a comparable basis)
        is an information note, never an alarm. A policy the contract does not name at all is
        INS009's business.
    Why it matters:
        Limits are the ceiling on what the insurer pays. A $1,000,000 cyber limit does not
        cover a breach of a client's production systems that costs ten times that; the gap
        falls on the party that relied on the contract.
    Example:
        Insurance. Provider shall maintain technology errors and omissions insurance with
        limits of not less than $1,000,000 per claim, cyber liability insurance with limits of
        not less than $1,000,000 per claim, and commercial general liability insurance with
        limits of not less than $500,000 per occurrence.
    Use instead:
        Insurance. Provider shall maintain (a) technology errors and omissions insurance with
        limits of not less than $5,000,000 per claim; (b) cyber liability insurance covering
        network security and privacy liability with limits of not less than $5,000,000 per
        claim; and (c) commercial general liability insurance with limits of not less than
        $1,000,000 per occurrence and $2,000,000 in the aggregate.
    Known limits:
        Bases: a per-occurrence, per-claim, each-accident or combined-single minimum is met by
        a contract limit of any of those four bases, or of an unstated basis ("other"), that
        is at least the minimum; an aggregate minimum only by an aggregate limit; a per-person
        minimum only by a per-person limit. The highest comparable limit counts. Currencies
        are never converted: a limit in another currency than the minimum's gets an info note.
        Redacted limits cannot be compared (info). Umbrella or excess cover is not stacked on
        the underlying policy, so "$1,000,000 CGL plus $5,000,000 umbrella" does not meet a
        $2,000,000 CGL minimum. A combined policy ("technology E&O including network security
        and privacy liability, $5,000,000 per claim") whose limit the extractor attaches to one
        type only gets an info note ("states no limit") for the other. Deductibles, retentions
        and sub-limits are not read.
    """
    for req in playbook.required_policies:
        pols = _matching_policies(profile, req)
        if not pols:
            continue
        evidence = _dedupe([c for p in pols for c in p.evidence])
        clause = requirement_clause(profile, playbook, req)
        notes: dict[str, list[str]] = {}
        d = Drafter(profile, playbook)
        for minimum in req.min_limits:
            outcome = _compare(pols, req, minimum)
            if outcome is None:
                continue
            if not outcome.startswith("i:"):
                best = _best(pols, minimum)
                cites = [c for p in pols for c in p.evidence]
                fix = (
                    d.raise_limit(cites, best.amount or 0, minimum.currency, minimum, req.accepted_types)
                    if best
                    else None
                )
                yield Hit(outcome, evidence, suggestion=clause, fixes=[fix] if fix else [])
                continue
            notes.setdefault(outcome[2:], []).append(
                f"{money(minimum.amount, minimum.currency)} {BASIS_LABELS[minimum.basis]}"
            )
        for template, floors in notes.items():
            plural = "s" if len(floors) > 1 else ""
            message = template.format(floors=f"the playbook minimum{plural} of {' and '.join(floors)}")
            yield Hit(message, evidence, severity="info", suggestion=clause)


@rule(
    code="INS009",
    slug="missing-required-policy",
    severity="high",
    example_playbook="technology-services",
    roles=("Provider",),
)
def missing_required_policy(profile: InsuranceProfile, playbook: Playbook) -> Iterator[Hit]:
    """A policy type the playbook requires is not required by the contract.

    What it does:
        For each policy type in the playbook's `required_policies`, fires when the contract
        requires no policy of that type (nor of a type the playbook accepts in its place). The
        finding cites the insurance clause where the policy belongs and suggests a clause with
        the playbook's minimum limits.
    Why it matters:
        Each line of cover answers a different risk. General liability excludes the financial
        loss of a failed or negligent technology service and most data-breach costs; if the
        engagement puts your data and systems at risk, technology E&O and cyber cover are what
        pays.
    Example:
        Insurance. Provider shall maintain commercial general liability insurance with limits
        of not less than $1,000,000 per occurrence and $2,000,000 in the aggregate, and
        workers' compensation insurance as required by law.
    Use instead:
        Insurance. Provider shall maintain (a) technology errors and omissions insurance with
        limits of not less than $5,000,000 per claim; (b) cyber liability insurance covering
        network security and privacy liability with limits of not less than $5,000,000 per
        claim; and (c) commercial general liability insurance with limits of not less than
        $1,000,000 per occurrence and $2,000,000 in the aggregate.
    Known limits:
        Policy types are those the extractor assigns; a combined "technology E&O and cyber"
        policy counts for both only if the extractor lists both. The rule does not read
        coverage grants or exclusions, so a "professional liability" policy that excludes
        technology services still satisfies a playbook that accepts it in place of
        technology E&O.
    """
    for req in playbook.required_policies:
        if _matching_policies(profile, req):
            continue
        accepted = ", ".join(POLICY_LABELS[t] for t in req.satisfied_by)
        alt = f" (or {accepted})" if accepted else ""
        clause = requirement_clause(profile, playbook, req)
        sec = profile.insurance_section
        caption = title_case(f"{CLAUSE_NAMES[req.type].split(' (')[0]} insurance")
        yield Hit(
            f"The contract does not require {_label(req)} insurance{alt}, which the playbook requires",
            insurance_clause(profile),
            suggestion=clause,
            fixes=[
                Fix(action="insert", caption=caption, text=clause, at=sec.end if sec else None, policies=[req.type])
            ],
        )


TERM_LABELS = {
    "additional_insured": "additional-insured",
    "waiver_of_subrogation": "waiver-of-subrogation",
    "primary_noncontributory": "primary and non-contributory",
    "certificate_of_insurance": "certificate-of-insurance",
    "cancellation_notice": "cancellation-notice",
}


def _by(rev: Revision) -> str:
    """ "by Jane Roe on 2026-03-02" from the revision's author and date, as far as they are known."""
    who_ = f" by {rev.author}" if rev.author else ""
    when = f" on {rev.date[:10]}" if rev.date and re.match(r"\d{4}-\d\d-\d\d", rev.date) else ""
    return f"{who_}{when or (f' on {rev.date}' if rev.date else '')}"


def _evidence(profile: InsuranceProfile, rev: Revision) -> list[Citation]:
    return [rev.at] if rev.at else insurance_clause(profile)


def _struck_hits(profile: InsuranceProfile, rev: Revision) -> Iterator[Hit]:
    deleted = " ".join(rev.text.split())
    for term in rev.struck:
        label = TERM_LABELS.get(term, term.replace("_", " "))
        term_value = getattr(profile, term, None)
        now = (
            f"other {label} wording remains in the accepted text: check that it still covers what was struck"
            if term_value is not None and term_value.present
            else f"the accepted text has no {label} wording"
        )
        yield Hit(
            f'Tracked deletion{_by(rev)} strikes {label} wording: "{short(deleted, 160)}" (p.{rev.page}); {now}',
            _evidence(profile, rev),
            suggestion=f'Reject the deletion and keep: "{deleted}"',
            fixes=[Fix(action="restore", text=rev.text, at=rev.start)],
        )


def _amount_hits(profile: InsuranceProfile, rev: Revision) -> Iterator[Hit]:
    for ch in rev.amounts:
        old = money(ch.old, ch.old_currency)
        if ch.lowered:
            message = f"Tracked change{_by(rev)} lowers a limit from {old} to {money(ch.new, ch.new_currency)}"
        elif ch.new is None and ch.new_currency is None:
            message = f"Tracked deletion{_by(rev)} strikes a limit of {old}"
        else:
            continue  # a higher limit, or one that cannot be compared (redacted, another currency)
        where = f': "{short(" ".join(rev.text.split()), 160)}" (p.{rev.page})' if rev.kind == "deletion" else ""
        yield Hit(
            message + where,
            _evidence(profile, rev),
            suggestion=f"Reject the change and keep the limit of {old}.",
            fixes=_keep_amount(rev, ch),
        )


def _keep_amount(rev: Revision, ch: AmountChange) -> list[Fix]:
    """Put the struck amount back: in place of the amount inserted for it, else where it was."""
    written = next((a for a in find_amounts(rev.text) if a.value == ch.old), None)
    if written is None:
        return []
    old_text = rev.text[written.start : written.end]
    if ch.new is not None and rev.at is not None:
        news = [a for a in find_amounts(rev.at.quote) if a.value == ch.new and a.currency == ch.new_currency]
        if news:
            near = min(news, key=lambda a: abs(rev.at.start + a.start - rev.start))  # type: ignore[union-attr]
            at = rev.at
            span = Citation(
                quote=at.quote[near.start : near.end],
                page=at.page,
                start=at.start + near.start,
                end=at.start + near.end,
            )
            return [Fix(action="replace", target=span, text=old_text)]
    return [Fix(action="restore", text=old_text, at=rev.start)]


@rule(
    code="INS010",
    slug="struck-insurance-protection",
    severity="high",
    requires_insurance=False,
    roles=("Provider", "Client"),
    tracked_example=True,
)
def insurance_protection_struck(profile: InsuranceProfile, playbook: Playbook) -> Iterator[Hit]:
    """A tracked change in a Word draft strikes insurance protection or lowers a limit.

    What it does:
        Reads the tracked changes of a DOCX draft that touch the insurance terms (the
        profile's `revisions`; the draft itself is read with every change accepted, so the
        other rules judge the text as it would stand). Reports one finding for each deletion
        that takes additional-insured, waiver-of-subrogation, primary and non-contributory,
        certificate or cancellation-notice wording out of its paragraph without the
        paragraph saying it again, for each limit struck without a replacement amount, and
        for each limit lowered (old and new amount). Each finding names the author and date
        of the change, quotes the deleted words and cites the accepted text where they were.
        It also runs when the accepted text requires no insurance at all: a struck insurance
        article is what a reviewer must see first. The Example is CriticMarkup:
        {--deleted--} and {++inserted++} stand for tracked changes.
    Why it matters:
        A redline returned by the other side is read for what it adds; what it quietly
        removes is easy to miss, and once the changes are accepted the struck protection
        leaves no trace. A deleted additional-insured sentence or a halved limit is a
        negotiating point to raise before signing, not a gap to discover after a claim.
    Example:
        Insurance. Provider shall maintain commercial general liability insurance with
        limits of not less than {--$2,000,000--}{++$1,000,000++} per occurrence.
        {--Provider shall name Client as an additional insured on that policy. --}Provider
        shall deliver a certificate of insurance to Client before performing any Services.
    Use instead:
        Insurance. Provider shall maintain commercial general liability insurance with
        limits of not less than $2,000,000 per occurrence. Provider shall name Client as an
        additional insured on that policy and shall deliver a certificate of insurance to
        Client before performing any Services.
    Known limits:
        Only DOCX files carry tracked changes; a PDF or a draft whose changes were already
        accepted shows nothing. Every author's changes are reported (the rule cannot tell
        your side's from theirs). Wording is found by key words: a struck sentence whose
        paragraph still names the term elsewhere (a rewording) is not reported, and an
        inserted qualifier ("to the extent commercially available", "not") that weakens a
        term without deleting its words is listed in the profile but not reported. A
        changed notice period and a raised limit are not findings. A limit is compared
        only with the amount inserted in its place, in the same currency.
    """
    for rev in profile.revisions:
        if rev.kind != "move":
            yield from _struck_hits(profile, rev)
            yield from _amount_hits(profile, rev)
