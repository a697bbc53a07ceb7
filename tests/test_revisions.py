"""Tracked changes of a Word draft: which touch the insurance terms, what a deletion struck,
which limit was lowered, and rule INS010 (whose Example is reviewed here from a DOCX)."""

from __future__ import annotations

import pytest
from builders import Xml, accepted, change_xml, make_revised_docx, run_xml

from contract_review.checks import all_rules, load_playbook
from contract_review.grounding import is_verbatim
from contract_review.loaders import load_document
from contract_review.pipeline import Reviewer
from contract_review.playbook import playbook_from_dict
from contract_review.revisions import insurance_revisions
from contract_review.schema import InsuranceProfile, ReviewResult

HEAD = [
    "SERVICES AGREEMENT",
    'This Services Agreement is made between Saltmarsh Cooperative Bank ("Client") and Quarrystone Analytics, '
    'Inc. ("Provider").',
    "1. Services. Provider shall perform the services described in each statement of work.",
    "2. Fees. Fees are payable within {--thirty (30)--}{++forty-five (45)++} days after receipt of a correct invoice.",
]
TAIL = ["13. Governing Law. This Agreement is governed by the laws of the State of New York."]


def review(tmp_path, blocks: list, name: str = "draft.docx", playbook: str = "general", **kw):
    path = tmp_path / name
    path.write_bytes(make_revised_docx([*HEAD, *blocks, *TAIL], **kw))
    reviewer = Reviewer(extractor="rules", playbook=playbook)
    doc = reviewer.load(path)
    result = reviewer.review_document(doc)
    assert result.status == "ok", result.error
    for f in result.findings:
        for c in f.evidence:
            assert is_verbatim(doc, c), c
    for r in result.profile.revisions:
        assert r.at is None or is_verbatim(doc, r.at)
    return doc, result


def fired(result: ReviewResult, code: str) -> list:
    return [f for f in result.findings if f.rule == code]


# --------------------------------------------------------------------------- the issue's scenario

ISSUE_CLAUSE = (
    "12. Insurance. Provider shall maintain commercial general liability insurance with limits of not less "
    "than $1,000,000 per occurrence. {--Client shall be named as an additional insured on such policy. --}"
    "{++Provider waives all rights of subrogation against Client.++}"
)


def test_issue_scenario_the_insertion_counts_and_the_struck_additional_insured_is_reported(tmp_path):
    doc, result = review(tmp_path, [ISSUE_CLAUSE], author="Quarrystone Legal", date="2026-02-10T09:30:00Z")
    assert "Provider waives all rights of subrogation against Client." in doc.text
    assert "additional insured" not in doc.text
    kinds = [(r.kind, r.text) for r in result.profile.revisions]
    assert kinds == [
        ("deletion", "Client shall be named as an additional insured on such policy. "),
        ("insertion", "Provider waives all rights of subrogation against Client."),
    ]  # the fee change of section 2 is no insurance revision
    deletion = result.profile.revisions[0]
    assert deletion.struck == ["additional_insured"] and deletion.author == "Quarrystone Legal"
    assert deletion.date == "2026-02-10T09:30:00Z" and deletion.page == 1
    assert deletion.at.quote.startswith("Provider shall maintain commercial general liability insurance")
    assert fired(result, "INS001")
    (f,) = fired(result, "INS010")
    assert f.severity == "high"
    assert f.message == (
        "Tracked deletion by Quarrystone Legal on 2026-02-10 strikes additional-insured wording: "
        '"Client shall be named as an additional insured on such policy." (p.1); the accepted text has no '
        "additional-insured wording"
    )
    assert (
        f.suggestion == 'Reject the deletion and keep: "Client shall be named as an additional insured on such policy."'
    )


def test_issue_scenario_the_inserted_waiver_silences_ins002(tmp_path):
    _, result = review(tmp_path, [ISSUE_CLAUSE])
    assert not fired(result, "INS002")


