"""Suggested clauses written for the contract at hand (contract_review.checks.drafting): its
parties, its policies, the playbook's amounts, its section numbering; and each clause, put
into the contract, silences the rule that suggested it."""

from __future__ import annotations

import re

import pytest
from conftest import SAMPLES

from contract_review.checks import RULES, load_playbook
from contract_review.pipeline import Reviewer
from contract_review.playbook import playbook_from_dict
from contract_review.schema import ReviewResult

#: Words contracts use to name a party. A suggestion that uses one the contract does not
#: contain names another contract's party.
ROLES = sorted(
    {role for r in RULES.values() for role in r.roles}
    | {
        "Buyer",
        "Seller",
        "Purchaser",
        "Licensor",
        "Licensee",
        "Lessor",
        "Lessee",
        "Landlord",
        "Tenant",
        "Reseller",
        "Partner",
        "Agency",
        "Consultant",
        "Contractor",
        "Subcontractor",
        "Service Provider",
        "Developer",
        "Sponsor",
        "Institution",
        "Bank",
        "Member",
        "Franchisee",
        "Franchisor",
    }
)
SAMPLE_FILES = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".pdf", ".docx"))


def foreign_parties(result: ReviewResult, text: str) -> list[tuple[str, str]]:
    out = []
    for f in result.findings:
        for words in [f.suggestion, *(fix.text for fix in f.fixes)]:
            for role in ROLES:
                if re.search(rf"\b{role}\b", words) and not re.search(rf"\b{role}\b", text):
                    out.append((f.rule, role))
    return out


@pytest.mark.parametrize("playbook", ["general", "technology-services"])
def test_no_suggestion_names_a_party_the_contract_does_not_have(playbook):
    reviewer = Reviewer(playbook=playbook)
    checked = 0
    for path in SAMPLE_FILES:
        doc = reviewer.load(path)
        result = reviewer.review_document(doc, index=False)
        assert result.status == "ok", path.name
        assert not foreign_parties(result, doc.text), (path.name, foreign_parties(result, doc.text))
        checked += len(result.findings)
    assert checked > 30  # the samples do have findings with suggestions


def test_the_engagement_letter_is_drafted_for_its_consultant():
    result = Reviewer().review(SAMPLES / "02_engagement_letter_vague_insurance.pdf", index=False)
    suggestions = [f.suggestion for f in result.findings]
    assert len(suggestions) == 7
    assert all("Consultant" in s for s in suggestions)
    for role in ("Supplier", "Customer", "Distributor", "Manufacturer", "Contractor", "Company", "Owner"):
        assert not any(role in s for s in suggestions), role
    # Its insurance section is "6. Insurance": suggestions refer to it by number.
    assert any("this Section 6" in s for s in suggestions)


def test_suggestions_are_numbered_as_the_next_sub_clauses_of_the_insurance_section():
    result = Reviewer().review(SAMPLES / "13_pilot_agreement_insurance_as_required.pdf", index=False)
    by_rule = {f.rule: f.suggestion for f in result.findings}
    assert by_rule["INS001"].startswith("6.3 Additional Insured. Vendor shall cause Customer, its affiliates")
    assert by_rule["INS002"].startswith("6.4 Waiver of Subrogation. Vendor waives")
    assert by_rule["INS007"].startswith("6.6 Notice of Cancellation. Vendor shall give Customer at least thirty (30)")
    # The vague "insurance as required by Customer" is replaced in place, with amounts.
    assert by_rule["INS003"].startswith("Vendor shall maintain, at its own expense")
    assert "$1,000,000 per occurrence" in by_rule["INS003"]


def test_a_uk_contract_is_referred_to_by_clause():
    result = Reviewer().review(SAMPLES / "05_uk_services_agreement_gbp.pdf", index=False)
    ai = next(f for f in result.findings if f.rule == "INS001")
    assert "this clause 9" in ai.suggestion and "Supplier shall cause Customer" in ai.suggestion


