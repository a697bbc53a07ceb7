"""The eval suite: metric conventions, label handling, scoring, the CUAD adapter, the
report, and the CI gate on the sample contracts and (when ../shared is present) the
74-contract CUAD dev set.

Gate thresholds live in eval/thresholds.yaml, read both here and by
``contract-review eval --thresholds``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from builders import make_pdf
from conftest import ROOT, SAMPLES

from contract_review.errors import ConfigError
from contract_review.evaluation.cuad import cuad_rows, parse_spans, read_exclusions
from contract_review.evaluation.fields import FIELDS, VAGUE_RULE
from contract_review.evaluation.labels import DocIndex, LabelError, LabelRow, load_labels
from contract_review.evaluation.metrics import Confusion
from contract_review.evaluation.render import render_markdown, render_text, write_outputs
from contract_review.evaluation.runner import Reviewed
from contract_review.evaluation.scoring import score
from contract_review.evaluation.thresholds import Thresholds, check, load_thresholds
from contract_review.schema import (
    Citation,
    ErrorInfo,
    Finding,
    InsuranceProfile,
    Limit,
    Policy,
    ReviewResult,
    Term,
    UngroundedQuote,
)

THRESHOLDS = ROOT / "eval" / "thresholds.yaml"
CLI = [sys.executable, "-c", "from contract_review.cli import main; main()"]
# Captured at import, before the autouse fixture strips them: the opt-in live LLM run uses them.
LLM_ENV = {
    k: os.environ[k] for k in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "CONTRACT_REVIEW_LLM_MODEL") if k in os.environ
}


# --------------------------------------------------------------------------- metrics


def test_confusion_counts_cells():
    c = Confusion()
    assert [c.add(True, True), c.add(True, False), c.add(False, True), c.add(False, False)] == ["tp", "fp", "fn", "tn"]
    assert (c.tp, c.fp, c.fn, c.tn, c.n, c.support) == (1, 1, 1, 1, 4, 2)


@pytest.mark.parametrize(
    "tp, fp, fn, tn, precision, recall, f1",
    [
        (0, 0, 0, 0, None, None, None),  # nothing at all
        (0, 0, 0, 7, None, None, None),  # only negatives, all right: nothing to score
        (3, 0, 0, 2, 1.0, 1.0, 1.0),
        (0, 2, 0, 5, 0.0, None, 0.0),  # false alarms only
        (0, 0, 4, 1, None, 0.0, 0.0),  # misses only: precision undefined, F1 still 0
        (2, 1, 1, 0, 2 / 3, 2 / 3, 2 / 3),
        (8, 2, 0, 0, 0.8, 1.0, 2 * 0.8 * 1.0 / 1.8),
    ],
)
def test_precision_recall_f1_edge_cases(tp, fp, fn, tn, precision, recall, f1):
    c = Confusion(tp, fp, fn, tn)
    for got, want in ((c.precision, precision), (c.recall, recall), (c.f1, f1)):
        assert got == pytest.approx(want) if want is not None else got is None


def test_f1_is_harmonic_mean_when_both_defined():
    for tp, fp, fn in [(5, 3, 2), (1, 9, 1), (10, 0, 3)]:
        c = Confusion(tp, fp, fn)
        assert c.f1 == pytest.approx(2 * c.precision * c.recall / (c.precision + c.recall))


def test_set_comparison_is_micro_over_the_universe():
    c = Confusion()
    c.add_sets({"a", "b"}, {"b", "c"}, universe=("a", "b", "c", "d"))
    assert (c.tp, c.fp, c.fn, c.tn) == (1, 1, 1, 1)
    c.add_sets({"x"}, set(), universe=("a",))  # a member outside the universe still counts
    assert (c.fp, c.tn) == (2, 2)


# --------------------------------------------------------------------------- labels


def _write(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def test_load_labels_reads_rows_skips_blank_lines(tmp_path):
    p = _write(
        tmp_path / "l.jsonl",
        [
            {"file": "a.pdf", "insurance_required": True, "uncertain": ["coi_required"]},
            "",
            {"file": "b.pdf", "insurance_required": False},
        ],
    )
    rows = load_labels(p)
    assert [r.file for r in rows] == ["a.pdf", "b.pdf"]
    assert rows[0].line == 1 and rows[1].line == 3
    assert rows[0].uncertain == {"coi_required"}


@pytest.mark.parametrize(
    "row, message",
    [
        ("{not json", "l.jsonl:1: not valid JSON"),
        ('["a.pdf"]', "expected a JSON object"),
        ({"insurance_required": True}, "'file'"),
        ({"file": "a.pdf", "coi_required": "yes"}, "'coi_required' must be true or false"),
        ({"file": "a.pdf", "policy_types": ["general_liability", "pet_insurance"]}, "'policy_types'"),
        ({"file": "a.pdf", "limits": [{"policy_type": "auto", "amount": "1m", "basis": "other"}]}, "limits[0].amount"),
        ({"file": "a.pdf", "limits": [{"policy_type": "auto", "amount": 1, "basis": "weekly"}]}, "limits[0].basis"),
        ({"file": "a.pdf", "uncertain": "vague_language"}, "'uncertain'"),
    ],
)
def test_load_labels_rejects_bad_rows_naming_line_and_key(tmp_path, row, message):
    p = _write(tmp_path / "l.jsonl", [row])
    with pytest.raises(LabelError) as e:
        load_labels(p)
    assert message in e.value.message


def test_load_labels_rejects_duplicates_empty_and_missing(tmp_path):
    with pytest.raises(LabelError, match="already labelled on line 1"):
        load_labels(_write(tmp_path / "d.jsonl", [{"file": "a.pdf"}, {"file": "a.pdf"}]))
    with pytest.raises(LabelError, match="no rows"):
        load_labels(_write(tmp_path / "e.jsonl", ["", ""]))
    with pytest.raises(LabelError, match="not found"):
        load_labels(tmp_path / "nope.jsonl")


def test_label_row_scores_only_present_and_certain_fields():
    row = LabelRow(
        "a.pdf",
        {
            "file": "a.pdf",
            "insurance_required": True,
            "coi_required": False,
            "evidence": {"insurance_required": "one quote"},
        },
        uncertain=frozenset({"coi_required"}),
    )
    assert row.gold("insurance_required") is True
    assert row.gold("coi_required") is None  # uncertain
    assert row.gold("additional_insured") is None  # not labelled
    assert row.evidence("insurance_required") == ["one quote"]
    assert row.evidence("additional_insured") == []


def test_doc_index_resolves_exact_case_and_stem(tmp_path):
    names = ["A.Corp-EX-10.7-AGREEMENT.PDF", "b.pdf", "c.txt", "c.pdf", "d .txt"]
    for n in names:
        (tmp_path / n).write_text("x")
    idx = DocIndex(tmp_path, [".pdf", ".docx", ".txt"])
    assert idx.resolve("b.pdf").name == "b.pdf"
    assert idx.resolve("B.PDF").name == "b.pdf"
    assert idx.resolve("a.corp-EX-10.7-agreement.pdf").name == names[0]
    assert idx.resolve("c.docx").name == "c.pdf"  # same stem, preferred extension
    assert idx.resolve("d .PDF").name == "d .txt"  # CUAD: a space before the extension
    assert idx.resolve("A.Corp-EX-10.7-AGREEMENT.txt").name == names[0]
    assert idx.resolve("zzz.pdf") is None
    (tmp_path / "Part_I" / "Licensing").mkdir(parents=True)
    (tmp_path / "Part_I" / "Licensing" / "nested.pdf").write_text("x")
    assert DocIndex(tmp_path, [".pdf"]).resolve("NESTED.pdf") == tmp_path / "Part_I" / "Licensing" / "nested.pdf"
    with pytest.raises(LabelError):
        DocIndex(tmp_path / "missing", [".pdf"])


# --------------------------------------------------------------------------- scoring


def _cite(quote: str, page: int = 1) -> Citation:
    return Citation(quote=quote, page=page, start=0, end=len(quote))


def _result(file: str, profile: InsuranceProfile | None = None, findings=(), status="ok") -> Reviewed:
    r = ReviewResult(file=file, path=file, status=status, profile=profile, findings=list(findings))
    cites = len(profile.all_citations()) if profile else 0
    return Reviewed(r, citations=cites, verbatim=cites)


def _profile(**kw) -> InsuranceProfile:
    terms = {k: Term(present=True, evidence=[_cite(f"{k} quote")]) for k in kw.pop("terms", [])}
    return InsuranceProfile(
        insurance_required=kw.pop("insurance", True),
        insurance_evidence=[_cite("shall maintain insurance")],
        **terms,
        **kw,
    )


def test_score_counts_fields_excludes_uncertain_and_missing():
    full = LabelRow(
        "a.pdf",
        {
            "file": "a.pdf",
            "insurance_required": True,
            "additional_insured": True,
            "coi_required": True,
            "waiver_of_subrogation": False,
            "evidence": {"coi_required": ["Vendor shall deliver a certificate"]},
        },
        uncertain=frozenset({"additional_insured"}),
    )
    coarse = LabelRow("b.pdf", {"file": "b.pdf", "insurance_required": False})
    pred_a = _profile(terms=["waiver_of_subrogation"])  # FP waiver, FN coi, AI uncertain
    pred_b = _profile()  # FP insurance_required
    m = score([(full, _result("a.pdf", pred_a)), (coarse, _result("b.pdf", pred_b))])

    f = m["fields"]
    assert (f["insurance_required"]["tp"], f["insurance_required"]["fp"]) == (1, 1)
    assert f["additional_insured"]["n"] == 0 and f["additional_insured"]["uncertain_excluded"] == 1
    assert (f["coi_required"]["fn"], f["coi_required"]["n"]) == (1, 1)  # coarse row has no coi label
    assert (f["waiver_of_subrogation"]["fp"], f["waiver_of_subrogation"]["n"]) == (1, 1)
    assert f["cancellation_notice"]["n"] == 0

    by = {(d["file"], d["field"]): d for d in m["disagreements"]}
    assert by[("a.pdf", "waiver_of_subrogation")]["kind"] == "FP"
    assert by[("a.pdf", "waiver_of_subrogation")]["quotes"] == [{"page": 1, "quote": "waiver_of_subrogation quote"}]
    assert by[("a.pdf", "coi_required")]["quotes"][0]["quote"] == "Vendor shall deliver a certificate"
    assert by[("b.pdf", "insurance_required")]["quotes"][0]["quote"] == "shall maintain insurance"
    assert ("a.pdf", "additional_insured") not in by


def test_vague_language_is_predicted_by_the_checker_rule_firing():
    row = LabelRow("a.pdf", {"file": "a.pdf", "vague_language": True})
    vague_profile = _profile(vague_language=[_cite("adequate insurance")])
    # The profile holds a vague quote but the checker did not fire: not predicted.
    m = score([(row, _result("a.pdf", vague_profile))])
    assert m["fields"]["vague_language"]["fn"] == 1
    fired = Finding(
        rule=VAGUE_RULE,
        slug="vague-insurance-language",
        severity="medium",
        message="m",
        evidence=[_cite("adequate insurance")],
    )
    other = Finding(rule="INS001", slug="missing-additional-insured", severity="high", message="m")
    m = score([(row, _result("a.pdf", vague_profile, [other, fired]))])
    assert m["fields"]["vague_language"]["tp"] == 1


def test_policy_types_and_limits():
    row = LabelRow(
        "a.pdf",
        {
            "file": "a.pdf",
            "policy_types": ["general_liability", "auto"],
            "has_minimum_limits": True,
            "limits": [
                {"policy_type": "general_liability", "amount": 1000000, "currency": "USD", "basis": "per_occurrence"},
                {"policy_type": "general_liability", "amount": 2000000, "currency": "USD", "basis": "aggregate"},
                {"policy_type": "auto", "amount": None, "currency": None, "basis": "combined_single", "redacted": True},
            ],
        },
    )
    gl = Policy(
        type="general_liability",
        evidence=[_cite("CGL")],
        limits=[
            Limit(amount=1_000_000, basis="per_occurrence"),
            Limit(amount=2_000_000, basis="per_occurrence"),  # right amount, wrong basis
        ],
    )
    prop = Policy(
        type="property",
        evidence=[_cite("all risk")],
        limits=[
            Limit(amount=None, currency=None, redacted=True, basis="other"),  # redacted amount, wrong type
            Limit(amount=5_000_000, basis="other"),  # not labelled
        ],
    )
    m = score([(row, _result("a.pdf", _profile(policies=[gl, prop])))])
    pt = m["fields"]["policy_types"]
    assert (pt["tp"], pt["fp"], pt["fn"]) == (1, 1, 1)
    assert m["policy_types_by_type"]["property"]["fp"] == 1
    lim = m["limits"]
    assert (lim["labelled"], lim["found_full"], lim["found_amount"]) == (3, 1, 3)
    assert (lim["predicted"], lim["predicted_matched"]) == (4, 3)
    assert lim["recall_full"] == pytest.approx(1 / 3)
    assert m["fields"]["has_minimum_limits"]["tp"] == 1
    extra = [d for d in m["disagreements"] if d["field"] == "limits"]
    assert sorted(d["kind"] for d in extra) == ["FP", "MISMATCH", "MISMATCH"]
    assert "5,000,000" in next(d["item"] for d in extra if d["kind"] == "FP")
    assert (
        "labelled general_liability USD 2,000,000 aggregate; predicted general_liability USD 2,000,000 per_occurrence"
        in [d["item"] for d in extra]
    )
    assert "- **MISMATCH** limits" in render_markdown(m)


def test_limits_left_out_when_uncertain():
    row = LabelRow(
        "a.pdf",
        {
            "file": "a.pdf",
            "has_minimum_limits": True,
            "limits": [{"policy_type": "other", "amount": None, "basis": "other", "redacted": True}],
        },
        uncertain=frozenset({"has_minimum_limits"}),
    )
    m = score([(row, _result("a.pdf", _profile()))])
    assert m["limits"]["labelled"] == 0 and m["fields"]["has_minimum_limits"]["n"] == 0


def test_errored_documents_are_reported_not_scored_and_grounding_is_summed():
    row_a = LabelRow("a.pdf", {"file": "a.pdf", "insurance_required": True})
    row_b = LabelRow("b.pdf", {"file": "b.pdf", "insurance_required": True})
    row_c = LabelRow("c.pdf", {"file": "c.pdf", "insurance_required": True})
    bad = ReviewResult(
        file="b.pdf", path="b.pdf", status="error", error=ErrorInfo(code="no_text_layer", message="scanned")
    )
    p = _profile()
    p.ungrounded = [UngroundedQuote(field="additional_insured", quote="invented text")]
    ok = Reviewed(
        ReviewResult(file="a.pdf", path="a.pdf", profile=p), citations=4, verbatim=3, not_verbatim=["drifted quote"]
    )
    m = score([(row_a, ok), (row_b, Reviewed(bad)), (row_c, _result("c.pdf", _profile()))])
    assert m["documents"] == {"labelled": 3, "scored": 2, "errored": 1}
    assert m["errors"]["by_code"] == {"no_text_layer": 1}
    assert m["fields"]["insurance_required"]["n"] == 2
    g = m["grounding"]
    assert (g["citations"], g["verbatim"], g["ungrounded"]) == (5, 4, 1)
    assert g["verbatim_rate"] == pytest.approx(0.8)
    assert g["ungrounded_quotes"][0]["quote"] == "invented text"


# --------------------------------------------------------------------------- thresholds


def test_repository_thresholds_load_and_name_real_fields():
    t = load_thresholds(THRESHOLDS)
    assert t.f1["insurance_required"] == 0.95 and t.f1["vague_language"] == 0.85
    assert t.verbatim_rate == 1.0 and t.max_errors == 0
    assert set(t.f1) <= set(FIELDS)


def test_gate_checks_floors_and_passes_unscorable_fields():
    m = score(
        [
            (
                LabelRow("a.pdf", {"file": "a.pdf", "insurance_required": True, "coi_required": False}),
                _result("a.pdf", _profile(terms=["certificate_of_insurance"])),
            )
        ]
    )
    t = Thresholds(
        f1={"insurance_required": 0.95, "coi_required": 0.95, "additional_insured": 0.95},
        verbatim_rate=1.0,
        max_errors=0,
    )
    failures = check(m, t)
    assert len(failures) == 1 and failures[0].startswith("coi_required: F1 0.000 < 0.95")
    assert check(m, Thresholds(f1={"insurance_required": 0.95})) == []
    assert len(check(m, Thresholds().with_min_f1(0.5))) == 1


@pytest.mark.parametrize(
    "text, message",
    [
        ("f1:\n  not_a_field: 0.9\n", "not a scored field"),
        ("f1:\n  coi_required: 1.5\n", "between 0 and 1"),
        ("min_f1: 0.9\n", "unknown key"),
        ("max_errors: -1\n", "max_errors"),
        ("f1: [\n", "not valid YAML"),
    ],
)
def test_bad_thresholds_files(tmp_path, text, message):
    p = tmp_path / "t.yaml"
    p.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_thresholds(p)


# --------------------------------------------------------------------------- CUAD adapter


def test_parse_spans():
    assert parse_spans("") == []
    assert parse_spans("[]") == []
    assert parse_spans("['a', \"it's b\"]") == ["a", "it's b"]
    assert parse_spans("plain text") == ["plain text"]
    assert parse_spans("[broken") == ["[broken"]


def test_cuad_rows_from_master_clauses_and_project_csv(tmp_path):
    master = tmp_path / "master_clauses.csv"
    master.write_text(
        "Filename,Document Name,Insurance,Insurance-Answer\n"
        '"X.Corp_EX-10.7-AGREEMENT.pdf",x,"[\'Licensee shall maintain insurance.\']",Yes\n'
        "Y.pdf,y,[],No\n",
        encoding="utf-8",
    )
    rows = list(cuad_rows(master))
    assert rows[0]["file"] == "X.Corp_EX-10.7-AGREEMENT.pdf" and rows[0]["insurance_required"] is True
    assert rows[0]["evidence"] == {"insurance_required": ["Licensee shall maintain insurance."]}
    assert rows[1] == {**rows[1], "insurance_required": False, "evidence": {}}
    assert set(rows[0]) == {"file", "insurance_required", "evidence", "notes"}

    ours = tmp_path / "cuad_insurance.csv"
    ours.write_text("file,cuad_insurance,cuad_insurance_spans\nA .PDF,No,[]\nX.Corp_EX-10.7-AGREEMENT.PDF,Yes,[]\n")
    assert [r["file"] for r in cuad_rows(ours, exclude=["x.corp_ex-10.7-agreement"])] == ["A .PDF"]
    # the rows load as labels
    out = tmp_path / "coarse.jsonl"
    _write(out, list(cuad_rows(master)))
    assert [r.gold("coi_required") for r in load_labels(out)] == [None, None]


def test_cuad_rows_rejects_other_csvs(tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_text("name,answer\na,Yes\n")
    with pytest.raises(LabelError, match="unknown columns"):
        list(cuad_rows(bad))
    bad.write_text("file,cuad_insurance\na.pdf,Maybe\n")
    with pytest.raises(LabelError, match="Yes or No"):
        list(cuad_rows(bad))


def test_read_exclusions_from_stems_and_labels(tmp_path):
    stems = tmp_path / "dev_subset.txt"
    stems.write_text("A.Corp-EX-10.7-CONSULTING AGREEMENT(1)\nB \n")
    assert read_exclusions(stems) == {"a.corp-ex-10.7-consulting agreement(1)", "b"}
    labels = _write(tmp_path / "l.jsonl", [{"file": "C.PDF"}])
    assert read_exclusions(labels) == {"c"}


def test_cuad_script_runs(tmp_path):
    csv_path = tmp_path / "cuad_insurance.csv"
    csv_path.write_text("file,cuad_insurance,cuad_insurance_spans\na.pdf,Yes,\"['x']\"\nb.pdf,No,[]\n")
    excl = tmp_path / "ex.txt"
    excl.write_text("b\n")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "eval" / "cuad_to_labels.py"), str(csv_path), "--exclude", str(excl)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(x)["file"] for x in proc.stdout.splitlines()] == ["a.pdf"]
    proc = subprocess.run(
        [sys.executable, str(ROOT / "eval" / "cuad_to_labels.py"), str(tmp_path / "none.csv")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1 and "not found" in proc.stderr


# --------------------------------------------------------------------------- report


def test_report_renders_and_writes_plots(tmp_path):
    row = LabelRow(
        "a.pdf",
        {
            "file": "a.pdf",
            "insurance_required": True,
            "coi_required": True,
            "evidence": {"coi_required": ["deliver a certificate | on request"]},
        },
    )
    m = score([(row, _result("a.pdf", _profile()))], run={"extractor": "rules", "date": "today"})
    m["gate"] = {
        "source": "t.yaml",
        "f1": {"coi_required": 0.95},
        "failures": check(m, Thresholds(f1={"coi_required": 0.95})),
    }
    text = render_text(m)
    assert "coi_required" in text and "FAIL (>= 0.95)" in text and "Gate: FAILED" in text
    paths = write_outputs(m, tmp_path / "out", ["{}"])
    md = paths["report"].read_text()
    assert "| insurance_required | 1 | 1 | 1 | 0 | 0 | 0 | 1.000 | 1.000 | 1.000 |" in md
    assert "deliver a certificate | on request" in md  # quotes are not table cells: kept as written
    assert "![coi_required](confusion_coi_required.png)" in md
    png = paths["plot:coi_required"].read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000
    assert json.loads(paths["metrics"].read_text())["fields"]["coi_required"]["fn"] == 1
    assert render_markdown(m).count("### a.pdf") == 1


def test_coarse_labels_show_only_the_fields_they_have():
    m = score([(LabelRow("a.pdf", {"file": "a.pdf", "insurance_required": False}), _result("a.pdf", _profile()))])
    text = render_text(m)
    table = text.split("\n\n")[1]
    assert "insurance_required" in table and "coi_required" not in table
    assert "Not in these labels (not scored): additional_insured" in text
    assert "Limits:" not in text


# --------------------------------------------------------------------------- CLI, real files


def _cli(*args: str, timeout: int = 900, env: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "MPLBACKEND": "Agg", **(env or {})}
    return subprocess.run([*CLI, "eval", *args], capture_output=True, text=True, timeout=timeout, env=env)


def test_cli_eval_on_real_pdfs_reports_missing_files_and_gates(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "widgets.pdf").write_bytes(
        make_pdf(
            [
                "SUPPLY AGREEMENT\n1. Delivery. Seller shall deliver the widgets to Buyer's dock.\n"
                "2. Price. Buyer shall pay the invoice within thirty days.",
                "3. Governing law. This Agreement is governed by the laws of Delaware.",
            ]
        )
    )
    labels = _write(
        tmp_path / "labels.jsonl",
        [
            {"file": "widgets.pdf", "insurance_required": False, "additional_insured": False, "coi_required": False},
            {"file": "absent.pdf", "insurance_required": True},
        ],
    )
    out = tmp_path / "out"
    proc = _cli("--labels", str(labels), "--docs", str(docs), "--output", str(out), "--format", "json")
    assert proc.returncode == 2, proc.stderr  # a labelled file is missing: reported, exit 2
    m = json.loads(proc.stdout)
    assert m["errors"]["by_code"] == {"missing_file": 1}
    assert m["documents"] == {"labelled": 2, "scored": 1, "errored": 1}
    assert m["fields"]["insurance_required"]["tn"] == 1, m["disagreements"]
    assert m["run"]["extractor"] == "rules" and m["run"]["n_docs"] == 2 and m["run"]["package_version"]
    assert {p.name for p in out.iterdir()} >= {
        "report.md",
        "metrics.json",
        "results.jsonl",
        "confusion_insurance_required.png",
    }
    assert json.loads((out / "results.jsonl").read_text().splitlines()[0])["file"] == "widgets.pdf"

    proc = _cli("--labels", str(labels), "--docs", str(docs), "--thresholds", str(THRESHOLDS))
    assert proc.returncode == 4 and "errors: 1 document(s)" in proc.stdout

    proc = _cli("--labels", str(tmp_path / "none.jsonl"), "--docs", str(docs))
    assert proc.returncode == 1 and "(bad_labels)" in proc.stderr
    proc = _cli("--labels", str(labels), "--docs", str(docs), "--extractor", "nonesuch")
    assert proc.returncode == 1 and "(bad_config)" in proc.stderr and "'nonesuch'" in proc.stderr
    proc = _cli("--labels", str(labels), "--docs", str(docs), "--min-f1", "2")
    assert proc.returncode == 1


class _QuotingExtractor:
    """A stand-in extractor for the runner test: proposes one quote that is in the
    document (with wrong offsets, as an LLM would) and one that is not."""

    name = "eval-test-quoting"
    prompt_version = "test-1"
    needs_store = False

    def __init__(self, settings):
        pass

    def extract(self, doc, chunks):
        from contract_review.extract import Extraction

        real = "Seller shall maintain product liability insurance"
        profile = InsuranceProfile(
            insurance_required=True,
            insurance_evidence=[Citation(quote=real, page=1, start=0, end=len(real))],
            certificate_of_insurance=Term(
                present=True,
                evidence=[Citation(quote="Seller shall deliver a certificate of insurance", page=1, start=0, end=10)],
            ),
        )
        return Extraction(profile, prompt_version=self.prompt_version)


def test_run_eval_grounds_quotes_on_real_pdfs(tmp_path):
    from contract_review.evaluation.evaluate import run_eval
    from contract_review.extract import EXTRACTORS, register_extractor

    register_extractor(_QuotingExtractor.name)(_QuotingExtractor)
    try:
        docs = tmp_path / "docs"
        docs.mkdir()
        (docs / "supply.pdf").write_bytes(
            make_pdf(
                [
                    "SUPPLY AGREEMENT\n1. Delivery. Seller shall deliver the goods.",
                    "7. Insurance. Seller shall maintain product liability insurance with limits of $2,000,000.",
                ]
            )
        )
        labels = _write(
            tmp_path / "l.jsonl",
            [{"file": "supply.pdf", "insurance_required": True, "coi_required": False, "additional_insured": False}],
        )
        m, reviews = run_eval(
            labels,
            docs,
            extractor=_QuotingExtractor.name,
            thresholds=Thresholds(f1={"coi_required": 0.95}, verbatim_rate=1.0, max_errors=0),
        )
    finally:
        EXTRACTORS.pop(_QuotingExtractor.name, None)
    g = m["grounding"]
    # The real quote is re-anchored on page 2 and verbatim; the invented one is dropped and
    # reported, so the certificate term is not present.
    from contract_review.evaluation.runner import result_citations

    shown = result_citations(reviews[0].result)  # the profile's quote and the findings that cite it
    assert g["citations"] == len(shown) >= 1 and g["verbatim"] == g["citations"] and g["verbatim_rate"] == 1.0
    assert g["ungrounded"] == 1 and g["ungrounded_quotes"][0]["field"] == "certificate_of_insurance"
    assert reviews[0].result.profile.insurance_evidence[0].page == 2
    assert m["fields"]["insurance_required"]["tp"] == 1 and m["fields"]["coi_required"]["tn"] == 1
    assert m["run"]["extractor"] == _QuotingExtractor.name and m["run"]["prompt_version"] == "test-1"
    assert m["gate"]["failures"] == []


class _BrokenExtractor:
    name = "eval-test-broken"
    prompt_version = None
    needs_store = False

    def __init__(self, settings):
        pass

    def extract(self, doc, chunks):
        raise RuntimeError("bug in an extractor")


def test_a_bug_on_one_document_is_reported_and_fails_the_gate(tmp_path):
    from contract_review.evaluation.evaluate import run_eval
    from contract_review.extract import EXTRACTORS, register_extractor

    register_extractor(_BrokenExtractor.name)(_BrokenExtractor)
    try:
        docs = tmp_path / "docs"
        docs.mkdir()
        (docs / "a.pdf").write_bytes(make_pdf(["Seller shall maintain insurance."]))
        labels = _write(tmp_path / "l.jsonl", [{"file": "a.pdf", "insurance_required": True}])
        m, reviews = run_eval(labels, docs, extractor=_BrokenExtractor.name, thresholds=Thresholds(max_errors=0))
    finally:
        EXTRACTORS.pop(_BrokenExtractor.name, None)
    assert m["errors"]["files"] == [
        {"file": "a.pdf", "code": "internal_error", "message": "RuntimeError: bug in an extractor"}
    ]
    assert m["fields"]["insurance_required"]["n"] == 0
    assert m["gate"]["failures"] == ["errors: 1 document(s) could not be reviewed (internal_error: 1) > 0"]


def _gate(labels: Path, docs: Path, out: Path, workers: int, *extra: str, env: dict | None = None) -> dict:
    proc = _cli(
        "--labels",
        str(labels),
        "--docs",
        str(docs),
        "--thresholds",
        str(THRESHOLDS),
        "--workers",
        str(workers),
        "--output",
        str(out),
        *extra,
        timeout=1800,
        env=env,
    )
    metrics_file = out / "metrics.json"
    assert metrics_file.exists(), proc.stderr
    m = json.loads(metrics_file.read_text())
    failures = m["gate"]["failures"]
    assert not failures and proc.returncode == 0, (
        "eval gate failed:\n" + "\n".join(failures) + f"\n\n{proc.stdout}\nfull report: {out / 'report.md'}"
    )
    return m


def test_eval_gate_on_sample_contracts(tmp_path):
    labels = SAMPLES / "labels.jsonl"
    if not labels.exists():
        pytest.skip("sample_contracts/labels.jsonl not built yet")
    m = _gate(labels, SAMPLES, tmp_path / "out", workers=1)
    assert m["documents"]["scored"] == len(load_labels(labels))
    assert m["grounding"]["citations"] > 0


@pytest.mark.slow
@pytest.mark.dev_set
@pytest.mark.xdist_group("dev_set")
def test_eval_gate_on_cuad_dev_set(cuad_dir, dev_labels, tmp_path):
    m = _gate(cuad_dir / "dev_labels.jsonl", cuad_dir / "pdf", tmp_path / "out", workers=2)
    assert m["documents"]["scored"] == len(dev_labels) == 74
    assert m["grounding"]["citations"] > 0


@pytest.mark.slow
@pytest.mark.parametrize("extractor", ["llm", "hybrid"])
def test_eval_gate_live_llm_on_sample_contracts(tmp_path, extractor):
    """Opt-in: CONTRACT_REVIEW_EVAL_LIVE=1 and an endpoint (OPENAI_API_KEY / OPENAI_BASE_URL)
    run the same gate with the LLM extractors; this sends the sample contracts to it."""
    if os.environ.get("CONTRACT_REVIEW_EVAL_LIVE") != "1" or not LLM_ENV:
        pytest.skip("live LLM eval is opt-in: set CONTRACT_REVIEW_EVAL_LIVE=1 and OPENAI_API_KEY/OPENAI_BASE_URL")
    m = _gate(SAMPLES / "labels.jsonl", SAMPLES, tmp_path / "out", 2, "--extractor", extractor, env=LLM_ENV)
    assert m["run"]["extractor"] == extractor and m["run"]["prompt_version"]


@pytest.mark.slow
def test_parallel_workers_give_the_same_scores(tmp_path):
    from contract_review.evaluation.evaluate import run_eval

    labels = SAMPLES / "labels.jsonl"
    if not labels.exists():
        pytest.skip("sample_contracts/labels.jsonl not built yet")
    one, _ = run_eval(labels, SAMPLES, workers=1)
    two, reviews = run_eval(labels, SAMPLES, workers=2)
    assert [r.result.file for r in reviews] == [r.file for r in load_labels(labels)]  # label order
    for key in ("fields", "limits", "grounding", "errors", "disagreements", "documents"):
        assert one[key] == two[key], key
