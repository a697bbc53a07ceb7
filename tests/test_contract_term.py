"""The contract's term end as a date (``profile.contract_term``), read by the rules extractor
from text written here (real files through the loader), and COI006 comparing certificate
policies with it: on built models and through the real ``coi`` command."""

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
from conftest import SAMPLES
from test_coi_parse import _write, maker  # noqa: F401  (the fixture)

from contract_review.extract.rules.contract_term import contract_term, parse_date
from contract_review.grounding import ground_profile
from contract_review.loaders import load_document
from contract_review.pipeline import Reviewer
from contract_review.schema import Citation, ContractTerm, InsuranceProfile
from contract_review.settings import Settings

D = dt.date


def _doc(tmp_path: Path, text: str, name: str = "c.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_document(path)


def _term(tmp_path: Path, text: str) -> ContractTerm | None:
    return contract_term(_doc(tmp_path, text))


PREAMBLE = (
    'This Services Agreement (the "Agreement") is entered into as of {date} (the "Effective Date") between '
    'Acme Widgets, LLC ("Vendor") and Globex Corporation ("Client").\n\n'
)


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("March 2, 2026", D(2026, 3, 2)),
        ("Sept. 9, 2025", D(2025, 9, 9)),
        ("2 March 2026", D(2026, 3, 2)),
        ("the 5th day of January, 2026", D(2026, 1, 5)),
        ("2026-03-02", D(2026, 3, 2)),
        ("03/02/2026", D(2026, 3, 2)),  # month first, as US contracts and the ACORD form write it
        ("25/12/2026", D(2026, 12, 25)),  # 25 cannot be a month
        ("February 30, 2026", None),
        ("the Effective Date", None),
    ],
)
def test_dates_in_the_ways_contracts_write_them(written, day):
    assert parse_date(written) == day


def test_a_period_from_the_effective_date_defined_in_the_preamble(tmp_path):
    text = PREAMBLE.format(date="March 2, 2026") + (
        "1. SERVICES\nVendor shall perform the Services.\n\n"
        "9. TERM\n9.1 This Agreement shall remain in effect for a period of three (3) years from the Effective Date."
    )
    doc = _doc(tmp_path, text)
    t = contract_term(doc)
    assert t is not None
    assert (t.effective, t.end, t.renews) == (D(2026, 3, 2), D(2029, 3, 2), False)
    assert t.value == "remain in effect for a period of three (3) years"
    clause, stated = t.evidence
    assert (
        clause.quote.startswith("9.1 This Agreement shall remain") and 'March 2, 2026 (the "Effective' in stated.quote
    )
    assert all(doc.text[c.start : c.end] == c.quote for c in t.evidence)


def test_an_end_date_stated_outright(tmp_path):
    t = _term(
        tmp_path, PREAMBLE.format(date="January 5, 2026") + "This Agreement shall continue until December 31, 2027."
    )
    assert t is not None and (t.effective, t.end, t.renews) == (None, D(2027, 12, 31), False)
    assert len(t.evidence) == 1


def test_the_effective_date_defined_elsewhere_and_an_automatic_renewal(tmp_path):
    text = (
        'This Agreement is made between Acme Widgets Ltd ("Supplier") and Globex plc ("Customer").\n\n'
        '1. DEFINITIONS\n"Effective Date" means 1 July 2026.\n\n'
        "12. DURATION\n12.1 The initial term of this Agreement is 24 months from the Effective Date. "
        "The Agreement renews automatically for successive periods of twelve (12) months unless either party "
        "gives notice of non-renewal."
    )
    t = _term(tmp_path, text)
    assert t is not None
    assert (t.effective, t.end, t.renews, t.renewal_months) == (D(2026, 7, 1), D(2028, 7, 1), True, 12)
    assert [c.quote.split()[0] for c in t.evidence] == ["12.1", '"Effective', "The"]  # clause, date, renewal
    # the end of the term in force: the initial end, then each renewal's
    assert t.current_end(D(2027, 1, 1)) == D(2028, 7, 1)
    assert t.current_end(D(2028, 9, 1)) == D(2029, 7, 1)


def test_the_date_of_the_agreement_in_its_preamble(tmp_path):
    text = (
        "THIS AGREEMENT is dated 2026-02-03.\n\n"
        "10.1 This agreement commences on the date stated above and continues for an initial period of eighteen "
        "(18) months, and thereafter until terminated by either party on not less than three (3) months' notice."
    )
    t = _term(tmp_path, text)
    assert t is not None and (t.effective, t.end, t.renews, t.renewal_months) == (
        D(2026, 2, 3),
        D(2027, 8, 3),
        True,
        None,
    )
    assert t.evidence[1].quote == "dated 2026-02-03"