def test_a_mutual_obligation_is_drafted_for_each_party():
    result = Reviewer().review(SAMPLES / "10_reseller_agreement_redacted_limits.docx", index=False)
    waiver = next(f for f in result.findings if f.rule == "INS002")
    assert waiver.suggestion.startswith("7.5 Waiver of Subrogation. Each party waives")
    assert "against the other party" in waiver.suggestion


def contract(insurance: list[str], parties: str | None = None) -> str:
    parties = parties or (
        'This Licence Agreement is made between Northwind Data Ltd., a Delaware corporation ("Licensor"), and '
        'Southgate Analytics LLC, a New York limited liability company ("Licensee").'
    )
    return "\n".join(
        [
            "LICENCE AGREEMENT",
            parties,
            "1. LICENCE",
            "1.1 Licensor grants Licensee a licence to use the Data.",
            "7. INSURANCE",
            *insurance,
            "8. TERM",
            "8.1 This Agreement continues for two (2) years.",
        ]
    )


def review_text(tmp_path, text: str, playbook="general", name="c.txt") -> tuple:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    reviewer = Reviewer(playbook=playbook)
    doc = reviewer.load(path)
    return doc, reviewer.review_document(doc, index=False)


def apply_fixes(text: str, result: ReviewResult) -> str:
    """``text`` with every fix applied, as a reviewed DOCX's changes accepted would read."""
    edits = []
    for f in result.findings:
        for fix in f.fixes:
            if fix.action == "replace":
                edits.append((fix.target.start, fix.target.end, fix.text))
            elif fix.action == "insert" and fix.at is not None:
                lead = " ".join(x for x in (fix.label, f"{fix.caption}." if fix.caption else "") if x)
                edits.append((fix.at, fix.at, f"\n{lead} {fix.text}"))
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:start] + new + text[end:]
    return text


def test_every_suggested_clause_silences_its_rule_once_in_the_contract(tmp_path):
    text = contract(["7.1 Licensee shall carry such insurance as is customary in its industry."])
    doc, result = review_text(tmp_path, text, playbook="technology-services")
    before = {f.rule for f in result.findings}
    assert {"INS001", "INS002", "INS003", "INS004", "INS005", "INS006", "INS007", "INS009"} <= before
    assert not foreign_parties(result, doc.text)
    fixed = apply_fixes(doc.text, result)
    assert "7.2 Additional Insured. Licensee shall cause Licensor" in fixed
    _, again = review_text(tmp_path, fixed, playbook="technology-services", name="fixed.txt")
    assert [f.rule for f in again.findings if f.severity != "info"] == []


def test_a_low_limit_is_replaced_by_the_playbooks_amount(tmp_path):
    text = contract(
        [
            "7.1 Licensee shall maintain technology errors and omissions insurance with limits of not less than "
            "$1,000,000 per claim and cyber liability insurance with limits of not less than $5,000,000 per claim.",
            "7.2 Licensee shall maintain commercial general liability insurance with limits of not less than "
            "$1,000,000 per occurrence and $2,000,000 in the aggregate.",
        ]
    )
    doc, result = review_text(tmp_path, text, playbook="technology-services")
    (low,) = [f for f in result.findings if f.rule == "INS008"]
    (fix,) = low.fixes
    assert (fix.target.quote, fix.text) == ("$1,000,000", "$5,000,000")
    assert doc.text[fix.target.start : fix.target.end] == "$1,000,000"
    assert doc.text.index("$1,000,000 per claim") == fix.target.start
    _, again = review_text(tmp_path, apply_fixes(doc.text, result), "technology-services", "fixed.txt")
    assert "INS008" not in {f.rule for f in again.findings}


def test_the_playbooks_drafting_amounts_and_notice_period_are_used(tmp_path):
    pb = playbook_from_dict(
        {
            "name": "ours",
            "drafting": {
                "notice_days": 60,
                "policies": ["professional_liability"],
                "limits": {"professional_liability": [{"amount": 3000000, "basis": "per_claim"}]},
            },
        }
    )
    path = tmp_path / "c.txt"
    path.write_text(contract(["7.1 Licensee shall maintain adequate insurance."]), encoding="utf-8")
    result = Reviewer(playbook=pb).review(path, index=False)
    by_rule = {f.rule: f.suggestion for f in result.findings}
    assert "professional liability insurance with limits of not less than $3,000,000 per claim" in by_rule["INS003"]
    assert "sixty (60) days' prior written notice" in by_rule["INS007"]


