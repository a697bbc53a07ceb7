"""Certificates checked against contracts: the requirements profile of real sample
contracts, the COI rules, and `contract-review requirements` / `contract-review coi` run
as a user runs them (a subprocess, real files, exit codes)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import SAMPLES
from test_coi_parse import _write, maker  # noqa: F401  (the fixture)

from contract_review.coi.check import check_files, contract_requirements
from contract_review.coi.registry import all_coi_rules
from contract_review.coi.rules import same_name
from contract_review.loaders import load_document
from contract_review.settings import Settings

MSA = SAMPLES / "01_msa_ai_red_teaming_clean.pdf"
SOW = SAMPLES / "03_sow_insurance_in_exhibit_c.pdf"
JUNE = dt.date(2026, 6, 1)


def run(*args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("contract-review") or str(Path(sys.executable).with_name("contract-review"))
    return subprocess.run([exe, *args], capture_output=True, text=True, env=dict(os.environ), timeout=600)


@pytest.fixture(scope="module")
def msa_req():
    return contract_requirements(MSA, Settings())


def _findings(req, path: Path, as_of=JUNE) -> set[tuple[str, str | None]]:
    res = check_files(req, [str(path)], Settings(), as_of)[0]
    assert res.status == "ok", res.error
    return {(f.slug, f.policy) for f in res.findings if f.severity != "info"}


# --------------------------------------------------------------------------- names


def test_names_match_the_way_a_person_reads_them():
    assert same_name("Redline Cipher Labs, LLC", "REDLINE CIPHER LABS L.L.C.")
    assert same_name("Tessellate AI Assurance Corp.", "Tessellate AI Assurance Corporation")
    assert same_name("Sentinel Arc Security, Inc.", "Sentinel Arc Security Inc")
    assert same_name("The Acme & Sons Co.", "Acme and Sons Company")
    assert same_name("Redline Cipher Labs, LLC", "Redline Cipher Labs, Inc.") is None  # another legal form
    assert same_name("Redline Cipher Labs, LLC", "Redline Cipher Holdings, LLC") is False


# --------------------------------------------------------------------------- the requirements profile


def test_requirements_per_policy_with_quotes(msa_req):
    doc = load_document(MSA)
    by = {p.type: p for p in msa_req.policies}
    assert msa_req.legal_names == {
        "Client": "Larkspur Mutual Financial Group, Inc.",
        "Vendor": "Redline Cipher Labs, LLC",
    }
    assert msa_req.protected_parties == ["Client"]
    # 10.2 names CGL, umbrella and cyber: additional insured on those, not on Tech E&O
    assert {t for t, p in by.items() if p.additional_insured.present} == {
        "general_liability",
        "umbrella_excess",
        "cyber",
    }
    assert all(p.waiver_of_subrogation.present for p in by.values())  # "under every policy required"
    assert by["general_liability"].coverage_form == "occurrence"
    assert by["technology_eo"].tail_years == 3 and by["general_liability"].tail_years is None
    assert {p.min_rating.value for p in by.values() if p.min_rating} == {"A- VII"}
    assert msa_req.certificate_due and msa_req.certificate_due.value.startswith("Before any Services begin")
    cites = [c for p in by.values() for c in (*p.carried_by_evidence, *p.additional_insured.evidence)]
    cites += msa_req.certificate_due.evidence
    assert cites and all(doc.text[c.start : c.end] == c.quote for c in cites)  # every value grounded


def test_requirements_scoped_by_a_table_and_a_claims_made_clause():
    req = contract_requirements(SOW, Settings())
    by = {p.type: p for p in req.policies}
    assert by["general_liability"].coverage_form == "occurrence"  # "Occurrence form" in the CGL row
    assert by["professional_liability"].coverage_form == "claims_made" and by["cyber"].tail_years == 3
    assert {t for t, p in by.items() if p.primary_noncontributory.present} == {"general_liability", "auto"}
    assert [(lim.amount, lim.basis) for lim in by["general_liability"].limits] == [
        (2_000_000, "per_occurrence"),
        (4_000_000, "aggregate"),
    ]  # "Occurrence form" after the aggregate is not a basis


def test_requirements_command_exports_json_csv_yaml(tmp_path):
    r = run("requirements", str(MSA), "--format", "csv")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert {"contract", "policy", "requirement", "value", "quote", "page"} == set(rows[0])
    ai = {(row["policy"], row["value"]) for row in rows if row["requirement"] == "additional_insured"}
    assert ("technology_eo", "not required") in ai and ("cyber", "required") in ai
    assert any(row["requirement"] == "min_rating" and row["value"] == "A- VII" and row["quote"] for row in rows)
    out = tmp_path / "req.json"
    assert run("requirements", str(MSA), "--format", "json", "--output", str(out)).returncode == 0
    data = json.loads(out.read_text())
    assert data["obligated_parties"] == ["Vendor"] and len(data["policies"]) == 6
    y = run("requirements", str(MSA), "--format", "yaml")
    assert yaml.safe_load(y.stdout)["legal_names"]["Vendor"] == "Redline Cipher Labs, LLC"


# --------------------------------------------------------------------------- the rules


def test_every_coi_rule_is_documented_and_in_the_rules_page():
    rules = all_coi_rules()
    slugs = {r.slug for r in rules}
    assert {
        "coi-policy-missing",
        "coi-limit-below-requirement",
        "coi-additional-insured-not-shown",
        "coi-waiver-not-shown",
        "coi-policy-expired",
        "coi-policy-expires-early",
        "coi-claims-made",
        "coi-insured-mismatch",
        "coi-holder-mismatch",
    } <= slugs
    page = (Path(__file__).resolve().parents[1] / "docs" / "rules.md").read_text(encoding="utf-8")
    listed = run("rules").stdout
    for r in rules:
        assert f"## {r.code} {r.slug}" in page
        assert f"{r.code}  {r.slug}" in listed


def test_a_compliant_certificate_has_no_gap(tmp_path, maker, msa_req):  # noqa: F811
    path = _write(tmp_path, maker, "01_redline_compliant_filled.pdf")
    res = check_files(msa_req, [str(path)], Settings(), JUNE)[0]
    # only: the claims-made Tech E&O / Cyber policy must last three years after the term
    # (ask for the renewals or the tail later); every other one-year policy ending before the
    # renewing term is an info reminder to ask for its renewal certificate, not a gap
    gaps = [f for f in res.findings if f.severity != "info"]
    assert {(f.slug, f.policy) for f in gaps} == {("coi-policy-expires-early", "technology_eo")}
    assert all(f.severity == "low" and f.uncertain and "renews" in f.message for f in gaps)
    reminders = {f.policy for f in res.findings if f.rule == "COI006" and f.severity == "info"}
    assert reminders == {"general_liability", "umbrella_excess", "workers_compensation"}
    assert all(row.status == "pass" for row in res.table if row.policy in reminders)


def test_each_kind_of_gap(tmp_path, maker, msa_req):  # noqa: F811
    found = _findings(msa_req, _write(tmp_path, maker, "01_redline_gaps_filled.pdf"))
    for expected in [
        ("coi-policy-missing", "umbrella_excess"),
        ("coi-limit-below-requirement", "general_liability"),
        ("coi-additional-insured-not-shown", "general_liability"),
        ("coi-waiver-not-shown", "workers_compensation"),
        ("coi-insured-mismatch", None),
        ("coi-holder-mismatch", None),
    ]:
        assert expected in found
    res = check_files(msa_req, [str(tmp_path / "01_redline_gaps_filled.pdf")], Settings(), JUNE)[0]
    ai = next(f for f in res.findings if f.slug == "coi-additional-insured-not-shown")
    assert "confers no rights" in ai.message and ai.contract_evidence and ai.certificate_evidence


def test_the_umbrella_tops_up_gl_but_never_eo(tmp_path, maker, msa_req):  # noqa: F811
    path = _write(tmp_path, maker, "01_redline_umbrella_flattened.pdf")
    res = check_files(msa_req, [str(path)], Settings(), JUNE)[0]
    gl = [f for f in res.findings if f.policy == "general_liability" and f.rule == "COI002"]
    assert [f.severity for f in gl] == ["info"] and "counted once" in gl[0].message
    eo = [f for f in res.findings if f.slug == "coi-limit-below-requirement" and f.policy == "technology_eo"]
    assert eo and all(f.severity == "high" and "never tops up" in f.message for f in eo)
    # counted once: an umbrella of exactly the 5,000,000 the contract requires of it has nothing to spare
    spec = dict(maker.specs()["01_redline_umbrella_flattened.pdf"])
    spec["lines"] = dict(spec["lines"])
    spec["lines"]["umbrella_excess"] = dict(
        spec["lines"]["umbrella_excess"], limits={"each_occurrence": "5,000,000", "aggregate": "5,000,000"}
    )
    exact = tmp_path / "exact-umbrella.pdf"
    exact.write_bytes(maker.make(spec))
    res = check_files(msa_req, [str(exact)], Settings(), JUNE)[0]
    gl = [f for f in res.findings if f.policy == "general_liability" and f.rule == "COI002"]
    assert [f.severity for f in gl] == ["high"] and "cannot make it up" in gl[0].message
    # without the umbrella the same GL aggregate is a gap
    spec = dict(maker.specs()["01_redline_umbrella_flattened.pdf"])
    spec["lines"] = {k: v for k, v in spec["lines"].items() if k != "umbrella_excess"}
    bare = tmp_path / "no-umbrella.pdf"
    bare.write_bytes(maker.make(spec))
    assert ("coi-limit-below-requirement", "general_liability") in _findings(msa_req, bare)


def test_expired_claims_made_and_unnamed_insurer(tmp_path, maker, msa_req):  # noqa: F811
    found = _findings(msa_req, _write(tmp_path, maker, "01_redline_expired_filled.pdf"))
    assert {("coi-policy-expired", "general_liability"), ("coi-policy-expires-early", "workers_compensation")} <= found
    # checked a year earlier the CGL is current, and the WC policy is not yet in force
    earlier = _findings(msa_req, tmp_path / "01_redline_expired_filled.pdf", dt.date(2025, 6, 1))
    assert ("coi-policy-expired", "general_liability") not in earlier
    assert ("coi-policy-expired", "workers_compensation") in earlier
    sow = contract_requirements(SOW, Settings())
    found = _findings(sow, _write(tmp_path, maker, "03_tessellate_claims_made_filled.pdf"))
    assert {
        ("coi-claims-made", "general_liability"),
        ("coi-policy-missing", "auto"),
        ("coi-insurer-not-named", "workers_compensation"),
    } <= found


# --------------------------------------------------------------------------- the command


def test_coi_command_result_shape_and_exit_codes(tmp_path, maker):  # noqa: F811
    good = _write(tmp_path, maker, "01_redline_compliant_filled.pdf")
    gaps = _write(tmp_path, maker, "01_redline_gaps_filled.pdf")
    r = run("coi", str(MSA), str(good), str(gaps), "--as-of", "2026-06-01", "--format", "jsonl")
    assert r.returncode == 0, r.stderr
    results = [json.loads(line) for line in r.stdout.splitlines()]
    assert [x["file"] for x in results] == [good.name, gaps.name]
    for x in results:
        assert {"file", "path", "sha256", "status", "error", "certificate", "requirements", "findings"} <= set(x)
        for f in x["findings"]:
            assert {
                "rule",
                "slug",
                "severity",
                "message",
                "contract_evidence",
                "certificate_evidence",
                "suggestion",
            } <= set(f)
    assert {f["slug"] for f in results[1]["findings"]} >= {"coi-insured-mismatch", "coi-holder-mismatch"}
    assert run("coi", str(MSA), str(gaps), "--as-of", "2026-06-01", "--fail-on", "high").returncode == 3
    scan = _write(tmp_path, maker, "04_sentinel_scanned.pdf")
    r = run("coi", str(MSA), str(good), str(scan), "--format", "json", "--fail-on", "high", "--ocr", "never")
    assert r.returncode == 2  # a file error is checked first
    out = json.loads(r.stdout)
    assert out[1]["status"] == "error" and out[1]["error"]["code"] == "no_text_layer"
    if shutil.which("tesseract"):  # with OCR (the default) the scan is read
        r = run("coi", str(MSA), str(scan), "--format", "json")
        (res,) = json.loads(r.stdout)
        assert res["status"] == "ok" and res["certificate"]["source"] == "ocr", r.stdout[:500]
    r = run("coi", str(MSA), str(SAMPLES / "02_engagement_letter_vague_insurance.pdf"), "--format", "jsonl")
    assert r.returncode == 2 and json.loads(r.stdout)["error"]["code"] == "not_a_certificate"
    md = tmp_path / "out.md"
    r = run("coi", str(MSA), str(gaps), "--as-of", "2026-06-01", "--format", "md", "--output", str(md))
    assert r.returncode == 0 and "| policy | requirement | certificate | status |" in md.read_text()
    assert run("coi", str(MSA), str(gaps), "--as-of", "June 1").returncode == 1


# --------------------------------------------------------------------------- rules on built models


def _req(**kw):
    from contract_review.coi.requirements import PolicyRequirement, Requirements

    pols = kw.pop("policies")
    return Requirements(
        contract="c.pdf",
        insurance_required=True,
        obligated_parties=["Vendor"],
        protected_parties=["Client"],
        legal_names={"Vendor": "Acme Widgets, LLC", "Client": "Globex Corporation"},
        policies=[PolicyRequirement(**p) for p in pols],
        **kw,
    )


def _cert(lines, insured="ACME WIDGETS L.L.C.", holder="Globex Corp"):
    from contract_review.coi.model import Certificate, CoverageLine, Insurer, Party

    return Certificate(
        source="acroform",
        named_insured=Party(name=insured),
        holder=Party(name=holder),
        insurers=[Insurer(letter="A", name="Granite Casualty", naic="1")],
        lines=[CoverageLine(**line) for line in lines],
    )


def _slugs(req, cert, as_of=JUNE):
    from contract_review.coi.check import check_certificate

    findings, _notes = check_certificate(req, cert, as_of)
    return {(f.slug, f.policy, f.uncertain) for f in findings if f.severity != "info"}


def test_a_professional_liability_row_for_tech_eo_is_accepted_as_uncertain():
    req = _req(policies=[{"type": "technology_eo"}])
    row = {
        "line": "other",
        "title": "Professional Liability",
        "policy_types": ["professional_liability"],
        "insurer_letter": "A",
        "effective": dt.date(2026, 1, 1),
        "expiration": dt.date(2027, 1, 1),
    }
    assert _slugs(req, _cert([row])) == {("coi-policy-missing", "technology_eo", True)}


def test_another_legal_form_is_uncertain_and_a_missing_insurer_letter_is_reported():
    req = _req(policies=[{"type": "general_liability"}])
    row = {
        "line": "general_liability",
        "title": "CGL",
        "policy_types": ["general_liability"],
        "insurer_letter": "B",
        "effective": dt.date(2026, 1, 1),
        "expiration": dt.date(2027, 1, 1),
    }
    found = _slugs(req, _cert([row], insured="Acme Widgets, Inc."))
    assert ("coi-insured-mismatch", None, True) in found
    assert ("coi-insurer-not-named", "general_liability", False) in found
    assert not any(s == "coi-holder-mismatch" for s, _p, _u in found)  # "Globex Corp" is "Globex Corporation"