def test_an_inserted_waiver_silences_ins002(tmp_path):
    clause = ISSUE_CLAUSE.replace(
        "Provider waives all rights", "Provider waives, and shall cause its insurers to waive, all rights"
    )
    _, result = review(tmp_path, [clause])
    assert result.profile.waiver_of_subrogation.present
    assert not fired(result, "INS002")
    assert [f.rule for f in result.findings if f.rule in ("INS001", "INS010")] == ["INS001", "INS010"]


# --------------------------------------------------------------------------- rule examples from a DOCX

TRACKED_RULES = [r for r in all_rules() if r.tracked_example]


def test_some_rule_has_a_tracked_example():
    assert [r.code for r in TRACKED_RULES] == ["INS010"]


@pytest.mark.parametrize("r", TRACKED_RULES, ids=lambda r: f"{r.code}-{r.slug}")
def test_tracked_rule_fires_on_its_example_read_from_a_docx(tmp_path, r):
    """The walker of tests/test_checks.py, for an Example in CriticMarkup: the same contract
    around it, as a DOCX whose changes are real w:ins/w:del revisions."""
    blocks = [
        "SERVICES AGREEMENT",
        "1. Services. The services are described in each statement of work signed by the parties.",
        "2. Fees. Fees are payable within thirty (30) days after receipt of a correct invoice.",
        "3. " + r.example,
        "4. Governing Law. This Agreement is governed by the laws of the State of New York.",
    ]
    path = tmp_path / "example.docx"
    path.write_bytes(make_revised_docx(blocks))
    result = Reviewer(extractor="rules", playbook=r.example_playbook).review(path)
    assert result.status == "ok"
    hits = [f for f in result.findings if f.rule == r.code and f.severity != "info"]
    assert hits, f"{r.code} did not fire on its Example; profile: {result.profile.model_dump_json(indent=1)}"
    text = "\n".join(accepted(b) for b in blocks)
    for f in hits:
        for c in f.evidence:
            assert c.quote in text
    if r.code == "INS010":
        assert sorted(f.message.split(" wording")[0].split(" ")[-1] for f in hits if "strikes" in f.message) == [
            "additional-insured"
        ]
        assert any("lowers a limit from USD 2,000,000 to USD 1,000,000" in f.message for f in hits)


# --------------------------------------------------------------------------- what a deletion struck


def test_each_struck_protection_is_one_finding(tmp_path):
    clause = (
        "12. Insurance. Provider shall maintain commercial general liability insurance with limits of not less than "
        "$1,000,000 per occurrence{--, naming Client as an additional insured--}. "
        "{--Such insurance shall be primary and non-contributory to any insurance maintained by Client. --}"
        "Provider shall deliver a certificate of insurance to Client before performing any Services"
        "{-- and shall give Client thirty (30) days' prior written notice of cancellation of any such policy--}. "
        "{--Provider waives all rights of subrogation against Client under each such policy.--}"
    )
    _, result = review(tmp_path, [clause])
    struck = sorted(t for r in result.profile.revisions for t in r.struck)
    assert struck == ["additional_insured", "cancellation_notice", "primary_noncontributory", "waiver_of_subrogation"]
    assert len(fired(result, "INS010")) == 4
    assert {"INS001", "INS002", "INS006", "INS007"} <= {f.rule for f in result.findings}
    assert not fired(result, "INS005")


def test_a_reworded_protection_is_not_struck(tmp_path):
    clause = (
        "12. Insurance. Provider shall maintain commercial general liability insurance with limits of not less than "
        "$1,000,000 per occurrence. {--Client shall be named as an additional insured on such policy.--}"
        "{++Client, its affiliates and their officers shall be named as additional insureds on such policy.++}"
    )
    _, result = review(tmp_path, [clause])
    assert [r.struck for r in result.profile.revisions] == [[], []]
    assert not fired(result, "INS010") and not fired(result, "INS001")


