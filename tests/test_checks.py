"""The checker: each rule on hand-built profiles (tier 1), every rule's docstring Example
and Use instead through the real pipeline (tier 2), and a snapshot of the sample
contracts' findings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from contract_review.checks import RULES, all_rules, get_rule, load_playbook, registry, run_checks
from contract_review.playbook import playbook_from_dict
from contract_review.schema import TERM_FIELDS, Citation, InsuranceProfile, Limit, Policy, Term

GENERAL = load_playbook("general")
TECH = load_playbook("technology-services")

_offset = [0]


def cite(quote: str, page: int = 1) -> Citation:
    start = _offset[0]
    _offset[0] += len(quote) + 10
    return Citation(quote=quote, page=page, start=start, end=start + len(quote))


CLAUSE = cite("Vendor shall maintain the following insurance", page=4)


def profile(**kw) -> InsuranceProfile:
    """A contract that requires insurance and has every term, unless ``kw`` says otherwise."""
    base = dict(
        insurance_required=True,
        obligated_parties=["Vendor"],
        insurance_evidence=[CLAUSE],
        policies=[
            Policy(
                type="general_liability",
                limits=[Limit(amount=1_000_000, basis="per_occurrence")],
                evidence=[cite("commercial general liability insurance of $1,000,000 per occurrence")],
            )
        ],
    )
    for name in TERM_FIELDS:
        base[name] = Term(present=True, evidence=[cite(f"{name} clause")])
    base.update(kw)
    return InsuranceProfile(**base)


def codes(findings) -> list[str]:
    return [f.rule for f in findings]


def only(findings, code):
    found = [f for f in findings if f.rule == code]
    assert len(found) == 1, found
    return found[0]


def gl(*limits: Limit, type: str = "general_liability") -> Policy:
    return Policy(type=type, limits=list(limits), evidence=[cite(f"{type} insurance")])


def tech_profile(*policies: Policy) -> InsuranceProfile:
    return profile(policies=list(policies))


TECH_OK = [
    gl(Limit(amount=5_000_000, basis="per_claim"), type="technology_eo"),
    gl(Limit(amount=5_000_000, basis="per_claim"), type="cyber"),
    gl(Limit(amount=1_000_000, basis="per_occurrence"), Limit(amount=2_000_000, basis="aggregate")),
]


# --------------------------------------------------------------------------- registry


def test_registry_has_the_documented_rules():
    expected = {
        "INS000": "no-insurance-clause",
        "INS001": "missing-additional-insured",
        "INS002": "missing-waiver-of-subrogation",
        "INS003": "vague-insurance-language",
        "INS004": "missing-minimum-limits",
        "INS005": "missing-certificate-of-insurance",
        "INS006": "missing-primary-noncontributory",
        "INS007": "missing-cancellation-notice",
        "INS008": "limit-below-playbook",
        "INS009": "missing-required-policy",
        "INS010": "struck-insurance-protection",
    }
    assert {c: r.slug for c, r in RULES.items() if c in expected} == expected
    assert [r.code for r in all_rules()] == sorted(RULES)
    assert get_rule("missing-additional-insured").code == "INS001"
    assert get_rule("ins003").slug == "vague-insurance-language"


@pytest.mark.parametrize("r", all_rules(), ids=lambda r: r.code)
def test_every_rule_documents_itself(r):
    for name in registry.SECTIONS:
        assert len(r.sections[name]) > 40, f"{r.code}: section {name!r} is too thin"
    assert r.summary.endswith(".")
    assert r.example != r.use_instead
    assert r.example_playbook in ("general", "technology-services")


def test_decorator_refuses_reused_codes_and_incomplete_docstrings(monkeypatch):
    monkeypatch.setattr(registry, "RULES", dict(registry.RULES))

    def documented(profile, playbook):
        """Summary.

        What it does:
            x
        Why it matters:
            x
        Example:
            x
        Use instead:
            y
        Known limits:
            x
        """
        return []

    with pytest.raises(ValueError, match="already used"):
        registry.rule(code="INS001", slug="something-new", severity="low")(documented)
    with pytest.raises(ValueError, match="already used"):
        registry.rule(code="INS900", slug="missing-additional-insured", severity="low")(documented)
    with pytest.raises(ValueError, match="must look like"):
        registry.rule(code="X1", slug="something-new", severity="low")(documented)
    with pytest.raises(ValueError, match="severity"):
        registry.rule(code="INS900", slug="something-new", severity="urgent")(documented)

    def undocumented(profile, playbook):
        """Summary only.

        What it does:
            x
        """
        return []

    with pytest.raises(ValueError, match="Why it matters"):
        registry.rule(code="INS901", slug="other-new", severity="low")(undocumented)
    registry.rule(code="INS900", slug="something-new", severity="low")(documented)
    assert registry.RULES["INS900"].use_instead == "y"


# --------------------------------------------------------------------------- INS000 and the gate


def test_ins000_fires_when_no_insurance_is_required_and_silences_the_rest():
    p = InsuranceProfile(vague_language=[cite("adequate insurance")])
    for pb in (GENERAL, TECH):
        findings = run_checks(p, pb)
        assert codes(findings) == ["INS000"]
    assert only(run_checks(p, GENERAL), "INS000").severity == "medium"
    assert only(run_checks(p, TECH), "INS000").severity == "high"


def test_ins000_silent_when_insurance_is_required():
    assert "INS000" not in codes(run_checks(profile(), GENERAL))


def test_complete_profile_has_no_findings_under_general():
    assert run_checks(profile(), GENERAL) == []


def test_run_checks_defaults_to_general():
    assert codes(run_checks(InsuranceProfile())) == ["INS000"]


# --------------------------------------------------------------------------- INS001, 002, 005, 006, 007

ABSENT_TERM_RULES = [
    ("INS001", "additional_insured", "additional insured"),
    ("INS002", "waiver_of_subrogation", "waiver of subrogation"),
    ("INS005", "certificate_of_insurance", "certificate of insurance"),
    ("INS006", "primary_noncontributory", "primary and non-contributory"),
    ("INS007", "cancellation_notice", "notice of cancellation"),
]


@pytest.mark.parametrize("code,field,words", ABSENT_TERM_RULES)
def test_absent_term_fires_citing_the_insurance_clause(code, field, words):
    findings = run_checks(profile(**{field: Term()}), GENERAL)
    assert codes(findings) == [code]
    f = findings[0]
    assert f.slug == RULES[code].slug
    assert f.severity == RULES[code].severity
    assert f.message.startswith("Vendor must carry insurance")
    assert words in f.message
    assert f.evidence == [CLAUSE]
    # Written for this contract (tests/test_drafting.py checks the wording): its insured
    # party, never the rule's generic roles, as one new sub-clause of the insurance section.
    assert "Vendor" in f.suggestion
    assert not any(role in f.suggestion for role in RULES[code].roles if role != "Vendor")
    assert [fix.action for fix in f.fixes] == ["insert"]


@pytest.mark.parametrize("code,field,words", ABSENT_TERM_RULES)
def test_absent_term_cites_policy_evidence_without_insurance_evidence(code, field, words):
    p = profile(**{field: Term()}, insurance_evidence=[], obligated_parties=[])
    f = only(run_checks(p, GENERAL), code)
    assert f.evidence == p.policies[0].evidence
    assert f.message.startswith("a party must carry insurance")


@pytest.mark.parametrize("code,field,words", ABSENT_TERM_RULES)
def test_absent_term_silent_when_no_insurance(code, field, words):
    p = InsuranceProfile(**{field: Term()})
    assert code not in codes(run_checks(p, GENERAL))


# --------------------------------------------------------------------------- INS003


def test_obligated_parties_are_named_once_on_one_line():
    p = profile(obligated_parties=["Customer", "Supplier", "supplier", "  Customer\n"], additional_insured=Term())
    assert only(run_checks(p, GENERAL), "INS001").message.startswith("Customer and Supplier must carry insurance,")


def test_ins003_one_finding_citing_every_vague_quote():
    vague = [
        cite("adequate insurance", page=3),
        cite("such amounts as are customary", page=5),
        cite("insurance as required", page=6),
        cite("appropriate coverage", page=7),
    ]
    f = only(run_checks(profile(vague_language=vague), GENERAL), "INS003")
    assert f.evidence == vague
    assert f.message.startswith("4 insurance obligations state no amount")
    assert '"adequate insurance" (p.3)' in f.message and "and 1 more" in f.message


def test_ins003_singular_message_and_silence():
    f = only(run_checks(profile(vague_language=[cite("adequate insurance")]), GENERAL), "INS003")
    assert f.message.startswith("1 insurance obligation states no amount or relies on")
    assert "INS003" not in codes(run_checks(profile(vague_language=[]), GENERAL))


# --------------------------------------------------------------------------- INS004


def test_ins004_fires_without_any_limit():
    p = profile(policies=[gl(), gl(type="product_liability")])
    f = only(run_checks(p, GENERAL), "INS004")
    assert "no minimum limit" in f.message and f.evidence == [CLAUSE]


def test_ins004_redacted_limit_counts_as_a_limit():
    p = profile(policies=[gl(Limit(amount=None, currency=None, redacted=True))])
    assert "INS004" not in codes(run_checks(p, GENERAL))


def test_ins004_one_limit_anywhere_is_enough():
    p = profile(policies=[gl(), gl(Limit(amount=2_000_000), type="product_liability")])
    assert "INS004" not in codes(run_checks(p, GENERAL))


def test_ins004_no_policies_at_all():
    p = profile(policies=[])
    assert "INS004" in codes(run_checks(p, GENERAL))


# --------------------------------------------------------------------------- INS008


def test_ins008_limit_below_minimum_names_amounts():
    p = tech_profile(
        TECH_OK[0],
        TECH_OK[1],
        gl(Limit(amount=500_000, basis="per_occurrence"), Limit(amount=2_000_000, basis="aggregate")),
    )
    f = only(run_checks(p, TECH), "INS008")
    assert f.severity == "high"
    assert f.message == (
        "General liability limit USD 500,000 per occurrence is below the playbook "
        "minimum of USD 1,000,000 per occurrence"
    )
    assert f.evidence == p.policies[2].evidence
    assert f.suggestion.startswith(
        "Vendor shall maintain commercial general liability insurance with limits of not less than "
        "$1,000,000 per occurrence and $2,000,000 in the aggregate"
    )
    assert not f.fixes  # the quote does not show the amount: nothing to mark up in place


def test_ins008_fix_replaces_the_written_amount():
    quote = cite("commercial general liability insurance with limits of not less than $500,000 per occurrence")
    low = Policy(type="general_liability", limits=[Limit(amount=500_000, basis="per_occurrence")], evidence=[quote])
    f = only([f for f in run_checks(tech_profile(TECH_OK[0], TECH_OK[1], low), TECH) if f.severity == "high"], "INS008")
    (fix,) = f.fixes
    assert (fix.action, fix.target.quote, fix.text) == ("replace", "$500,000", "$1,000,000")
    assert fix.target.start == quote.start + quote.quote.index("$500,000")


def test_ins008_silent_when_every_minimum_is_met():
    assert "INS008" not in codes(run_checks(tech_profile(*TECH_OK), TECH))


@pytest.mark.parametrize("basis", ["per_occurrence", "per_claim", "each_accident", "combined_single", "other"])
def test_ins008_per_event_minimum_met_by_any_per_event_basis(basis):
    p = tech_profile(
        TECH_OK[0], TECH_OK[1], gl(Limit(amount=1_000_000, basis=basis), Limit(amount=2_000_000, basis="aggregate"))
    )
    assert [f for f in run_checks(p, TECH) if f.rule == "INS008"] == []


@pytest.mark.parametrize("basis", ["per_occurrence", "per_claim", "each_accident", "combined_single", "other"])
def test_ins008_per_event_basis_below_minimum_fires(basis):
    p = tech_profile(gl(Limit(amount=2_000_000, basis=basis), type="technology_eo"), TECH_OK[1], TECH_OK[2])
    f = only(run_checks(p, TECH), "INS008")
    assert f.severity == "high" and "below the playbook minimum of USD 5,000,000 per claim" in f.message


def test_ins008_aggregate_does_not_meet_a_per_claim_minimum():
    p = tech_profile(gl(Limit(amount=10_000_000, basis="aggregate"), type="technology_eo"), TECH_OK[1], TECH_OK[2])
    f = only(run_checks(p, TECH), "INS008")
    assert f.severity == "info"
    assert "states no per claim limit to compare with the playbook minimum of USD 5,000,000 per claim" in f.message


def test_ins008_per_occurrence_does_not_meet_an_aggregate_minimum():
    p = tech_profile(TECH_OK[0], TECH_OK[1], gl(Limit(amount=5_000_000, basis="per_occurrence")))
    f = only(run_checks(p, TECH), "INS008")
    assert f.severity == "info" and "no aggregate limit" in f.message


def test_ins008_aggregate_below_aggregate_minimum():
    p = tech_profile(
        TECH_OK[0],
        TECH_OK[1],
        gl(Limit(amount=1_000_000, basis="per_occurrence"), Limit(amount=1_000_000, basis="aggregate")),
    )
    f = only(run_checks(p, TECH), "INS008")
    assert f.severity == "high"
    assert "USD 1,000,000 aggregate is below the playbook minimum of USD 2,000,000 aggregate" in f.message


def test_ins008_highest_comparable_limit_counts():
    p = tech_profile(
        gl(
            Limit(amount=1_000_000, basis="per_claim"),
            Limit(amount=5_000_000, basis="per_occurrence"),
            type="technology_eo",
        ),
        TECH_OK[1],
        TECH_OK[2],
    )
    assert "INS008" not in codes(run_checks(p, TECH))


def test_ins008_other_currency_is_an_info_note_not_an_alarm():
    p = tech_profile(
        gl(Limit(amount=100_000, currency="GBP", basis="per_claim"), type="technology_eo"), TECH_OK[1], TECH_OK[2]
    )
    f = only(run_checks(p, TECH), "INS008")
    assert f.severity == "info"
    assert "GBP 100,000 per claim" in f.message and "not converted" in f.message


def test_ins008_one_note_per_policy_for_all_its_minimums():
    redacted = [Limit(amount=None, currency=None, basis=b, redacted=True) for b in ("per_occurrence", "aggregate")]
    p = tech_profile(TECH_OK[0], TECH_OK[1], gl(*redacted))
    f = only(run_checks(p, TECH), "INS008")
    assert f.severity == "info"
    assert f.message == (
        "The general liability limit is redacted and cannot be compared with the playbook minimums "
        "of USD 1,000,000 per occurrence and USD 2,000,000 aggregate"
    )
    p = tech_profile(TECH_OK[0], TECH_OK[1], gl())
    assert only(run_checks(p, TECH), "INS008").message.startswith(
        "The general liability requirement states no limit to compare with the playbook minimums of"
    )


def test_ins008_limit_without_currency_is_an_info_note():
    p = tech_profile(
        gl(Limit(amount=100, currency=None, basis="per_claim"), type="technology_eo"), TECH_OK[1], TECH_OK[2]
    )
    f = only(run_checks(p, TECH), "INS008")
    assert f.severity == "info" and "states no currency" in f.message


def test_ins008_same_currency_decides_even_beside_another_currency():
    p = tech_profile(
        gl(
            Limit(amount=9_000_000, currency="EUR", basis="per_claim"),
            Limit(amount=1_000_000, currency="USD", basis="per_claim"),
            type="technology_eo",
        ),
        TECH_OK[1],
        TECH_OK[2],
    )
    assert only(run_checks(p, TECH), "INS008").severity == "high"


def test_ins008_redacted_limit_cannot_be_compared():
    p = tech_profile(
        gl(Limit(amount=None, currency=None, basis="per_claim", redacted=True), type="technology_eo"),
        TECH_OK[1],
        TECH_OK[2],
    )
    f = only(run_checks(p, TECH), "INS008")
    assert f.severity == "info" and "redacted" in f.message


def test_ins008_info_notes_keep_info_under_a_severity_override():
    pb = playbook_from_dict({**TECH.model_dump(), "name": "x", "rules": {"INS008": {"severity": "low"}}})
    below = tech_profile(gl(Limit(amount=1, basis="per_claim"), type="technology_eo"), TECH_OK[1], TECH_OK[2])
    other = tech_profile(
        gl(Limit(amount=1, currency="GBP", basis="per_claim"), type="technology_eo"), TECH_OK[1], TECH_OK[2]
    )
    assert only(run_checks(below, pb), "INS008").severity == "low"
    assert only(run_checks(other, pb), "INS008").severity == "info"


def test_ins008_accepts_a_substitute_type_and_compares_its_limits():
    p = tech_profile(
        gl(Limit(amount=3_000_000, basis="per_claim"), type="professional_liability"), TECH_OK[1], TECH_OK[2]
    )
    findings = run_checks(p, TECH)
    assert "INS009" not in codes(findings)
    f = only(findings, "INS008")
    assert f.message.startswith("Technology errors and omissions limit USD 3,000,000 per claim is below")


def test_ins008_silent_when_the_policy_is_absent_or_no_minimum():
    p = tech_profile(TECH_OK[1], TECH_OK[2])
    assert "INS008" not in codes(run_checks(p, TECH))
    assert "INS008" not in codes(run_checks(tech_profile(gl(Limit(amount=1, basis="per_occurrence"))), GENERAL))


def test_ins008_no_limit_at_all_is_an_info_note():
    p = tech_profile(gl(type="technology_eo"), TECH_OK[1], TECH_OK[2])
    f = only(run_checks(p, TECH), "INS008")
    assert f.severity == "info" and "states no limit" in f.message


# --------------------------------------------------------------------------- INS009


def test_ins009_one_finding_per_missing_type_with_a_clause():
    p = tech_profile(TECH_OK[2])
    findings = [f for f in run_checks(p, TECH) if f.rule == "INS009"]
    assert [f.message for f in findings] == [
        "The contract does not require technology errors and omissions insurance (or professional liability), "
        "which the playbook requires",
        "The contract does not require cyber liability insurance, which the playbook requires",
    ]
    assert all(f.severity == "high" and f.evidence == [CLAUSE] for f in findings)
    assert findings[1].suggestion == (
        "Cyber Liability Insurance. Vendor shall maintain cyber liability (network security and privacy liability) "
        "insurance with limits of not less than $5,000,000 per claim throughout the term of this Agreement."
    )


def test_ins009_silent_without_required_policies_or_insurance():
    assert "INS009" not in codes(run_checks(profile(policies=[]), GENERAL))
    assert codes(run_checks(InsuranceProfile(), TECH)) == ["INS000"]


# --------------------------------------------------------------------------- playbook settings


def test_disabled_rules_do_not_run_and_severities_follow_the_playbook():
    pb = playbook_from_dict(
        {"rules": {"INS006": {"enabled": False}, "missing-additional-insured": {"severity": "high"}, "INS007": False}}
    )
    p = profile(additional_insured=Term(), primary_noncontributory=Term(), cancellation_notice=Term())
    findings = run_checks(p, pb)
    assert codes(findings) == ["INS001"]
    assert findings[0].severity == "high"


def test_technology_services_raises_severities():
    p = profile(**{name: Term() for name in TERM_FIELDS})
    sev = {f.rule: f.severity for f in run_checks(p, TECH)}
    assert sev["INS001"] == sev["INS002"] == sev["INS005"] == "high"
    assert sev["INS006"] == sev["INS007"] == "medium"
    gen = {f.rule: f.severity for f in run_checks(p, GENERAL)}
    assert gen["INS002"] == "low" and gen["INS001"] == "medium"


# --------------------------------------------------------------------------- examples through the pipeline

CONTRACT = """SERVICES AGREEMENT

