"""The requirements profile: what a contract requires of each policy, in the form a COI
tracker takes (``contract-review requirements``), and what the COI rules read.

It is a view of the :class:`~contract_review.schema.InsuranceProfile` (whichever
extractor produced it): per policy, who carries it, its minimum limits, whether
additional-insured status, a waiver of subrogation and primary/non-contributory wording
apply to it (a term the extractor did not scope to policies applies to every policy, the
additional-insured and primary terms not to workers' compensation or employers'
liability), its form, duration, retroactive date and minimum insurer rating, and when the
certificate is due; every value with its quotes. The parties' legal names, which a
certificate shows, are read from the contract's preamble.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..parties import DEFINED_NAME, PREAMBLE_CHARS, defined_parties
from ..schema import (
    POLICY_TERMS,
    Citation,
    ContractTerm,
    InsuranceProfile,
    Limit,
    Policy,
    PolicyType,
    Stated,
    Term,
    UngroundedQuote,
)

NOT_LIABILITY = frozenset({"workers_compensation", "employers_liability"})
TERMS = POLICY_TERMS

_LEGAL_NAME = re.compile(
    r"(?:(?:\bbetween|\band|\bby|\bwith)\s+|^\s*)(?P<name>[A-Z][^()\"]{1,90}?)"
    r"(?:,\s+(?:a|an)\s|,\s+having|,\s+with|\s*\(|,\s+organi[sz]ed|,\s+incorporated|,\s+whose)",
)


def legal_names(text: str, limit: int = PREAMBLE_CHARS) -> dict[str, str]:
    """The legal name the preamble gives each defined party: ``{"Vendor": "Redline Cipher
    Labs, LLC"}`` (a party whose legal name cannot be read is left out)."""
    out: dict[str, str] = {}
    parties = set(defined_parties(text, limit))
    for m in DEFINED_NAME.finditer(text, 0, min(len(text), limit)):
        name = m.group(1).strip()
        if name not in parties or name in out:
            continue
        before = text[max(0, m.start() - 300) : m.end()]
        before = re.split(r"\)|;|\n\s*\n", before[: -(m.end() - m.start())])[-1] + text[m.start() : m.start() + 1]
        found = list(_LEGAL_NAME.finditer(" ".join(before.split())))
        numbered = [f for f in found if f.start() == 0]  # "(1) ACME LIMITED, incorporated ...": the name opens it
        if found:
            out[name] = (numbered or found)[-1].group("name").strip().rstrip(",")
    return out


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PolicyRequirement(_Model):
    """What the contract requires of one policy (terms resolved: a term not scoped by the
    extractor applies as the contract states it generally)."""

    type: PolicyType
    carried_by: list[str] = Field(default_factory=list)
    carried_by_evidence: list[Citation] = Field(default_factory=list)
    limits: list[Limit] = Field(default_factory=list)
    evidence: list[Citation] = Field(default_factory=list)
    additional_insured: Term = Field(default_factory=Term)
    waiver_of_subrogation: Term = Field(default_factory=Term)
    primary_noncontributory: Term = Field(default_factory=Term)
    coverage_form: str | None = None
    coverage_form_evidence: list[Citation] = Field(default_factory=list)
    duration: Stated | None = None
    tail_years: float | None = None
    retroactive_date: Stated | None = None
    min_rating: Stated | None = None


class Requirements(_Model):
    """The contract side of a COI check."""

    contract: str
    insurance_required: bool
    obligated_parties: list[str] = Field(default_factory=list)
    protected_parties: list[str] = Field(
        default_factory=list, description="The other defined parties: the ones a certificate is held by."
    )
    legal_names: dict[str, str] = Field(default_factory=dict, description="Defined party name -> legal name.")
    certificate_due: Stated | None = None
    certificate_required: Term = Field(default_factory=Term)
    policies: list[PolicyRequirement] = Field(default_factory=list)
    contract_term: ContractTerm | None = Field(
        None, description="When the contract's term ends (cover must last until then); null when not determinable."
    )
    ungrounded: list[UngroundedQuote] = Field(
        default_factory=list,
        description="What the extractor proposed that was dropped: a quote not in the contract, a value no quote says.",
    )


def _term(profile: InsuranceProfile, pol: Policy, name: str) -> Term:
    own = getattr(pol, name)
    if own is not None:
        return own
    general: Term = getattr(profile, name)
    if not general.present or (name != "waiver_of_subrogation" and pol.type in NOT_LIABILITY):
        return Term()
    return general


def requirements_of(contract: str, text: str, profile: InsuranceProfile) -> Requirements:
    """The requirements a certificate is checked against, from the contract's profile."""
    names = legal_names(text)
    parties = defined_parties(text)
    obligated = [" ".join(n.split()) for n in profile.obligated_parties]
    protected = [p for p in parties if p.casefold() not in {o.casefold() for o in obligated}]
    req = Requirements(
        contract=contract,
        insurance_required=profile.insurance_required,
        obligated_parties=obligated,
        protected_parties=protected,
        legal_names=names,
        certificate_due=profile.certificate_due,
        certificate_required=profile.certificate_of_insurance,
        contract_term=profile.contract_term,
        ungrounded=list(profile.ungrounded),
    )
    for pol in profile.policies:
        req.policies.append(
            PolicyRequirement(
                type=pol.type,
                carried_by=pol.carried_by or obligated,
                carried_by_evidence=pol.carried_by_evidence or list(profile.insurance_evidence[:1]),
                limits=list(pol.limits),
                evidence=list(pol.evidence),
                **{name: _term(profile, pol, name) for name in TERMS},
                coverage_form=pol.coverage_form,
                coverage_form_evidence=list(pol.coverage_form_evidence),
                duration=pol.duration,
                tail_years=pol.tail_years,
                retroactive_date=pol.retroactive_date,
                min_rating=pol.min_rating,
            )
        )
    return req


# --------------------------------------------------------------------------- export

ROW_FIELDS = ("contract", "policy", "requirement", "value", "quote", "page")


def _cite(cites: list[Citation]) -> tuple[str, str]:
    if not cites:
        return "", ""
    return " ".join(cites[0].quote.split()), str(cites[0].page)


def rows(req: Requirements) -> list[dict[str, Any]]:
    """One row per policy x requirement (the CSV a COI tracker imports)."""
    out: list[dict[str, Any]] = []

    def add(policy: str, requirement: str, value: Any, cites: list[Citation]) -> None:
        quote, page = _cite(cites)
        out.append(
            {
                "contract": req.contract,
                "policy": policy,
                "requirement": requirement,
                "value": value,
                "quote": quote,
                "page": page,
            }
        )

    for p in req.policies:
        add(p.type, "carried_by", "; ".join(p.carried_by), p.carried_by_evidence)
        for lim in p.limits:
            amount = "redacted" if lim.redacted else f"{lim.amount:,.0f} {lim.currency or ''}".strip()
            add(p.type, f"limit.{lim.basis}", amount, p.evidence)
        for name in TERMS:
            term = getattr(p, name)
            add(p.type, name, "required" if term.present else "not required", term.evidence)
        if p.coverage_form:
            add(p.type, "coverage_form", p.coverage_form, p.coverage_form_evidence)
        for name in ("duration", "retroactive_date", "min_rating"):
            stated = getattr(p, name)
            if stated is not None:
                add(p.type, name, stated.value, stated.evidence)
    if req.certificate_due is not None:
        add("", "certificate_due", req.certificate_due.value, req.certificate_due.evidence)
    if req.contract_term is not None:
        end = req.contract_term.end.isoformat() + (" (renews)" if req.contract_term.renews else "")
        add("", "term_end", end, req.contract_term.evidence)
    return out


def to_csv(req: Requirements) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=ROW_FIELDS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows(req))
    return buf.getvalue()


def to_yaml(req: Requirements) -> str:
    import yaml

    return yaml.safe_dump(req.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