def test_required_minimums_win_over_drafting_amounts():
    pb = load_playbook("technology-services")
    from contract_review.checks.drafting import Drafter
    from contract_review.schema import InsuranceProfile

    d = Drafter(InsuranceProfile(insurance_required=True, obligated_parties=["Vendor"]), pb)
    assert "$5,000,000 per claim" in d.policy_phrase("professional_liability")  # accepted in place of tech E&O
    assert "$1,000,000 per occurrence and $2,000,000 in the aggregate" in d.policy_phrase("general_liability")
    assert d.policy_phrase("workers_compensation") == "workers' compensation insurance as required by law"


def test_unknown_parties_are_neutral_terms_a_lawyer_can_search_for(tmp_path):
    text = contract(
        [
            "7.1 Consultant shall maintain commercial general liability insurance with limits of not less than "
            "$1,000,000 per occurrence."
        ],
        parties="Dear Ms. Reyes, this letter sets out the terms on which we will act for you.",
    )
    _, result = review_text(tmp_path, text)
    ai = next(f for f in result.findings if f.rule == "INS001")
    assert ai.suggestion.startswith("7.2 Additional Insured. Consultant shall cause [Protected Party], its")
    assert not re.search(r"\b(?:Supplier|Customer|Vendor|Client)\b", ai.suggestion)


@pytest.mark.parametrize(
    "clause",
    [
        # a list item: a sentence in its place would not read
        "Licensee shall maintain: (a) commercial general liability insurance of $1,000,000 per occurrence;\n"
        "(b) such other insurance as is customary in its industry.",
        # a sentence that obliges more than insurance
        "Licensee agrees to keep the Equipment in good working condition, to return it on request and to keep it "
        "covered under adequate property insurance at all times, without expense to Licensor, and to report any loss "
        "within ten (10) days.",
        # a sentence that also holds another term
        "Licensee shall maintain adequate insurance and shall name Licensor as an additional insured.",
    ],
)
def test_a_vague_phrase_is_replaced_only_when_nothing_else_would_be_lost(tmp_path, clause):
    _, result = review_text(tmp_path, contract([f"7.1 {clause}"]))
    vague = next(f for f in result.findings if f.rule == "INS003")
    assert not vague.fixes
    assert vague.suggestion.startswith("Licensee shall maintain")  # still suggested, as a comment


def test_the_replacement_keeps_the_subject_of_the_sentence_it_replaces(tmp_path):
    text = contract(
        [
            "7.1 Each party shall maintain commercial general liability insurance of not less than $1,000,000 per "
            "occurrence.",
            "7.2 Licensor shall maintain adequate professional liability insurance.",
        ]
    )
    _, result = review_text(tmp_path, text)
    vague = next(f for f in result.findings if f.rule == "INS003")
    (fix,) = vague.fixes
    assert fix.target.quote == "Licensor shall maintain adequate professional liability insurance."
    assert fix.text.startswith("Licensor shall maintain, at its own expense")
    assert "professional liability insurance with limits of not less than $2,000,000 per claim" in fix.text


def test_a_low_limit_is_found_by_its_policy_and_basis(tmp_path):
    text = contract(
        [
            "7.1 Licensee shall maintain technology errors and omissions insurance and cyber liability insurance "
            "of at least $5,000,000 per claim each, and commercial general liability insurance with coverage of at "
            "least One Million Dollars ($1,000,000) per occurrence and One Million Dollars ($1,000,000) general "
            "aggregate."
        ]
    )
    doc, result = review_text(tmp_path, text, playbook="technology-services")
    low = [f for f in result.findings if f.rule == "INS008" and f.severity == "high"]
    assert [f.message.split(" is below")[0] for f in low] == ["General liability limit USD 1,000,000 aggregate"]
    (fix,) = low[0].fixes
    assert doc.text[fix.target.end : fix.target.end + 18] == " general aggregate"  # the aggregate one, not the first
    assert fix.text == "$2,000,000"
