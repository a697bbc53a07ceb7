"""The reviewed Word draft (contract_review.redline) and the review memo, on the sample
contracts that have DOCX versions: rejecting our changes gives back the draft, accepting them
gives the fixed text and clears the findings they address, comments are complete, the
draft's own changes and comments survive, and LibreOffice reads it all."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import docx
import pytest
from builders import make_revised_docx
from conftest import SAMPLES

from contract_review import wordml
from contract_review.loaders import load_document, trace_docx
from contract_review.memo import write_memo
from contract_review.pipeline import Reviewer
from contract_review.redline import RedlineError, write_redline

W = wordml.W
AUTHOR, DATE = "Jane Roe", "2026-12-01T10:00:00Z"
DRAFTS = sorted(SAMPLES.glob("*.docx"))
PLAYBOOKS = ["general", "technology-services"]
CASES = [pytest.param(path, pb, id=f"{path.stem[:2]}-{pb}") for path in DRAFTS for pb in PLAYBOOKS]


@cache
def reviewed(path: Path, playbook: str, audience: str = "internal"):
    reviewer = Reviewer(playbook=playbook)
    data = path.read_bytes()
    result = reviewer.review(path, data, index=False)
    out = write_redline(data, result, author=AUTHOR, audience=audience, date=DATE, playbook=reviewer.playbook)
    return data, result, out


def applied(data: bytes, how, author: str | None = AUTHOR) -> bytes:
    d = docx.Document(io.BytesIO(data))
    how(d.element.body, author)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def text(data: bytes) -> str:
    return load_document("draft.docx", data=data).text


def their_revisions(data: bytes) -> list[tuple]:
    return [(r.kind, r.author, r.date, r.text) for r in trace_docx(docx.Document(io.BytesIO(data))).revisions]


@pytest.mark.parametrize("path, playbook", CASES)
def test_rejecting_our_changes_gives_back_the_draft(path, playbook):
    data, _, out = reviewed(path, playbook)
    back = applied(out, wordml.reject)
    assert text(back) == text(data)
    # Also what the draft's own tracked changes hold, deleted text included.
    assert their_revisions(back) == their_revisions(data)


@pytest.mark.parametrize("path, playbook", CASES)
def test_accepting_every_change_clears_the_findings_the_changes_address(path, playbook):
    data, result, out = reviewed(path, playbook)
    fixed = [f.rule for f in result.findings if f.fixes or f.covered_by]
    again = Reviewer(playbook=playbook).review("accepted.docx", applied(out, wordml.accept, None), index=False)
    left = {f.rule for f in again.findings if f.severity != "info"}
    assert not left & set(fixed), (fixed, [(f.rule, f.message) for f in again.findings])
    # Nothing new is wrong with the fixed draft.
    assert left <= {f.rule for f in result.findings}


def test_some_drafts_are_changed_at_all():
    changed = [p.name for p in DRAFTS if any(f.fixes for f in reviewed(p, "technology-services")[1].findings)]
    assert len(changed) >= 4, changed


@pytest.mark.parametrize("path, playbook", CASES)
def test_accepting_our_changes_puts_each_fix_in_the_text(path, playbook):
    _, result, out = reviewed(path, playbook)
    accepted = " ".join(text(applied(out, wordml.accept)).split())
    for f in result.findings:
        for fix in f.fixes:
            assert " ".join(fix.text.split()) in accepted, (f.rule, fix.text)
            if fix.label:
                assert f"{fix.label} {fix.caption}. {fix.text}" in accepted


@pytest.mark.parametrize("path, playbook", CASES)
def test_comments_and_revisions_are_complete_and_unique(path, playbook):
    data, result, out = reviewed(path, playbook)
    d = docx.Document(io.BytesIO(out))  # python-docx re-opens it
    body = d.element.body
    revision_ids = [el.get(f"{W}id") for el in body.iter(f"{W}ins", f"{W}del", f"{W}moveFrom", f"{W}moveTo")]
    assert len(revision_ids) == len(set(revision_ids))
    ours = [el for el in body.iter(f"{W}ins", f"{W}del") if el.get(f"{W}author") == AUTHOR]
    assert all(el.get(f"{W}date") == DATE for el in ours)
    comments = list(d.comments)
    ids = [c.comment_id for c in comments]
    assert len(ids) == len(set(ids))
    assert not set(map(str, ids)) & set(revision_ids)
    for tag in ("commentRangeStart", "commentRangeEnd", "commentReference"):
        assert sorted(int(el.get(f"{W}id")) for el in body.iter(f"{W}{tag}")) == sorted(ids), tag
    assert all(c.text.strip() for c in comments)
    # The draft's own comments are kept; ours are one per finding.
    before = [c.text for c in docx.Document(io.BytesIO(data)).comments]
    assert [c.text for c in comments if c.author != AUTHOR] == before
    assert len([c for c in comments if c.author == AUTHOR]) == len(result.findings)


def test_a_comment_is_anchored_on_the_clause_it_quotes():
    data, result, out = reviewed(SAMPLES / "13_pilot_agreement_insurance_as_required.docx", "general")
    d = docx.Document(io.BytesIO(out))
    vague = next(c for c in d.comments if c.text.startswith("INS003"))
    start = next(el for el in d.element.body.iter(f"{W}commentRangeStart") if el.get(f"{W}id") == str(vague.comment_id))
    end = next(el for el in d.element.body.iter(f"{W}commentRangeEnd") if el.get(f"{W}id") == str(vague.comment_id))
    p = start.getparent()
    assert end.getparent() is p
    inside, on = [], False
    for el in p.iter(f"{W}commentRangeStart", f"{W}commentRangeEnd", f"{W}t", f"{W}delText"):
        if el is start:
            on = True
        elif el is end:
            break
        elif on:
            inside.append(el.text or "")
    marked = "".join(inside)
    assert marked.startswith("Vendor shall carry insurance as required by Customer from time to time.")
    assert "Vendor shall maintain, at its own expense" in marked  # the replacement sits in the range
    absent = next(c for c in d.comments if c.text.startswith("INS001"))
    start = next(
        el for el in d.element.body.iter(f"{W}commentRangeStart") if el.get(f"{W}id") == str(absent.comment_id)
    )
    assert "".join(t.text for t in start.getparent().iter(f"{W}t")) == "6. INSURANCE"  # the heading


def test_internal_comments_give_the_reasoning_and_counterparty_comments_ask():
    path = SAMPLES / "13_pilot_agreement_insurance_as_required.docx"
    internal = [c.text for c in docx.Document(io.BytesIO(reviewed(path, "technology-services")[2])).comments]
    assert any(t.startswith("INS001 missing-additional-insured (high):") and "Why it matters:" in t for t in internal)
    polite = [
        c.text for c in docx.Document(io.BytesIO(reviewed(path, "technology-services", "counterparty")[2])).comments
    ]
    assert len(polite) == len(internal)
    assert all(t.startswith("We ") for t in polite)
    for t in polite:
        assert not re.search(r"INS\d{3}|playbook|\b(?:high|medium|low)\b|Why it matters", t), t
    assert "We ask that Customer be named as an additional insured under the liability policies required of " in (
        polite[0] + " ".join(polite)
    )


def test_new_text_copies_the_formatting_around_it():
    _, _, out = reviewed(SAMPLES / "13_pilot_agreement_insurance_as_required.docx", "general")
    d = docx.Document(io.BytesIO(out))
    paras = d.element.body.findall(f"{W}p")
    new = next(p for p in paras if "6.3 Additional Insured." in "".join(t.text or "" for t in p.iter(f"{W}t")))
    model = next(p for p in paras if "".join(t.text or "" for t in p.iter(f"{W}t")).startswith("6.2 "))

    def props(el):
        return el.find(f"{W}rPr")

    model_runs = [r for r in model.iter(f"{W}r") if r.find(f"{W}t") is not None]
    new_runs = [r for r in new.iter(f"{W}r") if r.find(f"{W}t") is not None]
    strip = re.compile(rb' xmlns(:\w+)?="[^"]*"')
    for ours, theirs in ((new_runs[0], model_runs[0]), (new_runs[-1], model_runs[-1])):
        a, b = props(ours), props(theirs)
        assert (a is None) == (b is None)
        if a is not None:
            assert strip.sub(b"", wordml.etree.tostring(a)) == strip.sub(b"", wordml.etree.tostring(b))
    # The paragraph's properties too (style, indentation, spacing), but for the inserted mark.
    ppr_new, ppr_model = new.find(f"{W}pPr"), model.find(f"{W}pPr")
    assert [c.tag for c in ppr_new if c.tag != f"{W}rPr"] == [c.tag for c in ppr_model if c.tag != f"{W}rPr"]


def test_the_other_sides_struck_protection_is_put_back_next_to_their_deletion():
    data, result, out = reviewed(SAMPLES / "14_cloud_services_draft_insurance_struck.docx", "general")
    restore = [f for f in result.findings if f.rule == "INS010" and f.fixes[0].action == "restore"]
    assert restore
    # INS001 (no additional insured in the accepted text) leaves the fix to the restored clause.
    assert not next(f for f in result.findings if f.rule == "INS001").fixes
    accepted = text(applied(out, wordml.accept, None))
    assert "6.2 Additional Insured. Provider shall cause Customer and its affiliates" in accepted.split("\n")[21]
    assert "$2,000,000 per occurrence" in accepted and "$10,000,000 per claim" in accepted


def test_the_issue_scenario_round_trips(tmp_path):
    clause = (
        "12. Insurance. Provider shall maintain commercial general liability insurance with limits of not less "
        "than $1,000,000 per occurrence. {--Client shall be named as an additional insured on such policy. --}"
        "{++Provider waives all rights of subrogation against Client.++}"
    )
    data = make_revised_docx(
        [
            'This Services Agreement is made between Saltmarsh Bank ("Client") and Quarrystone Analytics, Inc. '
            '("Provider").',
            clause,
            "13. Governing Law. This Agreement is governed by the laws of New York.",
        ],
        author="Quarrystone Legal",
    )
    path = tmp_path / "draft.docx"
    path.write_bytes(data)
    result = Reviewer().review(path, index=False)
    out = write_redline(data, result, author=AUTHOR, date=DATE)
    assert text(applied(out, wordml.reject)) == text(data)
    comments = [c.text for c in docx.Document(io.BytesIO(out)).comments]
    assert any(c.startswith("INS010 struck-insurance-protection") for c in comments)
    assert "Client shall be named as an additional insured on such policy." in text(applied(out, wordml.accept))


def test_a_review_of_another_file_is_refused():
    data13, _, _ = reviewed(SAMPLES / "13_pilot_agreement_insurance_as_required.docx", "general")
    _, result14, _ = reviewed(SAMPLES / "14_cloud_services_draft_insurance_struck.docx", "general")
    with pytest.raises(RedlineError, match="not at its place"):
        write_redline(data13, result14)


def test_the_memo_of_a_pdf_review():
    result = Reviewer().review(SAMPLES / "02_engagement_letter_vague_insurance.pdf", index=False)
    d = docx.Document(io.BytesIO(write_memo(result, author=AUTHOR)))
    body = "\n".join(p.text for p in d.paragraphs)
    assert "Insurance review: 02_engagement_letter_vague_insurance.pdf" in body
    assert f"Findings ({len(result.findings)})" in body
    for f in result.findings:
        assert f"{f.rule} {f.slug}" in body
        assert f.suggestion in body
    assert 'p.2: "' in body or 'p.1: "' in body
    tables = ["\n".join(c.text for row in t.rows for c in row.cells) for t in d.tables]
    assert any("Additional insured" in t and "absent" in t for t in tables)
    polite = docx.Document(io.BytesIO(write_memo(result, audience="counterparty")))
    text_ = "\n".join(p.text for p in polite.paragraphs)
    assert "Requested changes" in text_ and not re.search(r"INS\d{3}", text_)


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "contract_review.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


@pytest.mark.slow
def test_cli_writes_the_reviewed_draft_and_the_memo(tmp_path):
    draft = SAMPLES / "13_pilot_agreement_insurance_as_required.docx"
    out = tmp_path / "reviewed.docx"
    r = cli("review", str(draft), "--no-index", "--redline", str(out), "--author", "Jane Roe", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert f"wrote reviewed draft: {out}" in r.stderr
    d = docx.Document(out)
    assert {c.author for c in d.comments} == {"Jane Roe"}
    assert text(applied(out.read_bytes(), wordml.reject, "Jane Roe")) == text(draft.read_bytes())
    memo = tmp_path / "memo.docx"
    r = cli(
        "review",
        str(SAMPLES / "02_engagement_letter_vague_insurance.pdf"),
        "--no-index",
        "--redline",
        str(memo),
        cwd=tmp_path,
    )
    assert r.returncode == 0 and "review memo (the contract is not a DOCX)" in r.stderr
    assert docx.Document(memo).paragraphs[0].text.startswith("Insurance review:")
    r = cli("review", str(draft), "--no-index", "--format", "docx", cwd=tmp_path)
    assert r.returncode == 1 and "--output" in r.stderr
    r = cli("review", str(draft), "--no-index", "-f", "docx", "-o", str(tmp_path / "m.docx"), cwd=tmp_path)
    assert r.returncode == 0 and "wrote review memo" in r.stderr


# --------------------------------------------------------------------------- LibreOffice

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def our_regions(data: bytes) -> int:
    """Tracked changes counted as a word processor shows them: a run of text and paragraph
    marks changed the same way by the same author, with nothing unchanged in between, is one."""
    body = docx.Document(io.BytesIO(data)).element.body
    tokens: list = []
    for p in body.iter(f"{W}p"):
        for r in p.iter(f"{W}r"):
            if r.find(f"{W}t") is None and r.find(f"{W}delText") is None:
                continue
            change = next((a for a in r.iterancestors(f"{W}ins", f"{W}del", f"{W}p") if a.tag != f"{W}p"), None)
            tokens.append((change.tag, change.get(f"{W}author")) if change is not None else None)
        rpr = p.find(f"{W}pPr/{W}rPr")
        mark = next(rpr.iterchildren(f"{W}ins", f"{W}del"), None) if rpr is not None else None
        tokens.append((mark.tag, mark.get(f"{W}author")) if mark is not None else None)
    return sum(1 for i, t in enumerate(tokens) if t is not None and (i == 0 or tokens[i - 1] != t))


def libreoffice_counts(tmp_path: Path, data: bytes, name: str) -> tuple[int, int]:
    src = tmp_path / f"{name}.docx"
    src.write_bytes(data)
    profile = tmp_path / "lo-profile"
    r = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "fodt",
            "--outdir",
            str(tmp_path),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    fodt = tmp_path / f"{name}.fodt"
    assert r.returncode == 0 and fodt.exists(), r.stderr
    xml = fodt.read_text(encoding="utf-8")
    return xml.count("<text:changed-region "), len(re.findall(r"<office:annotation[ >]", xml))


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: .ci/run installs it")
@pytest.mark.parametrize("path, playbook", [pytest.param(p, "technology-services", id=p.stem[:2]) for p in DRAFTS])
def test_libreoffice_reads_every_change_and_comment(tmp_path, path, playbook):
    data, result, out = reviewed(path, playbook)
    changes_before, comments_before = libreoffice_counts(tmp_path, data, "draft")
    changes_after, comments_after = libreoffice_counts(tmp_path, out, "reviewed")
    d = docx.Document(io.BytesIO(out))
    assert comments_after == len(list(d.comments)) == comments_before + len(result.findings)
    # LibreOffice shows as many more tracked changes as the file holds more change regions.
    assert changes_after - changes_before == our_regions(out) - our_regions(data)
    if any(f.fixes for f in result.findings):
        assert changes_after > changes_before


def test_a_contract_without_insurance_gets_an_insurance_section_before_the_signatures():
    parties = (
        'This Licence Agreement is made between Corvid Media LLC, a Delaware limited liability company ("Licensor") '
        'and Palisade Labs, Inc., a Delaware corporation ("Licensee").'
    )
    data = make_revised_docx(
        [
            parties,
            "1. LICENCE",
            "1.1 Licensor grants Licensee a licence to the archive.",
            "2. INDEMNITY",
            "2.1 Licensee shall indemnify Licensor against third-party claims.",
            "IN WITNESS WHEREOF the parties have signed this Agreement.",
        ]
    )
    result = Reviewer().review("licence.docx", data, index=False)
    assert [f.rule for f in result.findings] == ["INS000"]
    out = write_redline(data, result, author=AUTHOR, date=DATE)
    lines = text(applied(out, wordml.accept)).split("\n")
    at = lines.index("3. INSURANCE")
    assert lines[at - 1].startswith("2.1 Licensee shall indemnify") and lines[at + 2].startswith("IN WITNESS")
    assert lines[at + 1].startswith("[Insured Party] shall maintain, at its own expense")
    assert text(applied(out, wordml.reject)) == text(data)
    again = Reviewer().review("accepted.docx", applied(out, wordml.accept), index=False)
    assert again.findings == []


@pytest.mark.dev_set
@pytest.mark.slow
@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_real_contracts_round_trip_as_word_drafts(cuad_dir, playbook):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "eval"))
    from redline_roundtrip import as_docx, round_trip

    files = sorted((cuad_dir / "txt").glob("*.txt"))[::25]  # 21 contracts across the corpus
    reviewer = Reviewer(playbook=playbook)
    problems, fixes = [], 0
    for path in files:
        problem, n = round_trip(reviewer, path.stem + ".docx", as_docx(path.read_text(errors="replace")))
        fixes += n
        if problem:
            problems.append((path.name, problem))
    assert not problems
    assert fixes > 20