1. Services. The services are described in each statement of work signed by the parties.

2. Fees. Fees are payable within thirty (30) days after receipt of a correct invoice.

3. {clause}

4. Governing Law. This Agreement is governed by the laws of the State of New York.
"""


def review_clause(clause: str, playbook: str):
    from contract_review.pipeline import Reviewer

    text = CONTRACT.format(clause=clause)
    return Reviewer(extractor="rules", playbook=playbook).review("example.txt", data=text.encode())


# A tracked_example rule's Example carries tracked changes, which plain text cannot: it is
# reviewed as a DOCX with real revisions in tests/test_revisions.py.
@pytest.mark.parametrize("r", [r for r in all_rules() if not r.tracked_example], ids=lambda r: f"{r.code}-{r.slug}")
def test_rule_fires_on_its_example(r):
    result = review_clause(r.example, r.example_playbook)
    assert result.status == "ok"
    fired = [f for f in result.findings if f.rule == r.code and f.severity != "info"]
    assert fired, f"{r.code} did not fire on its Example; profile: {result.profile.model_dump_json(indent=1)}"
    for f in fired:
        for c in f.evidence:
            assert c.quote in CONTRACT.format(clause=r.example)


@pytest.mark.parametrize("r", all_rules(), ids=lambda r: f"{r.code}-{r.slug}")
def test_rule_is_silent_on_its_use_instead(r):
    result = review_clause(r.use_instead, r.example_playbook)
    assert result.status == "ok"
    # Every Use instead clause requires insurance, so silence is not the trivial kind.
    assert result.profile.insurance_required, "the Use instead clause was not read as an insurance requirement"
    assert [f for f in result.findings if f.rule == r.code] == [], result.profile.model_dump_json(indent=1)


# --------------------------------------------------------------------------- sample contracts snapshot

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_contracts"
SNAPSHOT = Path(__file__).parent / "snapshots" / "sample_findings.txt"


def _finding_line(result, f) -> str:
    if f.evidence:
        c = f.evidence[0]
        quote = " ".join(c.quote.split())
        where = f'{result.file}:p{c.page} "{quote[:80]}"'
    else:
        where = result.file
    return f"{f.rule} {f.slug} [{f.severity}] --> {where} -- {' '.join(f.message.split())}"


def render_sample_findings() -> str:
    from contract_review.pipeline import Reviewer

    lines = []
    # Each contract once: its PDF, or its DOCX when it has no PDF (a DOCX twin carries the same text).
    pdfs = {p.stem for p in SAMPLES.glob("*.pdf")}
    files = sorted([*SAMPLES.glob("*.pdf"), *(p for p in SAMPLES.glob("*.docx") if p.stem not in pdfs)])
    for name in ("general", "technology-services"):
        reviewer = Reviewer(extractor="rules", playbook=name)
        lines.append(f"# playbook {name}")
        for path in files:
            result = reviewer.review(path)
            if result.status != "ok":
                lines.append(f"ERROR {result.error.code} --> {result.file}")
                continue
            findings = sorted(result.findings, key=lambda f: (f.rule, f.severity, f.message))
            lines.extend(_finding_line(result, f) for f in findings)
            if not findings:
                lines.append(f"(no findings) --> {result.file}")
        lines.append("")
    return "\n".join(lines)


@pytest.mark.slow
def test_sample_contract_findings_snapshot():
    if not SAMPLES.is_dir() or not any(SAMPLES.glob("*.pdf")):
        pytest.skip("sample_contracts/ has no PDFs yet")
    got = render_sample_findings()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(got, encoding="utf-8")
    if not SNAPSHOT.exists():
        pytest.fail(f"no snapshot at {SNAPSHOT}; run UPDATE_SNAPSHOTS=1 pytest {__file__}")
    want = SNAPSHOT.read_text(encoding="utf-8")
    if got != want:
        import difflib

        diff = "\n".join(difflib.unified_diff(want.splitlines(), got.splitlines(), "snapshot", "now", lineterm=""))
        pytest.fail(f"sample findings changed; review this diff and rerun with UPDATE_SNAPSHOTS=1:\n{diff}")