@pytest.mark.parametrize(
    "clause",
    [
        "This Agreement continues until the last Statement of Work is completed.",
        "This SOW ends on the later of August 31, 2026 and Customer's acceptance of the final Deliverable.",
        "The term of each Schedule begins on the date Lessee accepts the Equipment and continues for the number "
        "of months stated in the Schedule.",
        'This Lease begins on the date Lessee accepts the Equipment (the "Commencement Date") and continues for '
        "thirty-six (36) months from the Commencement Date.",
        "Vendor shall maintain the insurance required by this Agreement for three (3) years after this Agreement ends.",
        "Each party shall keep the terms of this Agreement confidential for five (5) years after it ends.",
        "Either party may terminate this Agreement on a notice period of three (3) months.",
        "Either party may terminate this Agreement on six (6) months' written notice.",
    ],
)
def test_a_term_that_is_not_determinable_is_none(tmp_path, clause):
    assert _term(tmp_path, PREAMBLE.format(date="March 2, 2026") + clause) is None


def test_a_date_the_term_clause_names_itself_wins(tmp_path):
    text = PREAMBLE.format(date="April 6, 1999") + (
        "The term of this Agreement shall commence upon April 1, 1999 and shall continue for a period of six (6) "
        "months, and shall thereafter renew for successive one-month periods."
    )
    t = _term(tmp_path, text)
    assert t is not None and (t.effective, t.end, t.renews, t.renewal_months) == (
        D(1999, 4, 1),
        D(1999, 10, 1),
        True,
        1,
    )
    assert len(t.evidence) == 1  # the clause states its own date


def test_a_renewal_the_parties_must_agree_is_no_renewal(tmp_path):
    text = PREAMBLE.format(date="July 6, 2026") + (
        "9.1 This Agreement has an initial term of two (2) years from the Effective Date and may be renewed by "
        "written agreement of the parties."
    )
    t = _term(tmp_path, text)
    assert t is not None and (t.end, t.renews) == (D(2028, 7, 6), False)


def test_the_rules_extractor_fills_it_on_the_sample_contracts():
    reviewer = Reviewer(Settings())
    ends = {}
    for name in (
        "01_msa_ai_red_teaming_clean.pdf",
        "03_sow_insurance_in_exhibit_c.pdf",
        "04_managed_security_amounts_in_words.pdf",
        "05_uk_services_agreement_gbp.pdf",
        "11_model_evaluation_agreement_prompt_injection.pdf",
        "13_pilot_agreement_insurance_as_required.pdf",
    ):
        p = reviewer.review(SAMPLES / name).profile
        assert p is not None
        t = p.contract_term
        ends[name[:2]] = (t.end, t.renews) if t else None
        if t:
            doc = load_document(SAMPLES / name)
            assert all(doc.text[c.start : c.end] == c.quote for c in t.evidence)  # grounded
    assert ends == {
        "01": (D(2029, 3, 2), True),  # three years from March 2, 2026, then yearly renewals
        "03": None,  # "ends on the later of August 31, 2026 and Customer's acceptance"
        "04": (D(2029, 1, 12), True),  # thirty-six (36) months from January 12, 2026
        "05": (D(2027, 8, 3), True),  # eighteen months from "dated 3 February 2026", then until terminated
        "11": (D(2028, 9, 14), False),
        "13": None,  # "ends at the end of the Pilot Period"
    }


def test_a_term_quote_not_in_the_document_drops_the_term(tmp_path):
    doc = _doc(tmp_path, PREAMBLE.format(date="March 2, 2026") + "This Agreement continues for two (2) years.")
    t = contract_term(doc)
    assert t is not None
    forged = t.model_copy(
        update={"evidence": [*t.evidence, Citation(quote="renews forever", page=1, start=-1, end=-1)]}
    )
    p = ground_profile(doc, InsuranceProfile(contract_term=forged))
    assert p.contract_term is None and [u.field for u in p.ungrounded] == ["contract_term"]
    assert ground_profile(doc, InsuranceProfile(contract_term=t)).contract_term == t


# --------------------------------------------------------------------------- COI006 against the term


def _req(term: ContractTerm | None, **policy):
    from contract_review.coi.requirements import PolicyRequirement, Requirements

    return Requirements(
        contract="c.pdf",
        insurance_required=True,
        obligated_parties=["Vendor"],
        protected_parties=["Client"],
        legal_names={"Vendor": "Acme Widgets, LLC", "Client": "Globex Corporation"},
        policies=[PolicyRequirement(type="general_liability", **policy)],
        contract_term=term,
    )


def _cert(expiration: dt.date):
    from contract_review.coi.model import Certificate, CoverageLine, Insurer, Party

    line = CoverageLine(
        line="general_liability",
        title="CGL",
        policy_types=["general_liability"],
        insurer_letter="A",
        effective=D(2026, 1, 1),
        expiration=expiration,
        form="occurrence",
    )
    return Certificate(
        source="acroform",
        named_insured=Party(name="Acme Widgets LLC"),
        holder=Party(name="Globex Corporation"),
        insurers=[Insurer(letter="A", name="Granite Casualty", naic="1")],
        lines=[line],
    )


def _coi006(req, cert, as_of=D(2026, 6, 1)):
    from contract_review.coi.check import check_certificate

    findings, _notes = check_certificate(req, cert, as_of)
    return [f for f in findings if f.rule == "COI006"]


def _clause(text: str) -> Citation:
    return Citation(quote=text, page=1, start=0, end=len(text))


