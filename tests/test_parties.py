"""Suggested clauses in the contract's own terms: the parties' defined names from the
preamble, put in place of each rule's generic roles."""

from __future__ import annotations

import pytest
from conftest import SAMPLES

from contract_review.checks import RULES, run_checks
from contract_review.parties import counterparty, defined_parties, in_contract_terms
from contract_review.pipeline import Reviewer
from contract_review.schema import InsuranceProfile

PREAMBLE = (
    'This Master Services Agreement (the "Agreement") is made as of March 1, 2026 (the "Effective Date") '
    'between Globex Holdings LLC, a Delaware limited liability company ("Globex"), and Initech Solutions, Inc., '
    'an Ohio corporation (hereinafter "Provider", and together with Globex, the "Parties").'
)


def test_defined_parties_reads_the_preamble_and_skips_other_defined_terms():
    assert defined_parties(PREAMBLE) == ["Globex", "Provider"]
    assert defined_parties("No parties are defined here.") == []
    # Only the opening of the document: a definition deep in the body is not a party.
    assert defined_parties("x" * 6000 + ' Acme ("Acme") ') == []


def test_counterparty_needs_exactly_two_parties_one_of_them_obligated():
    assert counterparty("provider", ["Globex", "Provider"]) == "Globex"
    assert counterparty("Subcontractor", ["Globex", "Provider"]) is None
    assert counterparty("Globex", ["Globex", "Provider", "Guarantor"]) is None


def test_in_contract_terms_renames_every_role_or_none():
    clause = "Supplier shall maintain insurance naming Customer as an additional insured. Supplier's insurer ..."
    assert in_contract_terms(clause, ("Supplier", "Customer"), ["Provider"], ["Globex", "Provider"]) == (
        "Provider shall maintain insurance naming Globex as an additional insured. Provider's insurer ..."
    )
    # The contract's names may be the other way round from the template's.
    assert in_contract_terms(clause, ("Supplier", "Customer"), ["Customer"], ["Supplier", "Customer"]) == (
        "Customer shall maintain insurance naming Supplier as an additional insured. Customer's insurer ..."
    )
    # Unknown counterparty, several obligated parties, or none: the generic clause, unchanged.
    assert in_contract_terms(clause, ("Supplier", "Customer"), ["Provider"], []) == clause
    assert in_contract_terms(clause, ("Supplier", "Customer"), ["Provider", "Globex"], ["Globex", "Provider"]) == clause
    assert in_contract_terms(clause, ("Supplier", "Customer"), [], ["Globex", "Provider"]) == clause
    # A one-role clause needs only the obligated party.
    assert (
        in_contract_terms("Consultant shall maintain ...", ("Consultant",), ["Initech"], [])
        == "Initech shall maintain ..."
    )
    # Whole words only.
    assert in_contract_terms("Suppliers and Supplier", ("Supplier",), ["Acme"], []) == "Suppliers and Acme"


def test_every_rule_names_the_roles_its_clause_uses():
    for r in RULES.values():
        assert r.roles, f"{r.code} declares no roles"
        first = r.use_instead.split(" shall ")[0].split()[-1]
        assert first == r.roles[0], f"{r.code}: the clause's insured party is {first!r}, roles say {r.roles[0]!r}"


def test_run_checks_writes_the_suggestion_in_the_contracts_names():
    profile = InsuranceProfile(
        insurance_required=True, obligated_parties=["Provider"], contract_parties=["Globex", "Provider"]
    )
    by_rule = {f.rule: f for f in run_checks(profile)}
    ai = by_rule["INS001"].suggestion
    assert (
        ai.startswith("Additional Insured. Provider shall cause Globex, its affiliates") and "additional insureds" in ai
    )
    assert "Supplier" not in ai and "Customer" not in ai
    wos = by_rule["INS002"].suggestion
    assert "Provider waives" in wos and "against Globex" in wos and "Contractor" not in wos


@pytest.mark.parametrize(
    "name, rule, expected",
    [
        ("06_eu_software_licence_eur_negations.pdf", "INS001", ("Vendor shall cause Customer, its", "clause 9")),
        ("08_equipment_lease_loss_payee.pdf", "INS001", ("Lessee shall cause Lessor, its", "Section 7")),
        ("08_equipment_lease_loss_payee.pdf", "INS002", ("Lessee waives", "against Lessor and")),
        ("11_model_evaluation_agreement_prompt_injection.pdf", "INS001", ("Provider shall cause Customer", "8.6 ")),
    ],
)
def test_a_sample_contracts_suggestions_use_its_parties(name, rule, expected):
    result = Reviewer().review(SAMPLES / name)
    assert result.profile.contract_parties, "the preamble's parties were not found"
    finding = next(f for f in result.findings if f.rule == rule)
    for text in expected:
        assert text in finding.suggestion, finding.suggestion