def test_struck_wording_that_remains_elsewhere_says_so(tmp_path):
    blocks = [
        "12.1 Insurance. Provider shall maintain commercial general liability insurance of $1,000,000 per "
        "occurrence, naming Client as an additional insured.",
        "12.2 Provider shall maintain automobile liability insurance of $1,000,000 combined single limit"
        "{--, naming Client as an additional insured--}.",
    ]
    _, result = review(tmp_path, blocks)
    (f,) = fired(result, "INS010")
    assert "other additional-insured wording remains in the accepted text" in f.message
    assert f.evidence[0].quote.startswith("12.2 Provider shall maintain automobile liability insurance")


def test_a_struck_insurance_article_is_reported_even_though_no_insurance_remains(tmp_path):
    blocks = [
        "{--12. Insurance.--}",
        "{--Provider shall maintain commercial general liability insurance with limits of not less than $1,000,000 "
        "per occurrence and shall name Client as an additional insured.--}",
    ]
    doc, result = review(tmp_path, blocks)
    assert "Insurance" not in doc.text
    assert [f.rule for f in result.findings] == ["INS000", "INS010", "INS010"]
    messages = [f.message for f in fired(result, "INS010")]
    assert "strikes additional-insured wording" in messages[0] and "strikes a limit of USD 1,000,000" in messages[1]


# --------------------------------------------------------------------------- limits


def test_a_lowered_limit_has_its_old_and_new_amount(tmp_path):
    clause = (
        "12. Insurance. Provider shall maintain commercial general liability insurance with limits of not less than "
        "{--Two Million Dollars ($2,000,000)--}{++One Million Dollars ($1,000,000)++} per occurrence and "
        "$4,000,000 in the aggregate."
    )
    _, result = review(tmp_path, [clause])
    deletion = next(r for r in result.profile.revisions if r.kind == "deletion")
    assert [a.model_dump() for a in deletion.amounts] == [
        {"old": 2_000_000, "old_currency": "USD", "new": 1_000_000, "new_currency": "USD", "lowered": True}
    ]
    (f,) = fired(result, "INS010")
    assert f.message.startswith(
        "Tracked change by Opposing Counsel on 2026-03-02 lowers a limit from USD 2,000,000 to USD 1,000,000"
    )
    assert f.suggestion == "Reject the change and keep the limit of USD 2,000,000."


def test_a_one_digit_change_reads_as_the_change_of_the_whole_amount(tmp_path):
    clause = (
        "12. Insurance. Provider shall maintain cyber liability insurance with limits of not less than "
        "${--5--}{++2++},000,000 per claim."
    )
    doc, result = review(tmp_path, [clause])
    assert "$2,000,000 per claim" in doc.text
    (change,) = [a for r in result.profile.revisions for a in r.amounts]
    assert (change.old, change.new, change.lowered) == (5_000_000, 2_000_000, True)
    assert "from USD 5,000,000 to USD 2,000,000" in fired(result, "INS010")[0].message


def test_a_raised_limit_and_added_protections_are_no_finding(tmp_path):
    clause = (
        "12. Insurance. Provider shall maintain commercial general liability insurance with limits of not less than "
        "{--$1,000,000--}{++$2,000,000++} per occurrence{++, naming Client as an additional insured++}."
    )
    _, result = review(tmp_path, [clause])
    assert [(r.kind, r.text) for r in result.profile.revisions] == [
        ("deletion", "$1,000,000"),
        ("insertion", "$2,000,000"),
        ("insertion", ", naming Client as an additional insured"),
    ]
    (change,) = result.profile.revisions[0].amounts
    assert (change.old, change.new, change.lowered) == (1_000_000, 2_000_000, False)
    assert not fired(result, "INS010") and not fired(result, "INS001")