def test_coi006_compares_the_expiration_with_the_term_end():
    term = ContractTerm(
        effective=D(2026, 3, 2),
        end=D(2028, 3, 2),
        value="continues for two (2) years",
        evidence=[
            _clause("This Agreement continues for two (2) years."),
            _clause('March 2, 2026 (the "Effective Date")'),
        ],
    )
    (hit,) = _coi006(_req(term), _cert(D(2027, 1, 1)))
    # an annual policy on a longer contract is normal: a reminder to ask for the renewal
    # certificate, which does not fail the line, until it is within 30 days of expiring
    assert hit.severity == "info" and not hit.uncertain
    assert "03/02/2028" in hit.message and "01/01/2027" in hit.message
    assert [c["quote"] for c in hit.contract_evidence] == [c.quote for c in term.evidence]  # both contract quotes
    assert hit.certificate_evidence[0].value == "CGL"  # the row (a built row has no boxes: see the CLI test)
    assert _coi006(_req(term), _cert(D(2028, 3, 2))) == []  # lasts to the end of the term
    # "for three (3) years after": the cover must last three more years
    from contract_review.schema import Stated

    tail = {
        "duration": Stated(value="for three (3) years after", evidence=[_clause("for three (3) years after")]),
        "tail_years": 3,
    }
    (hit,) = _coi006(_req(term, **tail), _cert(D(2028, 3, 2)))
    assert "03/02/2031" in hit.message and hit.contract_evidence[-1]["quote"] == "for three (3) years after"


def test_coi006_says_a_renewing_term_is_uncertain():
    term = ContractTerm(
        effective=D(2026, 3, 2),
        end=D(2029, 3, 2),
        renews=True,
        renewal_months=12,
        value="continues for three (3) years",
        evidence=[
            _clause("This Agreement continues for three (3) years, and then renews for successive one-year periods.")
        ],
    )
    (hit,) = _coi006(_req(term), _cert(D(2027, 3, 1)))
    assert hit.severity == "info" and hit.uncertain and "uncertain" in hit.message and "renews" in hit.message
    (soon,) = _coi006(_req(term), _cert(D(2026, 6, 20)))  # within 30 days: a renewal certificate is due soon
    assert soon.severity == "medium" and "within 30 days" in soon.message
    # checked after the initial term: the end of the renewal term then in force
    (later,) = _coi006(_req(term), _cert(D(2029, 6, 1)), as_of=D(2029, 5, 1))
    assert "03/02/2030" in later.message


def test_coi006_without_a_term_end_keeps_the_30_day_window():
    assert _coi006(_req(None), _cert(D(2027, 1, 1))) == []
    (hit,) = _coi006(_req(None), _cert(D(2026, 6, 15)))
    assert "within 30 days" in hit.message and hit.severity == "medium"


def test_coi_command_reports_a_policy_ending_before_the_term_with_both_quotes(tmp_path, maker):  # noqa: F811
    contract = SAMPLES / "11_model_evaluation_agreement_prompt_injection.pdf"
    cert = _write(tmp_path, maker, "11_obsidian_term_filled.pdf")
    exe = shutil.which("contract-review") or str(Path(sys.executable).with_name("contract-review"))
    r = subprocess.run(
        [exe, "coi", str(contract), str(cert), "--as-of", "2026-09-20", "--format", "json"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    (res,) = json.loads(r.stdout)
    term = res["requirements"]["contract_term"]
    assert (term["effective"], term["end"], term["renews"]) == ("2026-09-14", "2028-09-14", False)
    early = {f["policy"]: f for f in res["findings"] if f["rule"] == "COI006"}
    assert set(early) == {"general_liability", "workers_compensation"}  # the 5-year E&O / cyber policy lasts
    gl = early["general_liability"]
    assert gl["severity"] == "info" and not gl["uncertain"] and "09/14/2031" in gl["message"]  # a reminder
    assert early["workers_compensation"]["severity"] == "medium"  # expires within 30 days
    quotes = [" ".join(c["quote"].split()) for c in gl["contract_evidence"]]
    assert quotes[0].startswith("10.1 This Agreement continues for two (2) years")
    assert any("Effective" in q and "September 14, 2026" in q for q in quotes)  # the date it runs from
    assert any("three (3) years thereafter" in q for q in quotes)  # the tail
    assert [e["value"] for e in gl["certificate_evidence"] if e["label"] == "POLICY EXP"] == ["09/01/2027"]
    assert "within 30 days" in early["workers_compensation"]["message"]


def test_requirements_command_exports_the_term_end_with_its_quote():
    exe = shutil.which("contract-review") or str(Path(sys.executable).with_name("contract-review"))
    contract = SAMPLES / "04_managed_security_amounts_in_words.pdf"
    r = subprocess.run(
        [exe, "requirements", str(contract), "--format", "csv"], capture_output=True, text=True, timeout=600
    )
    assert r.returncode == 0, r.stderr
    (row,) = [x for x in csv.DictReader(io.StringIO(r.stdout)) if x["requirement"] == "term_end"]
    assert row["value"] == "2029-01-12 (renews)" and row["quote"].startswith("10.1 The initial term of this Agreement")