def test_a_lowered_limit_in_a_table_cell(tmp_path):
    blocks = [
        "12. Insurance. Provider shall maintain the insurance set out in the table below.",
        [
            ["Coverage", "Minimum limit"],
            ["Technology errors and omissions", "{--$5,000,000--}{++$2,000,000++} per claim"],
        ],
    ]
    _, result = review(tmp_path, blocks, playbook="technology-services")
    lowered = [f for f in fired(result, "INS010") if "lowers a limit" in f.message]
    assert len(lowered) == 1 and "from USD 5,000,000 to USD 2,000,000" in lowered[0].message
    assert lowered[0].evidence[0].quote == "$2,000,000 per claim"


# --------------------------------------------------------------------------- what is listed


def test_revisions_outside_the_insurance_terms_are_not_listed(tmp_path):
    _, result = review(tmp_path, ["12. Insurance. Provider shall maintain insurance of $1,000,000 per occurrence."])
    doc_revisions = load_document(tmp_path / "draft.docx").revisions
    assert [r.text for r in doc_revisions] == ["thirty (30)", "forty-five (45)"]  # section 2, fees
    assert result.profile.revisions == []


def test_a_moved_clause_is_listed_but_struck_nothing(tmp_path):
    moved = "Provider shall deliver a certificate of insurance to Client before performing any Services."
    blocks = [
        Xml(f"<w:p>{change_xml('moveFrom', run_xml(moved, 't'))}</w:p>"),
        "12. Insurance. Provider shall maintain commercial general liability insurance of $1,000,000 per occurrence.",
        Xml(f"<w:p>{change_xml('moveTo', run_xml(moved))}</w:p>"),
    ]
    doc, result = review(tmp_path, blocks)
    assert doc.text.count(moved) == 1
    assert [(r.kind, r.text, r.struck) for r in result.profile.revisions] == [("move", moved, [])]
    assert not fired(result, "INS010") and not fired(result, "INS005")


def test_comments_in_the_draft_change_nothing(tmp_path):
    with_comments = ISSUE_CLAUSE.replace("per occurrence.", "per occurrence.{>>Is $1,000,000 enough?<<}").replace(
        "such policy. --}", "such policy. --}{>>We need this.<<}"
    )
    _, plain = review(tmp_path, [ISSUE_CLAUSE], name="plain.docx")
    _, commented = review(tmp_path, [with_comments], name="commented.docx")
    assert [(f.rule, f.message) for f in commented.findings] == [(f.rule, f.message) for f in plain.findings]
    assert commented.profile.revisions == plain.profile.revisions


def test_files_without_revisions_have_none(tmp_path):
    result = Reviewer().review("plain.txt", data=b"Insurance. Vendor shall maintain insurance of $1,000,000.")
    assert result.profile.revisions == [] and not fired(result, "INS010")
    assert "revisions" in result.model_dump()["profile"]
    doc = load_document(tmp_path / "x.txt", data=b"no changes")
    assert insurance_revisions(doc, InsuranceProfile()) == []


def test_the_revisions_are_in_the_json_output(tmp_path):
    _, result = review(tmp_path, [ISSUE_CLAUSE])
    again = ReviewResult.model_validate_json(result.model_dump_json())
    assert again.profile.revisions == result.profile.revisions
    assert again.profile.revisions[0].model_dump(exclude={"at"}) == {
        "kind": "deletion",
        "author": "Opposing Counsel",
        "date": "2026-03-02T10:15:00Z",
        "text": "Client shall be named as an additional insured on such policy. ",
        "page": 1,
        "start": result.profile.revisions[1].start,
        "end": result.profile.revisions[1].start,
        "struck": ["additional_insured"],
        "amounts": [],
    }


def test_ins010_follows_the_playbook(tmp_path):
    off = playbook_from_dict({"name": "x", "rules": {"struck-insurance-protection": False}})
    path = tmp_path / "draft.docx"
    path.write_bytes(make_revised_docx([*HEAD, ISSUE_CLAUSE]))
    assert not fired(Reviewer(playbook=off).review(path), "INS010")
    assert load_playbook("technology-services").name == "technology-services"
    assert {f.severity for f in fired(Reviewer(playbook="technology-services").review(path), "INS010")} == {"high"}
